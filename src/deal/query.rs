//! Root fields: `deals` and `deal`.

use super::Deal;
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
);
