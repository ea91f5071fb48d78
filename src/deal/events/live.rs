//! [`EventHub`]: the event log delivered live to this process's subscribers.
//!
//! The log is the source of truth; everything here only says when to read it. For each
//! organisation that has subscribers, one tail task reads the events committed after the last
//! one it passed on (one statement for all the organisation's subscribers) and broadcasts them
//! to the subscriptions, which filter them ([`super::subscription`]). The tail reads when it is
//! woken:
//!
//! - after every mutation of this process commits (the mutation root wakes the caller's
//!   organisation, [`crate::auth::WriteGuarded`]): the SQLite case, one process;
//! - on PostgreSQL, by `NOTIFY deal_events` (sent by a trigger when an event's transaction
//!   commits, so every server process on the database hears of every other's events) through
//!   one listening connection per process; when that connection drops, every tail reads;
//! - and every `--event-poll-ms` (5 s by default) regardless, so a lost wake-up delays an
//!   event, never loses it.
//!
//! Subscribers of one organisation share their loaders, so the rows many of them show for one
//! event (the deal, its stage…) are read once, not once per subscriber.
//!
//! Memory stays bounded: the broadcast keeps the last [`BROADCAST_CAPACITY`] events; a
//! subscription that falls further behind reads what it missed from the log.

use crate::db::reuse::ReadConnection;
use crate::deal::events::feed::last_sequence;
use crate::graphql::loader::{DbLoader, Loaders};
use entity::deal_event;
use sea_orm::prelude::Uuid;
use sea_orm::{
    ColumnTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Once, Weak};
use std::time::Duration;
use tokio::sync::{Notify, broadcast};

/// Events a tail keeps for subscriptions that have not taken them yet.
pub const BROADCAST_CAPACITY: usize = 1024;
/// Events read from the log per statement.
pub const READ_BATCH: u64 = 500;
/// The PostgreSQL notification channel (see the migration `deal_event_scope`).
const CHANNEL: &str = "deal_events";

/// An event as subscribers share it.
pub type SharedEvent = Arc<deal_event::Model>;

/// The live tails of this process, one per organisation with subscribers.
pub struct EventHub {
    db: DatabaseConnection,
    poll: Duration,
    tails: Mutex<HashMap<Uuid, Tail>>,
    loaders: Mutex<HashMap<Uuid, Weak<Loaders>>>,
    listener: Once,
}

struct Tail {
    events: broadcast::Sender<SharedEvent>,
    wake: Arc<Notify>,
}

impl EventHub {
    /// The hub of a server over `db` whose tails read the log at least every `poll` (tasks
    /// start with the first subscriber).
    pub fn new(db: DatabaseConnection, poll: Duration) -> Arc<Self> {
        Arc::new(Self {
            db,
            poll,
            tails: Mutex::new(HashMap::new()),
            loaders: Mutex::new(HashMap::new()),
            listener: Once::new(),
        })
    }

    /// The events of `organization_id` committed from about now on (events committed just
    /// before may come too, and a subscription reads the log for anything it did not get).
    pub fn subscribe(self: &Arc<Self>, organization_id: Uuid) -> broadcast::Receiver<SharedEvent> {
        if self.db.get_database_backend() == DatabaseBackend::Postgres {
            self.listener
                .call_once(|| drop(tokio::spawn(listen(Arc::downgrade(self)))));
        }
        let mut tails = self.tails.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tail) = tails.get(&organization_id) {
            return tail.events.subscribe();
        }
        let (events, receiver) = broadcast::channel(BROADCAST_CAPACITY);
        let wake = Arc::new(Notify::new());
        tails.insert(
            organization_id,
            Tail {
                events: events.clone(),
                wake: wake.clone(),
            },
        );
        tokio::spawn(follow(
            Arc::downgrade(self),
            self.db.clone(),
            organization_id,
            events,
            wake,
            self.poll,
        ));
        receiver
    }

    /// The loaders the live subscriptions of `organization_id` share (see
    /// [`DbLoader::shared`]): one read of a row serves every subscriber that shows it.
    pub fn loaders(&self, organization_id: Uuid) -> Arc<Loaders> {
        let mut all = self.loaders.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(loaders) = all.get(&organization_id).and_then(Weak::upgrade) {
            return loaders;
        }
        all.retain(|_, loaders| loaders.strong_count() > 0);
        let loaders = Arc::new(DbLoader::shared(
            ReadConnection::new(self.db.clone(), None),
            organization_id,
        ));
        all.insert(organization_id, Arc::downgrade(&loaders));
        loaders
    }

    /// Says `organization_id` may have new events.
    pub fn wake(&self, organization_id: Uuid) {
        let tails = self.tails.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tail) = tails.get(&organization_id) {
            tail.wake.notify_one();
        }
    }

    /// Says every organisation may have new events.
    fn wake_all(&self) {
        let tails = self.tails.lock().unwrap_or_else(|e| e.into_inner());
        for tail in tails.values() {
            tail.wake.notify_one();
        }
    }

    /// Removes the tail of `organization_id` when nobody listens to it any more; true when
    /// it was removed (the tail task then ends).
    fn retire(&self, organization_id: Uuid, events: &broadcast::Sender<SharedEvent>) -> bool {
        let mut tails = self.tails.lock().unwrap_or_else(|e| e.into_inner());
        if events.receiver_count() > 0 {
            return false;
        }
        tails.remove(&organization_id);
        true
    }
}

