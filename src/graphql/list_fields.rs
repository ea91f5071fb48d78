//! [`object_with_lists!`]: the list fields several types share — `deals(filter, orderBy, first,
//! after, last, before)`, `sales(…)` and `contacts(…)` — written once. The
//! macro writes a type's `#[Object]` impl with the fields it is given plus these, for the root
//! queries and every type the lists hang from (pipeline, stage, company, contact, user), so
//! that the arguments, their docs and their handling exist in one place. (async-graphql's
//! `#[graphql(flatten)]` cannot serve here: it loses the fields of a type that is still being
//! registered, and these lists are in cycles — a deal has a stage, which has deals.)

/// `object_with_lists!(/// docs  Type; deals: |row: &Type| parent, sales: |row: &Type| parent,
/// contacts: |row: &Type| company; fields…)`: `#[Object] impl Type { fields… }` plus `deals`,
/// `sales` and/or `contacts`, each listing the rows of its parent (`Some((DealParent::…, id))`,
/// `Some((SaleParent::…, id))`, `Some(company id)`) or of the whole organisation (`None`). `deals(name: Type, "description", …): |row, name, …| parent`
/// gives a type's `deals` more arguments, passed on to the closure that picks the parent.
macro_rules! object_with_lists {
    (
        $(#[$doc:meta])*
        $ty:ident;
        $(deals $(($($extra:ident : $extra_ty:ty, $extra_doc:literal);+))? : $deals:expr,)?
        $(sales: $sales:expr,)?
        $(contacts: $contacts:expr,)?
        ;
        $($fields:tt)*
    ) => {
        $(#[$doc])*
        #[async_graphql::Object]
        impl $ty {
            $($fields)*

            $(
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
                $($(#[graphql(desc = $extra_doc)] $extra: $extra_ty,)+)?
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
                // Boxed (as the other lists): a page's future is large, and inline it would
                // be part of every field's future of the type (allocated and copied per row).
                Box::pin($crate::deal::resolve_deals(ctx, ($deals)(self $($(, $extra)+)?), args))
                    .await
            }
            )?

            $(
            /// Sales — of your organisation at the root, else of this company, contact or agent
            /// — most recent activity first (HyperRep), paged by cursor. Without dates no sale
            /// is left out by time. The pages of many parents load together in one statement.
            async fn sales(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = "Which sales.")] filter: Option<$crate::sale::SaleFilter>,
                #[graphql(desc = "Page forward: this many (at most 500; 50 by default).")]
                first: Option<i32>,
                #[graphql(desc = "Page forward: start after this cursor.")] after: Option<String>,
                #[graphql(desc = "Page backward: this many (at most 500).")] last: Option<i32>,
                #[graphql(desc = "Page backward: end before this cursor.")] before: Option<String>,
            ) -> $crate::error::AppResult<$crate::sale::SaleConnection> {
                let page = $crate::graphql::pagination::PageArgs {
                    first,
                    after,
                    last,
                    before,
                };
                let filter = filter.unwrap_or_default();
                Box::pin($crate::sale::resolve_sales(ctx, ($sales)(self), filter, page)).await
            }
            )?

            $(
            /// Contacts [persons] — of your organisation at the root, else of this company —
            /// by last then first name, paged by cursor. The pages of many companies load
            /// together in one statement.
            async fn contacts(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = "Which contacts (under a company, its companyId is ignored).")]
                filter: Option<$crate::contact::ContactFilter>,
                #[graphql(desc = "Page forward: this many (at most 500; 50 by default).")]
                first: Option<i32>,
                #[graphql(desc = "Page forward: start after this cursor.")] after: Option<String>,
                #[graphql(desc = "Page backward: this many (at most 500).")] last: Option<i32>,
                #[graphql(desc = "Page backward: end before this cursor.")] before: Option<String>,
            ) -> $crate::error::AppResult<$crate::contact::ContactConnection> {
                let page = $crate::graphql::pagination::PageArgs {
                    first,
                    after,
                    last,
                    before,
                };
                let filter = filter.unwrap_or_default();
                let parent = ($contacts)(self);
                Box::pin($crate::contact::ContactConnection::resolve(ctx, parent, filter, page))
                    .await
            }
            )?
        }
    };
}
pub(crate) use object_with_lists;
