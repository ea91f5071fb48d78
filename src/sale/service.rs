//! The rules of sales: create one, change its notes, conversations and quote, record status
//! events, replace its contacts — and the sale a won deal becomes.
//!
//! Invariants kept by every function, each in one transaction: a sale with contacts has
//! exactly one primary; the status history only grows, in time order, and begins with
//! Qualified (no tag); the quote's total is the sum of its lines (computed, never stored).
//!
//! Reopening a won deal keeps its sale and appends the event Reopened / `reopened`; winning it
//! again appends Accepted / `accepted` and refreshes the quote from the deal.

use crate::auth::Viewer;
use crate::clock;
use crate::db::Db;
use crate::deal::products::line_item;
use crate::deal::products::service::price_of;
use crate::error::{AppError, AppResult};
use entity::enums::QuoteLineKind;
use entity::{
    Scaled, company, contact, deal, deal_discount, deal_product, sale, sale_contact,
    sale_line_item, sale_status_event, user,
};
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseTransaction, QueryOrder};

/// The first event of every sale.
pub const QUALIFIED: &str = "Qualified";
/// The tag of the event a won deal records.
pub const ACCEPTED_TAG: &str = "accepted";
/// The tag of the event a reopened deal records on its sale.
pub const REOPENED_TAG: &str = "reopened";

/// A contact of a sale.
#[derive(Clone, Copy, Debug)]
pub struct SaleContactInput {
    /// The contact.
    pub contact_id: Uuid,
    /// Whether it is the primary one.
    pub is_primary: bool,
}

/// A quote line: the total is quantity × unit price, rounded to cents.
#[derive(Clone, Debug)]
pub struct QuoteLine {
    /// What is sold.
    pub product_name: String,
    /// How many.
    pub quantity: Scaled,
    /// Price of one.
    pub unit_price: Scaled,
}

/// A new sale.
pub struct NewSale {
    /// The agent; the key's user when None.
    pub owner_id: Option<Uuid>,
    /// The company.
    pub company_id: Option<Uuid>,
    /// ISO 4217 code of the quote.
    pub currency: String,
    /// Contacts.
    pub contacts: Vec<SaleContactInput>,
    /// Quote lines.
    pub lines: Vec<QuoteLine>,
    /// Notes.
    pub notes: Option<String>,
    /// Conversation ids.
    pub conversation_ids: Vec<String>,
}

/// Changes: None leaves a field; `Some(None)` clears the notes.
#[derive(Default)]
pub struct SaleChanges {
    /// New notes.
    pub notes: Option<Option<String>>,
    /// New conversation ids.
    pub conversation_ids: Option<Vec<String>>,
    /// New quote lines (replacing all).
    pub lines: Option<Vec<QuoteLine>>,
}

fn line_total(quantity: Scaled, unit_price: Scaled) -> AppResult<Scaled> {
    let total = (quantity.to_decimal() * unit_price.to_decimal())
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    Scaled::from_decimal(total)
        .map_err(|_| AppError::bad_input("input.lines", "a line total is out of range"))
}

/// Checks the contacts: each once, exactly one primary when there are any.
pub fn check_contacts(contacts: &[SaleContactInput]) -> AppResult<()> {
    let mut ids: Vec<Uuid> = contacts.iter().map(|c| c.contact_id).collect();
    ids.sort();
    ids.dedup();
    if ids.len() != contacts.len() {
        return Err(AppError::bad_input(
            "input.contacts",
            "each contact may appear once",
        ));
    }
    let primaries = contacts.iter().filter(|c| c.is_primary).count();
    if !contacts.is_empty() && primaries != 1 {
        return Err(AppError::bad_input(
            "input.contacts",
            format!("exactly one contact must be primary ({primaries} are)"),
        ));
    }
    Ok(())
}

