//! The `Deal` GraphQL type and its enums.

use super::around::{ActivityConnection, TaskConnection};
use super::billing::{DealDiscountConnection, DealInstallmentConnection};
use super::child_connection::object_with_deal_lists;
use super::children::{AllDiscountsOf, AllProductsOf};
use super::columns::part_row;
use super::events::types::DealEventConnection;
use super::history::StageChangeConnection;
use super::loader::{DealFollowers, DealTags};
use super::participants::DealParticipantConnection;
use super::products::pricing::{DealPrice, deal_price};
use super::products::service::discount_of;
use super::products::{DealProductConnection, ProductTotals, line_item};
use crate::company::{Company, CompanyId};
use crate::contact::{Contact, ContactId};
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::loader::DbLoader;
use crate::graphql::money::Money;
use crate::graphql::row_decode::DecodeAt;
use crate::graphql::scalars::{Date, DateTime};
use crate::graphql::serial::Serial;
use crate::pipeline::{Pipeline, PipelineId, Stage, StageId};
use crate::sale::{Sale, SaleOfDeal};
use crate::user::{User, UserId};
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum, ID, Json};
use entity::{Scaled, deal, enums};
use rust_decimal::Decimal;
use sea_orm::prelude::Uuid;
use std::any::Any;
use std::hash::Hash;

/// Where a deal stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "enums::DealStatus")]
pub enum DealStatus {
    /// In the pipeline.
    Open,
    /// Closed as won.
    Won,
    /// Closed as lost.
    Lost,
}

/// How urgent a deal is (Play2Sell).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "enums::Priority")]
pub enum Priority {
    /// Low.
    Low,
    /// Medium (the default).
    Medium,
    /// High.
    High,
}

#[derive(Clone)]
pub struct Deal(pub deal::Model);

/// A deal's to-one relation `id`: the row its page read in part when that holds what the
/// field selects (its fields then answer in turn), else the by-id loader's row `key(id)`.
async fn to_one<M, K, W>(
    ctx: &Context<'_>,
    id: Uuid,
    key: fn(Uuid) -> K,
    wrap: fn(M) -> W,
) -> AppResult<Option<Serial<W>>>
where
    M: DecodeAt + Any + Clone,
    K: Send + Sync + Hash + Eq + Clone + 'static,
    W: Clone + Send + Sync + 'static,
    DbLoader: Loader<K, Value = W, Error = AppError>,
{
    if let Some(row) = part_row(ctx, id) {
        return Ok(Some(Serial::at_once(wrap(row))));
    }
    Ok(ctx
        .loaders()?
        .load_one(key(id))
        .await?
        .map(Serial::side_by_side))
}

/// Whole days from `from` to `to`.
fn days_between(from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>) -> i64 {
    (to - from).num_days().max(0)
}

