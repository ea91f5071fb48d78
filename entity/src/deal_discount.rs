//! A discount of a whole deal (Pipedrive's deal discounts): a percentage or an amount.

use crate::Scaled;
use crate::enums::DiscountType;
use sea_orm::entity::prelude::*;

/// A row of `deal_discount`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal_discount")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub deal_id: Uuid,
    /// The order the deal's discounts apply in.
    pub position: i32,
    pub description: String,
    pub discount_type: DiscountType,
    /// A percentage (0–100) or an amount, in ten-thousandths.
    pub amount: Scaled,
    pub updated_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
