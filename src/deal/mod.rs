//! Deals: the heart of the domain — reading them (types, filters, ordering, pages,
//! summaries) and pricing their products.

mod connection;
mod filter;
mod list;
mod loader;
mod order;
pub mod pricing;
mod query;
mod types;

pub use connection::{DealConnection, DealListArgs};
pub use filter::DealFilter;
pub use list::{DealListSpec, DealParent, DealStatsOf, DealsOf};
pub use loader::DealId;
pub use order::DealOrder;
pub use query::DealQuery;
pub use types::Deal;
