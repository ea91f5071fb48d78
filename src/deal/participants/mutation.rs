//! `addDealParticipant` and `removeDealParticipant`.

use super::service;
use crate::deal::Deal;
use crate::deal::mutation::DealPayload;
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use async_graphql::{Context, ID, InputObject, Object};

/// Input of `addDealParticipant` and `removeDealParticipant`.
#[derive(InputObject)]
pub struct DealParticipantInput {
    /// The deal.
    pub deal_id: ID,
    /// The contact [person].
    pub contact_id: ID,
}

impl DealParticipantInput {
    fn ids(&self) -> AppResult<(sea_orm::prelude::Uuid, sea_orm::prelude::Uuid)> {
        Ok((
            expect_id(&self.deal_id, NodeKind::Deal, "input.dealId")?,
            expect_id(&self.contact_id, NodeKind::Contact, "input.contactId")?,
        ))
    }
}

/// Mutations on a deal's participants.
#[derive(Default)]
pub struct DealParticipantMutation;

#[Object]
impl DealParticipantMutation {
    /// Adds a contact to a deal's participants (Pipedrive); adding one twice changes nothing.
    /// The deal's main contact cannot be added; a deal has at most 200 participants.
    async fn add_deal_participant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal and the contact.")] input: DealParticipantInput,
    ) -> AppResult<DealPayload> {
        let (deal, contact) = input.ids()?;
        let deal = service::add(ctx.db()?, ctx.viewer()?, deal, contact).await?;
        Ok(DealPayload { deal: Deal(deal) })
    }

    /// Removes a contact from a deal's participants; removing one that is not there changes
    /// nothing.
    async fn remove_deal_participant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal and the contact.")] input: DealParticipantInput,
    ) -> AppResult<DealPayload> {
        let (deal, contact) = input.ids()?;
        let deal = service::remove(ctx.db()?, ctx.viewer()?, deal, contact).await?;
        Ok(DealPayload { deal: Deal(deal) })
    }
}
