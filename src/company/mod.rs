//! Companies [org]: have contacts, deals and sales.

mod loader;
mod types;

pub use loader::CompanyId;
pub use types::Company;
