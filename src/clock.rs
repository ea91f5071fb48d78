//! The server's clock: UTC, truncated to microseconds so that what is stored on PostgreSQL
//! (microsecond precision) and SQLite reads back equal to what was written.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// The current instant, to the microsecond.
pub fn now() -> DateTime<Utc> {
    truncate(Utc::now())
}

/// `instant` to the microsecond.
pub fn truncate(instant: DateTime<Utc>) -> DateTime<Utc> {
    instant
        .duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(instant)
}
