//! Deal mutations: create, update, move to a stage, close, reopen. Each takes one `input` and
//! returns a payload; the rules live in [`super::service`].

use super::products::ProductLineInput;
use super::products::service::MAX_RECURRING_LINES;
use super::service::{self, CloseResult, DealChanges, Imported, NewDeal};
use super::types::{DealStatus, Priority};
use super::{Deal, StageChange};
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::patch::{patch, patch_optional};
use crate::graphql::scalars::{Date, DateTime, Decimal};
use crate::idempotency;
use crate::sale::Sale;
use crate::validate;
use async_graphql::{Context, Enum, ID, InputObject, Json, MaybeUndefined, Object, SimpleObject};
use entity::enums::BillingFrequency;
use sea_orm::prelude::Uuid;

/// Input of `createDeal`.
#[derive(InputObject)]
pub struct CreateDealInput {
    /// The title (1–255 characters).
    pub title: String,
    /// The value; 0 when omitted. Non-negative, at most 4 decimal places.
    pub value: Option<Decimal>,
    /// ISO 4217 code; the organisation's default currency when omitted.
    pub currency: Option<String>,
    /// The pipeline; the stage's pipeline, or your first pipeline, when omitted.
    pub pipeline_id: Option<ID>,
    /// The stage; the pipeline's first stage when omitted (Play2Sell).
    pub stage_id: Option<ID>,
    /// The contact [person].
    pub contact_id: Option<ID>,
    /// The company [org].
    pub company_id: Option<ID>,
    /// The owner; the user of your API key when omitted.
    pub owner_id: Option<ID>,
    /// The expected close date.
    pub expected_close_date: Option<Date>,
    /// The priority; MEDIUM when omitted.
    pub priority: Option<Priority>,
    /// Where the deal came from.
    pub source: Option<String>,
    /// Tags (at most 50, each 1–64 characters).
    pub tags: Option<Vec<String>>,
    /// Custom fields: a JSON object of at most 64 KiB.
    pub custom_fields: Option<Json<serde_json::Value>>,
    /// Product lines (at most 100); the deal's value is then their total with tax, so give
    /// no `value`.
    pub products: Option<Vec<ProductLineInput>>,
    /// For an import from another CRM: OPEN (the default), WON or LOST. A won deal becomes a
    /// sale like one closed here.
    pub status: Option<DealStatus>,
    /// For an import: when the deal was created where it comes from (Pipedrive's
    /// `add_time`); now when omitted. Not in the future.
    pub created_at: Option<DateTime>,
    /// For an import: when the deal entered its stage (`stage_change_time`); `createdAt` when
    /// omitted. Not before `createdAt`, not in the future.
    pub stage_changed_at: Option<DateTime>,
    /// For an import of a WON or LOST deal: when it closed (`won_time`, `lost_time`,
    /// `close_time`); now when omitted. Not before `createdAt`, not in the future.
    pub closed_at: Option<DateTime>,
    /// For an import of a LOST deal: why it was lost (required then, 1–1000 characters).
    pub lost_reason: Option<String>,
    /// Makes the create safe to retry (1–200 printable ASCII characters): a request with a
    /// key used in the last 24 hours returns the deal the first one created instead of
    /// creating another. The `Idempotency-Key` HTTP header does the same for every create of
    /// a request.
    pub idempotency_key: Option<String>,
}

