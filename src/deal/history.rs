//! `StageChange`: one move of a deal between stages (Rex's stage history).

use super::child_connection::child_connection;
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::scalars::DateTime;
use crate::pipeline::{Stage, StageId};
use crate::user::{User, UserId};
use async_graphql::{Context, ID, Object};
use entity::stage_change;

#[derive(Clone)]
pub struct StageChange(pub stage_change::Model);

/// A move of a deal from one stage to another [stage history]. The first of a deal, written
/// when it was created, has no `fromStage`.
#[Object]
impl StageChange {
    /// The change's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::StageChange, self.0.id)
    }

    /// The stage the deal left; null for the deal's first stage.
    async fn from_stage(&self, ctx: &Context<'_>) -> AppResult<Option<Stage>> {
        match self.0.from_stage_id {
            Some(id) => ctx.loaders()?.load_one(StageId(id)).await,
            None => Ok(None),
        }
    }

    /// The stage the deal entered.
    async fn to_stage(&self, ctx: &Context<'_>) -> AppResult<Option<Stage>> {
        ctx.loaders()?.load_one(StageId(self.0.to_stage_id)).await
    }

    /// When the move happened.
    async fn changed_at(&self) -> DateTime {
        self.0.changed_at.into()
    }

    /// Who moved the deal.
    async fn changed_by(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        match self.0.changed_by_id {
            Some(id) => ctx.loaders()?.load_one(UserId(id)).await,
            None => Ok(None),
        }
    }

    /// The note given with the move (Play2Sell).
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

child_connection!(
    StageChangeConnection,
    StageChangeEdge,
    StageChange,
    stage_change::Model,
    "A stage change with its cursor.",
    "A page of a deal's stage history, oldest first (a Relay connection).",
    own: ["id", "changedAt", "note", "fromStage", "toStage"]
);
