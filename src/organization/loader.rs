//! Loading organisations by id: only the caller's own can ever be found.

use super::Organization;
use crate::error::AppError;
use crate::graphql::loader::DbLoader;
use async_graphql::dataloader::Loader;
use entity::organization;
use sea_orm::{EntityTrait, prelude::Uuid};
use std::collections::HashMap;

/// Key: an organisation id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OrganizationId(pub Uuid);

impl Loader<OrganizationId> for DbLoader {
    type Value = Organization;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[OrganizationId],
    ) -> Result<HashMap<OrganizationId, Organization>, AppError> {
        let own = OrganizationId(self.organization_id);
        if !keys.contains(&own) {
            return Ok(HashMap::new());
        }
        let found = organization::Entity::find_by_id(own.0)
            .one(&self.db)
            .await?;
        Ok(found
            .map(|org| (own, Organization(org)))
            .into_iter()
            .collect())
    }
}
