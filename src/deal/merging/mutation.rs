//! `duplicateDeal` and `mergeDeals`.

use super::duplicate::duplicate;
use super::merge::{MergeRequest, merge};
use crate::deal::Deal;
use crate::deal::mutation::DealPayload;
use crate::deal::service;
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::idempotency;
use async_graphql::{Context, ID, InputObject, Object};

/// Input of `duplicateDeal`.
#[derive(InputObject)]
pub struct DuplicateDealInput {
    /// The deal to copy.
    pub deal_id: ID,
    /// Makes the copy safe to retry (1–200 printable ASCII characters): a request with a key
    /// used in the last 24 hours gets the copy the first one made.
    pub idempotency_key: Option<String>,
}

/// Input of `mergeDeals`.
#[derive(InputObject)]
pub struct MergeDealsInput {
    /// The deal merged away: its lines, activities, tasks, history, followers, participants
    /// and tags move to the other, and it is deleted.
    pub deal_id: ID,
    /// The version of `dealId` you read; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
    /// The deal that survives.
    pub into_deal_id: ID,
    /// The version of `intoDealId` you read; a different current version is CONFLICT.
    pub into_expected_version: Option<i32>,
}

/// Mutations that copy deals and merge them.
#[derive(Default)]
pub struct DealMergingMutation;

#[Object]
impl DealMergingMutation {
    /// Copies a deal (Pipedrive's duplicate): a new open deal titled "<title> (copy)" in the
    /// same stage, with the same value, people, dates, priority, source, custom fields, tags,
    /// product lines, followers and participants — not its history, activities, tasks or
    /// sale. The copy's changelog starts with CREATED naming `duplicatedFromId`.
    async fn duplicate_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal to copy.")] input: DuplicateDealInput,
    ) -> AppResult<DealPayload> {
        let id = expect_id(&input.deal_id, NodeKind::Deal, "input.dealId")?;
        let copy = idempotency::once(
            ctx,
            input.idempotency_key.as_deref(),
            "duplicateDeal",
            move |txn, viewer| Box::pin(async move { duplicate(txn, &viewer, id).await }),
            |id| async move { service::find(ctx.db()?, ctx.viewer()?.organization_id, id).await },
        )
        .await?;
        Ok(DealPayload { deal: Deal(copy) })
    }

    /// Merges one deal into another (Pipedrive's merge), in one transaction: the merged deal's
    /// product lines, activities, tasks and stage history move to the surviving deal; its
    /// followers, participants, tags and main contact (as a participant) are added to the
    /// survivor's; the survivor keeps its own values, fills its blank contact, company, owner,
    /// expected close date and source from the merged deal, and adds the custom-field keys it
    /// lacks. With product lines its value is their total. The merged deal is deleted. Returns
    /// the surviving deal.
    async fn merge_deals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal merged away and the deal that survives.")]
        input: MergeDealsInput,
    ) -> AppResult<DealPayload> {
        let request = MergeRequest {
            merged: expect_id(&input.deal_id, NodeKind::Deal, "input.dealId")?,
            merged_version: input.expected_version,
            into: expect_id(&input.into_deal_id, NodeKind::Deal, "input.intoDealId")?,
            into_version: input.into_expected_version,
        };
        let survivor = merge(ctx.db()?, ctx.viewer()?, request).await?;
        Ok(DealPayload {
            deal: Deal(survivor),
        })
    }
}
