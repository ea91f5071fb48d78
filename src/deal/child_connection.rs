//! `child_connection!`: the Relay connection type of one per-deal list.

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
