//! Product lines of a deal: add, change, remove. While a deal has products its value is the
//! sum of their totals with tax (as Pipedrive does), recomputed in the same transaction. The
//! deal row is locked first (its version raised), so concurrent line changes of one deal
//! queue up and the sum always covers every line.

use super::pricing::{DealDiscount, DealPrice, deal_price};
use super::types::line_item;
use crate::auth::Viewer;
use crate::clock;
use crate::db::Db;
use crate::deal::events::{self, DealEventType};
use crate::deal::service::find;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{NodeKind, global_id};
use entity::enums::{BillingFrequency, DiscountType, TaxMethod};
use entity::{Scaled, deal, deal_discount, deal_product};
use rust_decimal::Decimal;
use sea_orm::ActiveEnum;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, PaginatorTrait, QueryOrder};
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
    /// How often the line is billed, its cycles and its first billing date.
    pub billing: Billing,
    /// Comments.
    pub comments: Option<String>,
    /// Whether the line counts.
    pub is_enabled: bool,
}

/// How a line is billed (Pipedrive): once, or every period for a number of cycles (None:
/// indefinitely), from a start date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Billing {
    /// How often.
    pub frequency: BillingFrequency,
    /// How many periods.
    pub cycles: Option<i32>,
    /// The first billing date.
    pub start_date: Option<Date>,
}

impl Default for Billing {
    fn default() -> Self {
        Self {
            frequency: BillingFrequency::OneTime,
            cycles: None,
            start_date: None,
        }
    }
}

/// Most cycles a recurring line may have.
pub const MAX_CYCLES: i32 = 520;
/// Most recurring lines a deal may have (Pipedrive's limit).
pub const MAX_RECURRING_LINES: u64 = 20;

impl Billing {
    /// Pipedrive's rules: a one-time line has no cycles; a weekly one needs them (1–520); the
    /// others have 1–520, or none to be billed indefinitely. `field` names the input.
    pub fn checked(self, field: &str) -> AppResult<Self> {
        let cycles_field = format!("{field}.billingFrequencyCycles");
        match (self.frequency, self.cycles) {
            (BillingFrequency::OneTime, Some(_)) => Err(AppError::bad_input(
                cycles_field,
                "a ONE_TIME line has no billingFrequencyCycles",
            )),
            (BillingFrequency::Weekly, None) => Err(AppError::bad_input(
                cycles_field,
                "a WEEKLY line needs billingFrequencyCycles",
            )),
            (_, Some(cycles)) if !(1..=MAX_CYCLES).contains(&cycles) => Err(AppError::bad_input(
                cycles_field,
                format!("billingFrequencyCycles is between 1 and {MAX_CYCLES}"),
            )),
            _ => Ok(self),
        }
    }

    fn recurring(self) -> bool {
        self.frequency != BillingFrequency::OneTime
    }
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
    /// New billing (frequency, cycles and start date together).
    pub billing: Option<Billing>,
    /// New comments, or `Some(None)` to clear them.
    pub comments: Option<Option<String>>,
    /// Enabled or not.
    pub is_enabled: Option<bool>,
}

