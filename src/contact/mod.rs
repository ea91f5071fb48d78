//! Contacts [person]: people at companies that deals and sales are with.

mod list;
mod loader;
mod mutation;
mod query;
pub mod service;
mod types;

pub use list::{ContactConnection, ContactFilter};
pub use loader::ContactId;
pub use mutation::ContactMutation;
pub use query::ContactQuery;
pub use types::Contact;
