//! Organisations: the tenants. A caller sees exactly one, its key's.

mod loader;
mod types;

pub use loader::OrganizationId;
pub use types::Organization;
