//! A product line of a deal: quantity, unit price, discount and tax, all exact.

use crate::Scaled;
use crate::enums::{BillingFrequency, DiscountType, TaxMethod};
use sea_orm::entity::prelude::*;

/// A row of `deal_product`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal_product")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub deal_id: Uuid,
    pub position: i32,
    pub name: String,
    pub sku: Option<String>,
    pub quantity: Scaled,
    pub unit_price: Scaled,
    pub discount_type: DiscountType,
    pub discount: Scaled,
    pub tax_percentage: Scaled,
    pub tax_method: TaxMethod,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub billing_frequency: BillingFrequency,
    /// Billing periods; None with ONE_TIME, and for a recurring line billed indefinitely.
    pub billing_frequency_cycles: Option<i32>,
    pub billing_start_date: Option<Date>,
    pub comments: Option<String>,
    /// A disabled line counts nowhere: not in the deal's value, not in its quote.
    pub is_enabled: bool,
}

impl ActiveModelBehavior for ActiveModel {}
