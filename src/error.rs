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
    /// A limit was exceeded: depth, complexity, page size, rate.
    LimitExceeded(String),
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
            Self::LimitExceeded(_) => "LIMIT_EXCEEDED",
            Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// A BAD_USER_INPUT error about `field`.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// An internal error: logs `detail` now and keeps it out of the response.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        let detail = detail.to_string();
        tracing::error!(error = %detail, "internal error");
        Self::Internal(detail)
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::internal(format_args!("database: {err}"))
    }
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
            | Self::LimitExceeded(message) => message.clone(),
            Self::Internal(_) => "internal server error".into(),
        }
    }
}

// AppError deliberately does not implement `Display`: async-graphql's blanket conversion
// from `Display` types would drop the code. This conversion keeps it.
impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.message()).extend_with(|_, e| {
            e.set("code", self.code());
            if let Self::BadUserInput {
                field: Some(field), ..
            } = self
            {
                e.set("field", field.as_str());
            }
        })
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        err.extend()
    }
}

/// The result type of services and resolvers.
pub type AppResult<T> = Result<T, AppError>;
