//! Gives every error of a response an `extensions.code`, and hides internal detail.
//!
//! Resolver errors carry their code already ([`crate::error::AppError`]: no resolver returns
//! any other error type). Errors async-graphql raises itself get one here, by where they
//! stand: at the position of an argument (its name, where validation reports, or its value,
//! where execution does), that value or its variable could not be read as the argument's
//! type (BAD_USER_INPUT, `field` naming the argument; at federation's `_entities` field
//! itself, a representation names no entity: `_entities.representations`); elsewhere
//! without a path, the document failed to parse or validate
//! (GRAPHQL_VALIDATION_FAILED); anything else is internal and its message is logged, never
//! sent.

use crate::error::{AppError, excerpt};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, Pos, Response, ServerError, Value};
use std::collections::HashMap;

/// An error response with one error, for failures before the schema runs.
pub fn single_error(error: &AppError) -> Response {
    let mut server_error = ServerError::new(error.message(), None);
    server_error.extensions = Some(extensions_of(error));
    Response::from_errors(vec![server_error])
}

fn extensions_of(error: &AppError) -> ErrorExtensionValues {
    let mut values = ErrorExtensionValues::default();
    error.set_extensions(&mut values);
    values
}

fn has_code(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some())
}

/// Where each argument value of a document stands, and the argument's name there
/// (`deals.filter`), so an error raised at that position can name its input.
#[derive(Default)]
pub struct ArgumentPositions(HashMap<Pos, String>);

impl ArgumentPositions {
    /// The argument values of every operation and fragment of `document`.
    pub fn of(document: &ExecutableDocument) -> Self {
        let mut positions = HashMap::new();
        for (_, operation) in document.operations.iter() {
            collect(&operation.node.selection_set.node, &mut positions);
        }
        for fragment in document.fragments.values() {
            collect(&fragment.node.selection_set.node, &mut positions);
        }
        Self(positions)
    }
}

fn collect(set: &SelectionSet, positions: &mut HashMap<Pos, String>) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                // async-graphql reports a representation it cannot resolve at the field.
                if field.node.name.node == "_entities" {
                    positions.insert(field.pos, "_entities.representations".to_owned());
                }
                for (name, value) in &field.node.arguments {
                    let argument = format!("{}.{}", field.node.name.node, name.node);
                    positions.insert(name.pos, argument.clone());
                    positions.insert(value.pos, argument);
                }
                collect(&field.node.selection_set.node, positions);
            }
            Selection::FragmentSpread(_) => {}
            Selection::InlineFragment(inline) => {
                collect(&inline.node.selection_set.node, positions)
            }
        }
    }
}

/// Adds a code to every error that lacks one (see the module docs).
pub fn with_codes(mut response: Response, arguments: &ArgumentPositions) -> Response {
    for error in &mut response.errors {
        if has_code(error) {
            continue;
        }
        let argument = error.locations.first().and_then(|pos| arguments.0.get(pos));
        let extensions = error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default);
        if let Some(argument) = argument {
            extensions.set("code", Value::from("BAD_USER_INPUT"));
            extensions.set("field", Value::from(argument.as_str()));
        } else if error.path.is_empty() {
            extensions.set("code", Value::from("GRAPHQL_VALIDATION_FAILED"));
        } else {
            tracing::error!(error = %excerpt(&error.message), path = ?error.path, "uncoded resolver error");
            error.message = "internal server error".into();
            extensions.set("code", Value::from("INTERNAL_SERVER_ERROR"));
        }
    }
    response
}