async fn check_refs(
    db: &impl ConnectionTrait,
    org: Uuid,
    owner: Option<Uuid>,
    company_id: Option<Uuid>,
    contacts: &[SaleContactInput],
) -> AppResult<()> {
    if let Some(owner) = owner {
        user::Entity::find_by_id(owner)
            .filter(user::Column::OrganizationId.eq(org))
            .one(db)
            .await?
            .ok_or_else(|| AppError::NotFound("user".into()))?;
    }
    if let Some(company_id) = company_id {
        company::Entity::find_by_id(company_id)
            .filter(company::Column::OrganizationId.eq(org))
            .filter(company::Column::DeletedAt.is_null())
            .one(db)
            .await?
            .ok_or_else(|| AppError::NotFound("company".into()))?;
    }
    if !contacts.is_empty() {
        let found = contact::Entity::find()
            .filter(contact::Column::OrganizationId.eq(org))
            .filter(contact::Column::DeletedAt.is_null())
            .filter(contact::Column::Id.is_in(contacts.iter().map(|c| c.contact_id)))
            .all(db)
            .await?;
        if found.len() != contacts.len() {
            return Err(AppError::NotFound("contact".into()));
        }
    }
    Ok(())
}

async fn find(db: &impl ConnectionTrait, org: Uuid, id: Uuid) -> AppResult<sale::Model> {
    sale::Entity::find_by_id(id)
        .filter(sale::Column::OrganizationId.eq(org))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("sale".into()))
}

async fn replace_contacts(
    txn: &DatabaseTransaction,
    org: Uuid,
    sale_id: Uuid,
    contacts: &[SaleContactInput],
) -> AppResult<()> {
    sale_contact::Entity::delete_many()
        .filter(sale_contact::Column::OrganizationId.eq(org))
        .filter(sale_contact::Column::SaleId.eq(sale_id))
        .exec(txn)
        .await?;
    let rows = contacts.iter().map(|c| sale_contact::ActiveModel {
        sale_id: Set(sale_id),
        contact_id: Set(c.contact_id),
        organization_id: Set(org),
        is_primary: Set(c.is_primary),
    });
    sale_contact::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// A quote line with what it comes to: its total, the discount and tax in it, and what kind
/// of line it is.
struct QuotedLine {
    line: QuoteLine,
    total: Scaled,
    discount: Scaled,
    tax: Scaled,
    kind: QuoteLineKind,
}

impl QuotedLine {
    /// A line of quantity × unit price and nothing else.
    fn plain(line: QuoteLine, total: Scaled, kind: QuoteLineKind) -> Self {
        Self {
            line,
            total,
            discount: Scaled::ZERO,
            tax: Scaled::ZERO,
            kind,
        }
    }
}

/// Replaces a sale's quote lines, with their totals.
async fn replace_lines(
    txn: &DatabaseTransaction,
    org: Uuid,
    sale_id: Uuid,
    lines: &[QuotedLine],
) -> AppResult<()> {
    sale_line_item::Entity::delete_many()
        .filter(sale_line_item::Column::OrganizationId.eq(org))
        .filter(sale_line_item::Column::SaleId.eq(sale_id))
        .exec(txn)
        .await?;
    let rows = lines
        .iter()
        .enumerate()
        .map(|(position, quoted)| sale_line_item::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org),
            sale_id: Set(sale_id),
            position: Set(position as i32),
            product_name: Set(quoted.line.product_name.clone()),
            quantity: Set(quoted.line.quantity),
            unit_price: Set(quoted.line.unit_price),
            total: Set(quoted.total),
            discount: Set(quoted.discount),
            tax: Set(quoted.tax),
            kind: Set(quoted.kind),
        });
    sale_line_item::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

fn with_totals(lines: Vec<QuoteLine>) -> AppResult<Vec<QuotedLine>> {
    lines
        .into_iter()
        .map(|line| {
            let total = line_total(line.quantity, line.unit_price)?;
            Ok(QuotedLine::plain(line, total, QuoteLineKind::Product))
        })
        .collect()
}

