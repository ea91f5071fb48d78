//! Installments of a deal (Pipedrive): the parts a deal of one-time products is billed in.
//! They are set all at once and must add up exactly to the deal's value; while a deal has
//! them, a change that would move its value away from their sum (a product line, a discount)
//! is CONFLICT, and so is a recurring line.

use crate::auth::Viewer;
use crate::clock;
use crate::db::Db;
use crate::deal::events::{self, DealEventType};
use crate::deal::products::service::lock_deal;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{NodeKind, global_id};
use entity::enums::BillingFrequency;
use entity::{Scaled, deal, deal_installment, deal_product};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder};
use serde_json::{Value as Json, json};

/// Most installments a deal may have.
pub const MAX_INSTALLMENTS: usize = 100;

/// An installment, validated.
#[derive(Clone, Debug)]
pub struct InstallmentFields {
    /// What it is.
    pub description: String,
    /// More than zero.
    pub amount: Scaled,
    /// When it is billed.
    pub billing_date: Date,
}

/// The sum of a deal's installments, or None when it has none.
pub async fn total(
    db: &impl ConnectionTrait,
    org: Uuid,
    deal_id: Uuid,
) -> AppResult<Option<Scaled>> {
    let rows = of_deal(db, org, deal_id).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    Ok(Some(Scaled(rows.iter().map(|row| row.amount.0).sum())))
}

async fn of_deal(
    db: &impl ConnectionTrait,
    org: Uuid,
    deal_id: Uuid,
) -> AppResult<Vec<deal_installment::Model>> {
    Ok(deal_installment::Entity::find()
        .filter(deal_installment::Column::OrganizationId.eq(org))
        .filter(deal_installment::Column::DealId.eq(deal_id))
        .order_by_asc(deal_installment::Column::BillingDate)
        .order_by_asc(deal_installment::Column::Id)
        .all(db)
        .await?)
}

fn installments_json(rows: &[deal_installment::Model]) -> Json {
    Json::Array(
        rows.iter()
            .map(|row| {
                json!({
                    "id": global_id(NodeKind::DealInstallment, row.id).0,
                    "description": row.description,
                    "amount": events::money(row.amount),
                    "billingDate": row.billing_date.to_string(),
                })
            })
            .collect(),
    )
}

/// Replaces a deal's installments with `installments` (none: the deal has none). The deal
/// must have an enabled one-time product line and no enabled recurring one, and the amounts
/// must add up to its value exactly.
pub async fn set(
    db: &impl Db,
    viewer: &Viewer,
    deal_id: Uuid,
    installments: Vec<InstallmentFields>,
    expected_version: Option<i32>,
) -> AppResult<deal::Model> {
    let org = viewer.organization_id;
    if installments.len() > MAX_INSTALLMENTS {
        return Err(AppError::bad_input(
            "input.installments",
            format!("at most {MAX_INSTALLMENTS} installments"),
        ));
    }
    crate::deal::service::find(db, org, deal_id).await?;
    let txn = crate::db::begin_write(db).await?;
    lock_deal(&txn, org, deal_id, expected_version).await?;
    let deal = crate::deal::service::find(&txn, org, deal_id).await?;
    if !installments.is_empty() {
        let lines = deal_product::Entity::find()
            .filter(deal_product::Column::OrganizationId.eq(org))
            .filter(deal_product::Column::DealId.eq(deal_id))
            .filter(deal_product::Column::IsEnabled.eq(true))
            .all(&txn)
            .await?;
        let one_time =
            |line: &deal_product::Model| line.billing_frequency == BillingFrequency::OneTime;
        if !lines.iter().any(one_time) {
            return Err(AppError::Conflict(
                "installments are for a deal with one-time product lines: it has none".into(),
            ));
        }
        if !lines.iter().all(one_time) {
            return Err(AppError::Conflict(
                "a deal with recurring product lines is not billed in installments".into(),
            ));
        }
        let sum = Scaled(installments.iter().map(|i| i.amount.0).sum());
        if sum != deal.value {
            return Err(AppError::bad_input(
                "input.installments",
                format!(
                    "the installments add up to {}; the deal's value is {}",
                    sum.to_decimal(),
                    deal.value.to_decimal()
                ),
            ));
        }
    }
    let before = of_deal(&txn, org, deal_id).await?;
    deal_installment::Entity::delete_many()
        .filter(deal_installment::Column::OrganizationId.eq(org))
        .filter(deal_installment::Column::DealId.eq(deal_id))
        .exec(&txn)
        .await?;
    let now = clock::now();
    let rows = installments
        .into_iter()
        .map(|fields| deal_installment::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org),
            deal_id: Set(deal_id),
            description: Set(fields.description),
            amount: Set(fields.amount),
            billing_date: Set(fields.billing_date),
            created_at: Set(now),
        });
    deal_installment::Entity::insert_many(rows)
        .exec_without_returning(&txn)
        .await?;
    let after = of_deal(&txn, org, deal_id).await?;
    let change = events::field(
        "installments",
        installments_json(&before),
        installments_json(&after),
    );
    let kind = DealEventType::InstallmentsSet;
    events::record(&txn, viewer, deal_id, kind, vec![change]).await?;
    let deal = crate::deal::service::find(&txn, org, deal_id).await?;
    txn.commit().await?;
    Ok(deal)
}
