//! The HTTP surface: the axum router and how the server starts and stops.

mod graphql;
mod health;
mod serve;

pub use serve::Timeouts;

use crate::auth::ViewerCache;
use crate::config::Config;
use crate::graphql::{self as gql, AppSchema};
use crate::limits::RequestGate;
use axum::Router;
use axum::routing::get;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tower_http::trace::TraceLayer;

/// What every handler shares: the pool, the schema and the configuration.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: DatabaseConnection,
    /// The GraphQL schema.
    pub schema: AppSchema,
    /// The server's configuration.
    pub config: Arc<Config>,
    /// The checks every GraphQL request passes first.
    pub gate: Arc<RequestGate>,
    /// Callers of recently seen API keys.
    pub viewers: Arc<ViewerCache>,
}

impl AppState {
    /// The state of a server over `db` with `config`: the one builder `serve` and the tests
    /// share.
    pub fn new(db: DatabaseConnection, config: Config) -> Self {
        let schema = gql::schema();
        let gate = RequestGate::new(config.limits(), &schema.sdl());
        let viewers = ViewerCache::new(config.auth_cache_ttl());
        Self {
            db,
            schema,
            config: Arc::new(config),
            gate: Arc::new(gate),
            viewers: Arc::new(viewers),
        }
    }
}

/// The router: `/graphql` (POST, GET, GraphiQL for browsers), `/graphiql`, `/graphql/ws`,
/// `/healthz` and `/readyz`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/graphql",
            get(graphql::get_graphql).post(graphql::post_graphql),
        )
        .route("/graphiql", get(graphql::graphiql))
        .route("/graphql/ws", get(graphql::websocket))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves `state` on `listener` until SIGTERM or Ctrl-C, then drains open requests within
/// the configured grace period.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let timeouts = state.config.timeouts();
    serve::serve_until(listener, router(state), timeouts, shutdown_signal()).await
}

/// Serves `state` on `listener` until `stop` completes: [`serve`] with another stop signal.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    state: AppState,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let timeouts = state.config.timeouts();
    serve::serve_until(listener, router(state), timeouts, stop).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
