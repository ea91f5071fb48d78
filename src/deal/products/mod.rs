//! A deal's product lines: the `DealProduct` type, adding, changing and removing lines, and
//! how a line's totals (discount, tax) and the deal's value are computed (`pricing`).

mod mutation;
pub mod pricing;
pub mod service;
mod types;

pub use mutation::{DealProductMutation, ProductLineInput};
pub use types::{
    BillingFrequency, DealProduct, DealProductConnection, DiscountType, ProductTotals, TaxMethod,
    line_item,
};
