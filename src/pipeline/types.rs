//! The `Pipeline` and `Stage` GraphQL types.

use super::loader::{PipelineId, PipelineStages};
use crate::deal::DealParent;
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::list_fields::object_with_lists;
use crate::graphql::scalars::DateTime;
use async_graphql::{Context, ID};
use entity::{pipeline, stage};

#[derive(Clone)]
pub struct Pipeline(pub pipeline::Model);

object_with_lists!(
    /// A sales pipeline: an ordered list of stages a deal moves through.
    Pipeline;
    deals: |p: &Pipeline| Some((DealParent::Pipeline, p.0.id)),
    ;
    /// The pipeline's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Pipeline, self.0.id)
    }

    /// The pipeline's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Where the pipeline comes among your pipelines (0 first).
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// Days without activity after which an open deal of the pipeline is stalled (Rex);
    /// null: its deals never stall.
    async fn stalled_after_days(&self) -> Option<i32> {
        self.0.stalled_after_days
    }

    /// The pipeline's stages, by position (deleted stages left out).
    async fn stages(&self, ctx: &Context<'_>) -> AppResult<Vec<Stage>> {
        Ok(ctx
            .loaders()?
            .load_one(PipelineStages(self.0.id))
            .await?
            .unwrap_or_default())
    }

    /// When the pipeline was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the pipeline was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
);

#[derive(Clone)]
pub struct Stage(pub stage::Model);

object_with_lists!(
    /// A stage of a pipeline, with its position and the probability that a deal in it is won.
    Stage;
    deals: |s: &Stage| Some((DealParent::Stage, s.0.id)),
    ;
    /// The stage's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Stage, self.0.id)
    }

    /// The stage's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Where the stage comes in its pipeline (0 first).
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// Chance, in percent (0–100), that an open deal in this stage is won; weights the
    /// `weightedValue` of open deals (won deals weigh 100, lost deals 0).
    async fn probability(&self) -> i32 {
        self.0.probability
    }

    /// The pipeline the stage belongs to.
    async fn pipeline(&self, ctx: &Context<'_>) -> AppResult<Pipeline> {
        ctx.loaders()?
            .load_one(PipelineId(self.0.pipeline_id))
            .await?
            .ok_or_else(|| AppError::internal("stage without pipeline"))
    }

    /// When the stage was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the stage was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }

    /// When the stage was deleted; stage history still shows deleted stages.
    async fn deleted_at(&self) -> Option<DateTime> {
        self.0.deleted_at.map(DateTime)
    }
);
