//! [`ViewerCache`]: API key → caller, remembered for a few seconds so that a request does not
//! spend a statement on its key.
//!
//! An entry lives at most the cache's time-to-live (3 s by default, `--auth-cache-ttl-ms`, 0
//! turns the cache off); then the key is read from the database again. Revoking a key or
//! deactivating a user empties the cache of the process that did it at once, so on that
//! replica the key stops working with the next request; other replicas stop honouring it
//! within the time-to-live. Only keys that authenticated are kept (an unknown key is read
//! every time), at most [`MAX_ENTRIES`] of them: when full, expired entries go, and if none
//! had expired, all go.

use super::viewer::Viewer;
use async_graphql::Context;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Most keys remembered at once.
pub const MAX_ENTRIES: usize = 10_000;

/// Recently authenticated callers, by the SHA-256 of their key.
#[derive(Debug)]
pub struct ViewerCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Viewer, Instant)>>,
}

impl ViewerCache {
    /// A cache whose entries live `ttl` (zero: nothing is kept).
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The caller of the key hashed as `key_hash`, if it authenticated within the TTL.
    pub fn get(&self, key_hash: &str) -> Option<Viewer> {
        let entries = self.entries.lock().ok()?;
        let (viewer, at) = entries.get(key_hash)?;
        (at.elapsed() < self.ttl).then(|| viewer.clone())
    }

    /// Remembers that the key hashed as `key_hash` authenticates `viewer`.
    pub fn insert(&self, key_hash: String, viewer: Viewer) {
        if self.ttl.is_zero() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            entries.retain(|_, (_, at)| at.elapsed() < ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key_hash, (viewer, Instant::now()));
    }

    /// Forgets every key: after a revocation or a deactivation.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

/// Empties the request's cache of callers (a key was revoked or a user deactivated), so that
/// the next request on this process reads every key again.
pub fn forget_callers(ctx: &Context<'_>) {
    if let Some(cache) = ctx.data_opt::<Arc<ViewerCache>>() {
        cache.clear();
    }
}
