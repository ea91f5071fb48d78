//! `child_connection!`: the Relay connection type of one per-deal list; and
//! `object_with_deal_lists!`: the deal's fields for those lists, the Relay arguments written
//! once, and which of them a field of a request selects (to read them with the deal).

/// Defines `$connection` and `$edge` over the per-deal list of `$model` rows, shown as
/// `$node(row)`, with the given descriptions (and `own` fields, see `list_connection!`), and
/// `$connection::load`.
macro_rules! child_connection {
    ($connection:ident, $edge:ident, $node:ident, $model:ty, $edge_doc:literal, $doc:literal $(, own: [$($own:literal),* $(,)?])?) => {
        $crate::graphql::connection::list_connection!(
            $connection,
            $edge,
            $node,
            $model,
            $crate::deal::children::ChildCount,
            $edge_doc,
            $doc
            $(, own: [$($own),*])?
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

            /// The page of this list that `field` (the list's field on a deal) selects, to
            /// read with the deal itself.
            pub fn list_part(
                field: &async_graphql::SelectionField<'_>,
                deal: sea_orm::prelude::Uuid,
            ) -> Option<Box<dyn $crate::deal::children::ListPart>> {
                $crate::deal::children::list_part::<$model>(field, deal)
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

        impl $ty {
            /// The page of one of this type's lists that `field` selects, to read with the
            /// row itself (None: `field` is not one of its lists, or not a valid page).
            pub fn list_part(
                field: &async_graphql::SelectionField<'_>,
                deal: sea_orm::prelude::Uuid,
            ) -> Option<Box<dyn $crate::deal::children::ListPart>> {
                $(
                if $crate::deal::child_connection::names_field(stringify!($list), field.name()) {
                    return <$connection>::list_part(field, deal);
                }
                )*
                None
            }
        }
    };
}

pub(crate) use object_with_deal_lists;

/// Whether `field` is the GraphQL name (camelCase) of the Rust method or column `method`
/// (snake_case).
pub fn names_field(method: &str, field: &str) -> bool {
    let mut field = field.chars();
    let mut upper = false;
    for c in method.chars() {
        if c == '_' {
            upper = true;
            continue;
        }
        let expected = if upper { c.to_ascii_uppercase() } else { c };
        upper = false;
        if field.next() != Some(expected) {
            return false;
        }
    }
    field.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::names_field;

    #[test]
    fn snake_case_methods_name_camel_case_fields() {
        assert!(names_field("stage_history", "stageHistory"));
        assert!(names_field("products", "products"));
        assert!(!names_field("stage_history", "stage_history"));
        assert!(!names_field("products", "product"));
    }
}
