//! Sales (HyperRep): what a won deal becomes — an owner agent, a company, contacts with exactly
//! one primary, a quote of exact lines, notes, conversation ids and a status history.

mod list;
mod loader;
mod mutation;
mod query;
pub mod service;
mod types;

pub use list::{SaleConnection, SaleFilter, SaleParent, resolve_sales};
pub use loader::{SaleId, SaleOfDeal};
pub use mutation::SaleMutation;
pub use query::SaleQuery;
pub use types::Sale;
