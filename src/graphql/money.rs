//! `Money`: an exact amount in one currency.

use super::scalars::Decimal;
use async_graphql::SimpleObject;
use entity::Scaled;

/// An exact amount of money in one currency. Sums over several currencies are lists with one
/// `Money` per currency, never converted.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
// Its fields are its own values: resolved in turn, without a task per field.
#[graphql(serial)]
pub struct Money {
    /// The amount, exact (e.g. `"19260.00"`).
    pub amount: Decimal,
    /// The ISO 4217 currency code (e.g. `EUR`).
    pub currency: String,
}

impl Money {
    /// `amount` of `currency`.
    pub fn new(amount: rust_decimal::Decimal, currency: impl Into<String>) -> Self {
        Self {
            amount: Decimal::money(amount),
            currency: currency.into(),
        }
    }

    /// A stored amount of `currency`.
    pub fn scaled(amount: Scaled, currency: impl Into<String>) -> Self {
        Self::new(amount.to_decimal(), currency)
    }
}
