//! Contacts [person]: people at companies that deals and sales are with.

mod loader;
mod types;

pub use loader::ContactId;
pub use types::Contact;
