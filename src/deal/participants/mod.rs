//! Participants of a deal (Pipedrive's `/deals/{id}/participants`): contacts taking part in a
//! deal besides its main contact — the type and its list, adding and removing them.

mod mutation;
pub mod service;
mod types;

pub use mutation::DealParticipantMutation;
pub use types::{DealParticipant, DealParticipantConnection, DealParticipantId};
