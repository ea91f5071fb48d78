//! A line of a sale's quote.

use crate::Scaled;
use crate::enums::QuoteLineKind;
use sea_orm::entity::prelude::*;

/// A row of `sale_line_item`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sale_line_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub sale_id: Uuid,
    pub position: i32,
    pub product_name: String,
    pub quantity: Scaled,
    pub unit_price: Scaled,
    pub total: Scaled,
    /// What the line's discount took off, before tax.
    pub discount: Scaled,
    /// The line's tax.
    pub tax: Scaled,
    pub kind: QuoteLineKind,
}

impl ActiveModelBehavior for ActiveModel {}
