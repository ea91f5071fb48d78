//! `DealDiscount` and `DealInstallment`, and the deal's lists of them through the per-deal
//! list engine.

use crate::deal::child_connection::child_connection;
use crate::deal::loader::DealId;
use crate::deal::products::DiscountType;
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::loader::load_by_id;
use crate::graphql::money::Money;
use crate::graphql::scalars::{Date, DateTime, Decimal};
use async_graphql::{Context, ID, Object};
use entity::{deal_discount, deal_installment};
use sea_orm::prelude::Uuid;

#[derive(Clone)]
pub struct DealDiscount(pub deal_discount::Model);

#[derive(Clone)]
pub struct DealInstallment(pub deal_installment::Model);

load_by_id!(DealDiscountId, deal_discount, DealDiscount);
load_by_id!(DealInstallmentId, deal_installment, DealInstallment);

async fn currency(ctx: &Context<'_>, deal: Uuid) -> AppResult<String> {
    let deal = ctx.loaders()?.load_one(DealId(deal)).await?;
    Ok(deal.map(|d| d.0.currency).unwrap_or_default())
}

/// A discount of a whole deal (Pipedrive's deal discounts): a percentage or an amount taken
/// off what the deal's product lines make, after the discounts before it.
#[Object]
impl DealDiscount {
    /// The discount's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::DealDiscount, self.0.id)
    }

    /// What the discount is.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// PERCENTAGE or AMOUNT.
    async fn r#type(&self) -> DiscountType {
        self.0.discount_type.into()
    }

    /// The percentage, or the amount in the deal's currency.
    async fn amount(&self) -> Decimal {
        Decimal(self.0.amount.to_decimal().normalize())
    }

    /// Where it applies among the deal's discounts (0 first).
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// When it was added.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// A part of a deal's value billed on a date (Pipedrive's installments).
#[Object]
impl DealInstallment {
    /// The installment's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::DealInstallment, self.0.id)
    }

    /// What it is.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The amount billed, in the deal's currency.
    async fn amount(&self, ctx: &Context<'_>) -> AppResult<Money> {
        Ok(Money::scaled(
            self.0.amount,
            currency(ctx, self.0.deal_id).await?,
        ))
    }

    /// When it is billed.
    async fn billing_date(&self) -> Date {
        Date(self.0.billing_date)
    }
}

child_connection!(
    DealDiscountConnection,
    DealDiscountEdge,
    DealDiscount,
    deal_discount::Model,
    "A discount with its cursor.",
    "A page of a deal's discounts, in the order they apply (a Relay connection)."
);

child_connection!(
    DealInstallmentConnection,
    DealInstallmentEdge,
    DealInstallment,
    deal_installment::Model,
    "An installment with its cursor.",
    "A page of a deal's installments, by billing date (a Relay connection)."
);
