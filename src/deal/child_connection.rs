//! `child_connection!`: the Relay connection type of one per-deal list.

/// Defines `$connection` and `$edge` over the per-deal list of `$model` rows, shown as
/// `$node(row)`, with the given descriptions.
macro_rules! child_connection {
    ($connection:ident, $edge:ident, $node:ident, $model:ty, $edge_doc:literal, $doc:literal) => {
        #[doc = $edge_doc]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Where this row stands in the list; pass it as `after` or `before`.
            pub cursor: String,
            /// The row.
            pub node: $node,
        }

        /// A page of a deal's list.
        pub struct $connection {
            /// The page.
            pub page: $crate::graphql::pagination::RowPage<$model>,
            /// The deal whose list it is.
            pub deal: sea_orm::prelude::Uuid,
        }

        #[doc = $doc]
        #[async_graphql::Object]
        impl $connection {
            /// The rows of this page, each with its cursor.
            async fn edges(&self) -> Vec<$edge> {
                self.page
                    .edges
                    .iter()
                    .map(|(cursor, row)| $edge {
                        cursor: cursor.clone(),
                        node: $node(row.clone()),
                    })
                    .collect()
            }

            /// The rows of this page.
            async fn nodes(&self) -> Vec<$node> {
                self.page
                    .edges
                    .iter()
                    .map(|(_, row)| $node(row.clone()))
                    .collect()
            }

            /// Where this page stands in the list.
            async fn page_info(&self) -> &$crate::graphql::pagination::PageInfo {
                &self.page.info
            }

            /// How many rows the whole list holds.
            async fn total_count(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> $crate::error::AppResult<i64> {
                use $crate::deal::children::{ChildCount, DealChild};
                use $crate::graphql::context::ContextExt;
                let key = ChildCount {
                    list: <$model as DealChild>::LIST,
                    deal: self.deal,
                };
                Ok(ctx.loaders()?.load_one(key).await?.unwrap_or(0))
            }
        }

        impl $connection {
            /// Page `page` of `deal`'s list, loaded with its siblings in one statement.
            pub async fn load(
                ctx: &async_graphql::Context<'_>,
                deal: sea_orm::prelude::Uuid,
                page: $crate::graphql::pagination::PageArgs,
            ) -> $crate::error::AppResult<Self> {
                use $crate::deal::children::ChildrenOf;
                use $crate::graphql::context::ContextExt;
                let key = ChildrenOf::<$model>::new(deal, page);
                let page = ctx.loaders()?.load_one(key).await?.unwrap_or_default();
                Ok(Self { page, deal })
            }
        }
    };
}

pub(crate) use child_connection;
