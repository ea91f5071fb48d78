//! `duplicateDeal`: a new open deal copied from another — as Pipedrive does, titled
//! "<title> (copy)" — with the same value, currency, pipeline and stage, people, dates,
//! priority, source, custom fields, tags, product lines, discounts, followers and
//! participants; not its history, activities, tasks, installments, sale or changelog, which
//! belong to the original. A won deal's final value is not copied: the copy of a deal with
//! products is worth what they make.

use crate::auth::Viewer;
use crate::clock;
use crate::db::Db;
use crate::deal::events::{self, DealEventType};
use crate::deal::products::service::recompute_value;
use crate::deal::service::{find, history, replace_tags, tags_of};
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{NodeKind, global_id};
use crate::validate;
use entity::enums::DealStatus;
use entity::{deal, deal_discount, deal_follower, deal_participant, deal_product};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, IntoActiveModel, QueryOrder};
use serde_json::{Value as Json, json};

/// The title of a copy of a deal titled `title`, within the length a title may have.
fn copy_title(title: &str) -> String {
    const SUFFIX: &str = " (copy)";
    let room = validate::MAX_TITLE.saturating_sub(SUFFIX.chars().count());
    let kept: String = title.chars().take(room).collect();
    format!("{kept}{SUFFIX}")
}

/// Copies deal `id` (see the module docs) and returns the copy.
pub async fn duplicate(db: &impl Db, viewer: &Viewer, id: Uuid) -> AppResult<deal::Model> {
    let org = viewer.organization_id;
    let txn = crate::db::begin_write(db).await?;
    let source = find(&txn, org, id).await?;
    if source.deleted_at.is_some() {
        return Err(AppError::Conflict(
            "the deal is deleted: restore it first".into(),
        ));
    }
    let now = clock::now();
    let copy = deal::Model {
        id: Uuid::now_v7(),
        title: copy_title(&source.title),
        status: DealStatus::Open,
        lost_reason: None,
        won_at: None,
        lost_at: None,
        closed_at: None,
        stage_changed_at: now,
        last_activity_at: None,
        archived_at: None,
        deleted_at: None,
        created_at: now,
        updated_at: now,
        version: 1,
        created_by_id: viewer.user_id,
        value_adjustment: None,
        ..source.clone()
    };
    let copy = copy.into_active_model().reset_all().insert(&txn).await?;
    history(
        &txn,
        org,
        copy.id,
        None,
        copy.stage_id,
        viewer.user_id,
        None,
        now,
    )
    .await?;
    let tags = tags_of(&txn, org, source.id).await?;
    replace_tags(&txn, org, copy.id, &tags).await?;
    let lines = deal_product::Entity::find()
        .filter(deal_product::Column::OrganizationId.eq(org))
        .filter(deal_product::Column::DealId.eq(source.id))
        .order_by_asc(deal_product::Column::Position)
        .all(&txn)
        .await?;
    let copied_lines = lines.into_iter().map(|line| {
        deal_product::Model {
            id: Uuid::now_v7(),
            deal_id: copy.id,
            created_at: now,
            updated_at: now,
            ..line
        }
        .into_active_model()
        .reset_all()
    });
    deal_product::Entity::insert_many(copied_lines)
        .exec_without_returning(&txn)
        .await?;
    let discounts = deal_discount::Entity::find()
        .filter(deal_discount::Column::OrganizationId.eq(org))
        .filter(deal_discount::Column::DealId.eq(source.id))
        .all(&txn)
        .await?;
    let copied_discounts = discounts.into_iter().map(|discount| {
        deal_discount::Model {
            id: Uuid::now_v7(),
            deal_id: copy.id,
            created_at: now,
            updated_at: now,
            ..discount
        }
        .into_active_model()
        .reset_all()
    });
    deal_discount::Entity::insert_many(copied_discounts)
        .exec_without_returning(&txn)
        .await?;
    // A won deal's final value is not copied: the copy is worth what its products make.
    let copy = recompute_value(&txn, org, copy.id).await?;
    let followers = deal_follower::Entity::find()
        .filter(deal_follower::Column::OrganizationId.eq(org))
        .filter(deal_follower::Column::DealId.eq(source.id))
        .all(&txn)
        .await?;
    let copied_followers = followers
        .into_iter()
        .map(|follower| deal_follower::ActiveModel {
            deal_id: Set(copy.id),
            user_id: Set(follower.user_id),
            organization_id: Set(org),
            created_at: Set(now),
        });
    deal_follower::Entity::insert_many(copied_followers)
        .exec_without_returning(&txn)
        .await?;
    let participants = deal_participant::Entity::find()
        .filter(deal_participant::Column::OrganizationId.eq(org))
        .filter(deal_participant::Column::DealId.eq(source.id))
        .order_by_asc(deal_participant::Column::CreatedAt)
        .all(&txn)
        .await?;
    let copied_participants = participants
        .into_iter()
        .map(|p| deal_participant::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org),
            deal_id: Set(copy.id),
            contact_id: Set(p.contact_id),
            added_by_id: Set(viewer.user_id),
            // Ids are made in order, so the copy lists them in the original's order.
            created_at: Set(now),
        });
    deal_participant::Entity::insert_many(copied_participants)
        .exec_without_returning(&txn)
        .await?;
    let mut changes = events::deal_changes(None, &copy);
    if !tags.is_empty() {
        changes.push(events::field("tags", Json::Null, json!(tags)));
    }
    let from = Json::String(global_id(NodeKind::Deal, source.id).0);
    changes.push(events::field("duplicatedFromId", Json::Null, from));
    events::record(&txn, viewer, copy.id, DealEventType::Created, changes).await?;
    txn.commit().await?;
    Ok(copy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_titled_as_pipedrive_does_and_fits_a_title() {
        assert_eq!(copy_title("Acme renewal"), "Acme renewal (copy)");
        let long = "é".repeat(validate::MAX_TITLE);
        let title = copy_title(&long);
        assert_eq!(title.chars().count(), validate::MAX_TITLE);
        assert!(title.ends_with(" (copy)"));
    }
}
