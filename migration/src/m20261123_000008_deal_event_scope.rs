//! What live subscribers need of each `deal_event`:
//!
//! - the deal's pipeline, stage and owner just after the change (`pipeline_id`, `stage_id`,
//!   `owner_id`), so a subscription filtered on a pipeline, stages or an owner is decided from
//!   the event alone (the old values of a move or a reassignment are in `changes`);
//! - on PostgreSQL, a `NOTIFY deal_events, '<organisation>:<sequence>'` for every event,
//!   delivered when its transaction commits (never for one that rolls back), which wakes the
//!   subscribers of every server process on the database. The log stays the source of truth:
//!   a notification only says "read the log again".

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Sends the notification of each new event (to the channel `deal_events`).
const NOTIFY_FUNCTION: &str =
    "CREATE FUNCTION deal_event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
    PERFORM pg_notify('deal_events', NEW.organization_id::text || ':' || NEW.sequence::text);
    RETURN NULL;
    END $$";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in ["pipeline_id", "stage_id", "owner_id"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("deal_event")
                        .add_column(uuid_null(column))
                        .to_owned(),
                )
                .await?;
        }
        if manager.get_database_backend() == DbBackend::Postgres {
            let db = manager.get_connection();
            db.execute_unprepared(NOTIFY_FUNCTION).await?;
            db.execute_unprepared(
                "CREATE TRIGGER deal_event_notify AFTER INSERT ON deal_event \
                 FOR EACH ROW EXECUTE FUNCTION deal_event_notify()",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            let db = manager.get_connection();
            db.execute_unprepared("DROP TRIGGER IF EXISTS deal_event_notify ON deal_event")
                .await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS deal_event_notify()")
                .await?;
        }
        for column in ["pipeline_id", "stage_id", "owner_id"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("deal_event")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
