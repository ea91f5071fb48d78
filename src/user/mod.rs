//! Users of an organisation: deal owners, sale agents, followers.

mod loader;
mod types;

pub use loader::UserId;
pub use types::User;
