//! A contact associated with a sale; exactly one per sale is primary.

use sea_orm::entity::prelude::*;

/// A row of `sale_contact`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sale_contact")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sale_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub contact_id: Uuid,
    pub organization_id: Uuid,
    pub is_primary: bool,
}

impl ActiveModelBehavior for ActiveModel {}
