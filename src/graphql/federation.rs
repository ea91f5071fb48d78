//! Apollo Federation v2: dealgate as a subgraph. `_service { sdl }` gives the subgraph's SDL
//! and `_entities(representations:)` resolves `{ __typename, id }` references to Deal,
//! Company, Contact, User, Pipeline, Stage and Sale (each `@key(fields: "id")`), within the
//! caller's organisation exactly like `node(id:)`: a reference to another organisation's
//! object resolves to null. Like `node.rs`, this module knows the domains' types.

use super::context::ContextExt;
use super::ids::{NodeKind, expect_id};
use crate::company::{Company, CompanyId};
use crate::contact::{Contact, ContactId};
use crate::deal::{Deal, DealId};
use crate::error::AppResult;
use crate::pipeline::{Pipeline, PipelineId, Stage, StageId};
use crate::sale::{Sale, SaleId};
use crate::user::{User, UserId};
use async_graphql::{Context, ID, Object};
use sea_orm::prelude::Uuid;

/// The entity resolvers behind `_entities` (hidden from the schema's own fields).
#[derive(Default)]
pub struct EntityQuery;

/// The id of a representation of `kind`, or BAD_USER_INPUT naming `representations`.
fn entity_id(id: &ID, kind: NodeKind) -> AppResult<Uuid> {
    expect_id(id, kind, "representations")
}

#[Object]
impl EntityQuery {
    /// A deal by its `@key`.
    #[graphql(entity)]
    async fn deal_entity(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Deal>> {
        let id = DealId(entity_id(&id, NodeKind::Deal)?);
        ctx.loaders()?.load_one(id).await
    }

    /// A company by its `@key`.
    #[graphql(entity)]
    async fn company_entity(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Company>> {
        let id = CompanyId(entity_id(&id, NodeKind::Company)?);
        ctx.loaders()?.load_one(id).await
    }

    /// A contact by its `@key`.
    #[graphql(entity)]
    async fn contact_entity(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Contact>> {
        let id = ContactId(entity_id(&id, NodeKind::Contact)?);
        ctx.loaders()?.load_one(id).await
    }

    /// A user by its `@key`.
    #[graphql(entity)]
    async fn user_entity(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<User>> {
        let id = UserId(entity_id(&id, NodeKind::User)?);
        ctx.loaders()?.load_one(id).await
    }

    /// A pipeline by its `@key`.
    #[graphql(entity)]
    async fn pipeline_entity(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Pipeline>> {
        let id = PipelineId(entity_id(&id, NodeKind::Pipeline)?);
        ctx.loaders()?.load_one(id).await
    }

    /// A stage by its `@key`.
    #[graphql(entity)]
    async fn stage_entity(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Stage>> {
        let id = StageId(entity_id(&id, NodeKind::Stage)?);
        ctx.loaders()?.load_one(id).await
    }

    /// A sale by its `@key`.
    #[graphql(entity)]
    async fn sale_entity(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Sale>> {
        let id = SaleId(entity_id(&id, NodeKind::Sale)?);
        ctx.loaders()?.load_one(id).await
    }
}
