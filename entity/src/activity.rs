//! An activity logged on a deal (Rex): a call, a meeting, an email, a note.

use crate::enums::{ActivityStatus, ActivityType};
use sea_orm::entity::prelude::*;

/// A row of `activity`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub deal_id: Uuid,
    pub user_id: Option<Uuid>,
    pub activity_type: ActivityType,
    pub status: ActivityStatus,
    pub subject: String,
    pub note: Option<String>,
    pub occurred_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
