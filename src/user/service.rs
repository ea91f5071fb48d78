//! Creating, changing and deactivating users.

use crate::auth::Viewer;
use crate::clock;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use entity::{api_key, user};
use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ConnectionTrait};

async fn find(db: &impl ConnectionTrait, org: Uuid, id: Uuid) -> AppResult<user::Model> {
    user::Entity::find_by_id(id)
        .filter(user::Column::OrganizationId.eq(org))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("user".into()))
}

async fn email_taken(
    db: &impl ConnectionTrait,
    org: Uuid,
    email: &str,
    except: Option<Uuid>,
) -> AppResult<()> {
    let mut query = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(org))
        .filter(user::Column::Email.eq(email));
    if let Some(id) = except {
        query = query.filter(user::Column::Id.ne(id));
    }
    if query.one(db).await?.is_some() {
        return Err(email_conflict());
    }
    Ok(())
}

fn email_conflict() -> AppError {
    AppError::Conflict("a user with this email exists already".into())
}

/// A write's error, with the unique index on (organisation, email) read as CONFLICT: two
/// concurrent writes of one email both pass [`email_taken`], and the database refuses one.
fn email_unique(err: DbErr) -> AppError {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => email_conflict(),
        _ => err.into(),
    }
}

/// Creates an active user; emails are unique within an organisation.
pub async fn create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    name: String,
    email: String,
) -> AppResult<user::Model> {
    email_taken(db, viewer.organization_id, &email, None).await?;
    let now = clock::now();
    user::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(viewer.organization_id),
        name: Set(name),
        email: Set(email),
        is_active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(email_unique)
}

/// Changes a user's name and/or email.
pub async fn update(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    name: Option<String>,
    email: Option<String>,
) -> AppResult<user::Model> {
    let current = find(db, viewer.organization_id, id).await?;
    if let Some(email) = &email {
        email_taken(db, viewer.organization_id, email, Some(id)).await?;
    }
    let mut row: user::ActiveModel = current.into();
    if let Some(name) = name {
        row.name = Set(name);
    }
    if let Some(email) = email {
        row.email = Set(email);
    }
    row.updated_at = Set(clock::now());
    row.update(db).await.map_err(email_unique)
}

/// Deactivates a user and revokes the API keys acting for them, in one transaction. Their
/// deals, sales and history stay theirs. Deactivating yourself is refused.
pub async fn deactivate(db: &impl Db, viewer: &Viewer, id: Uuid) -> AppResult<user::Model> {
    if viewer.user_id == Some(id) {
        return Err(AppError::bad_input(
            "input.id",
            "you cannot deactivate the user of your own API key",
        ));
    }
    let current = find(db, viewer.organization_id, id).await?;
    let now = clock::now();
    let txn = crate::db::begin_write(db).await?;
    let mut row: user::ActiveModel = current.into();
    row.is_active = Set(false);
    row.updated_at = Set(now);
    let user = row.update(&txn).await?;
    api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(now))
        .filter(api_key::Column::OrganizationId.eq(viewer.organization_id))
        .filter(api_key::Column::UserId.eq(id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(user)
}
