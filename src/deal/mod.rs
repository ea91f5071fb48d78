//! Deals: the heart of the domain — reading them (types, filters, ordering, pages,
//! summaries), what dashboards ask of them (`analytics/`: groups, timeline, funnel), changing
//! them, and what hangs from them: product lines (`products/`) and
//! activities, tasks and followers (`around/`), participants (`participants/`), discounts
//! and installments (`billing/`); copying and merging deals (`merging/`); batches (`batch/`).

mod analytics;
pub mod around;
mod batch;
pub mod billing;
mod child_connection;
pub mod children;
mod columns;
mod connection;
mod custom_filter;
mod detail;
pub mod events;
mod filter;
mod history;
mod list;
mod loader;
mod mark_mutation;
mod merging;
mod mutation;
mod order;
pub mod participants;
pub mod products;
mod query;
mod search;
pub mod service;
mod types;

pub use analytics::groups::MAX_GROUPS;
pub use analytics::timeline::MAX_PERIODS;
pub use around::{Activity, Task};
pub use connection::{DealConnection, DealListArgs, resolve_deals};
pub use filter::DealFilter;
pub use history::StageChange;
pub use list::{DealListSpec, DealParent, DealStatsOf, DealsOf};
pub use loader::{ActivityId, DealId, DealProductId, StageChangeId, TaskId};
pub use mutation::CreateDealInput;

/// Every deal mutation.
#[derive(async_graphql::MergedObject, Default)]
pub struct DealMutation(
    mutation::DealLifecycleMutation,
    mark_mutation::DealMarkMutation,
    around::DealAroundMutation,
    products::DealProductMutation,
    participants::DealParticipantMutation,
    merging::DealMergingMutation,
    batch::DealBatchMutation,
    billing::DealBillingMutation,
);

pub use billing::{DealDiscount, DealDiscountId, DealInstallment, DealInstallmentId};
pub use order::DealOrder;
pub use participants::{DealParticipant, DealParticipantId};
pub use products::DealProduct;
pub use query::DealQuery;
pub use types::Deal;
