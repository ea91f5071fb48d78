//! Discounts of a whole deal: added, changed and removed, the deal's value recomputed and the
//! change recorded as an event in the same transaction (the deal row is locked first, as for
//! its product lines). A discount changes the value only while the deal has product lines.

use crate::auth::Viewer;
use crate::clock;
use crate::db::Db;
use crate::deal::events::{self, DealEventType};
use crate::deal::products::service::{lock_deal, recompute_value};
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{NodeKind, global_id};
use entity::enums::DiscountType;
use entity::{Scaled, deal, deal_discount};
use sea_orm::prelude::*;
use sea_orm::{ActiveEnum, ActiveValue::Set, ConnectionTrait, PaginatorTrait, QueryOrder};
use serde_json::{Value as Json, json};

/// Most discounts a deal may have.
pub const MAX_DISCOUNTS: u64 = 20;

/// A discount's content, validated.
#[derive(Clone, Debug)]
pub struct DiscountFields {
    /// What it is.
    pub description: String,
    /// A percentage or an amount.
    pub discount_type: DiscountType,
    /// More than zero; a percentage at most 100.
    pub amount: Scaled,
}

/// Changes to a discount: None leaves a field.
#[derive(Default)]
pub struct DiscountChanges {
    /// New description.
    pub description: Option<String>,
    /// New type.
    pub discount_type: Option<DiscountType>,
    /// New amount.
    pub amount: Option<Scaled>,
}

/// BAD_USER_INPUT on `field` unless `amount` is more than zero and, as a percentage, at most
/// 100.
pub fn check_amount(field: &str, discount_type: DiscountType, amount: Scaled) -> AppResult<()> {
    if amount <= Scaled::ZERO {
        return Err(AppError::bad_input(field, "a discount is more than zero"));
    }
    if discount_type == DiscountType::Percentage && amount > Scaled(100 * 10_000) {
        return Err(AppError::bad_input(
            field,
            "a percentage discount is at most 100",
        ));
    }
    Ok(())
}

fn discount_json(row: &deal_discount::Model) -> Json {
    json!({
        "id": global_id(NodeKind::DealDiscount, row.id).0,
        "description": row.description,
        "type": row.discount_type.to_value(),
        "amount": events::money(row.amount),
    })
}

async fn find_discount(
    db: &impl ConnectionTrait,
    org: Uuid,
    id: Uuid,
) -> AppResult<deal_discount::Model> {
    deal_discount::Entity::find_by_id(id)
        .filter(deal_discount::Column::OrganizationId.eq(org))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("deal discount".into()))
}

/// Adds a discount after the deal's others (at most [`MAX_DISCOUNTS`]).
pub async fn add(
    db: &impl Db,
    viewer: &Viewer,
    deal_id: Uuid,
    fields: DiscountFields,
    expected_version: Option<i32>,
) -> AppResult<(deal_discount::Model, deal::Model)> {
    let org = viewer.organization_id;
    crate::deal::service::find(db, org, deal_id).await?;
    let txn = crate::db::begin_write(db).await?;
    lock_deal(&txn, org, deal_id, expected_version).await?;
    let existing = deal_discount::Entity::find()
        .filter(deal_discount::Column::OrganizationId.eq(org))
        .filter(deal_discount::Column::DealId.eq(deal_id));
    if existing.clone().count(&txn).await? >= MAX_DISCOUNTS {
        return Err(AppError::bad_input(
            "input.dealId",
            format!("a deal has at most {MAX_DISCOUNTS} discounts"),
        ));
    }
    let last = existing
        .order_by_desc(deal_discount::Column::Position)
        .one(&txn)
        .await?;
    let now = clock::now();
    let discount = deal_discount::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        deal_id: Set(deal_id),
        position: Set(last.map_or(0, |d| d.position + 1)),
        description: Set(fields.description),
        discount_type: Set(fields.discount_type),
        amount: Set(fields.amount),
        updated_at: Set(now),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let deal = recompute_value(&txn, org, deal_id).await?;
    let change = events::field("discount", Json::Null, discount_json(&discount));
    let kind = DealEventType::DiscountAdded;
    events::record(&txn, viewer, deal_id, kind, vec![change]).await?;
    txn.commit().await?;
    Ok((discount, deal))
}

/// Changes a discount.
pub async fn update(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    changes: DiscountChanges,
    expected_version: Option<i32>,
) -> AppResult<(deal_discount::Model, deal::Model)> {
    let org = viewer.organization_id;
    let current = find_discount(db, org, id).await?;
    let discount_type = changes.discount_type.unwrap_or(current.discount_type);
    check_amount(
        "input.amount",
        discount_type,
        changes.amount.unwrap_or(current.amount),
    )?;
    let txn = crate::db::begin_write(db).await?;
    lock_deal(&txn, org, current.deal_id, expected_version).await?;
    let mut row: deal_discount::ActiveModel = find_discount(&txn, org, id).await?.into();
    if let Some(description) = changes.description {
        row.description = Set(description);
    }
    row.discount_type = Set(discount_type);
    if let Some(amount) = changes.amount {
        row.amount = Set(amount);
    }
    row.updated_at = Set(clock::now());
    let discount = row.update(&txn).await?;
    let deal = recompute_value(&txn, org, current.deal_id).await?;
    let change = events::field(
        "discount",
        discount_json(&current),
        discount_json(&discount),
    );
    let kind = DealEventType::DiscountChanged;
    events::record(&txn, viewer, current.deal_id, kind, vec![change]).await?;
    txn.commit().await?;
    Ok((discount, deal))
}

/// Removes a discount.
pub async fn remove(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<deal::Model> {
    let org = viewer.organization_id;
    let current = find_discount(db, org, id).await?;
    let txn = crate::db::begin_write(db).await?;
    lock_deal(&txn, org, current.deal_id, expected_version).await?;
    deal_discount::Entity::delete_many()
        .filter(deal_discount::Column::OrganizationId.eq(org))
        .filter(deal_discount::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let deal = recompute_value(&txn, org, current.deal_id).await?;
    let change = events::field("discount", discount_json(&current), Json::Null);
    let kind = DealEventType::DiscountRemoved;
    events::record(&txn, viewer, current.deal_id, kind, vec![change]).await?;
    txn.commit().await?;
    Ok(deal)
}
