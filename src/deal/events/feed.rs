//! `dealChanges(since, first)`: the organisation's event log after a token, oldest first, for
//! clients that keep a copy of the deals (an offline-first mobile app) and sync it.
//!
//! The contract: events come in sequence order, each once per page; `nextToken` is where the
//! next call starts (the same token when nothing is new); applying an event twice must be
//! harmless (the deal itself is read again), so a client that lost its reply may ask again with
//! the old token (at-least-once). A deletion is an event like any other (`DELETED`; the deal
//! can still be read until it is purged). Without `since` the feed starts at the first event.

use super::types::DealEvent;
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::{KeyValue, Keyed, PageArgs, SortKey, fetch_root_page};
use async_graphql::{Context, Object};
use entity::deal_event;
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Condition, Expr, ExprTrait};

/// The ordering name of feed tokens.
const ORDER: &str = "SEQUENCE";
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

/// The feed after `since`, `first` events at most.
pub async fn deal_changes(
    ctx: &Context<'_>,
    since: Option<String>,
    first: Option<i32>,
) -> AppResult<DealChangeFeed> {
    let db = ctx.db()?;
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
        .map(|(cursor, _)| cursor.clone())
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
