//! Mutations on a deal's product lines.

use super::service::{self, Billing, LineChanges, LineInput};
use super::types::{BillingFrequency, DealProduct, DiscountType, TaxMethod};
use crate::deal::Deal;
use crate::deal::DealProductId;
use crate::deal::around::replayed_with_deal;
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::patch::{patch, patch_optional};
use crate::graphql::scalars::{Date, Decimal};
use crate::idempotency;
use crate::validate;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::Scaled;

/// Input of `addDealProduct`.
#[derive(InputObject)]
pub struct AddDealProductInput {
    /// The deal.
    pub deal_id: ID,
    /// The product's name (1–255 characters).
    pub name: String,
    /// Its stock-keeping unit.
    pub sku: Option<String>,
    /// Units, more than zero (fractions allowed, at most 4 decimal places).
    pub quantity: Decimal,
    /// Price of one unit, in the deal's currency.
    pub unit_price: Decimal,
    /// How `discount` reads; PERCENTAGE when omitted.
    pub discount_type: Option<DiscountType>,
    /// A percentage (0–100) or an amount off the line; 0 when omitted.
    pub discount: Option<Decimal>,
    /// Tax rate in percent (0–100); 0 when omitted.
    pub tax_percentage: Option<Decimal>,
    /// How the tax applies; EXCLUSIVE when omitted.
    pub tax_method: Option<TaxMethod>,
    /// How often the line is billed; ONE_TIME when omitted.
    pub billing_frequency: Option<BillingFrequency>,
    /// Periods a recurring line is billed (1–520): required for WEEKLY, none for ONE_TIME,
    /// omitted for a line billed indefinitely.
    pub billing_frequency_cycles: Option<i32>,
    /// When the line is first billed.
    pub billing_start_date: Option<Date>,
    /// Comments (at most 10,000 characters).
    pub comments: Option<String>,
    /// Whether the line counts (true when omitted); a disabled line counts in no total.
    pub is_enabled: Option<bool>,
    /// The deal version you read; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
    /// Makes the create safe to retry (1–200 printable ASCII characters): a request with a
    /// key used in the last 24 hours gets what the first one created.
    pub idempotency_key: Option<String>,
}

/// A product line of a deal being created.
#[derive(InputObject)]
pub struct ProductLineInput {
    /// The product's name (1–255 characters).
    pub name: String,
    /// Its stock-keeping unit.
    pub sku: Option<String>,
    /// Units, more than zero (fractions allowed, at most 4 decimal places).
    pub quantity: Decimal,
    /// Price of one unit, in the deal's currency.
    pub unit_price: Decimal,
    /// How `discount` reads; PERCENTAGE when omitted.
    pub discount_type: Option<DiscountType>,
    /// A percentage (0–100) or an amount off the line; 0 when omitted.
    pub discount: Option<Decimal>,
    /// Tax rate in percent (0–100); 0 when omitted.
    pub tax_percentage: Option<Decimal>,
    /// How the tax applies; EXCLUSIVE when omitted.
    pub tax_method: Option<TaxMethod>,
    /// How often the line is billed; ONE_TIME when omitted.
    pub billing_frequency: Option<BillingFrequency>,
    /// Periods a recurring line is billed (1–520): required for WEEKLY, none for ONE_TIME,
    /// omitted for a line billed indefinitely.
    pub billing_frequency_cycles: Option<i32>,
    /// When the line is first billed.
    pub billing_start_date: Option<Date>,
    /// Comments (at most 10,000 characters).
    pub comments: Option<String>,
    /// Whether the line counts (true when omitted); a disabled line counts in no total.
    pub is_enabled: Option<bool>,
}

