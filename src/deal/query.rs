//! Root fields: `deals` and `deal`.

use super::Deal;
use super::connection::{DealConnection, DealListArgs};
use super::filter::DealFilter;
use super::loader::DealId;
use super::order::DealOrder;
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::node::{NodeKind, expect_id};
use crate::graphql::pagination::PageArgs;
use async_graphql::{Context, ID, Object};

/// Root fields of deals.
#[derive(Default)]
pub struct DealQuery;

#[Object]
impl DealQuery {
    /// Your organisation's deals: filtered, ordered (by id when no order is given) and paged
    /// by cursor. Deleted and archived deals are left out unless the filter asks for them.
    #[allow(clippy::too_many_arguments)]
    async fn deals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which deals.")] filter: Option<DealFilter>,
        #[graphql(desc = "Sort keys, applied in order (at most 8); id breaks ties.")]
        order_by: Option<Vec<DealOrder>>,
        #[graphql(desc = "Page forward: this many deals (at most 500; 50 by default).")]
        first: Option<i32>,
        #[graphql(desc = "Page forward: start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page backward: this many deals (at most 500).")] last: Option<i32>,
        #[graphql(desc = "Page backward: end before this cursor.")] before: Option<String>,
    ) -> AppResult<DealConnection> {
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        DealConnection::root(
            ctx,
            DealListArgs {
                filter,
                order_by,
                page,
            },
        )
        .await
    }

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
}