object_with_deal_lists!(
    /// A sales deal: an opportunity with a value, moving through a pipeline's stages until it
    /// is won or lost.
    Deal;
    /// The deal's product lines, by position (AchieveApex, Pipedrive).
    products: DealProductConnection,
    /// What happened to the deal, newest first (Pipedrive's deal changelog): each change with
    /// its fields' values before and after, who made it and when.
    changelog: DealEventConnection,
    /// Discounts of the whole deal (Pipedrive), in the order they apply.
    discounts: DealDiscountConnection,
    /// The parts the deal is billed in (Pipedrive's installments), by billing date; their
    /// amounts add up to its value.
    installments: DealInstallmentConnection,
    /// The deal's moves between stages, oldest first (Rex, Play2Sell).
    stage_history: StageChangeConnection,
    /// The deal's activities, newest first (Rex).
    activities: ActivityConnection,
    /// The deal's tasks, by due date (Rex).
    tasks: TaskConnection,
    /// Contacts taking part in the deal besides its main contact (Pipedrive's participants),
    /// in the order they were added.
    participants: DealParticipantConnection,
    ;
    /// The deal's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Deal, self.0.id)
    }

    /// The deal's title [name].
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The deal's value, exact, in its currency. While the deal has product lines this is
    /// what they make: `productsTotal.withTax`, less `discountsTotal`, plus `valueAdjustment`.
    async fn value(&self) -> Money {
        Money::scaled(self.0.value, &self.0.currency)
    }

    /// The ISO 4217 currency of the deal's value.
    async fn currency(&self) -> &str {
        &self.0.currency
    }

    /// OPEN, WON or LOST.
    async fn status(&self) -> DealStatus {
        self.0.status.into()
    }

    /// The pipeline the deal is in.
    async fn pipeline(&self, ctx: &Context<'_>) -> AppResult<Serial<Pipeline>> {
        to_one(ctx, self.0.pipeline_id, PipelineId, Pipeline)
            .await?
            .ok_or_else(|| AppError::internal("deal without pipeline"))
    }

    /// The stage the deal is in.
    async fn stage(&self, ctx: &Context<'_>) -> AppResult<Serial<Stage>> {
        to_one(ctx, self.0.stage_id, StageId, Stage)
            .await?
            .ok_or_else(|| AppError::internal("deal without stage"))
    }

    /// The contact [person] the deal is with.
    async fn contact(&self, ctx: &Context<'_>) -> AppResult<Option<Serial<Contact>>> {
        match self.0.contact_id {
            Some(id) => to_one(ctx, id, ContactId, Contact).await,
            None => Ok(None),
        }
    }

    /// The company [org] the deal is with.
    async fn company(&self, ctx: &Context<'_>) -> AppResult<Option<Serial<Company>>> {
        match self.0.company_id {
            Some(id) => to_one(ctx, id, CompanyId, Company).await,
            None => Ok(None),
        }
    }

    /// The user who owns the deal.
    async fn owner(&self, ctx: &Context<'_>) -> AppResult<Option<Serial<User>>> {
        match self.0.owner_id {
            Some(id) => to_one(ctx, id, UserId, User).await,
            None => Ok(None),
        }
    }

    /// When the deal is expected to close.
    async fn expected_close_date(&self) -> Option<Date> {
        self.0.expected_close_date.map(Date)
    }

    /// LOW, MEDIUM or HIGH.
    async fn priority(&self) -> Priority {
        self.0.priority.into()
    }

    /// Where the deal came from (e.g. Website, Referral).
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }

    /// The deal's tags, alphabetically.
    async fn tags(&self, ctx: &Context<'_>) -> AppResult<Vec<String>> {
        Ok(ctx
            .loaders()?
            .load_one(DealTags(self.0.id))
            .await?
            .unwrap_or_default())
    }

    /// Custom fields: a JSON object of your own keys and values.
    async fn custom_fields(&self) -> Json<serde_json::Value> {
        Json(self.0.custom_fields.clone())
    }

    /// Why the deal was lost, when it was.
    async fn lost_reason(&self) -> Option<&str> {
        self.0.lost_reason.as_deref()
    }

    /// When the deal was won.
    async fn won_at(&self) -> Option<DateTime> {
        self.0.won_at.map(DateTime)
    }

    /// When the deal was lost.
    async fn lost_at(&self) -> Option<DateTime> {
        self.0.lost_at.map(DateTime)
    }

    /// When the deal was closed, won or lost.
    async fn closed_at(&self) -> Option<DateTime> {
        self.0.closed_at.map(DateTime)
    }

    /// When the deal entered its current stage (Rex's `stage_entered_at`).
    async fn stage_changed_at(&self) -> DateTime {
        self.0.stage_changed_at.into()
    }

    /// When an activity was last logged on the deal.
    async fn last_activity_at(&self) -> Option<DateTime> {
        self.0.last_activity_at.map(DateTime)
    }

    /// When the deal was archived (Pipedrive); archived deals leave lists unless asked for.
    async fn archived_at(&self) -> Option<DateTime> {
        self.0.archived_at.map(DateTime)
    }

    /// When the deal was deleted (soft delete); deleted deals leave lists unless asked for.
    async fn deleted_at(&self) -> Option<DateTime> {
        self.0.deleted_at.map(DateTime)
    }

    /// When the deal was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the deal was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }

    /// The deal's version, raised by every change; pass it as `expectedVersion` to refuse
    /// stale writes.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// Whole days the deal has spent in its current stage (Rex).
    async fn days_in_stage(&self) -> i64 {
        days_between(self.0.stage_changed_at, crate::clock::now())
    }

    /// Whole days from creation to closing, or to now while the deal is open (Rex).
    async fn deal_age_days(&self) -> i64 {
        days_between(
            self.0.created_at,
            self.0.closed_at.unwrap_or_else(crate::clock::now),
        )
    }

    /// Totals of the deal's enabled product lines (AchieveApex's arithmetic); zero without
    /// products. While the deal has products its `value` is `withTax`, less `discountsTotal`,
    /// plus `valueAdjustment`.
    async fn products_total(&self, ctx: &Context<'_>) -> AppResult<ProductTotals> {
        let price = self.price(ctx).await?;
        Ok(ProductTotals {
            without_tax: Money::new(price.lines_without_tax, &self.0.currency),
            with_tax: Money::new(price.lines_with_tax, &self.0.currency),
        })
    }

    /// What the deal's own discounts take off its product lines' total with tax (zero
    /// without product lines).
    async fn discounts_total(&self, ctx: &Context<'_>) -> AppResult<Money> {
        let price = self.price(ctx).await?;
        let off: Decimal = price.discounts.iter().sum();
        Ok(Money::new(off, &self.0.currency))
    }

    /// What the final value the deal was won at added to (or took from) the value its
    /// products make (Play2Sell's final value); null when it was won at that value, or is not
    /// won.
    async fn value_adjustment(&self) -> Option<Money> {
        self.0
            .value_adjustment
            .map(|adjustment| Money::scaled(adjustment, &self.0.currency))
    }

    /// The user whose key created the deal (null for deals created before this was recorded,
    /// by a key without a user, or seeded by `dealgate demo`).
    async fn created_by(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        match self.0.created_by_id {
            Some(id) => ctx.loaders()?.load_one(UserId(id)).await,
            None => Ok(None),
        }
    }

    /// Whether the deal is stalled (Rex's `stalled` status): it is open, its pipeline sets
    /// `stalledAfterDays`, and its last activity (its creation, when it has none) is more
    /// than that many days ago.
    async fn is_stalled(&self, ctx: &Context<'_>) -> AppResult<bool> {
        if self.0.status != enums::DealStatus::Open {
            return Ok(false);
        }
        let pipeline = ctx
            .loaders()?
            .load_one(PipelineId(self.0.pipeline_id))
            .await?
            .ok_or_else(|| AppError::internal("deal without pipeline"))?;
        Ok(is_stalled(
            &self.0,
            pipeline.0.stalled_after_days,
            crate::clock::now(),
        ))
    }

    /// The sale the deal became when it was won (HyperRep), if it was.
    async fn sale(&self, ctx: &Context<'_>) -> AppResult<Option<Sale>> {
        ctx.loaders()?.load_one(SaleOfDeal(self.0.id)).await
    }

    /// The users following the deal (Pipedrive's followers), in the order they followed.
    async fn followers(&self, ctx: &Context<'_>) -> AppResult<Vec<User>> {
        Ok(ctx
            .loaders()?
            .load_one(DealFollowers(self.0.id))
            .await?
            .unwrap_or_default())
    }

    /// The value weighted by its chance of being won: value × the stage's probability ÷ 100
    /// while open; the whole value once won; zero once lost, whatever the stage.
    async fn weighted_value(&self, ctx: &Context<'_>) -> AppResult<Money> {
        let probability = match self.0.status {
            enums::DealStatus::Won => Decimal::ONE_HUNDRED,
            enums::DealStatus::Lost => Decimal::ZERO,
            enums::DealStatus::Open => {
                let stage = ctx.loaders()?.load_one(StageId(self.0.stage_id)).await?;
                Decimal::from(stage.map_or(0, |s| s.0.probability))
            }
        };
        Ok(Money::new(
            weighted(self.0.value, probability),
            &self.0.currency,
        ))
    }
);

