//! Per-key cost budgets: a token bucket per API key that holds a minute's worth of cost
//! points and refills continuously.
//!
//! Budgets live in the memory of each server process: with N replicas behind a load balancer
//! a key can spend up to N budgets a minute (each replica enforces its own), and a restart
//! refills them. That bounds the load one key can put on one replica, which is what the
//! budget is for; a global quota would need shared state (the database) on every request.

use async_graphql::Value;
use chrono::{DateTime, Utc};
use sea_orm::prelude::Uuid;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Buckets kept before full (idle) ones are dropped.
const MAX_TRACKED_KEYS: usize = 10_000;

/// A key's budget after a charge, as `extensions.cost.budget` reports it.
#[derive(Clone, Debug)]
pub struct Charge {
    /// Points left now.
    pub remaining: u64,
    /// When the budget will be full again.
    pub reset_at: DateTime<Utc>,
}

impl Charge {
    /// `{ remaining, resetAt }`.
    pub fn to_value(&self) -> Value {
        let mut budget = async_graphql::indexmap::IndexMap::new();
        budget.insert(
            async_graphql::Name::new("remaining"),
            Value::from(self.remaining),
        );
        budget.insert(
            async_graphql::Name::new("resetAt"),
            Value::from(
                self.reset_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
        );
        Value::Object(budget)
    }
}

#[derive(Clone, Copy)]
struct Bucket {
    points: f64,
    at: Instant,
}

/// Every key's bucket.
pub struct Budgets {
    per_minute: u64,
    buckets: Mutex<HashMap<Uuid, Bucket>>,
}

impl Budgets {
    /// Budgets of `per_minute` points per key; 0 turns budgets off.
    pub fn new(per_minute: u64) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn rate_per_second(&self) -> f64 {
        self.per_minute as f64 / 60.0
    }

    /// Takes `cost` points from `key`'s bucket: the budget left (None when budgets are off),
    /// or the whole seconds to wait before `cost` points are there. A cost larger than the
    /// whole budget is charged as the whole budget, so it passes when the bucket is full.
    pub fn charge(&self, key: Uuid, cost: u64) -> Result<Option<Charge>, u64> {
        if self.per_minute == 0 {
            return Ok(None);
        }
        let now = Instant::now();
        let cost = cost.min(self.per_minute) as f64;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED_KEYS && !buckets.contains_key(&key) {
            let full = self.per_minute as f64;
            let rate = self.rate_per_second();
            buckets.retain(|_, b| b.points + rate * now.duration_since(b.at).as_secs_f64() < full);
        }
        let mut bucket = self.refilled(buckets.get(&key).copied(), now);
        if bucket.points < cost {
            let wait = (cost - bucket.points) / self.rate_per_second();
            return Err(wait.ceil().max(1.0) as u64);
        }
        bucket.points -= cost;
        buckets.insert(key, bucket);
        Ok(Some(self.charge_of(bucket)))
    }

    /// `key`'s budget as it stands, without charging it.
    pub fn peek(&self, key: Uuid) -> Option<Charge> {
        if self.per_minute == 0 {
            return None;
        }
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        Some(self.charge_of(self.refilled(buckets.get(&key).copied(), Instant::now())))
    }

    fn refilled(&self, bucket: Option<Bucket>, now: Instant) -> Bucket {
        let full = self.per_minute as f64;
        match bucket {
            None => Bucket {
                points: full,
                at: now,
            },
            Some(b) => Bucket {
                points: (b.points
                    + self.rate_per_second() * now.duration_since(b.at).as_secs_f64())
                .min(full),
                at: now,
            },
        }
    }

    fn charge_of(&self, bucket: Bucket) -> Charge {
        let missing = self.per_minute as f64 - bucket.points;
        let seconds = (missing / self.rate_per_second()).ceil() as i64;
        Charge {
            remaining: bucket.points.floor() as u64,
            reset_at: Utc::now() + chrono::TimeDelta::seconds(seconds.max(0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_runs_dry_and_says_when_to_retry() {
        let budgets = Budgets::new(600); // 10 points a second
        let key = Uuid::now_v7();
        let first = budgets.charge(key, 500).expect("fits").expect("on");
        assert_eq!(first.remaining, 100);
        let retry = budgets.charge(key, 300).expect_err("over");
        assert!((20..=21).contains(&retry), "{retry}");
        assert!(
            budgets.charge(Uuid::now_v7(), 600).is_ok(),
            "another key has its own"
        );
        assert!(matches!(Budgets::new(0).charge(key, u64::MAX), Ok(None)));
    }
}
