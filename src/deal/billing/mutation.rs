//! Mutations on a deal's discounts and installments.

use super::discounts::{self, DiscountChanges, DiscountFields};
use super::installments::{self, InstallmentFields};
use super::types::DealDiscount;
use crate::deal::Deal;
use crate::deal::mutation::DealPayload;
use crate::deal::products::DiscountType;
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::scalars::{Date, Decimal};
use crate::validate;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

/// Input of `addDealDiscount`.
#[derive(InputObject)]
pub struct AddDealDiscountInput {
    /// The deal.
    pub deal_id: ID,
    /// What the discount is (1–255 characters).
    pub description: String,
    /// PERCENTAGE or AMOUNT.
    pub r#type: DiscountType,
    /// More than zero: a percentage (at most 100) or an amount in the deal's currency.
    pub amount: Decimal,
    /// The deal version you read; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
}

/// Input of `updateDealDiscount`: only the fields given change.
#[derive(InputObject)]
pub struct UpdateDealDiscountInput {
    /// The discount.
    pub id: ID,
    /// A new description.
    pub description: Option<String>,
    /// A new type.
    pub r#type: Option<DiscountType>,
    /// A new amount.
    pub amount: Option<Decimal>,
    /// The deal version you read; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
}

/// Input of `removeDealDiscount`.
#[derive(InputObject)]
pub struct RemoveDealDiscountInput {
    /// The discount.
    pub id: ID,
    /// The deal version you read; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
}

/// An installment to set.
#[derive(InputObject)]
pub struct InstallmentInput {
    /// What it is (1–255 characters).
    pub description: String,
    /// More than zero, in the deal's currency.
    pub amount: Decimal,
    /// When it is billed.
    pub billing_date: Date,
}

/// Input of `setDealInstallments`.
#[derive(InputObject)]
pub struct SetDealInstallmentsInput {
    /// The deal.
    pub deal_id: ID,
    /// Every installment (at most 100), replacing the deal's; none clears them. Their
    /// amounts add up to the deal's value exactly.
    pub installments: Vec<InstallmentInput>,
    /// The deal version you read; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
}

/// Result of adding or changing a discount.
#[derive(SimpleObject)]
pub struct DealDiscountPayload {
    /// The discount as it is now.
    pub discount: DealDiscount,
    /// The deal, whose value follows.
    pub deal: Deal,
}

fn positive(field: &str, value: Decimal) -> AppResult<entity::Scaled> {
    let amount = validate::amount(field, value)?;
    if amount == entity::Scaled::ZERO {
        return Err(crate::error::AppError::bad_input(
            field,
            "it must be more than zero",
        ));
    }
    Ok(amount)
}

/// Mutations on a deal's discounts and installments.
#[derive(Default)]
pub struct DealBillingMutation;

#[Object]
impl DealBillingMutation {
    /// Adds a discount of the whole deal (Pipedrive), after its others (at most 20): it takes
    /// a percentage or an amount off what the deal's product lines make with tax, after the
    /// discounts before it; the deal's value follows while it has product lines.
    async fn add_deal_discount(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal and the discount.")] input: AddDealDiscountInput,
    ) -> AppResult<DealDiscountPayload> {
        let deal = expect_id(&input.deal_id, NodeKind::Deal, "input.dealId")?;
        let fields = DiscountFields {
            description: validate::text(
                "input.description",
                &input.description,
                validate::MAX_TITLE,
            )?,
            discount_type: input.r#type.into(),
            amount: positive("input.amount", input.amount)?,
        };
        discounts::check_amount("input.amount", fields.discount_type, fields.amount)?;
        let (discount, deal) = discounts::add(
            ctx.db()?,
            ctx.viewer()?,
            deal,
            fields,
            input.expected_version,
        )
        .await?;
        Ok(DealDiscountPayload {
            discount: DealDiscount(discount),
            deal: Deal(deal),
        })
    }

    /// Changes a discount of a deal; the deal's value follows.
    async fn update_deal_discount(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The discount and its changes.")] input: UpdateDealDiscountInput,
    ) -> AppResult<DealDiscountPayload> {
        let id = expect_id(&input.id, NodeKind::DealDiscount, "input.id")?;
        let changes = DiscountChanges {
            description: input
                .description
                .as_deref()
                .map(|d| validate::text("input.description", d, validate::MAX_TITLE))
                .transpose()?,
            discount_type: input.r#type.map(Into::into),
            amount: input
                .amount
                .map(|a| positive("input.amount", a))
                .transpose()?,
        };
        let (discount, deal) = discounts::update(
            ctx.db()?,
            ctx.viewer()?,
            id,
            changes,
            input.expected_version,
        )
        .await?;
        Ok(DealDiscountPayload {
            discount: DealDiscount(discount),
            deal: Deal(deal),
        })
    }

    /// Removes a discount of a deal; the deal's value follows.
    async fn remove_deal_discount(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The discount.")] input: RemoveDealDiscountInput,
    ) -> AppResult<DealPayload> {
        let id = expect_id(&input.id, NodeKind::DealDiscount, "input.id")?;
        let deal = discounts::remove(ctx.db()?, ctx.viewer()?, id, input.expected_version).await?;
        Ok(DealPayload { deal: Deal(deal) })
    }

    /// Sets how a deal is billed in parts (Pipedrive's installments), replacing its
    /// installments: for a deal with one-time product lines (and no recurring one), amounts
    /// adding up to its value exactly. An empty list clears them. While a deal has
    /// installments, a change that would move its value away from their sum is CONFLICT.
    async fn set_deal_installments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal and its installments.")] input: SetDealInstallmentsInput,
    ) -> AppResult<DealPayload> {
        let deal = expect_id(&input.deal_id, NodeKind::Deal, "input.dealId")?;
        if input.installments.len() > installments::MAX_INSTALLMENTS {
            return Err(crate::error::AppError::bad_input(
                "input.installments",
                format!("at most {} installments", installments::MAX_INSTALLMENTS),
            ));
        }
        let fields = input
            .installments
            .into_iter()
            .enumerate()
            .map(|(i, installment)| {
                let at = |name: &str| format!("input.installments.{i}.{name}");
                Ok(InstallmentFields {
                    description: validate::text(
                        &at("description"),
                        &installment.description,
                        validate::MAX_TITLE,
                    )?,
                    amount: positive(&at("amount"), installment.amount)?,
                    billing_date: installment.billing_date.0,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let deal = installments::set(
            ctx.db()?,
            ctx.viewer()?,
            deal,
            fields,
            input.expected_version,
        )
        .await?;
        Ok(DealPayload { deal: Deal(deal) })
    }
}
