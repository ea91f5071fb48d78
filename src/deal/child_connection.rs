//! `child_connection!`: the Relay connection type of one per-deal list; and
//! `object_with_deal_lists!`: the deal's fields for those lists, the Relay arguments written
//! once.

/// Defines `$connection` and `$edge` over the per-deal list of `$model` rows, shown as
/// `$node(row)`, with the given descriptions, and `$connection::load`.
macro_rules! child_connection {
    ($connection:ident, $edge:ident, $node:ident, $model:ty, $edge_doc:literal, $doc:literal) => {
        $crate::graphql::connection::list_connection!(
            $connection,
            $edge,
            $node,
            $model,
            $crate::deal::children::ChildCount,
            $edge_doc,
            $doc
        );

        impl $connection {
            /// Page `page` of `deal`'s list, loaded with its siblings in one statement, the
            /// relations the request selects on its rows fed to the by-id loaders.
            pub async fn load(
                ctx: &async_graphql::Context<'_>,
                deal: sea_orm::prelude::Uuid,
                page: $crate::graphql::pagination::PageArgs,
            ) -> $crate::error::AppResult<Self> {
                use $crate::deal::children::{ChildCount, ChildrenOf, DealChild, Related};
                use $crate::graphql::context::ContextExt;
                let key = ChildrenOf::<$model>::new(ctx, deal, page);
                let loaders = ctx.loaders()?;
                let loaded = loaders.load_one(key).await?.unwrap_or_default();
                Related::feed(loaders, loaded.related).await;
                let page = loaded.page;
                let count = ChildCount {
                    list: <$model as DealChild>::LIST,
                    deal,
                };
                Ok(Self { page, count })
            }
        }
    };
}

pub(crate) use child_connection;

/// `object_with_deal_lists!(/// docs  Type; /// doc  field: Connection, …; fields…)`:
/// `#[Object] impl Type { fields… }` plus, for each per-deal list, a field taking `first`,
/// `after`, `last`, `before` that loads `Connection::load(ctx, self.0.id, page)`.
macro_rules! object_with_deal_lists {
    (
        $(#[$doc:meta])*
        $ty:ident;
        $( $(#[$list_doc:meta])* $list:ident: $connection:ty, )*
        ;
        $($fields:tt)*
    ) => {
        $(#[$doc])*
        #[async_graphql::Object]
        impl $ty {
            $($fields)*

            $(
            $(#[$list_doc])*
            async fn $list(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = "Page forward: this many rows (at most 500; 50 by default).")]
                first: Option<i32>,
                #[graphql(desc = "Page forward: start after this cursor.")] after: Option<String>,
                #[graphql(desc = "Page backward: this many rows (at most 500).")] last: Option<i32>,
                #[graphql(desc = "Page backward: end before this cursor.")] before: Option<String>,
            ) -> $crate::error::AppResult<$connection> {
                let page = $crate::graphql::pagination::PageArgs {
                    first,
                    after,
                    last,
                    before,
                };
                // Boxed: the page's future is large, and inline it would be part of every
                // field's future of this type (each of them allocated and copied per row).
                Box::pin(<$connection>::load(ctx, self.0.id, page)).await
            }
            )*
        }
    };
}

pub(crate) use object_with_deal_lists;
