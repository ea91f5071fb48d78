//! Root fields: `sales` and `sale`.

use super::{Sale, SaleId};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::list_fields::object_with_lists;
use async_graphql::{Context, ID};

/// Root fields of sales.
#[derive(Default)]
pub struct SaleQuery;

object_with_lists!(
    SaleQuery;
    sales: |_: &SaleQuery| None,
    ;
    /// The sale with this id, or null when it is not in your organisation.
    async fn sale(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sale's id.")] id: ID,
    ) -> AppResult<Option<Sale>> {
        let id = expect_id(&id, NodeKind::Sale, "id")?;
        ctx.loaders()?.load_one(SaleId(id)).await
    }
);
