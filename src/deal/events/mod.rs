//! The deal event log: every change of a deal and of what hangs from it, written in the
//! transaction of the change with a per-organisation sequence (`record`), read as a deal's
//! `changelog` and as the organisation's change feed for sync (`feed`), and delivered live
//! to `dealEvents` subscribers (`live`, `subscription`).

pub mod feed;
pub mod live;
pub mod record;
pub mod retention;
pub mod subscription;
pub mod token;
pub mod types;

pub use live::EventHub;
pub use record::{DealEventType, deal_changes, field, kind_of, money, record, record_each};
pub use subscription::DealSubscription;
