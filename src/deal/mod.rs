//! Deals: the heart of the domain — reading them (types, filters, ordering, pages,
//! summaries) and pricing their products.

mod activity;
pub mod around;
mod around_mutation;
mod child_connection;
pub mod children;
mod connection;
mod deals_field;
mod filter;
mod history;
mod list;
mod loader;
mod mark_mutation;
mod mutation;
mod order;
pub mod pricing;
mod product;
mod product_mutation;
pub mod product_service;
mod query;
pub mod service;
mod types;

pub use activity::{Activity, Task};
pub use connection::{DealConnection, DealListArgs};
pub(crate) use deals_field::object_with_deals;
pub use deals_field::resolve_deals;
pub use filter::DealFilter;
pub use history::StageChange;
pub use list::{DealListSpec, DealParent, DealStatsOf, DealsOf};
pub use loader::{ActivityId, DealId, DealProductId, StageChangeId, TaskId};

/// Every deal mutation.
#[derive(async_graphql::MergedObject, Default)]
pub struct DealMutation(
    mutation::DealLifecycleMutation,
    mark_mutation::DealMarkMutation,
    around_mutation::DealAroundMutation,
    product_mutation::DealProductMutation,
);

pub use order::DealOrder;
pub use product::DealProduct;
pub use query::DealQuery;
pub use types::Deal;