impl Deal {
    /// What the deal's enabled lines and its discounts make.
    async fn price(&self, ctx: &Context<'_>) -> AppResult<DealPrice> {
        let loaders = ctx.loaders()?;
        let lines = loaders
            .load_one(AllProductsOf(self.0.id))
            .await?
            .unwrap_or_default();
        let discounts = loaders
            .load_one(AllDiscountsOf(self.0.id))
            .await?
            .unwrap_or_default();
        let items: Vec<_> = lines
            .iter()
            .filter(|l| l.is_enabled)
            .map(line_item)
            .collect();
        let discounts: Vec<_> = if lines.is_empty() {
            Vec::new()
        } else {
            discounts.iter().map(discount_of).collect()
        };
        Ok(deal_price(&items, &discounts))
    }
}

/// Whether an open `deal` of a pipeline that stalls after `stalled_after_days` is stalled at
/// `now` (the same rule as `filter.isStalled`).
pub fn is_stalled(
    deal: &deal::Model,
    stalled_after_days: Option<i32>,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    let last = deal.last_activity_at.unwrap_or(deal.created_at);
    deal.status == enums::DealStatus::Open
        && stalled_after_days
            .is_some_and(|days| last < now - chrono::TimeDelta::days(i64::from(days)))
}

/// `value` × `probability` ÷ 100, exact.
pub fn weighted(value: Scaled, probability: Decimal) -> Decimal {
    value.to_decimal() * probability / Decimal::ONE_HUNDRED
}
