//! Database migrations of dealgate, run by the server at start (and by `dealgate migrate`).

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_domain;
mod m20261121_000002_stage_deleted_at;
mod m20261121_000003_user_email_unique;
mod m20261121_000004_live_deal_indexes;
mod m20261121_000005_deal_stage_totals;
mod m20261122_000006_deal_search;
mod m20261122_000007_deal_events;
mod m20261123_000008_deal_event_scope;
mod m20261202_000009_deal_participants_and_stalls;
mod m20261202_000010_idempotency_keys;
mod m20261202_000011_deal_pricing;

/// Every migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_domain::Migration),
            Box::new(m20261121_000002_stage_deleted_at::Migration),
            Box::new(m20261121_000003_user_email_unique::Migration),
            Box::new(m20261121_000004_live_deal_indexes::Migration),
            Box::new(m20261121_000005_deal_stage_totals::Migration),
            Box::new(m20261122_000006_deal_search::Migration),
            Box::new(m20261122_000007_deal_events::Migration),
            Box::new(m20261123_000008_deal_event_scope::Migration),
            Box::new(m20261202_000009_deal_participants_and_stalls::Migration),
            Box::new(m20261202_000010_idempotency_keys::Migration),
            Box::new(m20261202_000011_deal_pricing::Migration),
        ]
    }
}
