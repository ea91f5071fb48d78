//! Organisations: the tenants. A caller sees exactly one, its key's.

mod loader;
pub mod service;
mod types;

pub use loader::OrganizationId;
pub use types::Organization;
