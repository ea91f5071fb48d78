//! `list_connection!`: a Relay connection type over rows of one table, and [`TotalCount`],
//! how a connection counts its whole list (lazily, only when `totalCount` is asked).

use crate::error::AppResult;
use async_graphql::Context;
use std::future::Future;

/// Counts the whole list behind a connection.
pub trait TotalCount: Send + Sync {
    /// How many rows the list holds.
    fn total(&self, ctx: &Context<'_>) -> impl Future<Output = AppResult<i64>> + Send;
}

/// Defines `$connection` (a page of `$model` rows shown as `$node(row)`, counted by a
/// `$count: TotalCount`) and its `$edge`, with the given descriptions. `own: [fields…]` names
/// the node's fields that answer from the row itself (its columns, the relations fed with the
/// page): when `nodes` selects only those, each node's fields resolve in turn
/// ([`super::serial`]).
macro_rules! list_connection {
    ($connection:ident, $edge:ident, $node:ident, $model:ty, $count:ty, $edge_doc:literal, $doc:literal $(, own: [$($own:literal),* $(,)?])?) => {
        /// A row of the list and where it stands.
        pub struct $edge {
            /// Where the row stands, encoded when asked for.
            cursor: $crate::graphql::pagination::Cursor,
            /// The row.
            node: $node,
        }

        #[doc = $edge_doc]
        #[async_graphql::Object]
        impl $edge {
            /// Where this row stands in the list; pass it as `after` or `before`.
            async fn cursor(&self) -> String {
                self.cursor.encode()
            }

            /// The row.
            async fn node(&self) -> &$node {
                &self.node
            }
        }

        /// A page of a list and how to count the whole list.
        pub struct $connection {
            /// The page.
            pub page: $crate::graphql::pagination::RowPage<$model>,
            /// How to count the whole list.
            pub count: $count,
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
            async fn nodes(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> Vec<$crate::graphql::serial::Serial<$node>> {
                use $crate::graphql::serial::{Serial, selects_only};
                let own: &[&str] = &[$($($own),*)?];
                let wrap = match selects_only(ctx, own) {
                    true => Serial::at_once,
                    false => Serial::side_by_side,
                };
                self.page
                    .edges
                    .iter()
                    .map(|(_, row)| wrap($node(row.clone())))
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
                use $crate::graphql::connection::TotalCount;
                self.count.total(ctx).await
            }
        }
    };
}

pub(crate) use list_connection;

/// Counts the rows of `E` matching a condition: the total of a root list.
pub struct CountWhere<E> {
    condition: sea_orm::sea_query::Condition,
    entity: std::marker::PhantomData<fn() -> E>,
}

impl<E> CountWhere<E> {
    /// Counts rows matching `condition`.
    pub fn new(condition: sea_orm::sea_query::Condition) -> Self {
        Self {
            condition,
            entity: std::marker::PhantomData,
        }
    }
}

impl<E> TotalCount for CountWhere<E>
where
    E: sea_orm::EntityTrait + Default,
    E::Model: Sync,
{
    async fn total(&self, ctx: &Context<'_>) -> AppResult<i64> {
        use crate::graphql::context::ContextExt;
        let select = sea_orm::sea_query::Query::select()
            .from(E::default())
            .cond_where(self.condition.clone())
            .to_owned();
        let counts = crate::graphql::pagination::count_rows(ctx.reads()?, select, None).await?;
        Ok(counts.get(&None).copied().unwrap_or(0))
    }
}
