//! The `User` GraphQL type.

use crate::deal::{DealParent, object_with_deals};
use crate::error::AppResult;
use crate::graphql::node::{NodeKind, global_id};
use crate::graphql::pagination::PageArgs;
use crate::graphql::scalars::DateTime;
use crate::sale::{SaleConnection, SaleFilter, SaleParent};
use async_graphql::{Context, ID};
use entity::user;

/// A user of your organisation [owner, agent, team member]: owns deals and sales, follows deals.
#[derive(Clone)]
pub struct User(pub user::Model);

object_with_deals!(
    /// A user of your organisation [owner, agent, team member]: owns deals and sales, follows deals.
    User, |u: &User| Some((DealParent::Owner, u.0.id));
    /// The user's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::User, self.0.id)
    }

    /// The user's full name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The user's email address.
    async fn email(&self) -> &str {
        &self.0.email
    }

    /// False once the user has been deactivated.
    async fn is_active(&self) -> bool {
        self.0.is_active
    }

    /// The sales this agent owns (HyperRep's "list agent sales"). Most recent activity first; takes the root `sales` arguments, and the lists of
    /// many agents load together in one statement.
    async fn sales(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which sales.")] filter: Option<SaleFilter>,
        #[graphql(desc = "Page forward: this many (at most 500; 50 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Page forward: start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page backward: this many (at most 500).")] last: Option<i32>,
        #[graphql(desc = "Page backward: end before this cursor.")] before: Option<String>,
    ) -> AppResult<SaleConnection> {
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        SaleConnection::nested(
            ctx,
            SaleParent::Owner,
            self.0.id,
            filter.unwrap_or_default(),
            page,
        )
        .await
    }

    /// When the user was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the user was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
);
