//! [`Viewer`]: the caller behind a request, found from its API key.

use super::cache::ViewerCache;
use crate::api_key::service as api_keys;
use crate::error::{AppError, AppResult};
use axum::http::HeaderMap;
use entity::enums::ApiKeyScope;
use sea_orm::{ConnectionTrait, prelude::Uuid};

/// The authenticated caller of one request: an API key of one organisation.
#[derive(Clone, Debug)]
pub struct Viewer {
    /// The organisation every query of this request is scoped to.
    pub organization_id: Uuid,
    /// The user the key belongs to, if any.
    pub user_id: Option<Uuid>,
    /// The key used.
    pub api_key_id: Uuid,
    /// What the key may do.
    pub scope: ApiKeyScope,
}

impl Viewer {
    /// Whether this caller may run mutations.
    pub fn can_write(&self) -> bool {
        self.scope == ApiKeyScope::ReadWrite
    }
}

/// The API key sent in `X-API-KEY`, or else as `Authorization: Bearer …`.
pub fn api_key_from_headers(headers: &HeaderMap) -> Option<&str> {
    if let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(key.trim());
    }
    let authorization = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = authorization.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Finds the caller for `key`, from `cache` when it authenticated moments ago:
/// UNAUTHENTICATED when it is missing, unknown or revoked.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    cache: &ViewerCache,
    key: Option<&str>,
) -> AppResult<Viewer> {
    let key = key.filter(|k| !k.is_empty()).ok_or_else(|| {
        AppError::Unauthenticated(
            "an API key is required: send it as X-API-KEY or Authorization: Bearer".into(),
        )
    })?;
    let key_hash = api_keys::hash(key);
    if let Some(viewer) = cache.get(&key_hash) {
        return Ok(viewer);
    }
    let found = api_keys::find_active_by_hash(db, &key_hash).await?;
    let Some(api_key) = found else {
        tracing::info!(key_prefix = %api_keys::display_prefix(key), "rejected API key");
        return Err(AppError::Unauthenticated(
            "the API key is invalid or revoked".into(),
        ));
    };
    let viewer = Viewer {
        organization_id: api_key.organization_id,
        user_id: api_key.user_id,
        api_key_id: api_key.id,
        scope: api_key.scope,
    };
    cache.insert(key_hash, viewer.clone());
    Ok(viewer)
}
