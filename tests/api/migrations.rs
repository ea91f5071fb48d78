//! Migrations run up, down and up again, and create every table of the domain.

use crate::helpers::fresh_database;
use migration::{Migrator, MigratorTrait, SchemaManager};

/// Every table of the domain.
pub const TABLES: [&str; 26] = [
    "organization",
    "user",
    "api_key",
    "company",
    "contact",
    "pipeline",
    "stage",
    "deal",
    "deal_tag",
    "deal_follower",
    "deal_product",
    "stage_change",
    "activity",
    "task",
    "sale",
    "sale_contact",
    "sale_line_item",
    "sale_status_event",
    "deal_stage_total",
    "deal_search",
    "deal_event_sequence",
    "deal_event",
    "deal_participant",
    "idempotency_key",
    "deal_discount",
    "deal_installment",
];

async fn existing_tables(manager: &SchemaManager<'_>) -> Vec<&'static str> {
    let mut found = Vec::new();
    for table in TABLES {
        if manager.has_table(table).await.expect("has_table") {
            found.push(table);
        }
    }
    found
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let (db, _dir) = fresh_database().await;
    let manager = SchemaManager::new(&db);
    assert_eq!(existing_tables(&manager).await, TABLES);
    for (table, index) in [
        ("deal", "ix_deal_organization_id_stage_id_id"),
        ("sale", "ix_sale_organization_id_last_activity_at_id"),
    ] {
        assert!(
            manager.has_index(table, index).await.expect("has_index"),
            "{index}"
        );
    }

    Migrator::down(&db, None).await.expect("down");
    assert!(existing_tables(&manager).await.is_empty());

    Migrator::up(&db, None).await.expect("up again");
    assert_eq!(existing_tables(&manager).await, TABLES);
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .expect("pending")
            .is_empty()
    );
}