impl CreateDealInput {
    /// The new deal this input describes, its fields checked and named under `at`
    /// (`input`, or `input.items.3` in a batch).
    pub(crate) fn into_new(self, at: &str) -> AppResult<NewDeal> {
        let input = self;
        let field = |name: &str| format!("{at}.{name}");
        let products = input.products.unwrap_or_default();
        if products.len() > service::MAX_LINES_AT_CREATE {
            return Err(AppError::bad_input(
                field("products"),
                format!(
                    "at most {} product lines at once",
                    service::MAX_LINES_AT_CREATE
                ),
            ));
        }
        if !products.is_empty() && input.value.is_some() {
            return Err(AppError::bad_input(
                field("value"),
                "the value of a deal with products is the sum of its products: give no value",
            ));
        }
        let lines = products
            .into_iter()
            .enumerate()
            .map(|(i, line)| line.into_line(&field(&format!("products.{i}"))))
            .collect::<AppResult<Vec<_>>>()?;
        let recurring = lines
            .iter()
            .filter(|line| line.is_enabled && line.billing.frequency != BillingFrequency::OneTime)
            .count() as u64;
        if recurring > MAX_RECURRING_LINES {
            return Err(AppError::bad_input(
                field("products"),
                format!("a deal has at most {MAX_RECURRING_LINES} recurring lines"),
            ));
        }
        let imported = Imported::checked(
            at,
            input.status.map(Into::into),
            input.created_at.map(|d| d.0),
            input.stage_changed_at.map(|d| d.0),
            input.closed_at.map(|d| d.0),
            validate::optional_text(&field("lostReason"), input.lost_reason.as_deref(), 1_000)?,
        )?;
        Ok(NewDeal {
            title: service::title(&field("title"), &input.title)?,
            value: input
                .value
                .map(|v| validate::amount(&field("value"), v))
                .transpose()?
                .unwrap_or_default(),
            currency: input
                .currency
                .as_deref()
                .map(|c| validate::currency(&field("currency"), c))
                .transpose()?,
            pipeline_id: optional_id(&input.pipeline_id, NodeKind::Pipeline, &field("pipelineId"))?,
            stage_id: optional_id(&input.stage_id, NodeKind::Stage, &field("stageId"))?,
            contact_id: optional_id(&input.contact_id, NodeKind::Contact, &field("contactId"))?,
            company_id: optional_id(&input.company_id, NodeKind::Company, &field("companyId"))?,
            owner_id: optional_id(&input.owner_id, NodeKind::User, &field("ownerId"))?,
            expected_close_date: input.expected_close_date.map(|d| d.0),
            priority: input.priority.map(Into::into),
            source: validate::optional_text(
                &field("source"),
                input.source.as_deref(),
                validate::MAX_TITLE,
            )?,
            tags: validate::tags(&field("tags"), input.tags.as_deref().unwrap_or_default())?,
            custom_fields: validate::custom_fields(
                &field("customFields"),
                input
                    .custom_fields
                    .map_or_else(|| serde_json::json!({}), |j| j.0),
            )?,
            lines,
            imported,
        })
    }
}

/// Input of `updateDeal`: only the fields given change; an explicit null clears a nullable
/// field. Stages change with `moveDealToStage`, status with `closeDeal`/`reopenDeal`.
#[derive(InputObject)]
pub struct UpdateDealInput {
    /// The deal to change.
    pub id: ID,
    /// The version you read; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
    /// A new title.
    pub title: Option<String>,
    /// A new value (not for a deal with products: its value is their total).
    pub value: Option<Decimal>,
    /// A new currency.
    pub currency: Option<String>,
    /// A new contact, or null for none.
    pub contact_id: MaybeUndefined<ID>,
    /// A new company, or null for none.
    pub company_id: MaybeUndefined<ID>,
    /// A new owner, or null for none.
    pub owner_id: MaybeUndefined<ID>,
    /// A new expected close date, or null for none.
    pub expected_close_date: MaybeUndefined<Date>,
    /// A new priority.
    pub priority: Option<Priority>,
    /// A new source, or null for none.
    pub source: MaybeUndefined<String>,
    /// New tags, replacing all.
    pub tags: Option<Vec<String>>,
    /// New custom fields, replacing all.
    pub custom_fields: Option<Json<serde_json::Value>>,
}

