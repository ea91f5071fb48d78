//! Automatic persisted queries (Apollo APQ), over POST and GET.
//!
//! A client sends `extensions.persistedQuery = { version: 1, sha256Hash }` without the query
//! text; when the hash is known here, the query it stands for runs. When it is not, the answer
//! is the error Apollo Client, Apollo iOS and Apollo Kotlin wait for — message
//! `PersistedQueryNotFound`, `extensions.code` `PERSISTED_QUERY_NOT_FOUND`, HTTP 200 — and
//! the client sends the query again with its hash, which is checked (SHA-256 of the text) and
//! remembered once the request gate has admitted it. The cache is per process and bounded in
//! bytes ([`MAX_CACHE_BYTES`]); a forgotten query costs the client one more round trip.

use crate::digest::hex_sha256;
use crate::error::{AppError, AppResult};
use async_graphql::{Request, Value};
use moka::sync::Cache;
use std::sync::Arc;

/// Most bytes of query text (and hashes) remembered at once.
pub const MAX_CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// The name of the request extension.
const EXTENSION: &str = "persistedQuery";

/// Query texts by the hex SHA-256 of their text.
pub struct PersistedQueries {
    queries: Cache<String, Arc<str>>,
}

impl Default for PersistedQueries {
    fn default() -> Self {
        let queries = Cache::builder()
            .max_capacity(MAX_CACHE_BYTES)
            .weigher(|hash: &String, query: &Arc<str>| {
                u32::try_from(hash.len() + query.len()).unwrap_or(u32::MAX)
            })
            .build();
        Self { queries }
    }
}

/// What a request's `persistedQuery` extension asks: nothing, or to remember its query under
/// `hash` once admitted.
#[must_use]
pub struct ToRemember(Option<String>);

impl PersistedQueries {
    /// Reads the request's `persistedQuery` extension: fills in the query text of a known
    /// hash, PERSISTED_QUERY_NOT_FOUND for an unknown one, BAD_REQUEST for a malformed
    /// extension or a hash that is not the query's.
    pub fn resolve(&self, request: &mut Request) -> AppResult<ToRemember> {
        let Some(extension) = request.extensions.get(EXTENSION) else {
            return Ok(ToRemember(None));
        };
        let hash = requested_hash(extension)?;
        if request.query.is_empty() {
            let query = self
                .queries
                .get(&hash)
                .ok_or(AppError::PersistedQueryNotFound)?;
            request.query = query.to_string();
            return Ok(ToRemember(None));
        }
        if hex_sha256(&request.query) != hash {
            return Err(AppError::bad_request(
                400,
                "provided sha does not match query",
            ));
        }
        Ok(ToRemember(Some(hash)))
    }

    /// Remembers `query` when [`Self::resolve`] asked for it.
    pub fn remember(&self, to_remember: ToRemember, query: &str) {
        if let ToRemember(Some(hash)) = to_remember {
            self.queries.insert(hash, Arc::from(query));
        }
    }
}

/// The lowercase hex SHA-256 the extension names (version 1 only).
fn requested_hash(extension: &Value) -> AppResult<String> {
    let malformed = || {
        AppError::bad_request(
            400,
            "extensions.persistedQuery must be { version: 1, sha256Hash: \"<64 hex digits>\" }",
        )
    };
    let Value::Object(fields) = extension else {
        return Err(malformed());
    };
    match fields.get("version") {
        Some(Value::Number(n)) if n.as_i64() == Some(1) => {}
        Some(Value::Number(_)) => {
            return Err(AppError::bad_request(
                400,
                "only version 1 of persisted queries is supported",
            ));
        }
        _ => return Err(malformed()),
    }
    match fields.get("sha256Hash") {
        Some(Value::String(hash))
            if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Ok(hash.to_ascii_lowercase())
        }
        _ => Err(malformed()),
    }
}
