//! `orderBy: [DealOrder!]`: the sort keys of deal lists and their cursor values.

use crate::graphql::pagination::{KeyValue, SortKey};
use async_graphql::{Enum, InputObject};
use entity::deal;
use sea_orm::IdenStatic;
use sea_orm::sea_query::{Expr, SimpleExpr};

/// What deals can be sorted by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DealOrderField {
    /// The id, i.e. creation order (the default, as in Pipedrive).
    Id,
    /// The title, alphabetically.
    Title,
    /// The value (numbers across currencies are compared as they are).
    Value,
    /// When the deal was created.
    CreatedAt,
    /// When the deal was last changed.
    UpdatedAt,
    /// The expected close date; deals without one come last.
    ExpectedCloseDate,
    /// When the deal entered its stage.
    StageChangedAt,
    /// When an activity was last logged; deals without one come last.
    LastActivityAt,
}

/// A direction of sorting.
#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum OrderDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// One key of a deal ordering. Lists are sorted by the keys in order, then by id.
#[derive(InputObject, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DealOrder {
    /// What to sort by.
    pub field: DealOrderField,
    /// Which way; ASC when omitted.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl DealOrderField {
    fn column(self) -> deal::Column {
        match self {
            Self::Id => deal::Column::Id,
            Self::Title => deal::Column::Title,
            Self::Value => deal::Column::Value,
            Self::CreatedAt => deal::Column::CreatedAt,
            Self::UpdatedAt => deal::Column::UpdatedAt,
            Self::ExpectedCloseDate => deal::Column::ExpectedCloseDate,
            Self::StageChangedAt => deal::Column::StageChangedAt,
            Self::LastActivityAt => deal::Column::LastActivityAt,
        }
    }

    fn nullable(self) -> bool {
        matches!(self, Self::ExpectedCloseDate | Self::LastActivityAt)
    }

    /// This key's value in `deal`, for its cursor.
    pub fn value_of(self, deal: &deal::Model) -> KeyValue {
        match self {
            Self::Id => KeyValue::Uuid(deal.id),
            Self::Title => KeyValue::Text(deal.title.clone()),
            Self::Value => KeyValue::Int(deal.value.0),
            Self::CreatedAt => KeyValue::Time(deal.created_at),
            Self::UpdatedAt => KeyValue::Time(deal.updated_at),
            Self::ExpectedCloseDate => deal.expected_close_date.map(KeyValue::Date).into(),
            Self::StageChangedAt => KeyValue::Time(deal.stage_changed_at),
            Self::LastActivityAt => deal.last_activity_at.map(KeyValue::Time).into(),
        }
    }
}

/// A deal column qualified by its table, as sort keys and conditions use it.
pub fn deal_column(column: deal::Column) -> SimpleExpr {
    Expr::col((deal::Entity, column))
}

/// The id column, the tie-breaker of every ordering.
pub fn id_column() -> SimpleExpr {
    deal_column(deal::Column::Id)
}

/// The sort keys of `orders` (without the final id).
pub fn sort_keys(orders: &[DealOrder]) -> Vec<SortKey> {
    orders
        .iter()
        .map(|order| SortKey {
            expr: deal_column(order.field.column()),
            descending: order.direction == OrderDirection::Desc,
            nullable: order.field.nullable(),
        })
        .collect()
}

/// The ordering's signature, kept in its cursors (e.g. `value:DESC`).
pub fn signature(orders: &[DealOrder]) -> String {
    orders
        .iter()
        .map(|o| format!("{}:{:?}", o.field.column().as_str(), o.direction))
        .collect::<Vec<_>>()
        .join(",")
}
