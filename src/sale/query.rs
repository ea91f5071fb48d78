//! Root fields: `sales` and `sale`.

use super::list::{SaleConnection, SaleFilter};
use super::{Sale, SaleId};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::node::{NodeKind, expect_id};
use crate::graphql::pagination::PageArgs;
use async_graphql::{Context, ID, Object};

/// Root fields of sales.
#[derive(Default)]
pub struct SaleQuery;

#[Object]
impl SaleQuery {
    /// Your organisation's sales, most recent activity first (HyperRep). Without dates no
    /// sale is left out by time.
    async fn sales(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which sales.")] filter: Option<SaleFilter>,
        #[graphql(desc = "Page forward: this many (at most 500; 50 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Page forward: start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page backward: this many (at most 500).")] last: Option<i32>,
        #[graphql(desc = "Page backward: end before this cursor.")] before: Option<String>,
    ) -> AppResult<SaleConnection> {
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        SaleConnection::root(ctx, filter.unwrap_or_default(), page).await
    }

    /// The sale with this id, or null when it is not in your organisation.
    async fn sale(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sale's id.")] id: ID,
    ) -> AppResult<Option<Sale>> {
        let id = expect_id(&id, NodeKind::Sale, "id")?;
        ctx.loaders()?.load_one(SaleId(id)).await
    }
}
