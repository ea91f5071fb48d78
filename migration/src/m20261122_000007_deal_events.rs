//! `deal_event`: the log of every change of a deal and of what hangs from it, written in the
//! same transaction as the change (an outbox), numbered per organisation by
//! `deal_event_sequence` without gaps: each write takes the organisation's counter row, so
//! writers of one organisation commit in sequence order and a reader never sees a later
//! number before an earlier one. Events outlive their deal (a sync client must learn of a
//! deletion), so they do not reference it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("deal_event_sequence")
                    .col(uuid("organization_id").primary_key())
                    .col(big_integer("last_sequence"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("deal_event_sequence", "organization_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("deal_event")
                    .col(uuid("id").primary_key())
                    .col(uuid("organization_id"))
                    .col(big_integer("sequence"))
                    .col(uuid("deal_id"))
                    .col(string_len("event_type", 32))
                    .col(json_binary("changes"))
                    .col(uuid_null("user_id"))
                    .col(uuid_null("api_key_id"))
                    .col(timestamp_with_time_zone("occurred_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("deal_event", "organization_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns, unique) in [
            (
                "ux_deal_event_organization_id_sequence",
                &["organization_id", "sequence"][..],
                true,
            ),
            (
                "ix_deal_event_organization_id_deal_id_sequence",
                &["organization_id", "deal_id", "sequence"][..],
                false,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table("deal_event");
            for column in columns {
                index.col(*column);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("deal_event").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("deal_event_sequence").to_owned())
            .await
    }
}
