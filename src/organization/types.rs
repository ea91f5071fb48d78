//! The `Organization` GraphQL type.

use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::scalars::DateTime;
use async_graphql::{ID, Object};
use entity::organization;

/// An organisation: the tenant that owns every other object you can see.
#[derive(Clone)]
pub struct Organization(pub organization::Model);

/// An organisation: the tenant that owns every other object you can see.
#[Object]
impl Organization {
    /// The organisation's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Organization, self.0.id)
    }

    /// The organisation's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The ISO 4217 currency new deals use when none is given.
    async fn default_currency(&self) -> &str {
        &self.0.default_currency
    }

    /// When the organisation was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}
