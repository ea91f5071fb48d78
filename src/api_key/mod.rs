//! API keys: how callers authenticate. Stored as SHA-256 hashes; the plain key is shown once.

mod mutation;
pub mod service;
mod types;

pub use mutation::ApiKeyMutation;
pub use types::{ApiKey, ApiKeyId, ApiKeyScope};
