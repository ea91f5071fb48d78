//! `DealEvent`: one entry of the event log as the API shows it, and `deal.changelog`, a deal's
//! events newest first (Pipedrive's deal changelog) through the per-deal list engine.

use super::record::DealEventType;
use super::token::token_of;
use crate::api_key::{ApiKey, ApiKeyId};
use crate::deal::Deal;
use crate::deal::child_connection::child_connection;
use crate::deal::loader::DealId;
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::scalars::DateTime;
use crate::user::{User, UserId};
use async_graphql::{Context, ID, Json, Object, SimpleObject};
use entity::deal_event;

/// One changed field of an event.
#[derive(SimpleObject)]
pub struct FieldChange {
    /// The field, as the API names it (`title`, `stageId`, `value`, `product`…).
    pub field: String,
    /// Its value before (null: none, or the thing did not exist).
    pub old_value: Json<serde_json::Value>,
    /// Its value after (null: none, or the thing is gone).
    pub new_value: Json<serde_json::Value>,
}

/// One change of a deal or of what hangs from it, from the event log.
#[derive(Clone)]
pub struct DealEvent(pub deal_event::Model);

/// One change of a deal or of what hangs from it, from the event log: what happened, which
/// fields changed, who did it and when, and its place in the organisation's sequence.
#[Object]
impl DealEvent {
    /// Its place in your organisation's event sequence: from 1, without gaps, in commit order.
    async fn sequence(&self) -> String {
        self.0.sequence.to_string()
    }

    /// Pass it as `since` to `dealChanges`, or as `after` to the `dealEvents` subscription,
    /// to resume after this event.
    async fn token(&self) -> String {
        token_of(&self.0)
    }

    /// What happened.
    async fn r#type(&self) -> Option<DealEventType> {
        DealEventType::from_name(&self.0.event_type)
    }

    /// The deal's id (also when the deal is gone).
    async fn deal_id(&self) -> ID {
        global_id(NodeKind::Deal, self.0.deal_id)
    }

    /// The deal as it is now (null when it no longer exists).
    async fn deal(&self, ctx: &Context<'_>) -> AppResult<Option<Deal>> {
        ctx.loaders()?.load_one(DealId(self.0.deal_id)).await
    }

    /// The fields that changed, with their values before and after.
    async fn changes(&self) -> Vec<FieldChange> {
        let value = |change: &serde_json::Value, key: &str| {
            Json(change.get(key).cloned().unwrap_or(serde_json::Value::Null))
        };
        self.0
            .changes
            .as_array()
            .into_iter()
            .flatten()
            .map(|change| FieldChange {
                field: change["field"].as_str().unwrap_or_default().to_owned(),
                old_value: value(change, "old"),
                new_value: value(change, "new"),
            })
            .collect()
    }

    /// The user whose key made the change (null for a key without a user).
    async fn user(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        match self.0.user_id {
            Some(id) => ctx.loaders()?.load_one(UserId(id)).await,
            None => Ok(None),
        }
    }

    /// The API key that made the change (its prefix identifies it; null once deleted).
    async fn api_key(&self, ctx: &Context<'_>) -> AppResult<Option<ApiKey>> {
        match self.0.api_key_id {
            Some(id) => ctx.loaders()?.load_one(ApiKeyId(id)).await,
            None => Ok(None),
        }
    }

    /// When it happened.
    async fn occurred_at(&self) -> DateTime {
        DateTime(self.0.occurred_at)
    }
}

child_connection!(
    DealEventConnection,
    DealEventEdge,
    DealEvent,
    deal_event::Model,
    "An event with its cursor.",
    "A page of a deal's changelog, newest first (a Relay connection)."
);