async fn add_event(
    txn: &DatabaseTransaction,
    org: Uuid,
    sale_id: Uuid,
    label: &str,
    status: Option<&str>,
    at: DateTimeUtc,
) -> AppResult<()> {
    sale_status_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        sale_id: Set(sale_id),
        label: Set(label.to_owned()),
        status: Set(status.map(str::to_owned)),
        changed_at: Set(at),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Creates a sale, starting with the Qualified event.
pub async fn create(db: &impl Db, viewer: &Viewer, new: NewSale) -> AppResult<sale::Model> {
    let org = viewer.organization_id;
    check_contacts(&new.contacts)?;
    let owner_id = new.owner_id.or(viewer.user_id);
    check_refs(db, org, new.owner_id, new.company_id, &new.contacts).await?;
    let lines = with_totals(new.lines)?;
    let now = clock::now();
    let txn = crate::db::begin_write(db).await?;
    let created = sale::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        deal_id: Set(None),
        owner_id: Set(owner_id),
        company_id: Set(new.company_id),
        currency: Set(new.currency),
        notes: Set(new.notes),
        conversation_ids: Set(serde_json::json!(new.conversation_ids)),
        created_at: Set(now),
        updated_at: Set(now),
        last_activity_at: Set(now),
    }
    .insert(&txn)
    .await?;
    replace_contacts(&txn, org, created.id, &new.contacts).await?;
    replace_lines(&txn, org, created.id, &lines).await?;
    add_event(&txn, org, created.id, QUALIFIED, None, now).await?;
    txn.commit().await?;
    Ok(created)
}

/// Locks a sale for a change: touches it as the transaction's first statement.
async fn touch(
    txn: &DatabaseTransaction,
    org: Uuid,
    id: Uuid,
    activity: bool,
) -> AppResult<sale::Model> {
    let now = clock::now();
    let mut update = sale::Entity::update_many()
        .col_expr(sale::Column::UpdatedAt, Expr::value(now))
        .filter(sale::Column::OrganizationId.eq(org))
        .filter(sale::Column::Id.eq(id));
    if activity {
        update = update.col_expr(sale::Column::LastActivityAt, Expr::value(now));
    }
    if update.exec(txn).await?.rows_affected == 0 {
        return Err(AppError::NotFound("sale".into()));
    }
    find(txn, org, id).await
}

