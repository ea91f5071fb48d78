//! Keeping the event log to its retention: the server deletes events older than
//! `--event-retention-days` at start and every hour. A sync token that points before the
//! oldest event kept is refused with SYNC_TOKEN_EXPIRED (see [`super::feed`]).

use crate::clock;
use crate::error::AppResult;
use chrono::TimeDelta;
use entity::deal_event;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::time::Duration;

/// How often the server prunes.
const EVERY: Duration = Duration::from_secs(3_600);

/// Deletes the events older than `days` days; how many went.
pub async fn prune(db: &DatabaseConnection, days: u32) -> AppResult<u64> {
    let cutoff = clock::now() - TimeDelta::days(i64::from(days));
    let deleted = deal_event::Entity::delete_many()
        .filter(deal_event::Column::OccurredAt.lt(cutoff))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}

/// Prunes now and then every hour, for as long as the server runs (`days` 0: never).
pub async fn run(db: DatabaseConnection, days: u32) {
    if days == 0 {
        return;
    }
    let mut ticks = tokio::time::interval(EVERY);
    loop {
        ticks.tick().await;
        match prune(&db, days).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, days, "pruned the deal event log"),
            Err(err) => tracing::warn!(code = err.code(), "pruning the deal event log failed"),
        }
    }
}
