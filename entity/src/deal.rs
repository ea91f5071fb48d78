//! A deal: the heart of the domain.

use crate::Scaled;
use crate::enums::{DealStatus, Priority};
use sea_orm::entity::prelude::*;

/// A row of `deal`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub title: String,
    pub value: Scaled,
    pub currency: String,
    pub status: DealStatus,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub expected_close_date: Option<Date>,
    pub priority: Priority,
    pub source: Option<String>,
    pub custom_fields: Json,
    pub lost_reason: Option<String>,
    pub won_at: Option<DateTimeUtc>,
    pub lost_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub stage_changed_at: DateTimeUtc,
    pub last_activity_at: Option<DateTimeUtc>,
    pub archived_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    /// The user whose key created the deal.
    pub created_by_id: Option<Uuid>,
    /// What the final value a deal with products was won at adds to its products' value.
    pub value_adjustment: Option<Scaled>,
}

impl ActiveModelBehavior for ActiveModel {}
