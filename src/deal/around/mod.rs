//! What happens around a deal: its activities, tasks and followers — the types, logging and
//! scheduling them, and following a deal.

mod mutation;
pub mod service;
mod types;

pub use mutation::DealAroundMutation;
pub(crate) use mutation::replayed_with_deal;
pub use types::{
    Activity, ActivityConnection, ActivityStatus, ActivityType, Task, TaskConnection, TaskStatus,
};
