//! `mergeDeals`: one deal (the merged deal) folded into another (the surviving deal), as
//! Pipedrive's merge does, in one transaction:
//!
//! - the merged deal's product lines and discounts (after the survivor's, in their order),
//!   activities, tasks and stage history move to the survivor (its installments stay with
//!   it: a survivor with installments whose value would change is CONFLICT); its followers, participants and tags are
//!   added to the survivor's (each once), and its main contact becomes a participant of the
//!   survivor when the two differ;
//! - conflicts: the survivor's own values win. Its blank contact, company, owner, expected
//!   close date and source are filled from the merged deal; custom fields are the union of
//!   both objects' keys, the survivor's value kept for a key both have;
//! - the survivor's value stays its own unless it now has product lines: then it is what
//!   they and the discounts make, as for every deal with products (so the products of both
//!   must be in one currency);
//! - the merged deal is soft-deleted (restorable, empty); its sale, if it was won, stays
//!   with it, and so does its changelog;
//! - events: MERGED on the survivor (every field that changed, `mergedDealId`, tags), DELETED
//!   on the merged deal (`deletedAt`, `mergedIntoId`).
//!
//! Both deals are locked before anything is read (their versions raised in one statement),
//! so a concurrent write to either waits or fails its version check; `expectedVersion` and
//! `intoExpectedVersion` make a stale read CONFLICT.

use crate::auth::Viewer;
use crate::clock;
use crate::db::Db;
use crate::deal::events::{self, DealEventType};
use crate::deal::products::service::recompute_value;
use crate::deal::service::{find, replace_tags, stale, tags_of};
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{NodeKind, global_id};
use entity::{
    activity, deal, deal_discount, deal_follower, deal_participant, deal_product, stage_change,
    task,
};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder, QuerySelect};
use serde_json::{Value as Json, json};

/// What `mergeDeals` was asked.
pub struct MergeRequest {
    /// The deal merged away (soft-deleted).
    pub merged: Uuid,
    /// The version of it the client read.
    pub merged_version: Option<i32>,
    /// The deal that survives.
    pub into: Uuid,
    /// The version of it the client read.
    pub into_version: Option<i32>,
}

/// Both deals, locked, checked live and at the versions expected.
async fn lock_both(
    txn: &DatabaseTransaction,
    org: Uuid,
    request: &MergeRequest,
) -> AppResult<(deal::Model, deal::Model)> {
    // One statement raises both versions: on PostgreSQL it locks both rows (in the order
    // the index gives, the same for every merge), on SQLite the write lock is taken.
    deal::Entity::update_many()
        .col_expr(
            deal::Column::Version,
            Expr::col(deal::Column::Version).add(1),
        )
        .filter(deal::Column::OrganizationId.eq(org))
        .filter(deal::Column::Id.is_in([request.merged, request.into]))
        .exec(txn)
        .await?;
    let merged = find(txn, org, request.merged).await?;
    let into = find(txn, org, request.into).await?;
    for (deal, expected, what) in [
        (&merged, request.merged_version, "the merged deal"),
        (&into, request.into_version, "the surviving deal"),
    ] {
        if deal.deleted_at.is_some() {
            return Err(AppError::Conflict(format!(
                "{what} is deleted: restore it first"
            )));
        }
        // The version read here is one above what the client read.
        if let Some(expected) = expected
            && expected != deal.version - 1
        {
            return Err(stale(expected, deal.version - 1));
        }
    }
    Ok((merged, into))
}

/// Custom fields of the survivor: the union of both objects' keys, the survivor's values kept.
fn merged_custom_fields(merged: &Json, into: &Json) -> Json {
    let mut fields = merged.as_object().cloned().unwrap_or_default();
    for (key, value) in into.as_object().into_iter().flatten() {
        fields.insert(key.clone(), value.clone());
    }
    Json::Object(fields)
}

/// Moves `merged`'s product lines to `into`, after its own, and says whether `into` has any.
async fn move_products(
    txn: &DatabaseTransaction,
    org: Uuid,
    merged: Uuid,
    into: Uuid,
) -> AppResult<bool> {
    let last = deal_product::Entity::find()
        .filter(deal_product::Column::OrganizationId.eq(org))
        .filter(deal_product::Column::DealId.eq(into))
        .order_by_desc(deal_product::Column::Position)
        .one(txn)
        .await?;
    let first = deal_product::Entity::find()
        .filter(deal_product::Column::OrganizationId.eq(org))
        .filter(deal_product::Column::DealId.eq(merged))
        .order_by_asc(deal_product::Column::Position)
        .one(txn)
        .await?;
    if let Some(first) = &first {
        let shift = last.as_ref().map_or(0, |l| l.position + 1) - first.position;
        deal_product::Entity::update_many()
            .col_expr(deal_product::Column::DealId, Expr::value(into))
            .col_expr(
                deal_product::Column::Position,
                Expr::col(deal_product::Column::Position).add(shift),
            )
            .filter(deal_product::Column::OrganizationId.eq(org))
            .filter(deal_product::Column::DealId.eq(merged))
            .exec(txn)
            .await?;
    }
    Ok(last.is_some() || first.is_some())
}

