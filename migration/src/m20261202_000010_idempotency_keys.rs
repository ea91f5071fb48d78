//! `idempotency_key`: what a create mutation sent with an idempotency key produced, so that a
//! retry with the same key (for 24 hours) gets the same result instead of creating again.
//! One row per organisation and key, written in the transaction of the create it guards: a
//! concurrent retry waits on the row (PostgreSQL's unique index, SQLite's write lock) and then
//! reads the result of the first.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("idempotency_key")
                    .col(uuid("organization_id"))
                    .col(string_len("key", 255))
                    .col(string_len("operation", 64))
                    .col(string_len("fingerprint", 64))
                    .col(json_null("result"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("organization_id").col("key"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_idempotency_key_organization")
                            .from_col("organization_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_idempotency_key_created_at")
                    .table("idempotency_key")
                    .col("created_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("idempotency_key").to_owned())
            .await
    }
}
