//! The `Company` GraphQL type.

use crate::deal::DealParent;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::list_fields::object_with_lists;
use crate::graphql::scalars::DateTime;
use crate::sale::SaleParent;
use async_graphql::ID;
use entity::company;

#[derive(Clone)]
pub struct Company(pub company::Model);

object_with_lists!(
    /// A company [org]: the organisation a deal is with; has contacts, deals and sales.
    Company;
    deals: |c: &Company| Some((DealParent::Company, c.0.id)),
    sales: |c: &Company| Some((SaleParent::Company, c.0.id)),
    contacts: |c: &Company| Some(c.0.id),
    ;
    /// The company's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Company, self.0.id)
    }

    /// The company's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The company's web domain, if known.
    async fn domain(&self) -> Option<&str> {
        self.0.domain.as_deref()
    }

    /// When the company was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the company was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }

    /// When the company was deleted (soft delete), if it was.
    async fn deleted_at(&self) -> Option<DateTime> {
        self.0.deleted_at.map(DateTime)
    }
);
