//! One move of a deal between stages; the first of a deal has no `from_stage_id`.

use sea_orm::entity::prelude::*;

/// A row of `stage_change`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stage_change")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub deal_id: Uuid,
    pub from_stage_id: Option<Uuid>,
    pub to_stage_id: Uuid,
    pub changed_at: DateTimeUtc,
    pub changed_by_id: Option<Uuid>,
    pub note: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
