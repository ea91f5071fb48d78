//! The `User` GraphQL type.

use crate::graphql::node::{NodeKind, global_id};
use crate::graphql::scalars::DateTime;
use async_graphql::{ID, Object};
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

    /// When the user was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the user was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}
