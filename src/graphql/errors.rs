//! Gives every error of a response an `extensions.code`, and hides internal detail.
//!
//! Resolver errors carry their code already ([`crate::error::AppError`]). Errors raised by
//! async-graphql itself (parse, validation, limits) get one here.

use crate::error::AppError;
use async_graphql::{ErrorExtensionValues, Response, ServerError, Value};

/// An error response with one error, for failures before the schema runs.
pub fn single_error(error: &AppError) -> Response {
    let mut server_error = ServerError::new(error.message(), None);
    server_error.extensions = Some(extensions_of(error));
    Response::from_errors(vec![server_error])
}

fn extensions_of(error: &AppError) -> ErrorExtensionValues {
    let mut values = ErrorExtensionValues::default();
    values.set("code", error.code());
    if let AppError::BadUserInput {
        field: Some(field), ..
    } = error
    {
        values.set("field", field.as_str());
    }
    values
}

fn has_code(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some())
}

/// The code for an error async-graphql raised without one.
fn code_for(error: &ServerError) -> &'static str {
    let message = error.message.as_str();
    if message.contains("nested too deep")
        || message.contains("too complex")
        || message.contains("recursion")
    {
        "LIMIT_EXCEEDED"
    } else if error.path.is_empty() {
        // Parse and validation errors, including arguments and variables of the wrong type.
        "GRAPHQL_VALIDATION_FAILED"
    } else {
        "INTERNAL_SERVER_ERROR"
    }
}

/// Adds a code to every error that lacks one. An uncoded error raised while resolving a
/// field is an internal one: its message is logged and replaced.
pub fn with_codes(mut response: Response) -> Response {
    for error in &mut response.errors {
        if has_code(error) {
            continue;
        }
        let code = code_for(error);
        if code == "INTERNAL_SERVER_ERROR" {
            tracing::error!(error = %error.message, path = ?error.path, "uncoded resolver error");
            error.message = "internal server error".into();
        }
        error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default)
            .set("code", Value::from(code));
    }
    response
}
