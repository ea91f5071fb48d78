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
//!
//! A deal's price ([`deal_price`]): the lines' totals with tax, then the deal's own discounts
//! (Pipedrive's deal discounts) in their order, each on what the ones before left — a
//! percentage of it (rounded to cents) or an amount (never more than is left). Disabled lines
//! count nowhere; a recurring line counts one billing period.

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
    /// What the discount took off quantity × unit price.
    pub discount: Decimal,
}

impl LineTotals {
    /// The line's tax: with tax less without.
    pub fn tax(&self) -> Decimal {
        self.with_tax - self.without_tax
    }
}

/// A discount of a whole deal.
#[derive(Clone, Copy, Debug)]
pub struct DealDiscount {
    /// How `amount` reads.
    pub discount_type: DiscountType,
    /// A percentage (0–100) or an amount.
    pub amount: Decimal,
}

/// What a deal's enabled lines and its discounts make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealPrice {
    /// The lines' total before tax.
    pub lines_without_tax: Decimal,
    /// The lines' total with tax.
    pub lines_with_tax: Decimal,
    /// What each discount took off, in order.
    pub discounts: Vec<Decimal>,
    /// The lines' total with tax less the discounts: the value the products make.
    pub total: Decimal,
}

/// The price of a deal with `lines` (its enabled ones) and `discounts` (in order).
pub fn deal_price(lines: &[LineItem], discounts: &[DealDiscount]) -> DealPrice {
    let (mut lines_without_tax, mut lines_with_tax) = (Decimal::ZERO, Decimal::ZERO);
    for line in lines {
        let totals = line.totals();
        lines_without_tax += totals.without_tax;
        lines_with_tax += totals.with_tax;
    }
    let mut left = lines_with_tax;
    let discounts = discounts
        .iter()
        .map(|discount| {
            let off = match discount.discount_type {
                DiscountType::Percentage => cents(left * discount.amount / HUNDRED),
                DiscountType::Amount => discount.amount,
            }
            .min(left)
            .max(Decimal::ZERO);
            left -= off;
            off
        })
        .collect();
    DealPrice {
        lines_without_tax,
        lines_with_tax,
        discounts,
        total: left,
    }
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
        let discount = discount.min(gross).max(Decimal::ZERO);
        let net = gross - discount;
        let rate = Decimal::ONE + self.tax_percentage / HUNDRED;
        let (without_tax, with_tax) = match self.tax_method {
            TaxMethod::Exclusive => (net, net * rate),
            TaxMethod::Inclusive => (net / rate, net),
            TaxMethod::None => (net, net),
        };
        LineTotals {
            without_tax: cents(without_tax),
            with_tax: cents(with_tax),
            discount: cents(discount),
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
                with_tax: d("19260.00"),
                discount: d("2000.00"),
            }
        );
        assert_eq!(line.totals().tax(), d("1260.00"));
    }

    #[test]
    fn deal_discounts_apply_in_order_to_what_is_left() {
        let line = |price: &str| LineItem {
            quantity: d("1"),
            unit_price: d(price),
            discount_type: DiscountType::Percentage,
            discount: d("0"),
            tax_percentage: d("10"),
            tax_method: TaxMethod::Exclusive,
        };
        let discount = |discount_type, amount: &str| DealDiscount {
            discount_type,
            amount: d(amount),
        };
        // 100.00 + 33.33 with 10 % tax: 110.00 + 36.66 (36.663 rounded) = 146.66.
        let price = deal_price(
            &[line("100.00"), line("33.33")],
            &[
                discount(DiscountType::Percentage, "10"),
                discount(DiscountType::Amount, "20"),
                discount(DiscountType::Amount, "500"),
            ],
        );
        assert_eq!(price.lines_without_tax, d("133.33"));
        assert_eq!(price.lines_with_tax, d("146.66"));
        // 10 % of 146.66 is 14.666 → 14.67; then 20.00; then all that is left, 111.99.
        assert_eq!(price.discounts, vec![d("14.67"), d("20"), d("111.99")]);
        assert_eq!(price.total, d("0.00"));
        assert_eq!(deal_price(&[], &[]).total, Decimal::ZERO);
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
                with_tax: d("107.00"),
                discount: d("0"),
            }
        );
        line.discount = d("500");
        assert_eq!(
            line.totals(),
            LineTotals {
                without_tax: d("0"),
                with_tax: d("0"),
                discount: d("107.00"),
            }
        );
    }
}
