//! Root fields: `pipelines`, `pipeline`, `stages`.

use super::{Pipeline, PipelineId, PipelineStages, Stage};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::node::{NodeKind, expect_id};
use async_graphql::{Context, ID, Object};
use entity::pipeline;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

/// Root fields of pipelines and stages.
#[derive(Default)]
pub struct PipelineQuery;

#[Object]
impl PipelineQuery {
    /// Your organisation's pipelines, by position. (A handful per organisation, so a plain
    /// list.)
    async fn pipelines(&self, ctx: &Context<'_>) -> AppResult<Vec<Pipeline>> {
        let rows = pipeline::Entity::find()
            .filter(pipeline::Column::OrganizationId.eq(ctx.viewer()?.organization_id))
            .order_by_asc(pipeline::Column::Position)
            .order_by_asc(pipeline::Column::Id)
            .all(ctx.db()?)
            .await?;
        Ok(rows.into_iter().map(Pipeline).collect())
    }

    /// The pipeline with this id, or null when it is not in your organisation.
    async fn pipeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pipeline's id.")] id: ID,
    ) -> AppResult<Option<Pipeline>> {
        let id = expect_id(&id, NodeKind::Pipeline, "id")?;
        ctx.loaders()?.load_one(PipelineId(id)).await
    }

    /// The stages of a pipeline, by position (Play2Sell); empty for a pipeline that is not
    /// in your organisation.
    async fn stages(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pipeline whose stages to list.")] pipeline_id: ID,
    ) -> AppResult<Vec<Stage>> {
        let id = expect_id(&pipeline_id, NodeKind::Pipeline, "pipelineId")?;
        Ok(ctx
            .loaders()?
            .load_one(PipelineStages(id))
            .await?
            .unwrap_or_default())
    }
}
