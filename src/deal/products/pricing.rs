//! Line-item arithmetic of deal products (AchieveApex, Pipedrive), exact with `Decimal`.
//!
//! gross = quantity × unit price; the discount (a percentage of gross, or a fixed amount,
//! never more than gross) gives net; then by tax method:
//! - EXCLUSIVE: without tax = net, with tax = net × (1 + tax %);
//! - INCLUSIVE: with tax = net, without tax = net ÷ (1 + tax %);
//! - NONE: both are net.
//!
//! Totals are rounded to cents, half away from zero. AchieveApex's example: 2 × 10000.00 with
//! 10 % off is 18000.00 without tax and, at 7 %, 19260.00 with tax.

use entity::enums::{DiscountType, TaxMethod};
use rust_decimal::{Decimal, RoundingStrategy};

/// What a product line is made of.
#[derive(Clone, Copy, Debug)]
pub struct LineItem {
    /// How many units (may be fractional).
    pub quantity: Decimal,
    /// Price of one unit.
    pub unit_price: Decimal,
    /// How `discount` reads.
    pub discount_type: DiscountType,
    /// A percentage (0–100) or an amount off the line.
    pub discount: Decimal,
    /// Tax rate in percent.
    pub tax_percentage: Decimal,
    /// How the tax applies.
    pub tax_method: TaxMethod,
}

/// A line's totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineTotals {
    /// After discount, before tax.
    pub without_tax: Decimal,
    /// After discount and tax.
    pub with_tax: Decimal,
}

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

fn cents(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

impl LineItem {
    /// The line's totals, rounded to cents.
    pub fn totals(&self) -> LineTotals {
        let gross = self.quantity * self.unit_price;
        let discount = match self.discount_type {
            DiscountType::Percentage => gross * self.discount / HUNDRED,
            DiscountType::Amount => self.discount,
        };
        let net = (gross - discount.min(gross)).max(Decimal::ZERO);
        let rate = Decimal::ONE + self.tax_percentage / HUNDRED;
        let (without_tax, with_tax) = match self.tax_method {
            TaxMethod::Exclusive => (net, net * rate),
            TaxMethod::Inclusive => (net / rate, net),
            TaxMethod::None => (net, net),
        };
        LineTotals {
            without_tax: cents(without_tax),
            with_tax: cents(with_tax),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn achieve_apex_example() {
        let line = LineItem {
            quantity: d("2"),
            unit_price: d("10000.00"),
            discount_type: DiscountType::Percentage,
            discount: d("10"),
            tax_percentage: d("7"),
            tax_method: TaxMethod::Exclusive,
        };
        assert_eq!(
            line.totals(),
            LineTotals {
                without_tax: d("18000.00"),
                with_tax: d("19260.00")
            }
        );
    }

    #[test]
    fn inclusive_tax_and_capped_amount_discount() {
        let mut line = LineItem {
            quantity: d("1"),
            unit_price: d("107.00"),
            discount_type: DiscountType::Amount,
            discount: d("0"),
            tax_percentage: d("7"),
            tax_method: TaxMethod::Inclusive,
        };
        assert_eq!(
            line.totals(),
            LineTotals {
                without_tax: d("100.00"),
                with_tax: d("107.00")
            }
        );
        line.discount = d("500");
        assert_eq!(
            line.totals(),
            LineTotals {
                without_tax: d("0"),
                with_tax: d("0")
            }
        );
    }
}