impl UpdateDealInput {
    /// The deal, the changes and the version this input names, checked and named under `at`
    /// (`input`, or `input.items.3` in a batch).
    pub(super) fn into_changes(self, at: &str) -> AppResult<(Uuid, DealChanges, Option<i32>)> {
        let input = self;
        let field = |name: &str| format!("{at}.{name}");
        let id = id_of(&input.id, NodeKind::Deal, &field("id"))?;
        let changes = DealChanges {
            title: input
                .title
                .as_deref()
                .map(|t| service::title(&field("title"), t))
                .transpose()?,
            value: input
                .value
                .map(|v| validate::amount(&field("value"), v))
                .transpose()?,
            currency: input
                .currency
                .as_deref()
                .map(|c| validate::currency(&field("currency"), c))
                .transpose()?,
            contact_id: patch(&input.contact_id, |id| {
                id_of(id, NodeKind::Contact, &field("contactId"))
            })?,
            company_id: patch(&input.company_id, |id| {
                id_of(id, NodeKind::Company, &field("companyId"))
            })?,
            owner_id: patch(&input.owner_id, |id| {
                id_of(id, NodeKind::User, &field("ownerId"))
            })?,
            expected_close_date: patch(&input.expected_close_date, |d| Ok(d.0))?,
            priority: input.priority.map(Into::into),
            source: patch_optional(&input.source, |s| {
                validate::optional_text(&field("source"), Some(s), validate::MAX_TITLE)
            })?,
            tags: input
                .tags
                .as_deref()
                .map(|t| validate::tags(&field("tags"), t))
                .transpose()?,
            custom_fields: input
                .custom_fields
                .map(|j| validate::custom_fields(&field("customFields"), j.0))
                .transpose()?,
        };
        Ok((id, changes, input.expected_version))
    }
}

/// Input of `moveDealToStage`.
#[derive(InputObject)]
pub struct MoveDealToStageInput {
    /// The deal to move.
    pub deal_id: ID,
    /// The stage to move it to; a stage of another pipeline moves the deal to that pipeline.
    pub stage_id: ID,
    /// A note kept in the stage history (Play2Sell).
    pub note: Option<String>,
    /// The version you read; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
}

/// How a deal is closed.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DealResult {
    /// Won.
    Won,
    /// Lost.
    Lost,
}

/// Input of `closeDeal`.
#[derive(InputObject)]
pub struct CloseDealInput {
    /// The deal to close.
    pub deal_id: ID,
    /// WON or LOST.
    pub result: DealResult,
    /// For WON: the final value, when it differs from the deal's value.
    pub final_value: Option<Decimal>,
    /// For LOST: why (required, non-blank).
    pub lost_reason: Option<String>,
    /// A note kept with the status change.
    pub note: Option<String>,
    /// The version you read; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
}

/// Input of `reopenDeal`.
#[derive(InputObject)]
pub struct ReopenDealInput {
    /// The deal to reopen.
    pub deal_id: ID,
    /// A note kept with the status change.
    pub note: Option<String>,
    /// The version you read; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
}

/// Result of a mutation that changes one deal.
#[derive(SimpleObject)]
pub struct DealPayload {
    /// The deal as it is now.
    pub deal: Deal,
}

/// Result of `closeDeal`.
#[derive(SimpleObject)]
pub struct CloseDealPayload {
    /// The deal as it is now.
    pub deal: Deal,
    /// For a won deal, the sale it became (HyperRep): quote from its products, primary contact,
    /// history Qualified then Accepted.
    pub sale: Option<Sale>,
}

/// Result of `moveDealToStage`.
#[derive(SimpleObject)]
pub struct MoveDealToStagePayload {
    /// The deal as it is now.
    pub deal: Deal,
    /// The history entry the move wrote.
    pub stage_change: StageChange,
}

fn id_of(id: &ID, kind: NodeKind, field: &str) -> AppResult<Uuid> {
    expect_id(id, kind, field)
}

fn optional_id(id: &Option<ID>, kind: NodeKind, field: &str) -> AppResult<Option<Uuid>> {
    id.as_ref().map(|id| id_of(id, kind, field)).transpose()
}

fn note(value: Option<&str>) -> AppResult<Option<String>> {
    validate::optional_text("input.note", value, 10_000)
}

/// Mutations of a deal's lifecycle.
#[derive(Default)]
pub struct DealLifecycleMutation;

