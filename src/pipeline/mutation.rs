//! Pipeline and stage mutations.

use super::service::{self, StageFields};
use super::{Pipeline, Stage};
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::patch::patch;
use crate::idempotency;
use crate::validate;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

/// A stage to create.
#[derive(InputObject)]
pub struct StageInput {
    /// The name (1–255 characters).
    pub name: String,
    /// Chance of winning a deal in this stage, 0–100.
    pub probability: i32,
}

/// Input of `createPipeline`.
#[derive(InputObject)]
pub struct CreatePipelineInput {
    /// The name (1–255 characters).
    pub name: String,
    /// Its stages, in order.
    pub stages: Vec<StageInput>,
    /// Open deals without activity for more than this many days are stalled (Rex), 1–3650;
    /// when omitted they never are.
    pub stalled_after_days: Option<i32>,
    /// Makes the create safe to retry (1–200 printable ASCII characters): a request with a
    /// key used in the last 24 hours gets what the first one created.
    pub idempotency_key: Option<String>,
}

/// Input of `updatePipeline`: only the fields given change.
#[derive(InputObject)]
pub struct UpdatePipelineInput {
    /// The pipeline.
    pub id: ID,
    /// A new name.
    pub name: Option<String>,
    /// Days without activity after which open deals are stalled (1–3650), or null: never.
    pub stalled_after_days: MaybeUndefined<i32>,
}

/// Input of `renamePipeline`.
#[derive(InputObject)]
pub struct RenamePipelineInput {
    /// The pipeline.
    pub id: ID,
    /// The new name.
    pub name: String,
}

/// Input of `createStage`.
#[derive(InputObject)]
pub struct CreateStageInput {
    /// The pipeline; the stage goes last.
    pub pipeline_id: ID,
    /// The name (1–255 characters).
    pub name: String,
    /// Chance of winning a deal in this stage, 0–100.
    pub probability: i32,
    /// Makes the create safe to retry (1–200 printable ASCII characters): a request with a
    /// key used in the last 24 hours gets what the first one created.
    pub idempotency_key: Option<String>,
}

/// Input of `updateStage`: only the fields given change.
#[derive(InputObject)]
pub struct UpdateStageInput {
    /// The stage.
    pub id: ID,
    /// A new name.
    pub name: Option<String>,
    /// A new probability, 0–100.
    pub probability: Option<i32>,
}

/// Input of `reorderStages`.
#[derive(InputObject)]
pub struct ReorderStagesInput {
    /// The pipeline.
    pub pipeline_id: ID,
    /// Every stage of the pipeline, once each, in the new order.
    pub stage_ids: Vec<ID>,
}

/// Input of `deleteStage`.
#[derive(InputObject)]
pub struct DeleteStageInput {
    /// The stage.
    pub id: ID,
    /// Where its deals go; required when it has any.
    pub move_deals_to_stage_id: Option<ID>,
}

/// Result of a pipeline mutation.
#[derive(SimpleObject)]
pub struct PipelinePayload {
    /// The pipeline as it is now.
    pub pipeline: Pipeline,
}

/// Result of a stage mutation.
#[derive(SimpleObject)]
pub struct StagePayload {
    /// The stage as it is now.
    pub stage: Stage,
}

/// Result of `reorderStages`.
#[derive(SimpleObject)]
pub struct ReorderStagesPayload {
    /// The pipeline's stages, in their new order.
    pub stages: Vec<Stage>,
}

fn probability(field: &str, value: i32) -> AppResult<i32> {
    if (0..=100).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::bad_input(
            field,
            "a probability is between 0 and 100",
        ))
    }
}

/// Most days `stalledAfterDays` may be (ten years).
const MAX_STALLED_AFTER_DAYS: i32 = 3650;

fn stalled_after_days(field: &str, value: i32) -> AppResult<i32> {
    if (1..=MAX_STALLED_AFTER_DAYS).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::bad_input(
            field,
            format!("stalledAfterDays is between 1 and {MAX_STALLED_AFTER_DAYS}"),
        ))
    }
}

fn name(field: &str, value: &str) -> AppResult<String> {
    validate::text(field, value, validate::MAX_TITLE)
}

/// Mutations on pipelines and stages.
#[derive(Default)]
pub struct PipelineMutation;

