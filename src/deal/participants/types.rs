//! `DealParticipant`: a contact taking part in a deal, and `deal.participants`, the deal's
//! participants in the order they were added, through the per-deal list engine (each page
//! with its contacts in the same statement).

use crate::contact::{Contact, ContactId};
use crate::deal::child_connection::child_connection;
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::loader::load_by_id;
use crate::graphql::scalars::DateTime;
use crate::user::{User, UserId};
use async_graphql::{Context, ID, Object};
use entity::deal_participant;

#[derive(Clone)]
pub struct DealParticipant(pub deal_participant::Model);

load_by_id!(DealParticipantId, deal_participant, DealParticipant);

/// A contact taking part in a deal besides its main contact (Pipedrive's participants).
#[Object]
impl DealParticipant {
    /// The participation's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::DealParticipant, self.0.id)
    }

    /// The contact [person] taking part.
    async fn contact(&self, ctx: &Context<'_>) -> AppResult<Contact> {
        ctx.loaders()?
            .load_one(ContactId(self.0.contact_id))
            .await?
            .ok_or_else(|| AppError::internal("participant without contact"))
    }

    /// Who added the contact (null for a key without a user).
    async fn added_by(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        match self.0.added_by_id {
            Some(id) => ctx.loaders()?.load_one(UserId(id)).await,
            None => Ok(None),
        }
    }

    /// When the contact was added.
    async fn added_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

child_connection!(
    DealParticipantConnection,
    DealParticipantEdge,
    DealParticipant,
    deal_participant::Model,
    "A participant with its cursor.",
    "A page of a deal's participants, in the order they were added (a Relay connection)."
);
