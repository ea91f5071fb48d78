//! Mutations on API keys: create one (shown once) and revoke one.

use super::service;
use super::types::{ApiKey, ApiKeyScope};
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::user::UserId;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::enums;

/// Input of `createApiKey`.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// A name to recognise the key by (1–100 characters).
    pub name: String,
    /// What the key may do; READ_WRITE when omitted.
    pub scope: Option<ApiKeyScope>,
    /// The user the key acts for; when omitted, the user of the key making this call.
    pub user_id: Option<ID>,
}

/// Result of `createApiKey`.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    /// The stored key.
    pub api_key: ApiKey,
    /// The key itself. This is the only time it is shown: store it safely.
    pub key: String,
}

/// Input of `revokeApiKey`.
#[derive(InputObject)]
pub struct RevokeApiKeyInput {
    /// The key to revoke.
    pub id: ID,
}

/// Result of `revokeApiKey`.
#[derive(SimpleObject)]
pub struct RevokeApiKeyPayload {
    /// The revoked key.
    pub api_key: ApiKey,
}

/// Mutations on API keys.
#[derive(Default)]
pub struct ApiKeyMutation;

#[Object]
impl ApiKeyMutation {
    /// Creates an API key for your organisation and returns it once.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The key to create.")] input: CreateApiKeyInput,
    ) -> AppResult<CreateApiKeyPayload> {
        let viewer = ctx.viewer()?;
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::bad_input(
                "input.name",
                "name must be 1–100 characters",
            ));
        }
        let user_id = match &input.user_id {
            Some(id) => {
                let uuid = expect_id(id, NodeKind::User, "input.userId")?;
                ctx.loaders()?
                    .load_one(UserId(uuid))
                    .await?
                    .ok_or_else(|| AppError::NotFound("user".into()))?;
                Some(uuid)
            }
            None => viewer.user_id,
        };
        let scope = match input.scope.unwrap_or(ApiKeyScope::ReadWrite) {
            ApiKeyScope::Read => enums::ApiKeyScope::Read,
            ApiKeyScope::ReadWrite => enums::ApiKeyScope::ReadWrite,
        };
        let created =
            service::create(ctx.db()?, viewer.organization_id, user_id, name, scope).await?;
        Ok(CreateApiKeyPayload {
            api_key: ApiKey(created.model),
            key: created.plain_key,
        })
    }

    /// Revokes an API key of your organisation; from then on it authenticates nothing.
    /// Revoking a revoked key changes nothing.
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The key to revoke.")] input: RevokeApiKeyInput,
    ) -> AppResult<RevokeApiKeyPayload> {
        let viewer = ctx.viewer()?;
        let id = expect_id(&input.id, NodeKind::ApiKey, "input.id")?;
        let key = service::revoke(ctx.db()?, viewer.organization_id, id).await?;
        crate::auth::forget_callers(ctx);
        Ok(RevokeApiKeyPayload {
            api_key: ApiKey(key),
        })
    }
}
