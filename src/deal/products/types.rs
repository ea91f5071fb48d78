//! `DealProduct`: a product line of a deal, with exact totals.

use super::pricing::LineItem;
use crate::deal::child_connection::child_connection;
use crate::deal::loader::DealId;
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::money::Money;
use crate::graphql::scalars::{Date, DateTime, Decimal};
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use entity::{deal_product, enums};

/// How a line's discount reads.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "enums::DiscountType")]
pub enum DiscountType {
    /// A percentage of quantity × unit price.
    Percentage,
    /// A fixed amount off the line.
    Amount,
}

/// How a line's tax applies (Pipedrive's tax methods).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "enums::TaxMethod")]
pub enum TaxMethod {
    /// Tax is added on top of the price.
    Exclusive,
    /// The price already includes the tax.
    Inclusive,
    /// No tax.
    None,
}

/// Totals of product lines, exact.
#[derive(SimpleObject, Clone, Debug)]
pub struct ProductTotals {
    /// After discounts, before tax.
    pub without_tax: Money,
    /// After discounts and tax.
    pub with_tax: Money,
}

#[derive(Clone)]
pub struct DealProduct(pub deal_product::Model);

impl DealProduct {
    /// The line's arithmetic.
    pub fn line(&self) -> LineItem {
        line_item(&self.0)
    }
}

/// The arithmetic of a stored line.
pub fn line_item(row: &deal_product::Model) -> LineItem {
    LineItem {
        quantity: row.quantity.to_decimal(),
        unit_price: row.unit_price.to_decimal(),
        discount_type: row.discount_type,
        discount: row.discount.to_decimal(),
        tax_percentage: row.tax_percentage.to_decimal(),
        tax_method: row.tax_method,
    }
}

async fn currency(ctx: &Context<'_>, row: &deal_product::Model) -> AppResult<String> {
    let deal = ctx.loaders()?.load_one(DealId(row.deal_id)).await?;
    Ok(deal.map(|d| d.0.currency).unwrap_or_default())
}

/// A product line of a deal [deal product, line item]: quantity × unit price, less a
/// discount, plus or including tax. Totals are exact and rounded to cents, half away from zero.
#[Object]
impl DealProduct {
    /// The line's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::DealProduct, self.0.id)
    }

    /// The product's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The product's stock-keeping unit.
    async fn sku(&self) -> Option<&str> {
        self.0.sku.as_deref()
    }

    /// Where the line comes in the deal (0 first).
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// How many units (may be fractional).
    async fn quantity(&self) -> Decimal {
        Decimal(self.0.quantity.to_decimal().normalize())
    }

    /// Price of one unit, in the deal's currency.
    async fn unit_price(&self, ctx: &Context<'_>) -> AppResult<Money> {
        Ok(Money::scaled(
            self.0.unit_price,
            currency(ctx, &self.0).await?,
        ))
    }

    /// How `discount` reads.
    async fn discount_type(&self) -> DiscountType {
        self.0.discount_type.into()
    }

    /// The discount: a percentage, or an amount in the deal's currency.
    async fn discount(&self) -> Decimal {
        Decimal(self.0.discount.to_decimal().normalize())
    }

    /// Tax rate in percent.
    async fn tax_percentage(&self) -> Decimal {
        Decimal(self.0.tax_percentage.to_decimal().normalize())
    }

    /// How the tax applies.
    async fn tax_method(&self) -> TaxMethod {
        self.0.tax_method.into()
    }

    /// The line's totals without and with tax.
    async fn totals(&self, ctx: &Context<'_>) -> AppResult<ProductTotals> {
        let totals = self.line().totals();
        let currency = currency(ctx, &self.0).await?;
        Ok(ProductTotals {
            without_tax: Money::new(totals.without_tax, &currency),
            with_tax: Money::new(totals.with_tax, currency),
        })
    }

    /// How often the line is billed (Pipedrive); a recurring line counts one period in the
    /// deal's value.
    async fn billing_frequency(&self) -> BillingFrequency {
        self.0.billing_frequency.into()
    }

    /// How many periods a recurring line is billed; null for ONE_TIME, and for a recurring
    /// line billed indefinitely.
    async fn billing_frequency_cycles(&self) -> Option<i32> {
        self.0.billing_frequency_cycles
    }

    /// When the line is first billed.
    async fn billing_start_date(&self) -> Option<Date> {
        self.0.billing_start_date.map(Date)
    }

    /// Comments on the line.
    async fn comments(&self) -> Option<&str> {
        self.0.comments.as_deref()
    }

    /// Whether the line counts; a disabled line counts in no total and no quote.
    async fn is_enabled(&self) -> bool {
        self.0.is_enabled
    }

    /// When the line was added.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the line was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// How often a product line is billed (Pipedrive's billing frequency).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::BillingFrequency")]
pub enum BillingFrequency {
    /// Once (the default).
    OneTime,
    /// Every week.
    Weekly,
    /// Every month.
    Monthly,
    /// Every quarter.
    Quarterly,
    /// Every six months.
    SemiAnnually,
    /// Every year.
    Annually,
}

child_connection!(
    DealProductConnection,
    DealProductEdge,
    DealProduct,
    deal_product::Model,
    "A product line with its cursor.",
    "A page of a deal's product lines, by position (a Relay connection).",
    // Columns, and money in the deal's currency (the deal by id: read with a deal's detail,
    // else one load for all the page's lines).
    own: [
        "id", "name", "sku", "position", "quantity", "unitPrice", "discountType", "discount",
        "taxPercentage", "taxMethod", "totals", "billingFrequency", "billingFrequencyCycles",
        "billingStartDate", "comments", "isEnabled", "createdAt", "updatedAt"
    ]
);
