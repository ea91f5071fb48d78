//! Partial indexes over the deals lists show by default (neither deleted nor archived): a
//! board's per-stage pages (`status`, then `id`) and its per-stage counts read only the open
//! deals of each stage, and "open deals of a stage above a value, by value" is one range scan.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Name and columns of each index, all over the live deals.
const INDEXES: &[(&str, &[&str])] = &[
    (
        "ix_deal_live_stage_status_id",
        &["organization_id", "stage_id", "status", "id"],
    ),
    (
        "ix_deal_live_stage_status_value",
        &["organization_id", "stage_id", "status", "value", "id"],
    ),
    ("ix_deal_live_id", &["organization_id", "id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, columns) in INDEXES {
            let mut index = Index::create();
            index.name(*name).table("deal").cond_where(
                Condition::all()
                    .add(Expr::col("deleted_at").is_null())
                    .add(Expr::col("archived_at").is_null()),
            );
            for column in *columns {
                index.col(*column);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(*name).table("deal").to_owned())
                .await?;
        }
        Ok(())
    }
}
