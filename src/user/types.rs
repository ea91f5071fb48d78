//! The `User` GraphQL type.

use crate::deal::{DealConnection, DealFilter, DealListArgs, DealOrder, DealParent};
use crate::error::AppResult;
use crate::graphql::node::{NodeKind, global_id};
use crate::graphql::pagination::PageArgs;
use crate::graphql::scalars::DateTime;
use crate::sale::{SaleConnection, SaleFilter, SaleParent};
use async_graphql::{Context, ID, Object};
use entity::user;

/// A user of your organisation [owner, agent, team member]: owns deals and sales, follows deals.
#[derive(Clone)]
pub struct User(pub user::Model);

/// A user of your organisation [owner, agent, team member]: owns deals and sales, follows deals.
#[Object]
impl User {
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

    /// The deals this user owns. Takes the same arguments as the root `deals`; pages of many users load
    /// together in one statement.
    #[allow(clippy::too_many_arguments)]
    async fn deals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which deals.")] filter: Option<DealFilter>,
        #[graphql(desc = "Sort keys, applied in order (at most 8); id breaks ties.")]
        order_by: Option<Vec<DealOrder>>,
        #[graphql(desc = "Page forward: this many deals (at most 500; 50 by default).")]
        first: Option<i32>,
        #[graphql(desc = "Page forward: start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page backward: this many deals (at most 500).")] last: Option<i32>,
        #[graphql(desc = "Page backward: end before this cursor.")] before: Option<String>,
    ) -> AppResult<DealConnection> {
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        let args = DealListArgs {
            filter,
            order_by,
            page,
        };
        DealConnection::nested(ctx, DealParent::Owner, self.0.id, args).await
    }

    /// When the user was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the user was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}
