//! A sale (HyperRep): what a won deal becomes, with its quote, contacts and status history.

use sea_orm::entity::prelude::*;

/// A row of `sale`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sale")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    #[sea_orm(unique)]
    pub deal_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub currency: String,
    pub notes: Option<String>,
    pub conversation_ids: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_activity_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
