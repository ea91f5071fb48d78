//! `viewer`: who the caller is.

use super::Viewer;
use crate::api_key::{ApiKey, ApiKeyId, ApiKeyScope};
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::organization::{Organization, OrganizationId};
use crate::user::{User, UserId};
use async_graphql::{Context, Object};

/// The `viewer` root field.
#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// Who you are: the organisation, user and key of this request's API key.
    async fn viewer(&self, ctx: &Context<'_>) -> AppResult<Viewer> {
        ctx.viewer().cloned()
    }
}

/// The caller of this request, as its API key says.
#[Object(name = "Viewer")]
impl Viewer {
    /// The organisation everything you see belongs to.
    async fn organization(&self, ctx: &Context<'_>) -> AppResult<Organization> {
        ctx.loaders()?
            .load_one(OrganizationId(self.organization_id))
            .await?
            .ok_or_else(|| AppError::internal("the viewer's organisation is missing"))
    }

    /// The user the key acts for, if it belongs to one.
    async fn user(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        match self.user_id {
            Some(id) => ctx.loaders()?.load_one(UserId(id)).await,
            None => Ok(None),
        }
    }

    /// The API key of this request.
    async fn api_key(&self, ctx: &Context<'_>) -> AppResult<Option<ApiKey>> {
        ctx.loaders()?.load_one(ApiKeyId(self.api_key_id)).await
    }

    /// What this key may do.
    async fn scope(&self) -> ApiKeyScope {
        self.scope.into()
    }
}
