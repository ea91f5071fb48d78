//! Deterministic batching: a request's DataLoader batches run on the request's own task.
//!
//! async-graphql's DataLoader hands each batch to a spawner and dispatches it after a short
//! timer. On a multi-threaded runtime that timer races the resolvers: when resolving one
//! level of a response takes longer than the delay, the level is split over several
//! statements. Here the spawner only queues the batch, and [`run_with_batches`] runs the
//! queued batches only once the query is blocked: it polls the query again for as long as
//! the query asks to be (list resolution yields every few items), so every resolver of a
//! level has queued its keys before a batch starts. The number of statements therefore
//! depends on the query's shape alone.

use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// Where a request's loaders queue their batches.
pub struct BatchQueue(UnboundedSender<BoxFuture<'static, ()>>);

/// The batches queued by one request, to run alongside it.
pub struct Batches(UnboundedReceiver<BoxFuture<'static, ()>>);

/// A queue for one request and the batches it will collect.
pub fn batch_queue() -> (BatchQueue, Batches) {
    let (sender, receiver) = unbounded_channel();
    (BatchQueue(sender), Batches(receiver))
}

impl BatchQueue {
    /// The DataLoader spawner: queue the batch (dropped if the request is over).
    pub fn spawner(self) -> impl Fn(BoxFuture<'static, ()>) + Send + Sync + 'static {
        move |batch| {
            let _ = self.0.send(batch);
        }
    }
}

/// A waker that notes whether it was woken, and passes the wake on.
struct NoteWake {
    woken: AtomicBool,
    outer: Waker,
}

impl Wake for NoteWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.outer.wake_by_ref();
    }
}

/// How many times in a row the query may ask to be polled again before batches run anyway.
const MAX_IMMEDIATE_REPOLLS: usize = 10_000;

/// Polls a query and runs its queued batches, on the caller's task.
struct Driver {
    queued: UnboundedReceiver<BoxFuture<'static, ()>>,
    running: FuturesUnordered<BoxFuture<'static, ()>>,
}

impl Driver {
    fn new(batches: Batches) -> Self {
        Self {
            queued: batches.0,
            running: FuturesUnordered::new(),
        }
    }

    /// Polls the query (through `poll_query`) for as long as it asks to be, then, if it is
    /// still not ready, the batches it queued.
    fn poll<T>(
        &mut self,
        cx: &mut Context<'_>,
        mut poll_query: impl FnMut(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        for _ in 0..MAX_IMMEDIATE_REPOLLS {
            let note = Arc::new(NoteWake {
                woken: AtomicBool::new(false),
                outer: cx.waker().clone(),
            });
            let waker = Waker::from(note.clone());
            if let Poll::Ready(output) = poll_query(&mut Context::from_waker(&waker)) {
                return Poll::Ready(output);
            }
            if !note.woken.load(Ordering::Acquire) {
                break;
            }
        }
        while let Poll::Ready(Some(batch)) = self.queued.poll_recv(cx) {
            self.running.push(batch);
        }
        // Batches that finish wake the query's waiters, which re-polls this task.
        while let Poll::Ready(Some(())) = self.running.poll_next_unpin(cx) {}
        Poll::Pending
    }
}

/// Runs `query` and, on the same task, the batches its loaders queue.
pub async fn run_with_batches<T>(query: impl Future<Output = T>, batches: Batches) -> T {
    let mut query = pin!(query);
    let mut driver = Driver::new(batches);
    std::future::poll_fn(move |cx| driver.poll(cx, |cx| query.as_mut().poll(cx))).await
}
