//! Case-insensitive "contains" matching, the same on SQLite and PostgreSQL.

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

/// The trimmed search term, or None when there is nothing to search for.
pub fn term(search: &Option<String>) -> Option<&str> {
    search.as_deref().map(str::trim).filter(|t| !t.is_empty())
}
