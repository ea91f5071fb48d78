//! `dealChanges(since, first)`: the organisation's event log after a token, oldest first, for
//! clients that keep a copy of the deals (an offline-first mobile app) and sync it.
//!
//! The contract: events come in sequence order, each once per page; `nextToken` is where the
//! next call starts (the same token when nothing is new); applying an event twice must be
//! harmless (the deal itself is read again), so a client that lost its reply may ask again with
//! the old token (at-least-once). A deletion is an event like any other (`DELETED`; the deal
//! can still be read until it is purged). Without `since` the feed starts at the first event.
//! Events are kept `--event-retention-days` (90 by default); a token from before the oldest
//! event kept is SYNC_TOKEN_EXPIRED, and the client reloads its copy and starts again.

use super::token::{ORDER, sequence_of};
use super::types::DealEvent;
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::{KeyValue, Keyed, PageArgs, SortKey, fetch_root_page};
use async_graphql::{Context, Object};
use entity::deal_event;
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// Events per call when `first` is not given.
pub const DEFAULT_EVENTS: u64 = 100;

impl Keyed for deal_event::Model {
    fn key_values(&self) -> Vec<KeyValue> {
        vec![KeyValue::Int(self.sequence)]
    }
    fn row_id(&self) -> Uuid {
        self.id
    }
}

/// A page of the change feed.
pub struct DealChangeFeed {
    events: Vec<DealEvent>,
    next_token: Option<String>,
    has_more: bool,
}

/// Changes of your organisation's deals after a token, oldest first.
#[Object]
impl DealChangeFeed {
    /// The events, in sequence order.
    async fn events(&self) -> &[DealEvent] {
        &self.events
    }

    /// Pass it as `since` to get what comes next (unchanged when nothing is new; null only
    /// while your organisation has no event at all).
    async fn next_token(&self) -> Option<&str> {
        self.next_token.as_deref()
    }

    /// Whether more events wait after this page.
    async fn has_more(&self) -> bool {
        self.has_more
    }
}

/// SYNC_TOKEN_EXPIRED when events after `sequence` were pruned: the client's copy has a hole
/// it cannot fill from the log.
pub async fn check_not_expired(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    sequence: i64,
) -> AppResult<()> {
    let last: i64 = last_sequence(db, organization_id).await?;
    if sequence >= last {
        return Ok(());
    }
    let next = deal_event::Entity::find()
        .filter(deal_event::Column::OrganizationId.eq(organization_id))
        .filter(deal_event::Column::Sequence.gt(sequence))
        .order_by_asc(deal_event::Column::Sequence)
        .one(db)
        .await?;
    match next {
        Some(event) if event.sequence == sequence + 1 => Ok(()),
        _ => Err(AppError::SyncTokenExpired(
            "events after this token were pruned (older than the event log keeps): reload \
             the deals and start a new feed without `since`"
                .into(),
        )),
    }
}

/// The organisation's last event number (0 before its first event).
pub async fn last_sequence(db: &impl ConnectionTrait, organization_id: Uuid) -> AppResult<i64> {
    let select = Query::select()
        .column("last_sequence")
        .from("deal_event_sequence")
        .and_where(Expr::col("organization_id").eq(organization_id))
        .to_owned();
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(crate::db::statement::build(&select, backend))
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "last_sequence"))
        .transpose()?
        .unwrap_or(0))
}

/// The feed after `since`, `first` events at most.
pub async fn deal_changes(
    ctx: &Context<'_>,
    since: Option<String>,
    first: Option<i32>,
) -> AppResult<DealChangeFeed> {
    let db = ctx.reads()?;
    let organization_id = ctx.viewer()?.organization_id;
    let column = |c: deal_event::Column| Expr::col((deal_event::Entity, c));
    let keys = [SortKey {
        expr: column(deal_event::Column::Sequence),
        descending: false,
        nullable: false,
    }];
    let args = PageArgs {
        first: Some(first.unwrap_or(DEFAULT_EVENTS as i32)),
        after: since.clone(),
        last: None,
        before: None,
    };
    if let Some(since) = &since {
        check_not_expired(db, organization_id, sequence_of(since, "since")?).await?;
    }
    let page = fetch_root_page::<deal_event::Entity>(
        db,
        Condition::all().add(column(deal_event::Column::OrganizationId).eq(organization_id)),
        &keys,
        column(deal_event::Column::Id),
        ORDER,
        &args,
    )
    .await
    .map_err(|e| e.renamed_field("after", "since"))?;
    let next_token = page
        .edges
        .last()
        .map(|(cursor, _)| cursor.encode())
        .or(since);
    Ok(DealChangeFeed {
        events: page
            .edges
            .into_iter()
            .map(|(_, event)| DealEvent(event))
            .collect(),
        next_token,
        has_more: page.info.has_next_page,
    })
}
