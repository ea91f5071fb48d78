//! Facts about an organisation that other services need.

use crate::error::AppResult;
use entity::organization;
use sea_orm::{ConnectionTrait, EntityTrait, prelude::Uuid};

/// The currency new deals and sales of `organization_id` use when none is given.
pub async fn default_currency(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
) -> AppResult<String> {
    let found = organization::Entity::find_by_id(organization_id)
        .one(db)
        .await?;
    Ok(found.map_or_else(|| "USD".to_owned(), |o| o.default_currency))
}