/// Moves `merged`'s discounts to `into`, after its own, in their order.
async fn move_discounts(
    txn: &DatabaseTransaction,
    org: Uuid,
    merged: Uuid,
    into: Uuid,
) -> AppResult<()> {
    let last = deal_discount::Entity::find()
        .filter(deal_discount::Column::OrganizationId.eq(org))
        .filter(deal_discount::Column::DealId.eq(into))
        .order_by_desc(deal_discount::Column::Position)
        .one(txn)
        .await?;
    let shift = last.map_or(0, |d| d.position + 1);
    deal_discount::Entity::update_many()
        .col_expr(deal_discount::Column::DealId, Expr::value(into))
        .col_expr(
            deal_discount::Column::Position,
            Expr::col(deal_discount::Column::Position).add(shift),
        )
        .filter(deal_discount::Column::OrganizationId.eq(org))
        .filter(deal_discount::Column::DealId.eq(merged))
        .exec(txn)
        .await?;
    Ok(())
}

/// Points the rows of `merged` in a child table at `into`.
async fn move_children<E>(
    txn: &DatabaseTransaction,
    org: Uuid,
    merged: Uuid,
    into: Uuid,
    org_column: E::Column,
    deal_column: E::Column,
) -> AppResult<()>
where
    E: EntityTrait,
{
    E::update_many()
        .col_expr(deal_column, Expr::value(into))
        .filter(org_column.eq(org))
        .filter(deal_column.eq(merged))
        .exec(txn)
        .await?;
    Ok(())
}

/// Adds `merged`'s followers to `into`'s, each once, and takes them off `merged`.
async fn move_followers(
    txn: &DatabaseTransaction,
    org: Uuid,
    merged: Uuid,
    into: Uuid,
) -> AppResult<()> {
    let followers = deal_follower::Entity::find()
        .filter(deal_follower::Column::OrganizationId.eq(org))
        .filter(deal_follower::Column::DealId.eq(merged))
        .order_by_asc(deal_follower::Column::CreatedAt)
        .all(txn)
        .await?;
    for follower in followers {
        let row = deal_follower::ActiveModel {
            deal_id: Set(into),
            ..follower.into()
        };
        deal_follower::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([deal_follower::Column::DealId, deal_follower::Column::UserId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    deal_follower::Entity::delete_many()
        .filter(deal_follower::Column::OrganizationId.eq(org))
        .filter(deal_follower::Column::DealId.eq(merged))
        .exec(txn)
        .await?;
    Ok(())
}

/// Adds `merged`'s participants, and its main contact, to `into`'s participants (each once,
/// never `into`'s own main contact), and takes them off `merged`.
async fn move_participants(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    merged: &deal::Model,
    into: &deal::Model,
) -> AppResult<()> {
    let org = viewer.organization_id;
    let mut contacts: Vec<(Uuid, Option<Uuid>)> = deal_participant::Entity::find()
        .filter(deal_participant::Column::OrganizationId.eq(org))
        .filter(deal_participant::Column::DealId.eq(merged.id))
        .order_by_asc(deal_participant::Column::CreatedAt)
        .order_by_asc(deal_participant::Column::Id)
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.contact_id, p.added_by_id))
        .collect();
    contacts.extend(merged.contact_id.map(|id| (id, viewer.user_id)));
    for (contact_id, added_by_id) in contacts {
        if into.contact_id == Some(contact_id) {
            continue;
        }
        let row = deal_participant::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org),
            deal_id: Set(into.id),
            contact_id: Set(contact_id),
            added_by_id: Set(added_by_id),
            created_at: Set(clock::now()),
        };
        deal_participant::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    deal_participant::Column::OrganizationId,
                    deal_participant::Column::DealId,
                    deal_participant::Column::ContactId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    deal_participant::Entity::delete_many()
        .filter(deal_participant::Column::OrganizationId.eq(org))
        .filter(deal_participant::Column::DealId.eq(merged.id))
        .exec(txn)
        .await?;
    Ok(())
}

