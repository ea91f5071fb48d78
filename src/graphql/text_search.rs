//! Case-insensitive "contains" matching, the same on SQLite and PostgreSQL.

use crate::error::{AppError, AppResult};
use sea_orm::sea_query::{ExprTrait, Func, LikeExpr, SimpleExpr};

/// `LOWER(expr) LIKE '%term%'`, with LIKE's wildcards in `term` matched literally.
pub fn contains(expr: impl Into<SimpleExpr>, term: &str) -> SimpleExpr {
    let escaped = term
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    SimpleExpr::from(Func::lower(expr.into()))
        .like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

/// Longest search term, in characters.
pub const MAX_SEARCH: usize = 200;

/// The trimmed search term, or None when there is nothing to search for; BAD_USER_INPUT
/// (`filter.search`) when it is longer than [`MAX_SEARCH`] characters.
pub fn term(search: &Option<String>) -> AppResult<Option<&str>> {
    let term = search.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if term.is_some_and(|t| t.chars().count() > MAX_SEARCH) {
        return Err(AppError::bad_input(
            "filter.search",
            format!("a search term may have at most {MAX_SEARCH} characters"),
        ));
    }
    Ok(term)
}
