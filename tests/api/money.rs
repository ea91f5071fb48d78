//! Exact money: 10,000 deal values with cents sum exactly in the database, on every backend.

use crate::helpers::spawn_app;
use dealgate::clock;
use entity::enums::{DealStatus, Priority};
use entity::{Scaled, deal, pipeline, stage};
use rust_decimal::Decimal;
use sea_orm::prelude::Uuid;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect,
};
use std::str::FromStr;

const DEALS: usize = 10_000;

#[tokio::test]
async fn the_database_sums_ten_thousand_values_exactly() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let now = clock::now();
    let pipeline = pipeline::Model {
        id: Uuid::now_v7(),
        organization_id: org.id,
        name: "Sales".into(),
        position: 0,
        created_at: now,
        updated_at: now,
        stalled_after_days: None,
    }
    .into_active_model()
    .reset_all()
    .insert(&app.db)
    .await
    .expect("pipeline");
    let stage = stage::Model {
        id: Uuid::now_v7(),
        organization_id: org.id,
        pipeline_id: pipeline.id,
        name: "Prospecting".into(),
        position: 0,
        probability: 10,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    }
    .into_active_model()
    .reset_all()
    .insert(&app.db)
    .await
    .expect("stage");

    // Values with cents that floats cannot hold exactly (0.1, 0.07, …), as text first.
    let mut seed = 0x2545_F491_4F6C_DD1D_u64;
    let mut expected = Decimal::ZERO;
    let mut rows = Vec::with_capacity(DEALS);
    for n in 0..DEALS {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let text = format!("{}.{:02}", seed % 1_000_000, seed % 100);
        let value = Decimal::from_str(&text).expect("decimal");
        expected += value;
        rows.push(
            deal::Model {
                id: Uuid::now_v7(),
                organization_id: org.id,
                title: format!("Deal {n}"),
                value: Scaled::from_decimal(value).expect("fits"),
                currency: "EUR".into(),
                status: DealStatus::Open,
                pipeline_id: pipeline.id,
                stage_id: stage.id,
                contact_id: None,
                company_id: None,
                owner_id: None,
                expected_close_date: None,
                priority: Priority::Medium,
                source: None,
                custom_fields: serde_json::json!({}),
                lost_reason: None,
                won_at: None,
                lost_at: None,
                closed_at: None,
                stage_changed_at: now,
                last_activity_at: None,
                archived_at: None,
                deleted_at: None,
                created_at: now,
                updated_at: now,
                version: 1,
                created_by_id: None,
                value_adjustment: None,
            }
            .into_active_model()
            .reset_all(),
        );
    }
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(1_000).collect();
        deal::Entity::insert_many(chunk)
            .exec_without_returning(&app.db)
            .await
            .expect("insert");
    }

    let total: Option<i64> = deal::Entity::find()
        .select_only()
        .expr(dealgate::db::scaled_sum(sea_orm::sea_query::Expr::col(
            deal::Column::Value,
        )))
        .filter(deal::Column::OrganizationId.eq(org.id))
        .into_tuple()
        .one(&app.db)
        .await
        .expect("sum");
    let total = Scaled(total.expect("a sum")).to_decimal();
    assert_eq!(total, expected);
    assert_ne!(
        expected.fract(),
        Decimal::ZERO,
        "the data has cents to lose"
    );
}