/// The tail task of one organisation: reads the log after the last event passed on, whenever
/// woken or every `poll`, until nobody listens.
async fn follow(
    hub: Weak<EventHub>,
    db: DatabaseConnection,
    organization_id: Uuid,
    events: broadcast::Sender<SharedEvent>,
    wake: Arc<Notify>,
    poll: Duration,
) {
    let mut last = loop {
        match last_sequence(&db, organization_id).await {
            Ok(last) => break last,
            Err(err) => {
                tracing::warn!(error = ?err, "the event tail could not start; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    loop {
        let _ = tokio::time::timeout(poll, wake.notified()).await;
        let Some(hub) = hub.upgrade() else { return };
        if hub.retire(organization_id, &events) {
            return;
        }
        drop(hub);
        loop {
            match read_after(&db, organization_id, last, READ_BATCH).await {
                Ok(batch) => {
                    let full = batch.len() as u64 == READ_BATCH;
                    for event in batch {
                        last = event.sequence;
                        // No receiver right now is fine: the next one reads the log.
                        let _ = events.send(Arc::new(event));
                    }
                    if !full {
                        break;
                    }
                }
                Err(err) => {
                    tracing::warn!(error = ?err, "the event tail could not read the log");
                    break;
                }
            }
        }
    }
}

/// At most `limit` events of `organization_id` after `sequence`, in order.
pub async fn read_after(
    db: &DatabaseConnection,
    organization_id: Uuid,
    sequence: i64,
    limit: u64,
) -> Result<Vec<deal_event::Model>, sea_orm::DbErr> {
    deal_event::Entity::find()
        .filter(deal_event::Column::OrganizationId.eq(organization_id))
        .filter(deal_event::Column::Sequence.gt(sequence))
        .order_by_asc(deal_event::Column::Sequence)
        .limit(limit)
        .all(db)
        .await
}

/// PostgreSQL only: one connection of the process listens to `deal_events` and wakes the
/// tail of each notified organisation; when the connection drops, every tail reads (a
/// notification may have been missed) and the listener connects again.
async fn listen(hub: Weak<EventHub>) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let Some(pool) = hub
            .upgrade()
            .map(|hub| hub.db.get_postgres_connection_pool().clone())
        else {
            return;
        };
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = ?err, "cannot listen for events; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        drop(pool);
        if let Err(err) = listener.listen(CHANNEL).await {
            tracing::warn!(error = ?err, "cannot listen for events; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        match hub.upgrade() {
            Some(hub) => hub.wake_all(),
            None => return,
        }
        loop {
            let notification = listener.try_recv().await;
            let Some(hub) = hub.upgrade() else { return };
            match notification {
                Ok(Some(notification)) => {
                    let organization = notification.payload().split(':').next();
                    match organization.and_then(|id| Uuid::parse_str(id).ok()) {
                        Some(organization_id) => hub.wake(organization_id),
                        None => hub.wake_all(),
                    }
                }
                // The connection dropped: what was sent meanwhile is lost; read everything.
                Ok(None) => hub.wake_all(),
                Err(err) => {
                    tracing::warn!(error = ?err, "event notifications broke off; reconnecting");
                    hub.wake_all();
                    break;
                }
            }
        }
    }
}
