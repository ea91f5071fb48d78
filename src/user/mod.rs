//! Users of an organisation: deal owners, sale agents, followers.

mod list;
mod loader;
mod mutation;
mod query;
pub mod service;
mod types;

pub use list::{UserConnection, UserFilter};
pub use loader::UserId;
pub use mutation::UserMutation;
pub use query::UserQuery;
pub use types::User;
