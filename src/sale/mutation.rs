//! Sale mutations: create, update, record a status, replace the contacts.

use super::Sale;
use super::service::{self, NewSale, QuoteLine, SaleChanges, SaleContactInput};
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::patch::patch_optional;
use crate::graphql::scalars::Decimal;
use crate::idempotency;
use crate::validate;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

/// A contact of a sale.
#[derive(InputObject)]
pub struct SaleContactFields {
    /// The contact.
    pub contact_id: ID,
    /// Whether it is the primary one (exactly one must be, when there are contacts).
    #[graphql(default)]
    pub is_primary: bool,
}

/// A quote line; its total is quantity × unit price, rounded to cents.
#[derive(InputObject)]
pub struct QuoteLineInput {
    /// What is sold (1–255 characters).
    pub product_name: String,
    /// How many (more than zero).
    pub quantity: Decimal,
    /// Price of one.
    pub unit_price: Decimal,
}

/// Input of `createSale`.
#[derive(InputObject)]
pub struct CreateSaleInput {
    /// The agent; the user of your API key when omitted.
    pub owner_id: Option<ID>,
    /// The company.
    pub company_id: Option<ID>,
    /// ISO 4217 code of the quote; your organisation's default when omitted.
    pub currency: Option<String>,
    /// Contacts, exactly one of them primary.
    #[graphql(default)]
    pub contacts: Vec<SaleContactFields>,
    /// Quote lines.
    #[graphql(default)]
    pub lines: Vec<QuoteLineInput>,
    /// Notes.
    pub notes: Option<String>,
    /// Conversation ids.
    #[graphql(default)]
    pub conversation_ids: Vec<String>,
    /// Makes the create safe to retry (1–200 printable ASCII characters): a request with a
    /// key used in the last 24 hours gets what the first one created.
    pub idempotency_key: Option<String>,
}

/// Input of `updateSale`: only the fields given change.
#[derive(InputObject)]
pub struct UpdateSaleInput {
    /// The sale.
    pub id: ID,
    /// New notes, or null for none.
    pub notes: MaybeUndefined<String>,
    /// New conversation ids.
    pub conversation_ids: Option<Vec<String>>,
    /// New quote lines, replacing all.
    pub lines: Option<Vec<QuoteLineInput>>,
}

/// Input of `recordSaleStatus`.
#[derive(InputObject)]
pub struct RecordSaleStatusInput {
    /// The sale.
    pub sale_id: ID,
    /// What happened, for people (1–255 characters).
    pub label: String,
    /// A machine tag such as `quote_sent` or `accepted` (1–64 characters).
    pub status: Option<String>,
}

/// Input of `setSaleContacts`.
#[derive(InputObject)]
pub struct SetSaleContactsInput {
    /// The sale.
    pub sale_id: ID,
    /// The new contacts, replacing all; exactly one primary unless empty.
    pub contacts: Vec<SaleContactFields>,
}

/// Result of a sale mutation.
#[derive(SimpleObject)]
pub struct SalePayload {
    /// The sale as it is now.
    pub sale: Sale,
}

fn contacts(fields: &[SaleContactFields]) -> AppResult<Vec<SaleContactInput>> {
    fields
        .iter()
        .map(|c| {
            Ok(SaleContactInput {
                contact_id: expect_id(&c.contact_id, NodeKind::Contact, "input.contacts")?,
                is_primary: c.is_primary,
            })
        })
        .collect()
}

fn lines(inputs: &[QuoteLineInput]) -> AppResult<Vec<QuoteLine>> {
    inputs
        .iter()
        .map(|l| {
            let quantity = validate::amount("input.lines.quantity", l.quantity)?;
            if quantity.0 == 0 {
                return Err(AppError::bad_input(
                    "input.lines.quantity",
                    "the quantity must be more than zero",
                ));
            }
            Ok(QuoteLine {
                product_name: validate::text(
                    "input.lines.productName",
                    &l.product_name,
                    validate::MAX_TITLE,
                )?,
                quantity,
                unit_price: validate::amount("input.lines.unitPrice", l.unit_price)?,
            })
        })
        .collect()
}

