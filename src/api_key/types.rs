//! The `ApiKey` GraphQL type, its scope enum, and its loader key.

use crate::error::AppError;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::loader::load_by_id;
use crate::graphql::scalars::DateTime;
use crate::user::{User, UserId};
use async_graphql::{Context, Enum, ID, Object};
use entity::{api_key, enums};

/// What an API key may do.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiKeyScope {
    /// Queries only: every mutation is FORBIDDEN.
    Read,
    /// Queries and mutations.
    ReadWrite,
}

impl From<enums::ApiKeyScope> for ApiKeyScope {
    fn from(scope: enums::ApiKeyScope) -> Self {
        match scope {
            enums::ApiKeyScope::Read => Self::Read,
            enums::ApiKeyScope::ReadWrite => Self::ReadWrite,
        }
    }
}

/// An API key of your organisation. The key itself is shown only once, when it is created.
#[derive(Clone)]
pub struct ApiKey(pub api_key::Model);

/// An API key of your organisation. The key itself is shown only once, when it is created.
#[Object]
impl ApiKey {
    /// The key's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::ApiKey, self.0.id)
    }

    /// A name to recognise the key by.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The first characters of the key, safe to show (e.g. `dg_1a2b3c4d`).
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }

    /// What the key may do.
    async fn scope(&self) -> ApiKeyScope {
        self.0.scope.into()
    }

    /// The user the key acts for, if any.
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>, AppError> {
        match self.0.user_id {
            Some(id) => ctx.loaders()?.load_one(UserId(id)).await,
            None => Ok(None),
        }
    }

    /// When the key was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the key was revoked; a revoked key authenticates nothing.
    async fn revoked_at(&self) -> Option<DateTime> {
        self.0.revoked_at.map(DateTime)
    }
}

load_by_id!(ApiKeyId, api_key, ApiKey);
