//! [`hex_sha256`]: the one SHA-256 in hex that API keys and persisted queries are known by.

use sha2::{Digest, Sha256};

/// The lowercase hex SHA-256 of `text`.
pub fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