#[Object]
impl DealLifecycleMutation {
    /// Creates a deal in a stage (by default the first stage of your first pipeline), with
    /// its first stage-history entry.
    async fn create_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new deal.")] input: CreateDealInput,
    ) -> AppResult<DealPayload> {
        let key = input.idempotency_key.clone();
        let new = input.into_new("input")?;
        let deal = idempotency::once(
            ctx,
            key.as_deref(),
            "createDeal",
            move |txn, viewer| Box::pin(async move { service::create(txn, &viewer, new).await }),
            |id| async move { service::find(ctx.db()?, ctx.viewer()?.organization_id, id).await },
        )
        .await?;
        Ok(DealPayload { deal: Deal(deal) })
    }

    /// Changes the fields given of a deal.
    async fn update_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal and its changes.")] input: UpdateDealInput,
    ) -> AppResult<DealPayload> {
        let (id, changes, expected_version) = input.into_changes("input")?;
        let deal = service::update(ctx.db()?, ctx.viewer()?, id, changes, expected_version).await?;
        Ok(DealPayload { deal: Deal(deal) })
    }

    /// Moves a deal to another stage (Rex, Play2Sell) and records the move in its history, in
    /// one transaction. Moving to the current stage, or moving a closed deal, is CONFLICT.
    async fn move_deal_to_stage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal, the stage and a note.")] input: MoveDealToStageInput,
    ) -> AppResult<MoveDealToStagePayload> {
        let id = id_of(&input.deal_id, NodeKind::Deal, "input.dealId")?;
        let stage = id_of(&input.stage_id, NodeKind::Stage, "input.stageId")?;
        let (deal, change) = service::move_to_stage(
            ctx.db()?,
            ctx.viewer()?,
            id,
            stage,
            note(input.note.as_deref())?,
            input.expected_version,
        )
        .await?;
        Ok(MoveDealToStagePayload {
            deal: Deal(deal),
            stage_change: StageChange(change),
        })
    }

    /// Closes an open deal as WON (optionally at a final value) or LOST (a lostReason is
    /// required), recording the change as a STATUS_CHANGE activity. A won deal becomes a Sale
    /// in the same transaction (returned in the payload). Closing a closed deal is CONFLICT.
    async fn close_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal and how it closed.")] input: CloseDealInput,
    ) -> AppResult<CloseDealPayload> {
        let id = id_of(&input.deal_id, NodeKind::Deal, "input.dealId")?;
        let result = match input.result {
            DealResult::Won => CloseResult::Won,
            DealResult::Lost => CloseResult::Lost,
        };
        let final_value = input
            .final_value
            .map(|v| validate::amount("input.finalValue", v))
            .transpose()?;
        let lost_reason =
            validate::optional_text("input.lostReason", input.lost_reason.as_deref(), 1_000)?;
        if result == CloseResult::Won && lost_reason.is_some() {
            return Err(AppError::bad_input(
                "input.lostReason",
                "only a lost deal has a lostReason",
            ));
        }
        if result == CloseResult::Lost && final_value.is_some() {
            return Err(AppError::bad_input(
                "input.finalValue",
                "only a won deal has a finalValue",
            ));
        }
        let (deal, sale) = service::close(
            ctx.db()?,
            ctx.viewer()?,
            id,
            result,
            final_value,
            lost_reason,
            note(input.note.as_deref())?,
            input.expected_version,
        )
        .await?;
        Ok(CloseDealPayload {
            deal: Deal(deal),
            sale: sale.map(Sale),
        })
    }

    /// Returns a won or lost deal to OPEN and clears its close fields, recording the change as
    /// a STATUS_CHANGE activity. The sale of a won deal stays, with the event Reopened
    /// (`reopened`) appended. Reopening an open deal is CONFLICT.
    async fn reopen_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal to reopen.")] input: ReopenDealInput,
    ) -> AppResult<DealPayload> {
        let id = id_of(&input.deal_id, NodeKind::Deal, "input.dealId")?;
        let deal = service::reopen(
            ctx.db()?,
            ctx.viewer()?,
            id,
            note(input.note.as_deref())?,
            input.expected_version,
        )
        .await?;
        Ok(DealPayload { deal: Deal(deal) })
    }
}
