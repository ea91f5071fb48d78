//! How a deal is billed beyond its product lines (Pipedrive): discounts of the whole deal,
//! applied in order to what its lines make, and installments — the parts a deal of one-time
//! products is billed in, which add up to its value.

pub mod discounts;
pub mod installments;
mod mutation;
mod types;

pub use mutation::DealBillingMutation;
pub use types::{
    DealDiscount, DealDiscountConnection, DealDiscountId, DealInstallment,
    DealInstallmentConnection, DealInstallmentId,
};
