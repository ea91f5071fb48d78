//! Which of a deal's columns a page reads: those the fields selected on its deals need.
//!
//! A deal page whose deals answer only plain fields (`id`, `title`, `value`, `stage`…) reads
//! just their columns, and the id, the organisation, the sort keys and the joined relations'
//! foreign keys; Q4 of the peer benchmark asks 6 fields of a 28-column deal. Any other field
//! (one computed from more than its own columns, like `weightedValue`, or one loading rows
//! under the deal) makes the page read every column. A deal read in part answers only the
//! selection it was read for: it is never put in the request's by-id cache.
//!
//! The stage, pipeline, company, contact and owner joined to a page are read the same way:
//! a field of theirs named like one of their columns (`firstName` → `first_name`) reads that
//! column, any other field every column. Read in part, they are kept in the request's
//! [`PartRows`] for the relation fields whose selection they cover.

use super::child_connection::names_field;
use super::list::{DealIncludes, ReadColumns};
use super::order::{DealOrder, DealOrderField};
use crate::graphql::part_rows::PartRows;
use crate::graphql::row_decode::{Columns, DecodeAt};
use async_graphql::{Context, SelectionField};
use entity::{deal, stage, user};
use sea_orm::prelude::Uuid;
use std::any::Any;

/// The columns `field` of `Deal` reads from the deal's own row; None for a field that needs
/// more (every column is then read).
fn columns_of(field: &str) -> Option<&'static [&'static str]> {
    Some(match field {
        "__typename" => &[],
        "id" => &["id"],
        "title" => &["title"],
        "value" => &["value", "currency"],
        "currency" => &["currency"],
        "status" => &["status"],
        "pipeline" => &["pipeline_id"],
        "stage" => &["stage_id"],
        "contact" => &["contact_id"],
        "company" => &["company_id"],
        "owner" => &["owner_id"],
        "expectedCloseDate" => &["expected_close_date"],
        "priority" => &["priority"],
        "source" => &["source"],
        "customFields" => &["custom_fields"],
        "lostReason" => &["lost_reason"],
        "wonAt" => &["won_at"],
        "lostAt" => &["lost_at"],
        "closedAt" => &["closed_at"],
        "stageChangedAt" => &["stage_changed_at"],
        "lastActivityAt" => &["last_activity_at"],
        "archivedAt" => &["archived_at"],
        "deletedAt" => &["deleted_at"],
        "createdAt" => &["created_at"],
        "updatedAt" => &["updated_at"],
        "version" => &["version"],
        "valueAdjustment" => &["value_adjustment", "currency"],
        "createdBy" => &["created_by_id"],
        _ => return None,
    })
}

/// The deal columns the fields of `selections` (the deals' selection sets: `nodes`,
/// `edges.node`) read, with the id and the organisation; None: every column.
pub(super) fn selected<'a>(
    selections: impl IntoIterator<Item = SelectionField<'a>>,
) -> Option<Columns> {
    let mut columns = Columns::none()
        .with::<deal::Model>("id")
        .with::<deal::Model>("organization_id");
    for selection in selections {
        for field in selection.selection_set() {
            for column in columns_of(field.name())? {
                columns = columns.with::<deal::Model>(column);
            }
        }
    }
    Some(columns)
}

/// `selected` and the columns a page ordered by `order`, with `includes`' relations joined,
/// reads besides: the sort keys and the foreign keys of the deal, the stage's position and
/// the owner's name.
pub(super) fn to_read(
    selected: ReadColumns,
    order: &[DealOrder],
    includes: &DealIncludes,
) -> ReadColumns {
    let mut read = selected;
    read.deal = read.deal.and_then(|mut columns| {
        for key in order {
            columns = columns.with::<deal::Model>(key.field.column_name());
        }
        for foreign_key in includes.foreign_keys() {
            columns = columns.with::<deal::Model>(foreign_key);
        }
        (!columns.are_all::<deal::Model>()).then_some(columns)
    });
    for key in order {
        match key.field {
            DealOrderField::StagePosition => {
                read.stage = read.stage.map(|c| c.with::<stage::Model>("position"));
            }
            DealOrderField::OwnerName => {
                read.owner = read.owner.map(|c| c.with::<user::Model>("name"));
            }
            _ => {}
        }
    }
    read
}

/// The columns of a relation `M` the fields of `selections` (its selection sets) read, with
/// its id; None when a field is not one of its columns, or every column is read.
pub(super) fn of_relation<'a, M: DecodeAt>(
    selections: impl IntoIterator<Item = SelectionField<'a>>,
) -> Option<Columns> {
    let mut columns = Columns::none().with::<M>("id");
    for selection in selections {
        for field in selection.selection_set() {
            let name = field.name();
            if name == "__typename" {
                continue;
            }
            let column = M::COLUMNS.iter().find(|column| names_field(column, name))?;
            columns = columns.with::<M>(column);
        }
    }
    (!columns.are_all::<M>()).then_some(columns)
}

/// The relation `id` of type `M` a page read in part, when it holds what the field being
/// resolved (`deal.stage`, …) selects on it.
pub(super) fn part_row<M: DecodeAt + Any + Clone>(ctx: &Context<'_>, id: Uuid) -> Option<M> {
    ctx.data_opt::<PartRows>()?.find_for::<M>(id, ctx.item, || {
        of_relation::<M>(ctx.look_ahead().selection_fields())
    })
}
