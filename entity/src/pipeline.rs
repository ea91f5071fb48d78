//! A pipeline: an ordered list of stages.

use sea_orm::entity::prelude::*;

/// A row of `pipeline`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pipeline")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub position: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Open deals with no activity for more than this many days are stalled (Rex); None:
    /// they never are.
    pub stalled_after_days: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
