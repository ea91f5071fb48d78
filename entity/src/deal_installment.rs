//! An installment of a deal (Pipedrive's installments): a part of its value billed on a date.

use crate::Scaled;
use sea_orm::entity::prelude::*;

/// A row of `deal_installment`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal_installment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub deal_id: Uuid,
    pub description: String,
    pub amount: Scaled,
    pub billing_date: Date,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
