//! How many subscriptions may be open at once: per websocket connection and per API key (over
//! all the key's connections to this process). A subscription holds a [`Slot`] for as long as
//! it lives; the slot is given back when the subscription ends, however it ends (completed by
//! the client, by an error, or with its connection).

use crate::error::AppError;
use sea_orm::prelude::Uuid;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The open subscriptions of each API key, and the bounds.
#[derive(Debug)]
pub struct SubscriptionLimits {
    per_connection: usize,
    per_key: usize,
    by_key: Mutex<HashMap<Uuid, usize>>,
}

/// The open subscriptions of one connection.
#[derive(Debug, Default, Clone)]
pub struct ConnectionSubscriptions(Arc<AtomicUsize>);

/// One open subscription's place in both counts.
#[derive(Debug)]
pub struct Slot {
    limits: Arc<SubscriptionLimits>,
    connection: ConnectionSubscriptions,
    api_key_id: Uuid,
}

impl SubscriptionLimits {
    /// At most `per_connection` subscriptions per connection and `per_key` per API key.
    pub fn new(per_connection: usize, per_key: usize) -> Self {
        Self {
            per_connection,
            per_key,
            by_key: Mutex::new(HashMap::new()),
        }
    }

    /// A slot for one more subscription of `api_key_id` on `connection`, or LIMIT_EXCEEDED.
    pub fn take(
        self: &Arc<Self>,
        connection: &ConnectionSubscriptions,
        api_key_id: Uuid,
    ) -> Result<Slot, AppError> {
        let mut by_key = self.by_key.lock().unwrap_or_else(|e| e.into_inner());
        if connection.0.load(Ordering::Acquire) >= self.per_connection {
            return Err(AppError::LimitExceeded(format!(
                "this connection already has {} subscriptions open, the most it may have: \
                 complete one first",
                self.per_connection
            )));
        }
        let open = by_key.entry(api_key_id).or_default();
        if *open >= self.per_key {
            return Err(AppError::LimitExceeded(format!(
                "this API key already has {} subscriptions open, the most it may have",
                self.per_key
            )));
        }
        *open += 1;
        connection.0.fetch_add(1, Ordering::AcqRel);
        Ok(Slot {
            limits: self.clone(),
            connection: connection.clone(),
            api_key_id,
        })
    }

    /// Subscriptions open with `api_key_id` now.
    #[cfg(test)]
    pub fn open(&self, api_key_id: Uuid) -> usize {
        let by_key = self.by_key.lock().unwrap_or_else(|e| e.into_inner());
        by_key.get(&api_key_id).copied().unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut by_key = self.limits.by_key.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(open) = by_key.get_mut(&self.api_key_id) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                by_key.remove(&self.api_key_id);
            }
        }
        self.connection.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_per_connection_and_per_key_and_given_back() {
        let limits = Arc::new(SubscriptionLimits::new(2, 3));
        let (a, b) = (
            ConnectionSubscriptions::default(),
            ConnectionSubscriptions::default(),
        );
        let key = Uuid::now_v7();
        let first = limits.take(&a, key).expect("1st");
        let _second = limits.take(&a, key).expect("2nd");
        assert!(limits.take(&a, key).is_err(), "a connection holds 2");
        let _third = limits.take(&b, key).expect("3rd on another connection");
        assert!(limits.take(&b, key).is_err(), "the key holds 3");
        assert!(
            limits.take(&b, Uuid::now_v7()).is_ok(),
            "another key has its own"
        );
        drop(first);
        assert_eq!(limits.open(key), 2);
        assert!(limits.take(&a, key).is_ok(), "a freed slot is taken again");
    }
}
