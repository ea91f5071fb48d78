//! The operation guard: a read-only key may query, never mutate.

use super::Viewer;
use crate::error::{AppError, AppResult};
use async_graphql::Request;
use async_graphql::parser::types::{DocumentOperations, OperationType};

/// The type of the operation `request` will run, when the document names it unambiguously.
/// Parsing is cached in the request, so the schema does not parse it again.
pub fn operation_type(request: &mut Request) -> Option<OperationType> {
    let name = request.operation_name.clone();
    let document = request.parsed_query().ok()?;
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => {
            ops.get(name.as_str()).map(|op| op.node.ty)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// FORBIDDEN when `viewer` may not run the operation `request` selects. Documents that do not
/// parse or select no operation pass through: the schema reports those errors itself.
pub fn authorize_operation(viewer: &Viewer, request: &mut Request) -> AppResult<()> {
    match operation_type(request) {
        Some(OperationType::Mutation) if !viewer.can_write() => Err(AppError::Forbidden(
            "this API key is read-only: mutations need a read-write key".into(),
        )),
        _ => Ok(()),
    }
}
