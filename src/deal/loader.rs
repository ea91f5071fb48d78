//! Loading deals by id and their tags, in batches.

use super::Deal;
use crate::error::AppError;
use crate::graphql::loader::{DbLoader, load_by_id};
use async_graphql::dataloader::Loader;
use entity::{deal, deal_tag};
use sea_orm::prelude::Uuid;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

load_by_id!(DealId, deal, Deal);

/// Key: a deal whose tags to load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DealTags(pub Uuid);

impl Loader<DealTags> for DbLoader {
    type Value = Vec<String>;
    type Error = AppError;

    async fn load(&self, keys: &[DealTags]) -> Result<HashMap<DealTags, Vec<String>>, AppError> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = deal_tag::Entity::find()
            .filter(deal_tag::Column::OrganizationId.eq(self.organization_id))
            .filter(deal_tag::Column::DealId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(deal_tag::Column::Tag)
            .all(&self.db)
            .await?;
        let mut tags: HashMap<DealTags, Vec<String>> = HashMap::new();
        for row in rows {
            tags.entry(DealTags(row.deal_id)).or_default().push(row.tag);
        }
        Ok(tags)
    }
}
