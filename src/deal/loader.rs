//! Loading deals by id and their tags, in batches.

use super::Deal;
use super::around::{Activity, Task};
use super::history::StageChange;
use super::products::DealProduct;
use crate::error::AppError;
use crate::graphql::loader::{DbLoader, load_by_id};
use crate::user::User;
use async_graphql::dataloader::Loader;
use entity::{activity, deal, deal_follower, deal_product, deal_tag, stage_change, task, user};
use sea_orm::prelude::Uuid;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

load_by_id!(DealId, deal, Deal);
load_by_id!(DealProductId, deal_product, DealProduct);
load_by_id!(StageChangeId, stage_change, StageChange);
load_by_id!(ActivityId, activity, Activity);
load_by_id!(TaskId, task, Task);

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

/// Key: a deal whose followers to load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DealFollowers(pub Uuid);

impl Loader<DealFollowers> for DbLoader {
    type Value = Vec<User>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[DealFollowers],
    ) -> Result<HashMap<DealFollowers, Vec<User>>, AppError> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let follows = deal_follower::Entity::find()
            .filter(deal_follower::Column::OrganizationId.eq(self.organization_id))
            .filter(deal_follower::Column::DealId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(deal_follower::Column::CreatedAt)
            .all(&self.db)
            .await?;
        let user_ids: Vec<Uuid> = follows.iter().map(|f| f.user_id).collect();
        let users: HashMap<Uuid, user::Model> = if user_ids.is_empty() {
            HashMap::new()
        } else {
            user::Entity::find()
                .filter(user::Column::OrganizationId.eq(self.organization_id))
                .filter(user::Column::Id.is_in(user_ids))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|u| (u.id, u))
                .collect()
        };
        let mut followers: HashMap<DealFollowers, Vec<User>> = HashMap::new();
        for follow in follows {
            if let Some(user) = users.get(&follow.user_id) {
                followers
                    .entry(DealFollowers(follow.deal_id))
                    .or_default()
                    .push(User(user.clone()));
            }
        }
        Ok(followers)
    }
}
