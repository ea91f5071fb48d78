//! Companies [org]: have contacts, deals and sales.

mod list;
mod loader;
mod mutation;
mod query;
pub mod service;
mod types;

pub use list::{CompanyConnection, CompanyFilter};
pub use loader::CompanyId;
pub use mutation::CompanyMutation;
pub use query::CompanyQuery;
pub use types::Company;
