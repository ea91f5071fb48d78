//! [`AppError`]: the one error type of the API, each variant with its `extensions.code`.
//!
//! Internal errors (database, bugs) are logged with their detail and reach the client as a
//! generic message: no SQL, no stack, no driver text.

use async_graphql::ErrorExtensions;

/// Everything a request can fail with.
#[derive(Clone, Debug)]
pub enum AppError {
    /// The input is invalid; `field` names the offending input field.
    BadUserInput {
        /// What is wrong, for a person to read.
        message: String,
        /// The input field at fault (e.g. `input.title`), when there is one.
        field: Option<String>,
    },
    /// No API key, or one that is unknown or revoked.
    Unauthenticated(String),
    /// The key may not do this (e.g. a read-only key and a mutation).
    Forbidden(String),
    /// The object does not exist in the caller's organisation.
    NotFound(String),
    /// A stale version or an illegal transition.
    Conflict(String),
    /// A limit was exceeded: depth, cost, document size, page size, deadline.
    LimitExceeded(String),
    /// The request body is larger than the limit (HTTP 413).
    PayloadTooLarge(String),
    /// The key's cost budget is spent; retry after `retry_after` seconds (HTTP 429).
    RateLimited {
        /// What is wrong, for a person to read.
        message: String,
        /// Seconds until the request would fit the budget.
        retry_after: u64,
    },
    /// The HTTP request itself is malformed: its JSON, method or media type (`status`).
    BadRequest {
        /// What is wrong, for a person to read.
        message: String,
        /// The HTTP status to answer with (400, 405, 415).
        status: u16,
    },
    /// The document is not valid GraphQL for this schema.
    Validation(String),
    /// The database cannot be reached; retry shortly (HTTP 503).
    Unavailable(String),
    /// An automatic persisted query's hash is not known here (yet): the client sends the
    /// query again with its hash (Apollo's APQ contract, message `PersistedQueryNotFound`).
    PersistedQueryNotFound,
    /// A sync token points before the oldest event kept: the client reloads its copy and
    /// starts a new feed.
    SyncTokenExpired(String),
    /// An item of an ALL_OR_NOTHING batch that was fine, not written because another item
    /// failed.
    RolledBack(String),
    /// Anything else; the detail is logged, never sent.
    Internal(String),
}

impl AppError {
    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput { .. } => "BAD_USER_INPUT",
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Conflict(_) => "CONFLICT",
            Self::LimitExceeded(_) | Self::PayloadTooLarge(_) | Self::RateLimited { .. } => {
                "LIMIT_EXCEEDED"
            }
            Self::BadRequest { .. } => "BAD_REQUEST",
            Self::Validation(_) => "GRAPHQL_VALIDATION_FAILED",
            Self::Unavailable(_) => "SERVICE_UNAVAILABLE",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::SyncTokenExpired(_) => "SYNC_TOKEN_EXPIRED",
            Self::RolledBack(_) => "ROLLED_BACK",
            Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The HTTP status of a response that fails with this error before any field ran.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::Unauthenticated(_) => 401,
            Self::PayloadTooLarge(_) => 413,
            Self::RateLimited { .. } => 429,
            Self::BadRequest { status, .. } => *status,
            Self::Unavailable(_) => 503,
            _ => 200,
        }
    }

    /// Seconds the client should wait before retrying, when waiting helps.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after, .. } => Some(*retry_after),
            Self::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER),
            _ => None,
        }
    }

    /// A GRAPHQL_VALIDATION_FAILED error.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::Validation(message.into())
    }

    /// A BAD_REQUEST error answered with HTTP `status`.
    pub fn bad_request(status: u16, message: impl Into<String>) -> Self {
        Self::BadRequest {
            message: message.into(),
            status,
        }
    }

    /// Sets this error's extensions: `code`, and `field` / `retryAfter` where they apply.
    pub fn set_extensions(&self, extensions: &mut async_graphql::ErrorExtensionValues) {
        extensions.set("code", self.code());
        if let Self::BadUserInput {
            field: Some(field), ..
        } = self
        {
            extensions.set("field", field.as_str());
        }
        if let Some(seconds) = self.retry_after() {
            extensions.set("retryAfter", seconds);
        }
    }

    /// A BAD_USER_INPUT error about `field`.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// The same error, naming the input `to` where it named `from` (an argument that the
    /// client knows by another name).
    pub fn renamed_field(self, from: &str, to: &str) -> Self {
        match self {
            Self::BadUserInput {
                message,
                field: Some(field),
            } if field == from => Self::BadUserInput {
                message: message.replace(from, to),
                field: Some(to.to_owned()),
            },
            other => other,
        }
    }

    /// An internal error: logs `detail` now and keeps it out of the response.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        let detail = detail.to_string();
        tracing::error!(error = %excerpt(&detail), "internal error");
        Self::Internal(detail)
    }
}

/// Seconds a client is asked to wait while the database is unreachable.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 5;

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        match err {
            sea_orm::DbErr::ConnectionAcquire(_) | sea_orm::DbErr::Conn(_) => {
                tracing::error!(error = %excerpt(&err.to_string()), "database unreachable");
                Self::Unavailable("the database is unavailable; retry shortly".into())
            }
            err => Self::internal(format_args!("database: {err}")),
        }
    }
}

/// Longest excerpt of a client-supplied or error text that goes into a log line.
pub const LOG_EXCERPT: usize = 200;

/// `text` cut to at most [`LOG_EXCERPT`] bytes (on a character boundary), marked when cut:
/// a log line never carries a client's value whole.
pub fn excerpt(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= LOG_EXCERPT {
        return text.into();
    }
    let mut end = LOG_EXCERPT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len()).into()
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

impl AppError {
    /// The message the client sees. Internal errors say nothing of their detail.
    pub fn message(&self) -> String {
        match self {
            Self::BadUserInput { message, .. } => message.clone(),
            Self::NotFound(what) => format!("{what} not found"),
            Self::Unauthenticated(message)
            | Self::Forbidden(message)
            | Self::Conflict(message)
            | Self::LimitExceeded(message)
            | Self::PayloadTooLarge(message)
            | Self::RateLimited { message, .. }
            | Self::BadRequest { message, .. }
            | Self::Validation(message)
            | Self::SyncTokenExpired(message)
            | Self::RolledBack(message)
            | Self::Unavailable(message) => message.clone(),
            Self::PersistedQueryNotFound => "PersistedQueryNotFound".into(),
            Self::Internal(_) => "internal server error".into(),
        }
    }
}

// AppError deliberately does not implement `Display`: async-graphql's blanket conversion
// from `Display` types would drop the code. This conversion keeps it.
impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.message()).extend_with(|_, e| self.set_extensions(e))
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        err.extend()
    }
}

/// The result type of services and resolvers.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_excerpts_are_short_and_cut_on_a_character_boundary() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(1_000_000);
        let cut = excerpt(&long);
        assert!(cut.len() < LOG_EXCERPT + 40, "{}", cut.len());
        assert!(cut.ends_with("… (2000000 bytes)"), "{cut}");
    }
}
