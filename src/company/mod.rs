//! Companies [org]: have contacts, deals and sales.

mod list;
mod loader;
mod query;
mod types;

pub use list::{CompanyConnection, CompanyFilter};
pub use loader::CompanyId;
pub use query::CompanyQuery;
pub use types::Company;
