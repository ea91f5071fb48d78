//! Product lines of a deal: add, change, remove. While a deal has products its value is the
//! sum of their totals with tax (as Pipedrive does), recomputed in the same transaction. The
//! deal row is locked first (its version raised), so concurrent line changes of one deal
//! queue up and the sum always covers every line.

use super::types::line_item;
use crate::auth::Viewer;
use crate::clock;
use crate::db::Db;
use crate::deal::events::{self, DealEventType};
use crate::deal::service::find;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{NodeKind, global_id};
use entity::enums::{DiscountType, TaxMethod};
use entity::{Scaled, deal, deal_product};
use rust_decimal::Decimal;
use sea_orm::ActiveEnum;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder};
use serde_json::{Value as Json, json};

/// A product line's content, validated.
#[derive(Clone, Debug)]
pub struct LineInput {
    /// Name.
    pub name: String,
    /// Stock-keeping unit.
    pub sku: Option<String>,
    /// Units, more than zero.
    pub quantity: Scaled,
    /// Price of one unit.
    pub unit_price: Scaled,
    /// How the discount reads.
    pub discount_type: DiscountType,
    /// Percentage or amount.
    pub discount: Scaled,
    /// Tax rate in percent.
    pub tax_percentage: Scaled,
    /// How tax applies.
    pub tax_method: TaxMethod,
}

/// Changes to a line: None leaves a field; `Some(None)` clears the sku.
#[derive(Default)]
pub struct LineChanges {
    /// New name.
    pub name: Option<String>,
    /// New sku.
    pub sku: Option<Option<String>>,
    /// New quantity.
    pub quantity: Option<Scaled>,
    /// New unit price.
    pub unit_price: Option<Scaled>,
    /// New discount type.
    pub discount_type: Option<DiscountType>,
    /// New discount.
    pub discount: Option<Scaled>,
    /// New tax rate.
    pub tax_percentage: Option<Scaled>,
    /// New tax method.
    pub tax_method: Option<TaxMethod>,
}

/// Locks a deal for a line change: raises its version (checking `expected_version`) as the
/// transaction's first statement.
async fn lock_deal(
    txn: &DatabaseTransaction,
    org: Uuid,
    deal_id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<()> {
    let mut update = deal::Entity::update_many()
        .col_expr(
            deal::Column::Version,
            Expr::col(deal::Column::Version).add(1),
        )
        .col_expr(deal::Column::UpdatedAt, Expr::value(clock::now()))
        .filter(deal::Column::OrganizationId.eq(org))
        .filter(deal::Column::Id.eq(deal_id))
        .filter(deal::Column::DeletedAt.is_null());
    if let Some(version) = expected_version {
        update = update.filter(deal::Column::Version.eq(version));
    }
    if update.exec(txn).await?.rows_affected == 0 {
        let current = find(txn, org, deal_id).await?;
        if current.deleted_at.is_some() {
            return Err(AppError::Conflict(
                "the deal is deleted: restore it first".into(),
            ));
        }
        return Err(AppError::Conflict(format!(
            "the deal has changed: expectedVersion is {} but the deal is at version {}",
            expected_version.unwrap_or_default(),
            current.version
        )));
    }
    Ok(())
}

/// Sets the deal's value to the sum of its lines' totals with tax, when it has lines.
pub(crate) async fn recompute_value(
    txn: &DatabaseTransaction,
    org: Uuid,
    deal_id: Uuid,
) -> AppResult<deal::Model> {
    let lines = deal_product::Entity::find()
        .filter(deal_product::Column::OrganizationId.eq(org))
        .filter(deal_product::Column::DealId.eq(deal_id))
        .all(txn)
        .await?;
    if !lines.is_empty() {
        let total: Decimal = lines
            .iter()
            .map(|line| line_item(line).totals().with_tax)
            .sum();
        let value = Scaled::from_decimal(total)
            .map_err(|_| AppError::bad_input("input", "the deal's total is out of range"))?;
        deal::Entity::update_many()
            .col_expr(deal::Column::Value, Expr::value(value.0))
            .filter(deal::Column::OrganizationId.eq(org))
            .filter(deal::Column::Id.eq(deal_id))
            .exec(txn)
            .await?;
    }
    find(txn, org, deal_id).await
}

/// A percentage discount is at most 100; an amount discount at most the line's quantity ×
/// unit price (never silently cut to the line's value).
pub(crate) fn check_discount(
    field: &str,
    discount_type: DiscountType,
    discount: Scaled,
    quantity: Scaled,
    unit_price: Scaled,
) -> AppResult<()> {
    match discount_type {
        DiscountType::Percentage if discount > Scaled(100 * 10_000) => Err(AppError::bad_input(
            field,
            "a percentage discount is at most 100",
        )),
        DiscountType::Amount
            if discount.to_decimal() > quantity.to_decimal() * unit_price.to_decimal() =>
        {
            Err(AppError::bad_input(
                field,
                "an amount discount is at most the line's quantity × unit price",
            ))
        }
        _ => Ok(()),
    }
}

/// Adds a line at the end of the deal's products.
pub async fn add(
    db: &impl Db,
    viewer: &Viewer,
    deal_id: Uuid,
    line: LineInput,
    expected_version: Option<i32>,
) -> AppResult<(deal_product::Model, deal::Model)> {
    check_discount(
        "input.discount",
        line.discount_type,
        line.discount,
        line.quantity,
        line.unit_price,
    )?;
    let org = viewer.organization_id;
    find(db, org, deal_id).await?;
    let txn = crate::db::begin_write(db).await?;
    lock_deal(&txn, org, deal_id, expected_version).await?;
    let last = deal_product::Entity::find()
        .filter(deal_product::Column::OrganizationId.eq(org))
        .filter(deal_product::Column::DealId.eq(deal_id))
        .order_by_desc(deal_product::Column::Position)
        .one(&txn)
        .await?;
    let now = clock::now();
    let product = deal_product::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        deal_id: Set(deal_id),
        position: Set(last.map_or(0, |l| l.position + 1)),
        name: Set(line.name),
        sku: Set(line.sku),
        quantity: Set(line.quantity),
        unit_price: Set(line.unit_price),
        discount_type: Set(line.discount_type),
        discount: Set(line.discount),
        tax_percentage: Set(line.tax_percentage),
        tax_method: Set(line.tax_method),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let deal = recompute_value(&txn, org, deal_id).await?;
    let change = events::field("product", Json::Null, line_json(&product));
    events::record(
        &txn,
        viewer,
        deal_id,
        DealEventType::ProductAdded,
        vec![change],
    )
    .await?;
    txn.commit().await?;
    Ok((product, deal))
}

/// Inserts `lines` (checked by [`check_discount`] already) as the first lines of a new deal,
/// positions from 0. The caller recomputes the deal's value.
pub(crate) async fn insert_new_lines(
    txn: &DatabaseTransaction,
    org: Uuid,
    deal_id: Uuid,
    lines: Vec<LineInput>,
) -> AppResult<()> {
    let now = clock::now();
    let mut rows = Vec::with_capacity(lines.len());
    for (position, line) in lines.into_iter().enumerate() {
        rows.push(deal_product::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org),
            deal_id: Set(deal_id),
            position: Set(position as i32),
            name: Set(line.name),
            sku: Set(line.sku),
            quantity: Set(line.quantity),
            unit_price: Set(line.unit_price),
            discount_type: Set(line.discount_type),
            discount: Set(line.discount),
            tax_percentage: Set(line.tax_percentage),
            tax_method: Set(line.tax_method),
            created_at: Set(now),
            updated_at: Set(now),
        });
    }
    deal_product::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// A product line as the event log keeps it.
