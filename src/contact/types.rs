//! The `Contact` GraphQL type.

use crate::company::{Company, CompanyId};
use crate::deal::DealParent;
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::list_fields::object_with_lists;
use crate::graphql::scalars::DateTime;
use crate::sale::SaleParent;
use async_graphql::{Context, ID};
use entity::contact;

#[derive(Clone)]
pub struct Contact(pub contact::Model);

object_with_lists!(
    /// A contact [person]: someone a deal or a sale is with, optionally at a company.
    Contact;
    deals(
        include_participating: Option<bool>,
        "true: also the deals the contact takes part in as a participant (Pipedrive)."
    ): |c: &Contact, include_participating: Option<bool>| {
        let parent = match include_participating {
            Some(true) => DealParent::ContactOrParticipant,
            _ => DealParent::Contact,
        };
        Some((parent, c.0.id))
    },
    sales: |c: &Contact| Some((SaleParent::Contact, c.0.id)),
    ;
    /// The contact's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Contact, self.0.id)
    }

    /// First name.
    async fn first_name(&self) -> &str {
        &self.0.first_name
    }

    /// Last name.
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }

    /// First and last name.
    async fn name(&self) -> String {
        format!("{} {}", self.0.first_name, self.0.last_name)
    }

    /// Email address.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Phone number.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// The company the contact works at.
    async fn company(&self, ctx: &Context<'_>) -> AppResult<Option<Company>> {
        match self.0.company_id {
            Some(id) => ctx.loaders()?.load_one(CompanyId(id)).await,
            None => Ok(None),
        }
    }

    /// When the contact was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the contact was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }

    /// When the contact was deleted (soft delete), if it was.
    async fn deleted_at(&self) -> Option<DateTime> {
        self.0.deleted_at.map(DateTime)
    }
);
