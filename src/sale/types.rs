//! The `Sale` GraphQL type and what it is made of.

use super::loader::{SaleContacts, SaleEvents, SaleLines};
use crate::company::{Company, CompanyId};
use crate::contact::{Contact, ContactId};
use crate::deal::{Deal, DealId};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::scalars::{DateTime, Decimal};
use crate::user::{User, UserId};
use async_graphql::{Context, ID, Object, SimpleObject};
use entity::{sale, sale_contact, sale_line_item, sale_status_event};

#[derive(Clone)]
pub struct Sale(pub sale::Model);

/// A contact associated with a sale.
pub struct SaleContact(sale_contact::Model);

/// A contact of a sale and whether it is the primary one (HyperRep's associated contacts).
#[Object]
impl SaleContact {
    /// The contact.
    async fn contact(&self, ctx: &Context<'_>) -> AppResult<Option<Contact>> {
        ctx.loaders()?.load_one(ContactId(self.0.contact_id)).await
    }

    /// Whether this is the sale's primary contact; a sale with contacts has exactly one.
    async fn is_primary(&self) -> bool {
        self.0.is_primary
    }
}

/// A line of a sale's quote.
#[derive(SimpleObject)]
pub struct SaleQuoteLine {
    /// What is sold.
    pub product_name: String,
    /// How many.
    pub quantity: Decimal,
    /// Price of one.
    pub unit_price: Decimal,
    /// The line's total, exact: with its tax, after its discount. A deal discount's line is
    /// negative.
    pub total: Decimal,
    /// What the line's discount took off quantity × unit price, before tax.
    pub discount: Decimal,
    /// The tax in the line's total.
    pub tax: Decimal,
    /// What the line stands for.
    pub kind: QuoteLineKind,
}

/// What a line of a sale's quote stands for.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::QuoteLineKind")]
pub enum QuoteLineKind {
    /// A product line (or the deal itself, for a deal without products).
    Product,
    /// A discount of the whole deal (a negative total).
    Discount,
    /// The difference between the final value the deal was won at and what its products
    /// make.
    Adjustment,
}

impl From<&sale_line_item::Model> for SaleQuoteLine {
    fn from(line: &sale_line_item::Model) -> Self {
        Self {
            product_name: line.product_name.clone(),
            quantity: Decimal(line.quantity.to_decimal().normalize()),
            unit_price: Decimal::money(line.unit_price.to_decimal()),
            total: Decimal::money(line.total.to_decimal()),
            discount: Decimal::money(line.discount.to_decimal()),
            tax: Decimal::money(line.tax.to_decimal()),
            kind: line.kind.into(),
        }
    }
}

/// A sale's quote (HyperRep's quote details): its currency, lines and exact total.
#[derive(SimpleObject)]
pub struct SaleQuote {
    /// ISO 4217 code of every amount in the quote.
    pub currency: String,
    /// The sum of the lines' totals, exact.
    pub total_price: Decimal,
    /// The lines, in order.
    pub lines: Vec<SaleQuoteLine>,
}

/// An event of a sale's status history: a label and an optional status tag.
#[derive(SimpleObject, Clone)]
pub struct SaleStatusEvent {
    /// What happened, for people (e.g. `Quote sent`).
    pub label: String,
    /// A machine tag (e.g. `quote_sent`, `accepted`, `reopened`); null for the first event,
    /// Qualified.
    pub status: Option<String>,
    /// When it happened.
    pub changed_at: DateTime,
}

impl From<&sale_status_event::Model> for SaleStatusEvent {
    fn from(event: &sale_status_event::Model) -> Self {
        Self {
            label: event.label.clone(),
            status: event.status.clone(),
            changed_at: event.changed_at.into(),
        }
    }
}

/// A sale (HyperRep): the agent who owns it, the company and contacts it is with, its quote,
/// notes and conversations, and the history of its status.
#[Object]
impl Sale {
    /// The sale's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Sale, self.0.id)
    }

    /// The agent who owns the sale.
    async fn owner(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        match self.0.owner_id {
            Some(id) => ctx.loaders()?.load_one(UserId(id)).await,
            None => Ok(None),
        }
    }

    /// The company the sale is with.
    async fn company(&self, ctx: &Context<'_>) -> AppResult<Option<Company>> {
        match self.0.company_id {
            Some(id) => ctx.loaders()?.load_one(CompanyId(id)).await,
            None => Ok(None),
        }
    }

    /// The associated contacts, the primary one first.
    async fn contacts(&self, ctx: &Context<'_>) -> AppResult<Vec<SaleContact>> {
        let mut rows = ctx
            .loaders()?
            .load_one(SaleContacts(self.0.id))
            .await?
            .unwrap_or_default();
        rows.sort_by_key(|c| !c.is_primary);
        Ok(rows.into_iter().map(SaleContact).collect())
    }

    /// The primary contact, when the sale has contacts.
    async fn primary_contact(&self, ctx: &Context<'_>) -> AppResult<Option<Contact>> {
        let rows = ctx
            .loaders()?
            .load_one(SaleContacts(self.0.id))
            .await?
            .unwrap_or_default();
        match rows.iter().find(|c| c.is_primary) {
            Some(primary) => ctx.loaders()?.load_one(ContactId(primary.contact_id)).await,
            None => Ok(None),
        }
    }

    /// The quote: currency, lines and total price (always the exact sum of the lines).
    async fn quote(&self, ctx: &Context<'_>) -> AppResult<SaleQuote> {
        let rows = ctx
            .loaders()?
            .load_one(SaleLines(self.0.id))
            .await?
            .unwrap_or_default();
        let total: rust_decimal::Decimal = rows.iter().map(|l| l.total.to_decimal()).sum();
        Ok(SaleQuote {
            currency: self.0.currency.clone(),
            total_price: Decimal::money(total),
            lines: rows.iter().map(SaleQuoteLine::from).collect(),
        })
    }

    /// Free-text notes.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }

    /// The latest event of the status history.
    async fn current_status(&self, ctx: &Context<'_>) -> AppResult<Option<SaleStatusEvent>> {
        let rows = ctx
            .loaders()?
            .load_one(SaleEvents(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows.last().map(SaleStatusEvent::from))
    }

    /// Every status event, oldest first; the first is Qualified, with a null status tag.
    async fn status_history(&self, ctx: &Context<'_>) -> AppResult<Vec<SaleStatusEvent>> {
        let rows = ctx
            .loaders()?
            .load_one(SaleEvents(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows.iter().map(SaleStatusEvent::from).collect())
    }

    /// Ids of the conversations about this sale.
    async fn conversation_ids(&self) -> Vec<String> {
        serde_json::from_value(self.0.conversation_ids.clone()).unwrap_or_default()
    }

    /// The deal the sale came from, if any.
    async fn deal(&self, ctx: &Context<'_>) -> AppResult<Option<Deal>> {
        match self.0.deal_id {
            Some(id) => ctx.loaders()?.load_one(DealId(id)).await,
            None => Ok(None),
        }
    }

    /// When the sale was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the sale was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }

    /// When something last happened on the sale (HyperRep's sort key).
    async fn last_activity_at(&self) -> DateTime {
        self.0.last_activity_at.into()
    }
}
