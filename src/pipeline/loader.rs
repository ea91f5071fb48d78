//! Loading pipelines and stages by id, and the stages of pipelines, in batches.

use super::{Pipeline, Stage};
use crate::error::AppError;
use crate::graphql::loader::{DbLoader, load_by_id};
use async_graphql::dataloader::Loader;
use entity::{pipeline, stage};
use sea_orm::prelude::Uuid;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

load_by_id!(PipelineId, pipeline, Pipeline);
load_by_id!(StageId, stage, Stage);

/// Key: a pipeline whose stages to load, in position order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PipelineStages(pub Uuid);

impl Loader<PipelineStages> for DbLoader {
    type Value = Vec<Stage>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[PipelineStages],
    ) -> Result<HashMap<PipelineStages, Vec<Stage>>, AppError> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = stage::Entity::find()
            .filter(stage::Column::OrganizationId.eq(self.organization_id))
            .filter(stage::Column::PipelineId.is_in(keys.iter().map(|k| k.0)))
            .filter(stage::Column::DeletedAt.is_null())
            .order_by_asc(stage::Column::Position)
            .order_by_asc(stage::Column::Id)
            .all(&self.db)
            .await?;
        let mut by_pipeline: HashMap<PipelineStages, Vec<Stage>> = HashMap::new();
        for row in rows {
            by_pipeline
                .entry(PipelineStages(row.pipeline_id))
                .or_default()
                .push(Stage(row));
        }
        Ok(by_pipeline)
    }
}
