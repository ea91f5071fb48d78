//! `createDeals` and `updateDeals`: up to 100 deals written in one request, each item's result
//! in the payload (see [`super::run`]).

use super::run::{self, BatchMode, BatchOutcome, MAX_ITEMS, field_of};
use crate::deal::Deal;
use crate::deal::mutation::{CreateDealInput, UpdateDealInput};
use crate::deal::service;
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::idempotency::{IdempotencyKey, Outcome, create_once};
use async_graphql::{Context, InputObject, Object, SimpleObject};
use sea_orm::prelude::Uuid;
use serde_json::Value as Json;

/// Input of `createDeals`.
#[derive(InputObject)]
pub struct CreateDealsInput {
    /// The deals to create (1–100), each as `createDeal` takes it; their own
    /// `idempotencyKey`s are not used (the batch's is).
    pub items: Vec<CreateDealInput>,
    /// ALL_OR_NOTHING (the default) or PER_ITEM.
    pub mode: Option<BatchMode>,
    /// Makes the batch safe to retry (1–200 printable ASCII characters): a request with a key
    /// used in the last 24 hours returns the first request's results instead of writing
    /// again. A batch that wrote nothing keeps no key.
    pub idempotency_key: Option<String>,
}

/// Input of `updateDeals`.
#[derive(InputObject)]
pub struct UpdateDealsInput {
    /// The changes (1–100), each as `updateDeal` takes it.
    pub items: Vec<UpdateDealInput>,
    /// ALL_OR_NOTHING (the default) or PER_ITEM.
    pub mode: Option<BatchMode>,
}

/// Why an item of a batch was not written.
#[derive(SimpleObject)]
pub struct BatchItemError {
    /// The error's code, as `extensions.code` would be: BAD_USER_INPUT, NOT_FOUND, CONFLICT…,
    /// or ROLLED_BACK for a good item of an ALL_OR_NOTHING batch that failed.
    pub code: String,
    /// What is wrong, for a person to read.
    pub message: String,
    /// The input field at fault (`input.items.3.title`), when there is one.
    pub field: Option<String>,
}

/// What became of one item of a batch.
#[derive(SimpleObject)]
pub struct DealBatchResult {
    /// The item's place in `items`, from 0.
    pub index: i32,
    /// The deal as it is now; null when the item was not written.
    pub deal: Option<Deal>,
    /// Why the item was not written; null when it was.
    pub error: Option<BatchItemError>,
}

/// Result of `createDeals` and `updateDeals`.
#[derive(SimpleObject)]
pub struct DealBatchPayload {
    /// One result per item, in the order given.
    pub results: Vec<DealBatchResult>,
    /// How many items were written.
    pub written_count: i32,
}

fn checked_len(len: usize) -> AppResult<()> {
    if (1..=MAX_ITEMS).contains(&len) {
        Ok(())
    } else {
        Err(AppError::bad_input(
            "input.items",
            format!("give 1 to {MAX_ITEMS} items"),
        ))
    }
}

fn error_of(err: &AppError) -> BatchItemError {
    BatchItemError {
        code: err.code().to_owned(),
        message: err.message(),
        field: field_of(err),
    }
}

fn payload(outcome: BatchOutcome) -> DealBatchPayload {
    let results: Vec<DealBatchResult> = outcome
        .items
        .into_iter()
        .enumerate()
        .map(|(index, item)| match item {
            Ok(deal) => DealBatchResult {
                index: index as i32,
                deal: Some(Deal(deal)),
                error: None,
            },
            Err(err) => DealBatchResult {
                index: index as i32,
                deal: None,
                error: Some(error_of(&err)),
            },
        })
        .collect();
    let written_count = results.iter().filter(|r| r.deal.is_some()).count() as i32;
    DealBatchPayload {
        results,
        written_count,
    }
}

/// The payload of a batch replayed from its idempotency record: the deals it wrote as they
/// are now, the errors as they were.
async fn replayed(ctx: &Context<'_>, record: &Json) -> AppResult<DealBatchPayload> {
    let viewer = ctx.viewer()?;
    let items = record["items"].as_array().cloned().unwrap_or_default();
    let mut results = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let id = item["id"].as_str().and_then(|id| id.parse::<Uuid>().ok());
        let result = match id {
            Some(id) => DealBatchResult {
                index: index as i32,
                deal: Some(Deal(
                    service::find(ctx.db()?, viewer.organization_id, id).await?,
                )),
                error: None,
            },
            None => DealBatchResult {
                index: index as i32,
                deal: None,
                error: Some(BatchItemError {
                    code: item["error"]["code"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    message: item["error"]["message"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    field: item["error"]["field"].as_str().map(str::to_owned),
                }),
            },
        };
        results.push(result);
    }
    let written_count = results.iter().filter(|r| r.deal.is_some()).count() as i32;
    Ok(DealBatchPayload {
        results,
        written_count,
    })
}

/// Batch writes of deals.
#[derive(Default)]
pub struct DealBatchMutation;

#[Object]
impl DealBatchMutation {
    /// Creates up to 100 deals (each as `createDeal` would, historical fields and product
    /// lines included — what an import from another CRM needs), returning one result per
    /// item. ALL_OR_NOTHING writes nothing unless every item succeeds (the good items then
    /// say ROLLED_BACK); PER_ITEM writes every item that succeeds.
    async fn create_deals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deals, how to treat failures, and an idempotency key.")]
        input: CreateDealsInput,
    ) -> AppResult<DealBatchPayload> {
        checked_len(input.items.len())?;
        let key = IdempotencyKey::of(ctx, input.idempotency_key.as_deref(), "createDeals")?;
        let mode = input.mode.unwrap_or_default();
        let items: Vec<_> = input
            .items
            .into_iter()
            .enumerate()
            .map(|(i, item)| item.into_new(&format!("input.items.{i}")))
            .collect();
        let outcome = create_once(ctx, key, move |txn, viewer| {
            Box::pin(async move {
                run::run(txn, &viewer, mode, items, |savepoint, viewer, new| {
                    Box::pin(service::create(savepoint, viewer, new))
                })
                .await
            })
        })
        .await?;
        match outcome {
            Outcome::Fresh(outcome) => Ok(payload(outcome)),
            Outcome::Replayed(record) => replayed(ctx, &record).await,
        }
    }

    /// Changes up to 100 deals (each as `updateDeal` would), returning one result per item.
    /// ALL_OR_NOTHING writes nothing unless every item succeeds (the good items then say
    /// ROLLED_BACK); PER_ITEM writes every item that succeeds.
    async fn update_deals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes and how to treat failures.")] input: UpdateDealsInput,
    ) -> AppResult<DealBatchPayload> {
        checked_len(input.items.len())?;
        let mode = input.mode.unwrap_or_default();
        let items: Vec<_> = input
            .items
            .into_iter()
            .enumerate()
            .map(|(i, item)| item.into_changes(&format!("input.items.{i}")))
            .collect();
        let outcome = create_once(ctx, None, move |txn, viewer| {
            Box::pin(async move {
                run::run(
                    txn,
                    &viewer,
                    mode,
                    items,
                    |savepoint, viewer, (id, changes, expected_version)| {
                        Box::pin(service::update(
                            savepoint,
                            viewer,
                            id,
                            changes,
                            expected_version,
                        ))
                    },
                )
                .await
            })
        })
        .await?;
        match outcome {
            Outcome::Fresh(outcome) => Ok(payload(outcome)),
            Outcome::Replayed(record) => replayed(ctx, &record).await,
        }
    }
}
