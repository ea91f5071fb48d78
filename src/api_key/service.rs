//! Creating, finding and revoking API keys. The plain key exists only in the creator's hands:
//! the database keeps its SHA-256 hash and a short display prefix.

use crate::clock;
use crate::error::{AppError, AppResult};
use entity::{api_key, enums::ApiKeyScope};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryFilter, prelude::*};

/// The start of every key, so that leaked keys are easy to recognise and scan for.
const KEY_MARK: &str = "dg_";
/// Characters of a key kept in clear for display and logs: the mark and 8 hex digits.
const PREFIX_LEN: usize = KEY_MARK.len() + 8;

/// A key as stored, with the plain key that was just generated for it.
pub struct CreatedKey {
    /// The stored row.
    pub model: api_key::Model,
    /// The plain key: shown once, never stored.
    pub plain_key: String,
}

/// The part of `key` that may be shown or logged.
pub fn display_prefix(key: &str) -> &str {
    key.get(..PREFIX_LEN).unwrap_or("")
}

/// The SHA-256 of `key`, in hex: what the database keeps.
pub fn hash(key: &str) -> String {
    crate::digest::hex_sha256(key)
}

fn generate() -> AppResult<String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    Ok(format!(
        "{KEY_MARK}{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// Creates a key for `organization_id` (and optionally a user) and returns its plain text once.
pub async fn create(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    user_id: Option<Uuid>,
    name: &str,
    scope: ApiKeyScope,
) -> AppResult<CreatedKey> {
    let plain_key = generate()?;
    let model = api_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(organization_id),
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        prefix: Set(display_prefix(&plain_key).to_owned()),
        key_hash: Set(hash(&plain_key)),
        scope: Set(scope),
        created_at: Set(clock::now()),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(CreatedKey { model, plain_key })
}

/// The unrevoked key whose SHA-256 (see [`hash`]) is `key_hash`.
pub async fn find_active_by_hash(
    db: &impl ConnectionTrait,
    key_hash: &str,
) -> AppResult<Option<api_key::Model>> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(key_hash))
        .filter(api_key::Column::RevokedAt.is_null())
        .one(db)
        .await?)
}

/// Revokes key `id` of `organization_id`; NOT_FOUND for a key of another organisation.
pub async fn revoke(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    id: Uuid,
) -> AppResult<api_key::Model> {
    let key = api_key::Entity::find_by_id(id)
        .filter(api_key::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("API key".into()))?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let mut active: api_key::ActiveModel = key.into();
    active.revoked_at = Set(Some(clock::now()));
    Ok(active.update(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_and_prefixed() {
        let a = generate().unwrap_or_default();
        let b = generate().unwrap_or_default();
        assert_ne!(a, b);
        assert_eq!(a.len(), KEY_MARK.len() + 48);
        assert!(a.starts_with(KEY_MARK));
        assert_eq!(display_prefix(&a).len(), PREFIX_LEN);
        assert_eq!(display_prefix("short"), "");
        assert_eq!(hash("x").len(), 64);
    }
}