fn conversation_ids(ids: &[String]) -> AppResult<Vec<String>> {
    if ids.len() > 100 {
        return Err(AppError::bad_input(
            "input.conversationIds",
            "at most 100 conversation ids",
        ));
    }
    ids.iter()
        .map(|id| validate::text("input.conversationIds", id, validate::MAX_TITLE))
        .collect()
}

/// Mutations on sales.
#[derive(Default)]
pub struct SaleMutation;

#[Object]
impl SaleMutation {
    /// Creates a sale (HyperRep); its history starts with the Qualified event.
    async fn create_sale(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sale.")] input: CreateSaleInput,
    ) -> AppResult<SalePayload> {
        let viewer = ctx.viewer()?;
        let currency = match input.currency.as_deref() {
            Some(c) => validate::currency("input.currency", c)?,
            None => {
                crate::organization::service::default_currency(ctx.db()?, viewer.organization_id)
                    .await?
            }
        };
        let new = NewSale {
            owner_id: input
                .owner_id
                .as_ref()
                .map(|id| expect_id(id, NodeKind::User, "input.ownerId"))
                .transpose()?,
            company_id: input
                .company_id
                .as_ref()
                .map(|id| expect_id(id, NodeKind::Company, "input.companyId"))
                .transpose()?,
            currency,
            contacts: contacts(&input.contacts)?,
            lines: lines(&input.lines)?,
            notes: validate::optional_text("input.notes", input.notes.as_deref(), 10_000)?,
            conversation_ids: conversation_ids(&input.conversation_ids)?,
        };
        let sale = idempotency::once(
            ctx,
            input.idempotency_key.as_deref(),
            "createSale",
            move |txn, viewer| Box::pin(async move { service::create(txn, &viewer, new).await }),
            |id| async move {
                Ok(ctx
                    .loaders()?
                    .load_one(super::SaleId(id))
                    .await?
                    .ok_or_else(|| AppError::NotFound("sale".into()))?
                    .0)
            },
        )
        .await?;
        Ok(SalePayload { sale: Sale(sale) })
    }

    /// Changes a sale's notes, conversation ids and/or quote lines.
    async fn update_sale(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sale and its changes.")] input: UpdateSaleInput,
    ) -> AppResult<SalePayload> {
        let id = expect_id(&input.id, NodeKind::Sale, "input.id")?;
        let changes = SaleChanges {
            notes: patch_optional(&input.notes, |n| {
                validate::optional_text("input.notes", Some(n), 10_000)
            })?,
            conversation_ids: input
                .conversation_ids
                .as_deref()
                .map(conversation_ids)
                .transpose()?,
            lines: input.lines.as_deref().map(lines).transpose()?,
        };
        let sale = service::update(ctx.db()?, ctx.viewer()?, id, changes).await?;
        Ok(SalePayload { sale: Sale(sale) })
    }

    /// Appends an event to a sale's status history; it becomes the current status and moves
    /// `lastActivityAt`.
    async fn record_sale_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sale and the event.")] input: RecordSaleStatusInput,
    ) -> AppResult<SalePayload> {
        let id = expect_id(&input.sale_id, NodeKind::Sale, "input.saleId")?;
        let label = validate::text("input.label", &input.label, validate::MAX_TITLE)?;
        let status = validate::optional_text("input.status", input.status.as_deref(), 64)?;
        let sale =
            service::record_status(ctx.db()?, ctx.viewer()?, id, &label, status.as_deref()).await?;
        Ok(SalePayload { sale: Sale(sale) })
    }

    /// Replaces a sale's contacts; exactly one must be primary unless the list is empty.
    async fn set_sale_contacts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sale and its contacts.")] input: SetSaleContactsInput,
    ) -> AppResult<SalePayload> {
        let id = expect_id(&input.sale_id, NodeKind::Sale, "input.saleId")?;
        let sale =
            service::set_contacts(ctx.db()?, ctx.viewer()?, id, contacts(&input.contacts)?).await?;
        Ok(SalePayload { sale: Sale(sale) })
    }
}