/// Changes a sale's notes, conversation ids and/or quote lines.
pub async fn update(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    changes: SaleChanges,
) -> AppResult<sale::Model> {
    let org = viewer.organization_id;
    let lines = changes.lines.map(with_totals).transpose()?;
    let txn = crate::db::begin_write(db).await?;
    let current = touch(&txn, org, id, false).await?;
    let mut row: sale::ActiveModel = current.into();
    if let Some(notes) = changes.notes {
        row.notes = Set(notes);
    }
    if let Some(ids) = changes.conversation_ids {
        row.conversation_ids = Set(serde_json::json!(ids));
    }
    let updated = row.update(&txn).await?;
    if let Some(lines) = lines {
        replace_lines(&txn, org, id, &lines).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Appends a status event; it becomes the current status and moves `lastActivityAt`.
pub async fn record_status(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    label: &str,
    status: Option<&str>,
) -> AppResult<sale::Model> {
    let org = viewer.organization_id;
    let txn = crate::db::begin_write(db).await?;
    let sale = touch(&txn, org, id, true).await?;
    add_event(&txn, org, id, label, status, sale.last_activity_at).await?;
    txn.commit().await?;
    Ok(sale)
}

/// Replaces a sale's contacts.
pub async fn set_contacts(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    contacts: Vec<SaleContactInput>,
) -> AppResult<sale::Model> {
    let org = viewer.organization_id;
    check_contacts(&contacts)?;
    check_refs(db, org, None, None, &contacts).await?;
    let txn = crate::db::begin_write(db).await?;
    let sale = touch(&txn, org, id, false).await?;
    replace_contacts(&txn, org, id, &contacts).await?;
    txn.commit().await?;
    Ok(sale)
}

/// The quote of a won deal: its product lines (total with tax each), or one line with its
/// title and value.
async fn quote_of(txn: &DatabaseTransaction, won: &deal::Model) -> AppResult<Vec<QuotedLine>> {
    let org = won.organization_id;
    let one = Scaled::from_decimal(Decimal::ONE).unwrap_or_default();
    let scaled = |amount: Decimal| {
        Scaled::from_decimal(amount)
            .map_err(|_| AppError::bad_input("input", "a quote amount is out of range"))
    };
    let Some(price) = price_of(txn, org, won.id).await? else {
        let line = QuoteLine {
            product_name: won.title.clone(),
            quantity: one,
            unit_price: won.value,
        };
        return Ok(vec![QuotedLine::plain(
            line,
            won.value,
            QuoteLineKind::Product,
        )]);
    };
    let products = deal_product::Entity::find()
        .filter(deal_product::Column::OrganizationId.eq(org))
        .filter(deal_product::Column::DealId.eq(won.id))
        .filter(deal_product::Column::IsEnabled.eq(true))
        .order_by_asc(deal_product::Column::Position)
        .all(txn)
        .await?;
    let mut lines = Vec::new();
    for product in &products {
        let totals = line_item(product).totals();
        lines.push(QuotedLine {
            line: QuoteLine {
                product_name: product.name.clone(),
                quantity: product.quantity,
                unit_price: product.unit_price,
            },
            total: scaled(totals.with_tax)?,
            discount: scaled(totals.discount)?,
            tax: scaled(totals.tax())?,
            kind: QuoteLineKind::Product,
        });
    }
    let discounts = deal_discount::Entity::find()
        .filter(deal_discount::Column::OrganizationId.eq(org))
        .filter(deal_discount::Column::DealId.eq(won.id))
        .order_by_asc(deal_discount::Column::Position)
        .order_by_asc(deal_discount::Column::Id)
        .all(txn)
        .await?;
    for (discount, off) in discounts.iter().zip(&price.discounts) {
        let off = scaled(-*off)?;
        let line = QuoteLine {
            product_name: discount.description.clone(),
            quantity: one,
            unit_price: off,
        };
        lines.push(QuotedLine::plain(line, off, QuoteLineKind::Discount));
    }
    if let Some(adjustment) = won.value_adjustment.filter(|a| *a != Scaled::ZERO) {
        let line = QuoteLine {
            product_name: "Final value adjustment".into(),
            quantity: one,
            unit_price: adjustment,
        };
        lines.push(QuotedLine::plain(
            line,
            adjustment,
            QuoteLineKind::Adjustment,
        ));
    }
    Ok(lines)
}

/// Records the sale of a deal just won, in the deal's transaction: a new sale (Qualified at the
/// deal's creation, then Accepted now) or, for a deal won before, Accepted again with a fresh
/// quote.
pub async fn record_won(txn: &DatabaseTransaction, won: &deal::Model) -> AppResult<sale::Model> {
    let org = won.organization_id;
    let now = won.closed_at.unwrap_or_else(clock::now);
    let lines = quote_of(txn, won).await?;
    let existing = sale::Entity::find()
        .filter(sale::Column::OrganizationId.eq(org))
        .filter(sale::Column::DealId.eq(won.id))
        .one(txn)
        .await?;
    let sale = match existing {
        Some(existing) => {
            let mut row: sale::ActiveModel = existing.into();
            row.currency = Set(won.currency.clone());
            row.updated_at = Set(now);
            row.last_activity_at = Set(now);
            row.update(txn).await?
        }
        None => {
            let created = sale::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(org),
                deal_id: Set(Some(won.id)),
                owner_id: Set(won.owner_id),
                company_id: Set(won.company_id),
                currency: Set(won.currency.clone()),
                notes: Set(None),
                conversation_ids: Set(serde_json::json!([])),
                created_at: Set(now),
                updated_at: Set(now),
                last_activity_at: Set(now),
            }
            .insert(txn)
            .await?;
            let contacts: Vec<SaleContactInput> = won
                .contact_id
                .map(|c| SaleContactInput {
                    contact_id: c,
                    is_primary: true,
                })
                .into_iter()
                .collect();
            replace_contacts(txn, org, created.id, &contacts).await?;
            add_event(txn, org, created.id, QUALIFIED, None, won.created_at).await?;
            created
        }
    };
    replace_lines(txn, org, sale.id, &lines).await?;
    add_event(txn, org, sale.id, "Accepted", Some(ACCEPTED_TAG), now).await?;
    Ok(sale)
}

/// Records on a reopened deal's sale (if it has one) that the deal was reopened.
pub async fn record_reopened(txn: &DatabaseTransaction, reopened: &deal::Model) -> AppResult<()> {
    let org = reopened.organization_id;
    let Some(existing) = sale::Entity::find()
        .filter(sale::Column::OrganizationId.eq(org))
        .filter(sale::Column::DealId.eq(reopened.id))
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let now = clock::now();
    let mut row: sale::ActiveModel = existing.into();
    row.updated_at = Set(now);
    row.last_activity_at = Set(now);
    let sale = row.update(txn).await?;
    add_event(txn, org, sale.id, "Reopened", Some(REOPENED_TAG), now).await
}
