//! Batch writes: `createDeals` and `updateDeals`, up to 100 deals in one request, each with
//! its own result (the deal, or its error), all or nothing or item by item.

mod mutation;
mod run;

pub use mutation::DealBatchMutation;
