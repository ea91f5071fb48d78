//! Seeds asked for by issue 13, first part:
//!
//! - `deal.created_by_id`: the user whose key created the deal (null for deals written before
//!   this migration, by `dealgate demo`, or by a key without a user);
//! - `pipeline.stalled_after_days`: Rex's `stalled` status — an open deal of the pipeline with
//!   no activity for more than this many days is stalled (null: deals of the pipeline never
//!   stall);
//! - `deal_participant`: contacts taking part in a deal besides its main contact (Pipedrive's
//!   participants), at most once each, indexed for the per-deal list (by the time they were
//!   added) and for "the deals a contact takes part in".
//!
//! On PostgreSQL the new references are composite foreign keys like every other
//! (`(organization_id, x_id)`); SQLite cannot add a foreign key to an existing table, so there
//! `deal.created_by_id` is checked by the service alone. `deal_participant` is a new table and
//! has its keys on both.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("deal")
                    .add_column(uuid_null("created_by_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("pipeline")
                    .add_column(integer_null("stalled_after_days"))
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE deal ADD CONSTRAINT fk_deal_created_by_id \
                     FOREIGN KEY (organization_id, created_by_id) \
                     REFERENCES \"user\" (organization_id, id)",
                )
                .await?;
        }
        let mut participant = Table::create();
        participant
            .table("deal_participant")
            .col(uuid("id").primary_key())
            .col(uuid("organization_id"))
            .col(uuid("deal_id"))
            .col(uuid("contact_id"))
            .col(uuid_null("added_by_id"))
            .col(timestamp_with_time_zone("created_at"))
            .index(
                Index::create()
                    .name("ux_deal_participant_org_id")
                    .col("organization_id")
                    .col("id")
                    .unique(),
            )
            .index(
                Index::create()
                    .name("ux_deal_participant_once")
                    .col("organization_id")
                    .col("deal_id")
                    .col("contact_id")
                    .unique(),
            );
        for (column, target, cascade) in [
            ("deal_id", "deal", true),
            ("contact_id", "contact", true),
            ("added_by_id", "user", false),
        ] {
            let mut fk = ForeignKey::create();
            fk.name(format!("fk_deal_participant_{column}"))
                .from_col("organization_id")
                .from_col(column)
                .to_tbl(target)
                .to_col("organization_id")
                .to_col("id");
            if cascade {
                fk.on_delete(ForeignKeyAction::Cascade);
            }
            participant.foreign_key(&mut fk);
        }
        manager.create_table(participant).await?;
        for (name, columns) in [
            (
                "ix_deal_participant_list",
                ["organization_id", "deal_id", "created_at", "id"],
            ),
            (
                "ix_deal_participant_contact",
                ["organization_id", "contact_id", "deal_id", "id"],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table("deal_participant");
            for column in columns {
                index.col(column);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("deal_participant").to_owned())
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE deal DROP CONSTRAINT fk_deal_created_by_id")
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("pipeline")
                    .drop_column("stalled_after_days")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("deal")
                    .drop_column("created_by_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
