//! Which of a deal's columns a page reads: those the fields selected on its deals need.
//!
//! A deal page whose deals answer only plain fields (`id`, `title`, `value`, `stage`…) reads
//! just their columns, and the id, the organisation, the sort keys and the joined relations'
//! foreign keys; Q4 of the peer benchmark asks 6 fields of a 28-column deal. Any other field
//! (one computed from more than its own columns, like `weightedValue`, or one loading rows
//! under the deal) makes the page read every column. A deal read in part answers only the
//! selection it was read for: it is never put in the request's by-id cache.

use super::list::DealIncludes;
use super::order::DealOrder;
use crate::graphql::row_decode::Columns;
use async_graphql::SelectionField;
use entity::deal;

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
/// reads besides: the sort keys and the foreign keys. None: every column.
pub(super) fn to_read(
    selected: Option<Columns>,
    order: &[DealOrder],
    includes: &DealIncludes,
) -> Option<Columns> {
    let mut columns = selected?;
    for key in order {
        columns = columns.with::<deal::Model>(key.field.column_name());
    }
    for foreign_key in includes.foreign_keys() {
        columns = columns.with::<deal::Model>(foreign_key);
    }
    (!columns.are_all::<deal::Model>()).then_some(columns)
}
