//! Global object identification: opaque ids that name their type, the `Node` interface, and
//! `node(id:)` / `nodes(ids:)`.
//!
//! An id is `<type>_<uuid as 32 hex digits>`, e.g. `deal_0193…`. The UUIDs are version 7:
//! 74 random bits each, so ids cannot be guessed across tenants; and every lookup is scoped to
//! the caller's organisation, so another tenant's well-formed id answers like a missing one.

use super::context::ContextExt;
use super::loader::Loaders;
use crate::api_key::{ApiKey, ApiKeyId};
use crate::company::{Company, CompanyId};
use crate::contact::{Contact, ContactId};
use crate::deal::{
    Activity, ActivityId, Deal, DealId, DealProduct, DealProductId, StageChange, StageChangeId,
    Task, TaskId,
};
use crate::error::{AppError, AppResult};
use crate::organization::{Organization, OrganizationId};
use crate::pipeline::{Pipeline, PipelineId, Stage, StageId};
use crate::sale::{Sale, SaleId};
use crate::user::{User, UserId};
use async_graphql::{Context, ID, Interface, Object};
use sea_orm::prelude::Uuid;

/// The kinds of object a global id can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// An organisation.
    Organization,
    /// A user.
    User,
    /// An API key.
    ApiKey,
    /// A pipeline.
    Pipeline,
    /// A stage.
    Stage,
    /// A company.
    Company,
    /// A contact.
    Contact,
    /// A deal.
    Deal,
    /// A product line of a deal.
    DealProduct,
    /// A move of a deal between stages.
    StageChange,
    /// An activity of a deal.
    Activity,
    /// A task of a deal.
    Task,
    /// A sale.
    Sale,
}

impl NodeKind {
    const ALL: [NodeKind; 13] = [
        Self::Organization,
        Self::User,
        Self::ApiKey,
        Self::Pipeline,
        Self::Stage,
        Self::Company,
        Self::Contact,
        Self::Deal,
        Self::DealProduct,
        Self::StageChange,
        Self::Activity,
        Self::Task,
        Self::Sale,
    ];

    fn prefix(self) -> &'static str {
        match self {
            Self::Organization => "org",
            Self::User => "user",
            Self::ApiKey => "apikey",
            Self::Pipeline => "pipeline",
            Self::Stage => "stage",
            Self::Company => "company",
            Self::Contact => "contact",
            Self::Deal => "deal",
            Self::DealProduct => "dealproduct",
            Self::StageChange => "stagechange",
            Self::Activity => "activity",
            Self::Task => "task",
            Self::Sale => "sale",
        }
    }

    /// The GraphQL type name, for error messages.
    fn type_name(self) -> &'static str {
        match self {
            Self::Organization => "Organization",
            Self::User => "User",
            Self::ApiKey => "ApiKey",
            Self::Pipeline => "Pipeline",
            Self::Stage => "Stage",
            Self::Company => "Company",
            Self::Contact => "Contact",
            Self::Deal => "Deal",
            Self::DealProduct => "DealProduct",
            Self::StageChange => "StageChange",
            Self::Activity => "Activity",
            Self::Task => "Task",
            Self::Sale => "Sale",
        }
    }
}

/// The global id of row `id` of kind `kind`.
pub fn global_id(kind: NodeKind, id: Uuid) -> ID {
    ID(format!("{}_{}", kind.prefix(), id.simple()))
}

/// The kind and row id a global id names, if it is well-formed.
pub fn parse_global_id(id: &str) -> Option<(NodeKind, Uuid)> {
    let (prefix, hex) = id.rsplit_once('_')?;
    let kind = NodeKind::ALL.into_iter().find(|k| k.prefix() == prefix)?;
    if hex.len() != 32 {
        return None;
    }
    Uuid::try_parse(hex).ok().map(|uuid| (kind, uuid))
}

/// The row id of `id`, which must name a `kind`; BAD_USER_INPUT on `field` otherwise.
pub fn expect_id(id: &ID, kind: NodeKind, field: &str) -> AppResult<Uuid> {
    match parse_global_id(id) {
        Some((found, uuid)) if found == kind => Ok(uuid),
        _ => Err(AppError::bad_input(
            field,
            format!(
                "\"{}\" is not a valid {} id",
                crate::error::excerpt(id.as_str()),
                kind.type_name()
            ),
        )),
    }
}

/// An object with a global id, resolvable by `node(id:)`.
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_and_reject_garbage() {
        let uuid = Uuid::now_v7();
        let id = global_id(NodeKind::ApiKey, uuid);
        assert_eq!(parse_global_id(&id), Some((NodeKind::ApiKey, uuid)));
        assert_eq!(parse_global_id("user_123"), None);
        assert_eq!(
            parse_global_id("nothing_0193a5b0c1d27e3f8a9b0c1d2e3f4a5b"),
            None
        );
        assert!(expect_id(&id, NodeKind::User, "id").is_err());
    }
}