impl ProductLineInput {
    /// The line, its fields checked and named under `at`.
    pub fn into_line(self, at: &str) -> AppResult<LineInput> {
        let field = |name: &str| format!("{at}.{name}");
        let line = LineInput {
            name: validate::text(&field("name"), &self.name, validate::MAX_TITLE)?,
            sku: validate::optional_text(&field("sku"), self.sku.as_deref(), 64)?,
            quantity: quantity(&field("quantity"), self.quantity)?,
            unit_price: validate::amount(&field("unitPrice"), self.unit_price)?,
            discount_type: self
                .discount_type
                .map_or(entity::enums::DiscountType::Percentage, Into::into),
            discount: self
                .discount
                .map(|d| validate::amount(&field("discount"), d))
                .transpose()?
                .unwrap_or_default(),
            tax_percentage: self
                .tax_percentage
                .map(|t| validate::percentage(&field("taxPercentage"), t))
                .transpose()?
                .unwrap_or_default(),
            tax_method: self
                .tax_method
                .map_or(entity::enums::TaxMethod::Exclusive, Into::into),
            billing: Billing {
                frequency: self
                    .billing_frequency
                    .map_or(entity::enums::BillingFrequency::OneTime, Into::into),
                cycles: self.billing_frequency_cycles,
                start_date: self.billing_start_date.map(|d| d.0),
            }
            .checked(at)?,
            comments: validate::optional_text(
                &field("comments"),
                self.comments.as_deref(),
                10_000,
            )?,
            is_enabled: self.is_enabled.unwrap_or(true),
        };
        service::check_discount(
            &field("discount"),
            line.discount_type,
            line.discount,
            line.quantity,
            line.unit_price,
        )?;
        Ok(line)
    }
}

/// Input of `updateDealProduct`: only the fields given change.
#[derive(InputObject)]
pub struct UpdateDealProductInput {
    /// The product line.
    pub id: ID,
    /// A new name.
    pub name: Option<String>,
    /// A new sku, or null for none.
    pub sku: MaybeUndefined<String>,
    /// A new quantity.
    pub quantity: Option<Decimal>,
    /// A new unit price.
    pub unit_price: Option<Decimal>,
    /// A new discount type.
    pub discount_type: Option<DiscountType>,
    /// A new discount.
    pub discount: Option<Decimal>,
    /// A new tax rate.
    pub tax_percentage: Option<Decimal>,
    /// A new tax method.
    pub tax_method: Option<TaxMethod>,
    /// A new billing frequency; with it, `billingFrequencyCycles` and `billingStartDate` are
    /// set together (omitted ones cleared).
    pub billing_frequency: Option<BillingFrequency>,
    /// New cycles (1–520), or null for none; given without `billingFrequency`, the line's
    /// frequency stays.
    pub billing_frequency_cycles: MaybeUndefined<i32>,
    /// A new first billing date, or null for none.
    pub billing_start_date: MaybeUndefined<Date>,
    /// New comments, or null for none.
    pub comments: MaybeUndefined<String>,
    /// Enable or disable the line.
    pub is_enabled: Option<bool>,
    /// The deal version you read; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
}

/// Input of `removeDealProduct`.
#[derive(InputObject)]
pub struct RemoveDealProductInput {
    /// The product line.
    pub id: ID,
    /// The deal version you read; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
}

/// Result of adding or changing a product line.
#[derive(SimpleObject)]
pub struct DealProductPayload {
    /// The line as it is now.
    pub product: DealProduct,
    /// The deal, whose value is now its lines' total with tax.
    pub deal: Deal,
}

/// Result of removing a product line.
#[derive(SimpleObject)]
pub struct RemoveDealProductPayload {
    /// The deal as it is now.
    pub deal: Deal,
}

fn quantity(field: &str, value: Decimal) -> AppResult<Scaled> {
    let scaled = validate::amount(field, value)?;
    if scaled == Scaled::ZERO {
        return Err(AppError::bad_input(
            field,
            "the quantity must be more than zero",
        ));
    }
    Ok(scaled)
}

/// The billing fields of an `updateDealProduct`: None leaves a field, `Some(None)` clears.
struct BillingPatch {
    frequency: Option<entity::enums::BillingFrequency>,
    cycles: Option<Option<i32>>,
    start_date: Option<Option<sea_orm::prelude::Date>>,
}

impl BillingPatch {
    /// The line's new billing, checked as a whole, or None when nothing of it changes. A new
    /// frequency brings its own cycles and start date (omitted ones cleared); cycles or a start
    /// date alone keep the line's frequency.
    async fn resolve(
        self,
        ctx: &Context<'_>,
        line: sea_orm::prelude::Uuid,
    ) -> AppResult<Option<Billing>> {
        if self.frequency.is_none() && self.cycles.is_none() && self.start_date.is_none() {
            return Ok(None);
        }
        let billing = match self.frequency {
            Some(frequency) => Billing {
                frequency,
                cycles: self.cycles.flatten(),
                start_date: self.start_date.flatten(),
            },
            None => {
                let current = ctx
                    .loaders()?
                    .load_one(crate::deal::DealProductId(line))
                    .await?
                    .ok_or_else(|| AppError::NotFound("deal product".into()))?
                    .0;
                Billing {
                    frequency: current.billing_frequency,
                    cycles: self.cycles.unwrap_or(current.billing_frequency_cycles),
                    start_date: self.start_date.unwrap_or(current.billing_start_date),
                }
            }
        };
        billing.checked("input").map(Some)
    }
}

