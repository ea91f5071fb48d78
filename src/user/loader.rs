//! Loading users by id, within the caller's organisation.

use super::User;
use crate::error::AppError;
use crate::graphql::loader::DbLoader;
use async_graphql::dataloader::Loader;
use entity::user;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, prelude::Uuid};
use std::collections::HashMap;

/// Key: a user id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UserId(pub Uuid);

impl Loader<UserId> for DbLoader {
    type Value = User;
    type Error = AppError;

    async fn load(&self, keys: &[UserId]) -> Result<HashMap<UserId, User>, AppError> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let users = user::Entity::find()
            .filter(user::Column::OrganizationId.eq(self.organization_id))
            .filter(user::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(&self.db)
            .await?;
        Ok(users.into_iter().map(|u| (UserId(u.id), User(u))).collect())
    }
}