fn line_json(line: &deal_product::Model) -> Json {
    json!({
        "id": global_id(NodeKind::DealProduct, line.id).0,
        "name": line.name,
        "sku": line.sku,
        "quantity": events::money(line.quantity),
        "unitPrice": events::money(line.unit_price),
        "discountType": line.discount_type.to_value(),
        "discount": events::money(line.discount),
        "taxPercentage": events::money(line.tax_percentage),
        "taxMethod": line.tax_method.to_value(),
    })
}

async fn find_line(
    db: &impl ConnectionTrait,
    org: Uuid,
    id: Uuid,
) -> AppResult<deal_product::Model> {
    deal_product::Entity::find_by_id(id)
        .filter(deal_product::Column::OrganizationId.eq(org))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("deal product".into()))
}

/// Changes a line.
pub async fn update(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    changes: LineChanges,
    expected_version: Option<i32>,
) -> AppResult<(deal_product::Model, deal::Model)> {
    let org = viewer.organization_id;
    let current = find_line(db, org, id).await?;
    check_discount(
        "input.discount",
        changes.discount_type.unwrap_or(current.discount_type),
        changes.discount.unwrap_or(current.discount),
        changes.quantity.unwrap_or(current.quantity),
        changes.unit_price.unwrap_or(current.unit_price),
    )?;
    let txn = crate::db::begin_write(db).await?;
    lock_deal(&txn, org, current.deal_id, expected_version).await?;
    let mut row: deal_product::ActiveModel = find_line(&txn, org, id).await?.into();
    if let Some(name) = changes.name {
        row.name = Set(name);
    }
    if let Some(sku) = changes.sku {
        row.sku = Set(sku);
    }
    if let Some(quantity) = changes.quantity {
        row.quantity = Set(quantity);
    }
    if let Some(price) = changes.unit_price {
        row.unit_price = Set(price);
    }
    if let Some(kind) = changes.discount_type {
        row.discount_type = Set(kind);
    }
    if let Some(discount) = changes.discount {
        row.discount = Set(discount);
    }
    if let Some(tax) = changes.tax_percentage {
        row.tax_percentage = Set(tax);
    }
    if let Some(method) = changes.tax_method {
        row.tax_method = Set(method);
    }
    row.updated_at = Set(clock::now());
    let product = row.update(&txn).await?;
    let deal = recompute_value(&txn, org, current.deal_id).await?;
    let change = events::field("product", line_json(&current), line_json(&product));
    let kind = DealEventType::ProductChanged;
    events::record(&txn, viewer, current.deal_id, kind, vec![change]).await?;
    txn.commit().await?;
    Ok((product, deal))
}

/// Removes a line. The deal keeps the value it had when its last line goes.
pub async fn remove(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<deal::Model> {
    let org = viewer.organization_id;
    let current = find_line(db, org, id).await?;
    let txn = crate::db::begin_write(db).await?;
    lock_deal(&txn, org, current.deal_id, expected_version).await?;
    deal_product::Entity::delete_many()
        .filter(deal_product::Column::OrganizationId.eq(org))
        .filter(deal_product::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let deal = recompute_value(&txn, org, current.deal_id).await?;
    let change = events::field("product", line_json(&current), Json::Null);
    let kind = DealEventType::ProductRemoved;
    events::record(&txn, viewer, current.deal_id, kind, vec![change]).await?;
    txn.commit().await?;
    Ok(deal)
}