/// Locks a deal for a line change: raises its version (checking `expected_version`) as the
/// transaction's first statement.
pub(crate) async fn lock_deal(
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

/// What a deal's lines (its enabled ones) and discounts make, or None for a deal without
/// lines (its value is its own).
pub(crate) async fn price_of(
    db: &impl sea_orm::ConnectionTrait,
    org: Uuid,
    deal_id: Uuid,
) -> AppResult<Option<DealPrice>> {
    let lines = deal_product::Entity::find()
        .filter(deal_product::Column::OrganizationId.eq(org))
        .filter(deal_product::Column::DealId.eq(deal_id))
        .order_by_asc(deal_product::Column::Position)
        .all(db)
        .await?;
    if lines.is_empty() {
        return Ok(None);
    }
    let discounts = deal_discount::Entity::find()
        .filter(deal_discount::Column::OrganizationId.eq(org))
        .filter(deal_discount::Column::DealId.eq(deal_id))
        .order_by_asc(deal_discount::Column::Position)
        .order_by_asc(deal_discount::Column::Id)
        .all(db)
        .await?;
    let items: Vec<_> = lines
        .iter()
        .filter(|l| l.is_enabled)
        .map(line_item)
        .collect();
    let discounts: Vec<_> = discounts.iter().map(discount_of).collect();
    Ok(Some(deal_price(&items, &discounts)))
}

/// A deal discount row as the pricing reads it.
pub fn discount_of(row: &deal_discount::Model) -> DealDiscount {
    DealDiscount {
        discount_type: row.discount_type,
        amount: row.amount.to_decimal(),
    }
}

/// Sets the deal's value to what its lines and discounts make, plus its adjustment, when it
/// has lines. A deal with installments must keep a value their amounts add up to: CONFLICT
/// otherwise (change the installments first, or with the change).
pub(crate) async fn recompute_value(
    txn: &DatabaseTransaction,
    org: Uuid,
    deal_id: Uuid,
) -> AppResult<deal::Model> {
    let current = find(txn, org, deal_id).await?;
    let Some(price) = price_of(txn, org, deal_id).await? else {
        return Ok(current);
    };
    let adjustment = current
        .value_adjustment
        .map_or(Decimal::ZERO, |a| a.to_decimal());
    let value = Scaled::from_decimal(price.total + adjustment)
        .map_err(|_| AppError::bad_input("input", "the deal's total is out of range"))?;
    if value != current.value {
        let installments = crate::deal::billing::installments::total(txn, org, deal_id).await?;
        if let Some(sum) = installments
            && sum != value
        {
            return Err(AppError::Conflict(format!(
                "the deal's installments add up to {}, and this would make its value {}: \
                 change the installments (setDealInstallments) first",
                sum.to_decimal(),
                value.to_decimal()
            )));
        }
        deal::Entity::update_many()
            .col_expr(deal::Column::Value, Expr::value(value.0))
            .filter(deal::Column::OrganizationId.eq(org))
            .filter(deal::Column::Id.eq(deal_id))
            .exec(txn)
            .await?;
    }
    find(txn, org, deal_id).await
}

/// CONFLICT when `billing` (of an enabled line of `deal_id`, other than `line`) cannot be:
/// a recurring line on a deal with installments, or more than [`MAX_RECURRING_LINES`].
async fn check_recurring(
    txn: &DatabaseTransaction,
    org: Uuid,
    deal_id: Uuid,
    line: Option<Uuid>,
    billing: Billing,
    enabled: bool,
) -> AppResult<()> {
    if !billing.recurring() || !enabled {
        return Ok(());
    }
    if crate::deal::billing::installments::total(txn, org, deal_id)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(
            "a deal with installments has only one-time lines: remove its installments first"
                .into(),
        ));
    }
    let mut others = deal_product::Entity::find()
        .filter(deal_product::Column::OrganizationId.eq(org))
        .filter(deal_product::Column::DealId.eq(deal_id))
        .filter(deal_product::Column::BillingFrequency.ne(BillingFrequency::OneTime));
    if let Some(line) = line {
        others = others.filter(deal_product::Column::Id.ne(line));
    }
    if others.count(txn).await? >= MAX_RECURRING_LINES {
        return Err(AppError::Conflict(format!(
            "a deal has at most {MAX_RECURRING_LINES} recurring lines"
        )));
    }
    Ok(())
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
    check_recurring(&txn, org, deal_id, None, line.billing, line.is_enabled).await?;
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
        billing_frequency: Set(line.billing.frequency),
        billing_frequency_cycles: Set(line.billing.cycles),
        billing_start_date: Set(line.billing.start_date),
        comments: Set(line.comments),
        is_enabled: Set(line.is_enabled),
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
            billing_frequency: Set(line.billing.frequency),
            billing_frequency_cycles: Set(line.billing.cycles),
            billing_start_date: Set(line.billing.start_date),
            comments: Set(line.comments),
            is_enabled: Set(line.is_enabled),
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
        "billingFrequency": line.billing_frequency.to_value(),
        "billingFrequencyCycles": line.billing_frequency_cycles,
        "billingStartDate": line.billing_start_date.map(|d| d.to_string()),
        "comments": line.comments,
        "isEnabled": line.is_enabled,
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
    if let Some(billing) = changes.billing {
        row.billing_frequency = Set(billing.frequency);
        row.billing_frequency_cycles = Set(billing.cycles);
        row.billing_start_date = Set(billing.start_date);
    }
    if let Some(comments) = changes.comments {
        row.comments = Set(comments);
    }
    if let Some(enabled) = changes.is_enabled {
        row.is_enabled = Set(enabled);
    }
    let billing = changes.billing.unwrap_or(Billing {
        frequency: current.billing_frequency,
        cycles: current.billing_frequency_cycles,
        start_date: current.billing_start_date,
    });
    let enabled = changes.is_enabled.unwrap_or(current.is_enabled);
    let newly_recurring = billing.recurring()
        && (!current.is_enabled || current.billing_frequency == BillingFrequency::OneTime);
    if newly_recurring {
        check_recurring(&txn, org, current.deal_id, Some(id), billing, enabled).await?;
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
