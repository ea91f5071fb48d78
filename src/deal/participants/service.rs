//! Adding and removing a deal's participants, each change an event in its transaction.
//! Adding a participant twice, or removing one that is not there, changes nothing.

use crate::auth::Viewer;
use crate::clock;
use crate::db::Db;
use crate::deal::events::{self, DealEventType};
use crate::deal::service::{find, must_exist};
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{NodeKind, global_id};
use entity::{contact, deal, deal_participant};
use sea_orm::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, PaginatorTrait};
use serde_json::Value as Json;

/// Most participants a deal may have.
pub const MAX_PARTICIPANTS: u64 = 200;

fn contact_json(id: Uuid) -> Json {
    Json::String(global_id(NodeKind::Contact, id).0)
}

/// The deal, which must be live, and the contact, which must exist and not be its main one.
async fn deal_and_contact(
    db: &impl ConnectionTrait,
    org: Uuid,
    deal_id: Uuid,
    contact_id: Uuid,
) -> AppResult<deal::Model> {
    let deal = find(db, org, deal_id).await?;
    if deal.deleted_at.is_some() {
        return Err(AppError::Conflict(
            "the deal is deleted: restore it first".into(),
        ));
    }
    must_exist::<contact::Entity>(
        db,
        org,
        contact_id,
        "contact",
        contact::Column::OrganizationId,
        Some(contact::Column::DeletedAt),
    )
    .await?;
    Ok(deal)
}

/// Adds `contact_id` to the deal's participants (at most [`MAX_PARTICIPANTS`]).
pub async fn add(
    db: &impl Db,
    viewer: &Viewer,
    deal_id: Uuid,
    contact_id: Uuid,
) -> AppResult<deal::Model> {
    let org = viewer.organization_id;
    let deal = deal_and_contact(db, org, deal_id, contact_id).await?;
    if deal.contact_id == Some(contact_id) {
        return Err(AppError::bad_input(
            "input.contactId",
            "the contact is the deal's main contact already",
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let count = deal_participant::Entity::find()
        .filter(deal_participant::Column::OrganizationId.eq(org))
        .filter(deal_participant::Column::DealId.eq(deal_id))
        .count(&txn)
        .await?;
    if count >= MAX_PARTICIPANTS {
        return Err(AppError::bad_input(
            "input.contactId",
            format!("a deal has at most {MAX_PARTICIPANTS} participants"),
        ));
    }
    let row = deal_participant::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        deal_id: Set(deal_id),
        contact_id: Set(contact_id),
        added_by_id: Set(viewer.user_id),
        created_at: Set(clock::now()),
    };
    let added = deal_participant::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                deal_participant::Column::OrganizationId,
                deal_participant::Column::DealId,
                deal_participant::Column::ContactId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    if added > 0 {
        let change = events::field("participant", Json::Null, contact_json(contact_id));
        let kind = DealEventType::ParticipantAdded;
        events::record(&txn, viewer, deal_id, kind, vec![change]).await?;
    }
    txn.commit().await?;
    Ok(deal)
}

/// Removes `contact_id` from the deal's participants.
pub async fn remove(
    db: &impl Db,
    viewer: &Viewer,
    deal_id: Uuid,
    contact_id: Uuid,
) -> AppResult<deal::Model> {
    let org = viewer.organization_id;
    let deal = find(db, org, deal_id).await?;
    if deal.deleted_at.is_some() {
        return Err(AppError::Conflict(
            "the deal is deleted: restore it first".into(),
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let removed = deal_participant::Entity::delete_many()
        .filter(deal_participant::Column::OrganizationId.eq(org))
        .filter(deal_participant::Column::DealId.eq(deal_id))
        .filter(deal_participant::Column::ContactId.eq(contact_id))
        .exec(&txn)
        .await?;
    if removed.rows_affected > 0 {
        let change = events::field("participant", contact_json(contact_id), Json::Null);
        let kind = DealEventType::ParticipantRemoved;
        events::record(&txn, viewer, deal_id, kind, vec![change]).await?;
    }
    txn.commit().await?;
    Ok(deal)
}
