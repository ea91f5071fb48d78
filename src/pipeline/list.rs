//! The pipeline list: `pipelines`, by position.

use super::Pipeline;
use crate::error::AppResult;
use crate::graphql::connection::{CountWhere, list_connection};
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::{KeyValue, Keyed, PageArgs, SortKey, fetch_root_page};
use async_graphql::Context;
use entity::pipeline;
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, SimpleExpr};

fn col(column: pipeline::Column) -> SimpleExpr {
    Expr::col((pipeline::Entity, column))
}

impl Keyed for pipeline::Model {
    fn key_values(&self) -> Vec<KeyValue> {
        vec![KeyValue::Int(i64::from(self.position))]
    }
    fn row_id(&self) -> Uuid {
        self.id
    }
}

list_connection!(
    PipelineConnection,
    PipelineEdge,
    Pipeline,
    pipeline::Model,
    CountWhere<pipeline::Entity>,
    "A pipeline with its cursor.",
    "A page of pipelines, by position (a Relay connection)."
);

impl PipelineConnection {
    /// The organisation's pipelines.
    pub async fn root(ctx: &Context<'_>, args: PageArgs) -> AppResult<Self> {
        let condition = Condition::all()
            .add(col(pipeline::Column::OrganizationId).eq(ctx.viewer()?.organization_id));
        let keys = [SortKey {
            expr: col(pipeline::Column::Position),
            descending: false,
            nullable: false,
        }];
        let page = fetch_root_page::<pipeline::Entity>(
            ctx.reads()?,
            condition.clone(),
            &keys,
            col(pipeline::Column::Id),
            "pipeline:position",
            &args,
        )
        .await?;
        Ok(Self {
            page,
            count: CountWhere::new(condition),
        })
    }
}
