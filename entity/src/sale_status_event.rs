//! An event of a sale's status history: a label and an optional status tag.

use sea_orm::entity::prelude::*;

/// A row of `sale_status_event`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sale_status_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub sale_id: Uuid,
    pub label: String,
    pub status: Option<String>,
    pub changed_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
