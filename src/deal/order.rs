//! `orderBy: [DealOrder!]`: the sort keys of deal lists and their cursor values.

use crate::graphql::pagination::{KeyValue, SortKey};
use async_graphql::{Enum, InputObject};
use entity::{deal, enums, stage, user};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ActiveEnum, EntityTrait, IdenStatic};

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
    /// The stage's position in its pipeline (board order).
    StagePosition,
    /// The owner's name, alphabetically; deals without an owner come last.
    OwnerName,
    /// The priority, LOW < MEDIUM < HIGH.
    Priority,
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
    /// The deal column this key sorts on, or the column its related value hangs from.
    fn column(self) -> deal::Column {
        match self {
            Self::StagePosition => deal::Column::StageId,
            Self::OwnerName => deal::Column::OwnerId,
            Self::Priority => deal::Column::Priority,
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
        matches!(
            self,
            Self::ExpectedCloseDate | Self::LastActivityAt | Self::OwnerName
        )
    }

    /// The key's name in cursors: its column's, or what it sorts on for a related value.
    fn name(self) -> &'static str {
        match self {
            Self::StagePosition => "stage_position",
            Self::OwnerName => "owner_name",
            other => other.column().as_str(),
        }
    }

    /// The deal's column this key reads (for the stage's position or the owner's name, the
    /// foreign key).
    pub fn column_name(self) -> &'static str {
        self.column().as_str()
    }

    /// Whether sorting by this key needs the deals' stage or owner fetched with the page (its
    /// cursor value is theirs).
    pub fn needs(self) -> (bool, bool) {
        (self == Self::StagePosition, self == Self::OwnerName)
    }

    /// The SQL this key sorts on: the column, or for a related value a correlated subquery
    /// (it stands inside the per-parent page, before any join), or the priority's rank.
    fn expr(self) -> SimpleExpr {
        match self {
            Self::StagePosition => related(
                stage::Entity,
                stage::Column::Position,
                stage::Column::Id,
                deal::Column::StageId,
            ),
            Self::OwnerName => related(
                user::Entity,
                user::Column::Name,
                user::Column::Id,
                deal::Column::OwnerId,
            ),
            Self::Priority => Expr::case(
                deal_column(deal::Column::Priority).eq(enums::Priority::Low.to_value()),
                1,
            )
            .case(
                deal_column(deal::Column::Priority).eq(enums::Priority::Medium.to_value()),
                2,
            )
            .finally(3)
            .into(),
            other => deal_column(other.column()),
        }
    }

    /// This key's value in a listed row, for its cursor: the deal's own column, its stage's
    /// position or its owner's name (fetched with the page, see [`Self::needs`]).
    pub fn value_of(
        self,
        deal: &deal::Model,
        stage: Option<&stage::Model>,
        owner: Option<&user::Model>,
    ) -> KeyValue {
        match self {
            Self::StagePosition => stage.map(|s| KeyValue::Int(i64::from(s.position))).into(),
            Self::OwnerName => owner.map(|u| KeyValue::Text(u.name.clone())).into(),
            Self::Priority => KeyValue::Int(match deal.priority {
                enums::Priority::Low => 1,
                enums::Priority::Medium => 2,
                enums::Priority::High => 3,
            }),
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

/// `(SELECT value FROM table WHERE table.id = deal.foreign_key)`.
fn related<E: EntityTrait>(
    table: E,
    value: E::Column,
    id: E::Column,
    foreign_key: deal::Column,
) -> SimpleExpr {
    let lookup = Query::select()
        .column((table, value))
        .from(table)
        .and_where(Expr::col((table, id)).equals((deal::Entity, foreign_key)))
        .to_owned();
    SimpleExpr::SubQuery(None, Box::new(lookup.into()))
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
            expr: order.field.expr(),
            descending: order.direction == OrderDirection::Desc,
            nullable: order.field.nullable(),
        })
        .collect()
}

/// The ordering's signature, kept in its cursors (e.g. `value:DESC`).
pub fn signature(orders: &[DealOrder]) -> String {
    orders
        .iter()
        .map(|o| format!("{}:{:?}", o.field.name(), o.direction))
        .collect::<Vec<_>>()
        .join(",")
}
