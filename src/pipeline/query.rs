//! Root fields: `pipelines`, `pipeline`, `stages`.

use super::list::PipelineConnection;
use super::{Pipeline, PipelineId, PipelineStages, Stage};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::pagination::PageArgs;
use async_graphql::{Context, ID, Object};

/// Root fields of pipelines and stages.
#[derive(Default)]
pub struct PipelineQuery;

#[Object]
impl PipelineQuery {
    /// Your organisation's pipelines, by position.
    async fn pipelines(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page forward: this many (at most 500; 50 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Page forward: start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page backward: this many (at most 500).")] last: Option<i32>,
        #[graphql(desc = "Page backward: end before this cursor.")] before: Option<String>,
    ) -> AppResult<PipelineConnection> {
        PipelineConnection::root(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await
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
