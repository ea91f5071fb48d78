//! Root fields: `deals`, `deal` and `dealGroups`.

use super::Deal;
use super::filter::DealFilter;
use super::groups::{DealGroup, DealGroupKey, deal_groups};
use super::loader::DealId;
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::list_fields::object_with_lists;
use async_graphql::{Context, ID};

/// Root fields of deals.
#[derive(Default)]
pub struct DealQuery;

object_with_lists!(
    DealQuery;
    deals: |_: &DealQuery| None,
    ;
    /// The deal with this id (even when archived or deleted), or null when it is not in your
    /// organisation.
    async fn deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal's id.")] id: ID,
    ) -> AppResult<Option<Deal>> {
        let id = expect_id(&id, NodeKind::Deal, "id")?;
        ctx.loaders()?.load_one(DealId(id)).await
    }

    /// The deals `filter` selects, grouped by 1–3 keys (e.g. `[OWNER, STAGE]`: value by owner
    /// by stage), each group with its count and exact per-currency summary; in key order,
    /// groups without a key value last; at most 1,000 groups.
    async fn deal_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which deals, as for `deals`.")] filter: Option<DealFilter>,
        #[graphql(desc = "What to group by, outermost first (1–3 keys, each once).")] by: Vec<
            DealGroupKey,
        >,
    ) -> AppResult<Vec<DealGroup>> {
        deal_groups(ctx, filter, by).await
    }
);
