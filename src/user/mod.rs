//! Users of an organisation: deal owners, sale agents, followers.

mod list;
mod loader;
mod query;
mod types;

pub use list::{UserConnection, UserFilter};
pub use loader::UserId;
pub use query::UserQuery;
pub use types::User;
