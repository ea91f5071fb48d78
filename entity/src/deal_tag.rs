//! A tag of a deal, one row a tag, so that tag filters use an index.

use sea_orm::entity::prelude::*;

/// A row of `deal_tag`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal_tag")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub deal_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub tag: String,
    pub organization_id: Uuid,
}

impl ActiveModelBehavior for ActiveModel {}
