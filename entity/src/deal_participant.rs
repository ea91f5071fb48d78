//! A contact taking part in a deal besides its main contact (Pipedrive's participants).

use sea_orm::entity::prelude::*;

/// A row of `deal_participant`: one contact of one deal, at most once.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal_participant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub deal_id: Uuid,
    pub contact_id: Uuid,
    pub added_by_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