#[Object]
impl PipelineMutation {
    /// Creates a pipeline, after your other pipelines, with its stages.
    async fn create_pipeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pipeline.")] input: CreatePipelineInput,
    ) -> AppResult<PipelinePayload> {
        let stages = input
            .stages
            .iter()
            .map(|s| {
                Ok(StageFields {
                    name: name("input.stages.name", &s.name)?,
                    probability: probability("input.stages.probability", s.probability)?,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let stalled = input
            .stalled_after_days
            .map(|days| stalled_after_days("input.stalledAfterDays", days))
            .transpose()?;
        let name = name("input.name", &input.name)?;
        let pipeline = idempotency::once(
            ctx,
            input.idempotency_key.as_deref(),
            "createPipeline",
            move |txn, viewer| {
                Box::pin(async move {
                    service::create_pipeline(txn, &viewer, name, stages, stalled).await
                })
            },
            |id| async move {
                Ok(ctx
                    .loaders()?
                    .load_one(super::loader::PipelineId(id))
                    .await?
                    .ok_or_else(|| AppError::NotFound("pipeline".into()))?
                    .0)
            },
        )
        .await?;
        Ok(PipelinePayload {
            pipeline: Pipeline(pipeline),
        })
    }

    /// Renames a pipeline.
    async fn rename_pipeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pipeline and its name.")] input: RenamePipelineInput,
    ) -> AppResult<PipelinePayload> {
        let id = expect_id(&input.id, NodeKind::Pipeline, "input.id")?;
        let changes = service::PipelineChanges {
            name: Some(name("input.name", &input.name)?),
            ..Default::default()
        };
        let pipeline = service::update_pipeline(ctx.db()?, ctx.viewer()?, id, changes).await?;
        Ok(PipelinePayload {
            pipeline: Pipeline(pipeline),
        })
    }

    /// Changes a pipeline's name and/or when its deals stall.
    async fn update_pipeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pipeline and its changes.")] input: UpdatePipelineInput,
    ) -> AppResult<PipelinePayload> {
        let id = expect_id(&input.id, NodeKind::Pipeline, "input.id")?;
        let changes = service::PipelineChanges {
            name: input
                .name
                .as_deref()
                .map(|n| name("input.name", n))
                .transpose()?,
            stalled_after_days: patch(&input.stalled_after_days, |days| {
                stalled_after_days("input.stalledAfterDays", *days)
            })?,
        };
        let pipeline = service::update_pipeline(ctx.db()?, ctx.viewer()?, id, changes).await?;
        Ok(PipelinePayload {
            pipeline: Pipeline(pipeline),
        })
    }

    /// Adds a stage at the end of a pipeline.
    async fn create_stage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The stage.")] input: CreateStageInput,
    ) -> AppResult<StagePayload> {
        let pipeline = expect_id(&input.pipeline_id, NodeKind::Pipeline, "input.pipelineId")?;
        let fields = StageFields {
            name: name("input.name", &input.name)?,
            probability: probability("input.probability", input.probability)?,
        };
        let stage = idempotency::once(
            ctx,
            input.idempotency_key.as_deref(),
            "createStage",
            move |txn, viewer| {
                Box::pin(async move { service::create_stage(txn, &viewer, pipeline, fields).await })
            },
            |id| async move {
                Ok(ctx
                    .loaders()?
                    .load_one(super::loader::StageId(id))
                    .await?
                    .ok_or_else(|| AppError::NotFound("stage".into()))?
                    .0)
            },
        )
        .await?;
        Ok(StagePayload {
            stage: Stage(stage),
        })
    }

    /// Renames a stage and/or sets its probability.
    async fn update_stage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The stage and its changes.")] input: UpdateStageInput,
    ) -> AppResult<StagePayload> {
        let id = expect_id(&input.id, NodeKind::Stage, "input.id")?;
        let new_name = input
            .name
            .as_deref()
            .map(|n| name("input.name", n))
            .transpose()?;
        let new_probability = input
            .probability
            .map(|p| probability("input.probability", p))
            .transpose()?;
        let stage =
            service::update_stage(ctx.db()?, ctx.viewer()?, id, new_name, new_probability).await?;
        Ok(StagePayload {
            stage: Stage(stage),
        })
    }

    /// Puts a pipeline's stages in a new order.
    async fn reorder_stages(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pipeline and the order.")] input: ReorderStagesInput,
    ) -> AppResult<ReorderStagesPayload> {
        let pipeline = expect_id(&input.pipeline_id, NodeKind::Pipeline, "input.pipelineId")?;
        let order = input
            .stage_ids
            .iter()
            .map(|id| expect_id(id, NodeKind::Stage, "input.stageIds"))
            .collect::<AppResult<Vec<_>>>()?;
        let stages = service::reorder_stages(ctx.db()?, ctx.viewer()?, pipeline, &order).await?;
        Ok(ReorderStagesPayload {
            stages: stages.into_iter().map(Stage).collect(),
        })
    }

    /// Deletes a stage. One with deals needs `moveDealsToStageId` (CONFLICT otherwise); its
    /// deals move there first, each move in the deal's history. Stage history keeps showing
    /// the deleted stage.
    async fn delete_stage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The stage and where its deals go.")] input: DeleteStageInput,
    ) -> AppResult<StagePayload> {
        let id = expect_id(&input.id, NodeKind::Stage, "input.id")?;
        let target = input
            .move_deals_to_stage_id
            .as_ref()
            .map(|t| expect_id(t, NodeKind::Stage, "input.moveDealsToStageId"))
            .transpose()?;
        let stage = service::delete_stage(ctx.db()?, ctx.viewer()?, id, target).await?;
        Ok(StagePayload {
            stage: Stage(stage),
        })
    }
}
