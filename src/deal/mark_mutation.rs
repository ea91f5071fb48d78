//! Deal mutations that delete, restore, archive and unarchive, one deal or many.

use super::Deal;
use super::mutation::DealPayload;
use super::service::{self, Mark};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id, global_id};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

/// Input naming one deal.
#[derive(InputObject)]
pub struct DealIdInput {
    /// The deal.
    pub deal_id: ID,
}

/// Input of `deleteDeals`.
#[derive(InputObject)]
pub struct DeleteDealsInput {
    /// The deals to delete (1–100).
    pub ids: Vec<ID>,
}

/// Result of `deleteDeals`.
#[derive(SimpleObject)]
pub struct DeleteDealsPayload {
    /// The deals deleted.
    pub deleted_ids: Vec<ID>,
}

/// Deal mutations on the deleted and archived marks.
#[derive(Default)]
pub struct DealMarkMutation;

async fn set_mark(ctx: &Context<'_>, input: DealIdInput, mark: Mark) -> AppResult<DealPayload> {
    let id = expect_id(&input.deal_id, NodeKind::Deal, "input.dealId")?;
    let deal = service::mark(ctx.db()?, ctx.viewer()?, id, mark).await?;
    Ok(DealPayload { deal: Deal(deal) })
}

#[Object]
impl DealMarkMutation {
    /// Soft-deletes a deal: it leaves every list unless `includeDeleted`, and refuses changes
    /// until restored. Deleting a deleted deal is CONFLICT.
    async fn delete_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal.")] input: DealIdInput,
    ) -> AppResult<DealPayload> {
        set_mark(ctx, input, Mark::Delete).await
    }

    /// Restores a soft-deleted deal. Restoring a deal that is not deleted is CONFLICT.
    async fn restore_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal.")] input: DealIdInput,
    ) -> AppResult<DealPayload> {
        set_mark(ctx, input, Mark::Restore).await
    }

    /// Archives a deal (Pipedrive): it leaves lists unless `includeArchived` or
    /// `archivedOnly`. Archiving an archived deal is CONFLICT.
    async fn archive_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal.")] input: DealIdInput,
    ) -> AppResult<DealPayload> {
        set_mark(ctx, input, Mark::Archive).await
    }

    /// Brings an archived deal back into lists. Unarchiving a deal that is not archived is
    /// CONFLICT.
    async fn unarchive_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal.")] input: DealIdInput,
    ) -> AppResult<DealPayload> {
        set_mark(ctx, input, Mark::Unarchive).await
    }

    /// Soft-deletes up to 100 deals in one transaction, all or nothing: when any id is
    /// missing, of another organisation or already deleted, nothing is deleted (NOT_FOUND).
    async fn delete_deals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deals.")] input: DeleteDealsInput,
    ) -> AppResult<DeleteDealsPayload> {
        let ids = input
            .ids
            .iter()
            .map(|id| expect_id(id, NodeKind::Deal, "input.ids"))
            .collect::<AppResult<Vec<_>>>()?;
        let deleted = service::delete_many(ctx.db()?, ctx.viewer()?, &ids).await?;
        Ok(DeleteDealsPayload {
            deleted_ids: deleted
                .into_iter()
                .map(|id| global_id(NodeKind::Deal, id))
                .collect(),
        })
    }
}
