//! A product line of a deal: quantity, unit price, discount and tax, all exact.

use crate::Scaled;
use crate::enums::{DiscountType, TaxMethod};
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
}

impl ActiveModelBehavior for ActiveModel {}
