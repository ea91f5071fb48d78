//! The `User` GraphQL type.

use crate::deal::DealParent;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::list_fields::object_with_lists;
use crate::graphql::scalars::DateTime;
use crate::sale::SaleParent;
use async_graphql::ID;
use entity::user;

/// A user of your organisation [owner, agent, team member]: owns deals and sales, follows deals.
#[derive(Clone)]
pub struct User(pub user::Model);

object_with_lists!(
    /// A user of your organisation [owner, agent, team member]: owns deals and sales, follows deals.
    User;
    deals: |u: &User| Some((DealParent::Owner, u.0.id)),
    sales: |u: &User| Some((SaleParent::Owner, u.0.id)),
    ;
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
);
