//! Creating, changing and (softly) deleting companies.

use crate::auth::Viewer;
use crate::clock;
use crate::error::{AppError, AppResult};
use entity::company;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

/// The live company `id` of the organisation.
pub async fn find(db: &impl ConnectionTrait, org: Uuid, id: Uuid) -> AppResult<company::Model> {
    company::Entity::find_by_id(id)
        .filter(company::Column::OrganizationId.eq(org))
        .filter(company::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("company".into()))
}

/// Creates a company.
pub async fn create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    name: String,
    domain: Option<String>,
) -> AppResult<company::Model> {
    let now = clock::now();
    Ok(company::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(viewer.organization_id),
        name: Set(name),
        domain: Set(domain),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
    }
    .insert(db)
    .await?)
}

/// Changes a company's name and/or domain (`Some(None)` clears the domain).
pub async fn update(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    name: Option<String>,
    domain: Option<Option<String>>,
) -> AppResult<company::Model> {
    let mut row: company::ActiveModel = find(db, viewer.organization_id, id).await?.into();
    if let Some(name) = name {
        row.name = Set(name);
    }
    if let Some(domain) = domain {
        row.domain = Set(domain);
    }
    row.updated_at = Set(clock::now());
    Ok(row.update(db).await?)
}

/// Soft-deletes a company: deals, contacts and sales keep pointing at it, lists leave it out.
pub async fn delete(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<company::Model> {
    let mut row: company::ActiveModel = find(db, viewer.organization_id, id).await?.into();
    let now = clock::now();
    row.deleted_at = Set(Some(now));
    row.updated_at = Set(now);
    Ok(row.update(db).await?)
}
