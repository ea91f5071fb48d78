//! Duplicating a deal and merging one deal into another (Pipedrive's `/deals/{id}/duplicate`
//! and `/deals/{id}/merge`), each in one transaction with its events.

mod duplicate;
mod merge;
mod mutation;

pub use mutation::DealMergingMutation;
