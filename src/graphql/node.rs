//! Global object identification: the `Node` interface and `node(id:)` / `nodes(ids:)`. The
//! one module that knows every domain's types; ids themselves are encoded in [`super::ids`],
//! which domains use without depending on this module.

use super::context::ContextExt;
use super::ids::{NodeKind, parse_global_id};
use super::loader::Loaders;
use crate::api_key::{ApiKey, ApiKeyId};
use crate::company::{Company, CompanyId};
use crate::contact::{Contact, ContactId};
use crate::deal::{
    Activity, ActivityId, Deal, DealDiscount, DealDiscountId, DealId, DealInstallment,
    DealInstallmentId, DealParticipant, DealParticipantId, DealProduct, DealProductId, StageChange,
    StageChangeId, Task, TaskId,
};
use crate::error::{AppError, AppResult};
use crate::organization::{Organization, OrganizationId};
use crate::pipeline::{Pipeline, PipelineId, Stage, StageId};
use crate::sale::{Sale, SaleId};
use crate::user::{User, UserId};
use async_graphql::{Context, ID, Interface, Object};

/// An object with a global id, resolvable by `node(id:)`.
// A value lives only while one `node` field resolves; boxing the deal would cost an
// allocation per deal for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's opaque global id."))]
pub enum Node {
    /// An organisation.
    Organization(Organization),
    /// A user.
    User(User),
    /// An API key.
    ApiKey(ApiKey),
    /// A pipeline.
    Pipeline(Pipeline),
    /// A stage.
    Stage(Stage),
    /// A company.
    Company(Company),
    /// A contact.
    Contact(Contact),
    /// A deal.
    Deal(Deal),
    /// A product line of a deal.
    DealProduct(DealProduct),
    /// A move of a deal between stages.
    StageChange(StageChange),
    /// An activity of a deal.
    Activity(Activity),
    /// A task of a deal.
    Task(Task),
    /// A sale.
    Sale(Sale),
    /// A participant of a deal.
    DealParticipant(DealParticipant),
    /// A discount of a deal.
    DealDiscount(DealDiscount),
    /// An installment of a deal.
    DealInstallment(DealInstallment),
}

/// Root fields that resolve any object by its global id.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global id, or null when it does not exist in your organisation.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id, as any object's `id` field gives it.")] id: ID,
    ) -> AppResult<Option<Node>> {
        resolve_node(ctx.loaders()?, &id, "id").await
    }

    /// The objects with these global ids, in the same order; null for each one that does not
    /// exist in your organisation. At most 100 ids.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Up to 100 global ids.")] ids: Vec<ID>,
    ) -> AppResult<Vec<Option<Node>>> {
        if ids.len() > 100 {
            return Err(AppError::LimitExceeded(
                "at most 100 ids may be asked at once".into(),
            ));
        }
        let loaders = ctx.loaders()?;
        // Resolved together, so the loaders batch them into one statement per type.
        futures_util::future::try_join_all(ids.iter().map(|id| resolve_node(loaders, id, "ids")))
            .await
    }
}

/// The object `id` names, within the loaders' organisation.
async fn resolve_node(loaders: &Loaders, id: &ID, field: &str) -> AppResult<Option<Node>> {
    let (kind, uuid) = parse_global_id(id).ok_or_else(|| {
        AppError::bad_input(
            field,
            format!("\"{}\" is not a valid global id", id.as_str()),
        )
    })?;
    Ok(match kind {
        NodeKind::Organization => loaders
            .load_one(OrganizationId(uuid))
            .await?
            .map(Node::Organization),
        NodeKind::User => loaders.load_one(UserId(uuid)).await?.map(Node::User),
        NodeKind::ApiKey => loaders.load_one(ApiKeyId(uuid)).await?.map(Node::ApiKey),
        NodeKind::Pipeline => loaders
            .load_one(PipelineId(uuid))
            .await?
            .map(Node::Pipeline),
        NodeKind::Stage => loaders.load_one(StageId(uuid)).await?.map(Node::Stage),
        NodeKind::Company => loaders.load_one(CompanyId(uuid)).await?.map(Node::Company),
        NodeKind::Contact => loaders.load_one(ContactId(uuid)).await?.map(Node::Contact),
        NodeKind::Deal => loaders.load_one(DealId(uuid)).await?.map(Node::Deal),
        NodeKind::DealProduct => loaders
            .load_one(DealProductId(uuid))
            .await?
            .map(Node::DealProduct),
        NodeKind::StageChange => loaders
            .load_one(StageChangeId(uuid))
            .await?
            .map(Node::StageChange),
        NodeKind::Activity => loaders
            .load_one(ActivityId(uuid))
            .await?
            .map(Node::Activity),
        NodeKind::Task => loaders.load_one(TaskId(uuid)).await?.map(Node::Task),
        NodeKind::Sale => loaders.load_one(SaleId(uuid)).await?.map(Node::Sale),
        NodeKind::DealParticipant => loaders
            .load_one(DealParticipantId(uuid))
            .await?
            .map(Node::DealParticipant),
        NodeKind::DealDiscount => loaders
            .load_one(DealDiscountId(uuid))
            .await?
            .map(Node::DealDiscount),
        NodeKind::DealInstallment => loaders
            .load_one(DealInstallmentId(uuid))
            .await?
            .map(Node::DealInstallment),
    })
}
