//! Contacts [person]: people at companies that deals and sales are with.

mod list;
mod loader;
mod query;
mod types;

pub use list::{ContactConnection, ContactFilter};
pub use loader::ContactId;
pub use query::ContactQuery;
pub use types::Contact;
