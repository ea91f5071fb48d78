//! [`ContextExt`]: typed access to what every request carries (caller, database, loaders).

use super::loader::Loaders;
use crate::auth::Viewer;
use crate::db::reuse::ReadConnection;
use crate::error::{AppError, AppResult};
use async_graphql::Context;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// What a resolver needs from the request, without `unwrap`s.
pub trait ContextExt {
    /// The authenticated caller.
    fn viewer(&self) -> AppResult<&Viewer>;
    /// The database pool: for writes (transactions).
    fn db(&self) -> AppResult<&DatabaseConnection>;
    /// What reads go through: the pool, reusing connections between statements (see
    /// [`crate::db::reuse`]), as the request's loaders do.
    fn reads(&self) -> AppResult<&ReadConnection>;
    /// This request's loaders (a subscription's: its organisation's shared ones), scoped to
    /// the caller's organisation.
    fn loaders(&self) -> AppResult<&Loaders>;
}

impl ContextExt for Context<'_> {
    fn viewer(&self) -> AppResult<&Viewer> {
        self.data::<Viewer>()
            .map_err(|_| AppError::Unauthenticated("no API key".into()))
    }

    fn db(&self) -> AppResult<&DatabaseConnection> {
        self.data::<DatabaseConnection>()
            .map_err(|e| AppError::internal(e.message))
    }

    fn reads(&self) -> AppResult<&ReadConnection> {
        Ok(&self.loaders()?.loader().db)
    }

    fn loaders(&self) -> AppResult<&Loaders> {
        match self.data_opt::<Loaders>() {
            Some(loaders) => Ok(loaders),
            // A subscription's loaders are shared with the others of its organisation.
            None => self
                .data_opt::<Arc<Loaders>>()
                .map(AsRef::as_ref)
                .ok_or_else(|| AppError::internal("the request has no loaders")),
        }
    }
}
