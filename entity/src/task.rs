//! A task of a deal (Rex).

use crate::enums::{Priority, TaskStatus};
use sea_orm::entity::prelude::*;

/// A row of `task`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub deal_id: Uuid,
    pub assignee_id: Option<Uuid>,
    pub title: String,
    pub priority: Priority,
    pub status: TaskStatus,
    pub due_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
