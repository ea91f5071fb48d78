//! Pipeline and stage mutations.

use super::service::{self, StageFields};
use super::{Pipeline, Stage};
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::validate;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

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
        let pipeline = service::create_pipeline(
            ctx.db()?,
            ctx.viewer()?,
            name("input.name", &input.name)?,
            stages,
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
        let pipeline = service::rename_pipeline(
            ctx.db()?,
            ctx.viewer()?,
            id,
            name("input.name", &input.name)?,
        )
        .await?;
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
        let stage = service::create_stage(ctx.db()?, ctx.viewer()?, pipeline, fields).await?;
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