/// The survivor's fields after the merge (see the module docs), to write over its row.
fn survivor_changes(
    merged: &deal::Model,
    into: &deal::Model,
    now: DateTimeUtc,
) -> deal::ActiveModel {
    deal::ActiveModel {
        contact_id: Set(into.contact_id.or(merged.contact_id)),
        company_id: Set(into.company_id.or(merged.company_id)),
        owner_id: Set(into.owner_id.or(merged.owner_id)),
        expected_close_date: Set(into.expected_close_date.or(merged.expected_close_date)),
        source: Set(into.source.clone().or_else(|| merged.source.clone())),
        custom_fields: Set(merged_custom_fields(
            &merged.custom_fields,
            &into.custom_fields,
        )),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Merges deal `request.merged` into deal `request.into` (see the module docs) and returns
/// the survivor as it is after the merge.
pub async fn merge(db: &impl Db, viewer: &Viewer, request: MergeRequest) -> AppResult<deal::Model> {
    if request.merged == request.into {
        return Err(AppError::bad_input(
            "input.intoDealId",
            "a deal cannot be merged into itself",
        ));
    }
    let org = viewer.organization_id;
    let txn = crate::db::begin_write(db).await?;
    let (merged, into) = lock_both(&txn, org, &request).await?;
    let merged_has_products = deal_product::Entity::find()
        .filter(deal_product::Column::OrganizationId.eq(org))
        .filter(deal_product::Column::DealId.eq(merged.id))
        .limit(1)
        .one(&txn)
        .await?
        .is_some();
    if merged_has_products && merged.currency != into.currency {
        return Err(AppError::bad_input(
            "input.dealId",
            format!(
                "the merged deal's products are priced in {}, the surviving deal is in {}",
                merged.currency, into.currency
            ),
        ));
    }
    let now = clock::now();
    // Before: the survivor as the client knew it (its version one below the lock's).
    let before = deal::Model {
        version: into.version - 1,
        ..into.clone()
    };
    let tags_before = tags_of(&txn, org, into.id).await?;
    let has_products = move_products(&txn, org, merged.id, into.id).await?;
    move_discounts(&txn, org, merged.id, into.id).await?;
    move_children::<activity::Entity>(
        &txn,
        org,
        merged.id,
        into.id,
        activity::Column::OrganizationId,
        activity::Column::DealId,
    )
    .await?;
    move_children::<task::Entity>(
        &txn,
        org,
        merged.id,
        into.id,
        task::Column::OrganizationId,
        task::Column::DealId,
    )
    .await?;
    move_children::<stage_change::Entity>(
        &txn,
        org,
        merged.id,
        into.id,
        stage_change::Column::OrganizationId,
        stage_change::Column::DealId,
    )
    .await?;
    move_followers(&txn, org, merged.id, into.id).await?;
    move_participants(&txn, viewer, &merged, &into).await?;
    let mut tags = tags_before.clone();
    tags.extend(tags_of(&txn, org, merged.id).await?);
    tags.sort();
    tags.dedup();
    replace_tags(&txn, org, into.id, &tags).await?;
    replace_tags(&txn, org, merged.id, &[]).await?;
    // The merged deal's last activity now belongs to the survivor.
    let last_activity_at = std::cmp::max(into.last_activity_at, merged.last_activity_at);
    let mut changes = survivor_changes(&merged, &into, now);
    changes.last_activity_at = Set(last_activity_at);
    deal::Entity::update_many()
        .set(changes)
        .filter(deal::Column::OrganizationId.eq(org))
        .filter(deal::Column::Id.eq(into.id))
        .exec(&txn)
        .await?;
    let after = if has_products {
        recompute_value(&txn, org, into.id).await?
    } else {
        find(&txn, org, into.id).await?
    };
    deal::Entity::update_many()
        .col_expr(deal::Column::DeletedAt, Expr::value(now))
        .col_expr(deal::Column::UpdatedAt, Expr::value(now))
        .filter(deal::Column::OrganizationId.eq(org))
        .filter(deal::Column::Id.eq(merged.id))
        .exec(&txn)
        .await?;
    let mut survivor_changes = events::deal_changes(Some(&before), &after);
    if tags != tags_before {
        survivor_changes.push(events::field("tags", json!(tags_before), json!(tags)));
    }
    let merged_id = Json::String(global_id(NodeKind::Deal, merged.id).0);
    let into_id = Json::String(global_id(NodeKind::Deal, into.id).0);
    survivor_changes.push(events::field("mergedDealId", Json::Null, merged_id));
    events::record(
        &txn,
        viewer,
        into.id,
        DealEventType::Merged,
        survivor_changes,
    )
    .await?;
    let deleted = find(&txn, org, merged.id).await?;
    let mut merged_changes = events::deal_changes(Some(&merged), &deleted);
    merged_changes.push(events::field("mergedIntoId", Json::Null, into_id));
    events::record(
        &txn,
        viewer,
        merged.id,
        DealEventType::Deleted,
        merged_changes,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_fields_keep_the_survivors_values_and_add_the_others_keys() {
        let merged = json!({ "industry": "Retail", "seats": 10 });
        let into = json!({ "seats": 50, "region": "EU" });
        assert_eq!(
            merged_custom_fields(&merged, &into),
            json!({ "industry": "Retail", "seats": 50, "region": "EU" })
        );
        assert_eq!(merged_custom_fields(&json!({}), &json!({})), json!({}));
    }
}
