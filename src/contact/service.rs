//! Creating, changing and (softly) deleting contacts.

use crate::auth::Viewer;
use crate::clock;
use crate::error::{AppError, AppResult};
use entity::contact;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

/// A contact's fields, validated.
pub struct ContactFields {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Company.
    pub company_id: Option<Uuid>,
}

/// Changes: None leaves a field; `Some(None)` clears a nullable one.
#[derive(Default)]
pub struct ContactChanges {
    /// New first name.
    pub first_name: Option<String>,
    /// New last name.
    pub last_name: Option<String>,
    /// New email.
    pub email: Option<Option<String>>,
    /// New phone.
    pub phone: Option<Option<String>>,
    /// New company.
    pub company_id: Option<Option<Uuid>>,
}

async fn find(db: &impl ConnectionTrait, org: Uuid, id: Uuid) -> AppResult<contact::Model> {
    contact::Entity::find_by_id(id)
        .filter(contact::Column::OrganizationId.eq(org))
        .filter(contact::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("contact".into()))
}

/// Creates a contact.
pub async fn create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    fields: ContactFields,
) -> AppResult<contact::Model> {
    if let Some(company) = fields.company_id {
        crate::company::service::find(db, viewer.organization_id, company).await?;
    }
    let now = clock::now();
    Ok(contact::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(viewer.organization_id),
        company_id: Set(fields.company_id),
        first_name: Set(fields.first_name),
        last_name: Set(fields.last_name),
        email: Set(fields.email),
        phone: Set(fields.phone),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
    }
    .insert(db)
    .await?)
}

/// Changes the fields given of a contact.
pub async fn update(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    changes: ContactChanges,
) -> AppResult<contact::Model> {
    if let Some(Some(company)) = changes.company_id {
        crate::company::service::find(db, viewer.organization_id, company).await?;
    }
    let mut row: contact::ActiveModel = find(db, viewer.organization_id, id).await?.into();
    if let Some(v) = changes.first_name {
        row.first_name = Set(v);
    }
    if let Some(v) = changes.last_name {
        row.last_name = Set(v);
    }
    if let Some(v) = changes.email {
        row.email = Set(v);
    }
    if let Some(v) = changes.phone {
        row.phone = Set(v);
    }
    if let Some(v) = changes.company_id {
        row.company_id = Set(v);
    }
    row.updated_at = Set(clock::now());
    Ok(row.update(db).await?)
}

/// Soft-deletes a contact: deals and sales keep pointing at it, lists leave it out.
pub async fn delete(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<contact::Model> {
    let mut row: contact::ActiveModel = find(db, viewer.organization_id, id).await?.into();
    let now = clock::now();
    row.deleted_at = Set(Some(now));
    row.updated_at = Set(now);
    Ok(row.update(db).await?)
}
