//! The one `deals(filter, orderBy, first, after, last, before)` field: [`object_with_deals!`]
//! writes a type's `#[Object]` impl with this field added, for the root query and every type
//! deals hang from (pipeline, stage, company, contact, user), so that the arguments, their
//! docs and their handling are written once. (async-graphql's `#[graphql(flatten)]` cannot
//! serve here: it loses the fields of a type that is still being registered, and `deals` is
//! in a cycle — a deal has a stage, which has deals.)

use super::connection::{DealConnection, DealListArgs};
use super::list::DealParent;
use crate::error::AppResult;
use async_graphql::Context;
use sea_orm::prelude::Uuid;

/// Resolves a `deals` field: of the organisation (`parent` None) or of one parent row.
pub async fn resolve_deals(
    ctx: &Context<'_>,
    parent: Option<(DealParent, Uuid)>,
    args: DealListArgs,
) -> AppResult<DealConnection> {
    match parent {
        None => DealConnection::root(ctx, args).await,
        Some((parent, id)) => DealConnection::nested(ctx, parent, id, args).await,
    }
}

/// `object_with_deals!(/// docs, Type, |row: &Type| parent; fields…)`: `#[Object] impl Type { fields… }`
/// plus the `deals` field, listing the deals of `parent` (`Some((DealParent::…, id))`, or
/// `None` for the whole organisation).
macro_rules! object_with_deals {
    ($(#[$doc:meta])* $ty:ident, $parent:expr; $($fields:tt)*) => {
        $(#[$doc])*
        #[async_graphql::Object]
        impl $ty {
            $($fields)*

            /// Deals — of your organisation at the root, else of this pipeline, stage (a board
            /// column), company, contact or owner — filtered, ordered (by id when no order is
            /// given) and paged by cursor. Deleted and archived deals are left out unless the
            /// filter asks for them. The pages of many parents load together in one statement.
            #[allow(clippy::too_many_arguments)]
            async fn deals(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = "Which deals.")] filter: Option<$crate::deal::DealFilter>,
                #[graphql(desc = "Sort keys, applied in order (at most 8); id breaks ties.")]
                order_by: Option<Vec<$crate::deal::DealOrder>>,
                #[graphql(desc = "Page forward: this many deals (at most 500; 50 by default).")]
                first: Option<i32>,
                #[graphql(desc = "Page forward: start after this cursor.")] after: Option<String>,
                #[graphql(desc = "Page backward: this many deals (at most 500).")] last: Option<i32>,
                #[graphql(desc = "Page backward: end before this cursor.")] before: Option<String>,
            ) -> $crate::error::AppResult<$crate::deal::DealConnection> {
                let page = $crate::graphql::pagination::PageArgs {
                    first,
                    after,
                    last,
                    before,
                };
                let args = $crate::deal::DealListArgs {
                    filter,
                    order_by,
                    page,
                };
                $crate::deal::resolve_deals(ctx, ($parent)(self), args).await
            }
        }
    };
}
pub(crate) use object_with_deals;
