//! The accept loop: HTTP/1.1 connections served by hyper with read timeouts, and a graceful
//! shutdown that ends within its grace period whatever clients do.
//!
//! axum's own `serve` has no header-read timeout, so a client that sends half a request and
//! stops would hold its connection, and the shutdown, forever. Here a connection must send
//! its headers within the read timeout (the GraphQL handler bounds reading the body the same
//! way), and on SIGTERM or Ctrl-C the server stops accepting, lets open requests finish for
//! the grace period, then drops what is left.

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;

/// Completes once `stop` turns true (or its sender is gone).
async fn stopped(stop: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// How long clients get to send headers, and how long a shutdown waits for open requests.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// Time a client has to send a request's headers.
    pub header_read: Duration,
    /// Time open requests get to finish once shutdown starts.
    pub shutdown_grace: Duration,
}

impl Timeouts {
    /// The connection timeouts `config` sets.
    pub fn of(config: &crate::config::Config) -> Self {
        Self {
            header_read: Duration::from_millis(config.read_timeout_ms),
            shutdown_grace: Duration::from_millis(config.shutdown_grace_ms),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then drains within the grace.
pub async fn serve_until(
    listener: TcpListener,
    router: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    // Every connection task holds a sender; when all are dropped, every connection has ended.
    let (open_tx, mut open_rx) = tokio::sync::mpsc::channel::<()>(1);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Too many open files and the like: wait a moment instead of spinning.
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(router.clone());
        let connection = builder
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let (open, mut stop) = (open_tx.clone(), stop_rx.clone());
        tokio::spawn(async move {
            let _open = open;
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = stopped(&mut stop) => {
                    // Finish the request in flight, then close; idle connections close now.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(err) = result {
                tracing::debug!(%err, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(open_tx);
    tokio::select! {
        _ = open_rx.recv() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(timeouts.shutdown_grace) => {
            tracing::warn!("shutdown grace period over; closing the remaining connections");
        }
    }
    Ok(())
}