/// Mutations on product lines.
#[derive(Default)]
pub struct DealProductMutation;

#[Object]
impl DealProductMutation {
    /// Adds a product line to a deal (AchieveApex, Pipedrive); the deal's value becomes its
    /// lines' total with tax, in the same transaction.
    async fn add_deal_product(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The line.")] input: AddDealProductInput,
    ) -> AppResult<DealProductPayload> {
        let deal = expect_id(&input.deal_id, NodeKind::Deal, "input.dealId")?;
        let line = ProductLineInput {
            name: input.name,
            sku: input.sku,
            quantity: input.quantity,
            unit_price: input.unit_price,
            discount_type: input.discount_type,
            discount: input.discount,
            tax_percentage: input.tax_percentage,
            tax_method: input.tax_method,
            billing_frequency: input.billing_frequency,
            billing_frequency_cycles: input.billing_frequency_cycles,
            billing_start_date: input.billing_start_date,
            comments: input.comments,
            is_enabled: input.is_enabled,
        }
        .into_line("input")?;
        let expected_version = input.expected_version;
        let (product, deal) = idempotency::once(
            ctx,
            input.idempotency_key.as_deref(),
            "addDealProduct",
            move |txn, viewer| {
                Box::pin(
                    async move { service::add(txn, &viewer, deal, line, expected_version).await },
                )
            },
            |id| async move {
                let (product, deal) =
                    replayed_with_deal(ctx, DealProductId(id), |p: &DealProduct| p.0.deal_id)
                        .await?;
                Ok((product.0, deal))
            },
        )
        .await?;
        Ok(DealProductPayload {
            product: DealProduct(product),
            deal: Deal(deal),
        })
    }

    /// Changes a product line; the deal's value follows.
    async fn update_deal_product(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The line and its changes.")] input: UpdateDealProductInput,
    ) -> AppResult<DealProductPayload> {
        let id = expect_id(&input.id, NodeKind::DealProduct, "input.id")?;
        let changes = LineChanges {
            name: input
                .name
                .as_deref()
                .map(|n| validate::text("input.name", n, validate::MAX_TITLE))
                .transpose()?,
            sku: patch_optional(&input.sku, |s| {
                validate::optional_text("input.sku", Some(s), 64)
            })?,
            quantity: input
                .quantity
                .map(|q| quantity("input.quantity", q))
                .transpose()?,
            unit_price: input
                .unit_price
                .map(|p| validate::amount("input.unitPrice", p))
                .transpose()?,
            discount_type: input.discount_type.map(Into::into),
            discount: input
                .discount
                .map(|d| validate::amount("input.discount", d))
                .transpose()?,
            tax_percentage: input
                .tax_percentage
                .map(|t| validate::percentage("input.taxPercentage", t))
                .transpose()?,
            tax_method: input.tax_method.map(Into::into),
            billing: None,
            comments: patch_optional(&input.comments, |c| {
                validate::optional_text("input.comments", Some(c), 10_000)
            })?,
            is_enabled: input.is_enabled,
        };
        let billing = BillingPatch {
            frequency: input.billing_frequency.map(Into::into),
            cycles: patch(&input.billing_frequency_cycles, |c| Ok(*c))?,
            start_date: patch(&input.billing_start_date, |d| Ok(d.0))?,
        };
        let changes = LineChanges {
            billing: billing.resolve(ctx, id).await?,
            ..changes
        };
        let (product, deal) = service::update(
            ctx.db()?,
            ctx.viewer()?,
            id,
            changes,
            input.expected_version,
        )
        .await?;
        Ok(DealProductPayload {
            product: DealProduct(product),
            deal: Deal(deal),
        })
    }

    /// Removes a product line; the deal's value follows (and stays as it was when the last
    /// line goes).
    async fn remove_deal_product(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The line.")] input: RemoveDealProductInput,
    ) -> AppResult<RemoveDealProductPayload> {
        let id = expect_id(&input.id, NodeKind::DealProduct, "input.id")?;
        let deal = service::remove(ctx.db()?, ctx.viewer()?, id, input.expected_version).await?;
        Ok(RemoveDealProductPayload { deal: Deal(deal) })
    }
}
