//! Contact mutations.

use super::Contact;
use super::service::{self, ContactChanges, ContactFields};
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::patch::{patch, patch_optional};
use crate::idempotency;
use crate::validate;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

/// Input of `createContact`.
#[derive(InputObject)]
pub struct CreateContactInput {
    /// First name (1–255 characters).
    pub first_name: String,
    /// Last name (1–255 characters).
    pub last_name: String,
    /// Email address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// The company the contact works at.
    pub company_id: Option<ID>,
    /// Makes the create safe to retry (1–200 printable ASCII characters): a request with a
    /// key used in the last 24 hours gets what the first one created.
    pub idempotency_key: Option<String>,
}

/// Input of `updateContact`: only the fields given change; null clears a nullable one.
#[derive(InputObject)]
pub struct UpdateContactInput {
    /// The contact.
    pub id: ID,
    /// A new first name.
    pub first_name: Option<String>,
    /// A new last name.
    pub last_name: Option<String>,
    /// A new email, or null.
    pub email: MaybeUndefined<String>,
    /// A new phone, or null.
    pub phone: MaybeUndefined<String>,
    /// A new company, or null.
    pub company_id: MaybeUndefined<ID>,
}

/// Input of `deleteContact`.
#[derive(InputObject)]
pub struct DeleteContactInput {
    /// The contact.
    pub id: ID,
}

/// Result of a contact mutation.
#[derive(SimpleObject)]
pub struct ContactPayload {
    /// The contact as it is now.
    pub contact: Contact,
}

fn email(value: &str) -> AppResult<Option<String>> {
    let email = validate::optional_text("input.email", Some(value), 254)?;
    if email.as_deref().is_some_and(|e| !e.contains('@')) {
        return Err(AppError::bad_input("input.email", "not an email address"));
    }
    Ok(email)
}

/// Mutations on contacts.
#[derive(Default)]
pub struct ContactMutation;

#[Object]
impl ContactMutation {
    /// Creates a contact [person].
    async fn create_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The contact.")] input: CreateContactInput,
    ) -> AppResult<ContactPayload> {
        let fields = ContactFields {
            first_name: validate::text("input.firstName", &input.first_name, validate::MAX_TITLE)?,
            last_name: validate::text("input.lastName", &input.last_name, validate::MAX_TITLE)?,
            email: input.email.as_deref().map(email).transpose()?.flatten(),
            phone: validate::optional_text("input.phone", input.phone.as_deref(), 64)?,
            company_id: input
                .company_id
                .as_ref()
                .map(|id| expect_id(id, NodeKind::Company, "input.companyId"))
                .transpose()?,
        };
        let contact = idempotency::once(
            ctx,
            input.idempotency_key.as_deref(),
            "createContact",
            move |txn, viewer| Box::pin(async move { service::create(txn, &viewer, fields).await }),
            |id| async move {
                Ok(ctx
                    .loaders()?
                    .load_one(super::ContactId(id))
                    .await?
                    .ok_or_else(|| AppError::NotFound("contact".into()))?
                    .0)
            },
        )
        .await?;
        Ok(ContactPayload {
            contact: Contact(contact),
        })
    }

    /// Changes the fields given of a contact.
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The contact and its changes.")] input: UpdateContactInput,
    ) -> AppResult<ContactPayload> {
        let id = expect_id(&input.id, NodeKind::Contact, "input.id")?;
        let changes = ContactChanges {
            first_name: input
                .first_name
                .as_deref()
                .map(|v| validate::text("input.firstName", v, validate::MAX_TITLE))
                .transpose()?,
            last_name: input
                .last_name
                .as_deref()
                .map(|v| validate::text("input.lastName", v, validate::MAX_TITLE))
                .transpose()?,
            email: patch_optional(&input.email, |e| email(e))?,
            phone: patch_optional(&input.phone, |v| {
                validate::optional_text("input.phone", Some(v), 64)
            })?,
            company_id: patch(&input.company_id, |id| {
                expect_id(id, NodeKind::Company, "input.companyId")
            })?,
        };
        let contact = service::update(ctx.db()?, ctx.viewer()?, id, changes).await?;
        Ok(ContactPayload {
            contact: Contact(contact),
        })
    }

    /// Soft-deletes a contact: what points at it keeps doing so; lists leave it out.
    async fn delete_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The contact.")] input: DeleteContactInput,
    ) -> AppResult<ContactPayload> {
        let id = expect_id(&input.id, NodeKind::Contact, "input.id")?;
        let contact = service::delete(ctx.db()?, ctx.viewer()?, id).await?;
        Ok(ContactPayload {
            contact: Contact(contact),
        })
    }
}
