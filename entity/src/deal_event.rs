//! One change of a deal or of what hangs from it, numbered per organisation.

use sea_orm::entity::prelude::*;

/// A row of `deal_event`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// Per organisation, from 1, without gaps.
    pub sequence: i64,
    pub deal_id: Uuid,
    pub event_type: String,
    /// `[{ "field": …, "old": …, "new": … }]`.
    pub changes: Json,
    pub user_id: Option<Uuid>,
    pub api_key_id: Option<Uuid>,
    pub occurred_at: DateTimeUtc,
    /// The deal's pipeline just after the change (null on events from before it was kept).
    pub pipeline_id: Option<Uuid>,
    /// The deal's stage just after the change.
    pub stage_id: Option<Uuid>,
    /// The deal's owner just after the change.
    pub owner_id: Option<Uuid>,
}

impl ActiveModelBehavior for ActiveModel {}
