//! Root fields: `companies` and `company`.

use super::list::{CompanyConnection, CompanyFilter};
use super::{Company, CompanyId};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::pagination::PageArgs;
use async_graphql::{Context, ID, Object};

/// Root fields of companies.
#[derive(Default)]
pub struct CompanyQuery;

#[Object]
impl CompanyQuery {
    /// Your organisation's companies [orgs], by name.
    async fn companies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which companies.")] filter: Option<CompanyFilter>,
        #[graphql(desc = "Page forward: this many (at most 500; 50 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Page forward: start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page backward: this many (at most 500).")] last: Option<i32>,
        #[graphql(desc = "Page backward: end before this cursor.")] before: Option<String>,
    ) -> AppResult<CompanyConnection> {
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        CompanyConnection::root(ctx, filter.unwrap_or_default(), page).await
    }

    /// The company with this id, or null when it is not in your organisation.
    async fn company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company's id.")] id: ID,
    ) -> AppResult<Option<Company>> {
        let id = expect_id(&id, NodeKind::Company, "id")?;
        ctx.loaders()?.load_one(CompanyId(id)).await
    }
}
