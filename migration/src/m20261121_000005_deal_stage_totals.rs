//! `deal_stage_total`: per organisation, stage, status and currency, how many live deals
//! (neither deleted nor archived) there are and their summed value — maintained by triggers on
//! `deal` in the same transaction as every write, so a board's counts and totals read a few
//! rows instead of every open deal of the pipeline.
//!
//! Exact under concurrency: each change is an upsert that adds the row's delta (`-1, -value`
//! for what it was, `+1, +value` for what it is) under the aggregate row's lock. On PostgreSQL
//! an update takes the two aggregate rows' locks in key order, so two moves in opposite
//! directions cannot deadlock each other. SQLite has one writer at a time.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The table's name.
const TABLE: &str = "deal_stage_total";

/// One upsert of a delta for the deal row `row` (`OLD` or `NEW`), `sign` 1 or -1; `guard` is
/// appended to the row's SELECT (SQLite triggers use it to skip rows that are not live).
fn upsert(row: &str, sign: &str, guard: &str) -> String {
    format!(
        "INSERT INTO {TABLE} (organization_id, stage_id, status, currency, deals, value) \
         SELECT {row}.organization_id, {row}.stage_id, {row}.status, {row}.currency, {sign}1, \
         {sign}{row}.value {guard} \
         ON CONFLICT (organization_id, stage_id, status, currency) \
         DO UPDATE SET deals = {TABLE}.deals + excluded.deals, \
         value = {TABLE}.value + excluded.value;"
    )
}

/// The columns whose change moves a deal between aggregate rows.
const COUNTED: &str = "organization_id, stage_id, status, currency, value, deleted_at, archived_at";

fn postgres_triggers() -> Vec<String> {
    let live = |row: &str| format!("{row}.deleted_at IS NULL AND {row}.archived_at IS NULL");
    let changed = COUNTED
        .split(", ")
        .map(|c| format!("OLD.{c} IS DISTINCT FROM NEW.{c}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    vec![
        format!(
            "CREATE FUNCTION {TABLE}_apply() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                old_live boolean := TG_OP <> 'INSERT' AND {old_live};
                new_live boolean := TG_OP <> 'DELETE' AND {new_live};
                old_first boolean := TG_OP <> 'UPDATE' OR
                    ROW(OLD.stage_id, OLD.status, OLD.currency) <= ROW(NEW.stage_id, NEW.status, NEW.currency);
            BEGIN
                IF old_live AND old_first THEN {sub} END IF;
                IF new_live THEN {add} END IF;
                IF old_live AND NOT old_first THEN {sub} END IF;
                RETURN NULL;
            END $$",
            old_live = live("OLD"),
            new_live = live("NEW"),
            sub = upsert("OLD", "-", ""),
            add = upsert("NEW", "", ""),
        ),
        format!(
            "CREATE TRIGGER {TABLE}_insert_delete AFTER INSERT OR DELETE ON deal \
             FOR EACH ROW EXECUTE FUNCTION {TABLE}_apply()"
        ),
        format!(
            "CREATE TRIGGER {TABLE}_update AFTER UPDATE ON deal FOR EACH ROW \
             WHEN ({changed}) EXECUTE FUNCTION {TABLE}_apply()"
        ),
    ]
}

fn sqlite_triggers() -> Vec<String> {
    let live = |row: &str| format!("WHERE {row}.deleted_at IS NULL AND {row}.archived_at IS NULL");
    vec![
        format!(
            "CREATE TRIGGER {TABLE}_insert AFTER INSERT ON deal BEGIN {} END",
            upsert("NEW", "", &live("NEW"))
        ),
        format!(
            "CREATE TRIGGER {TABLE}_delete AFTER DELETE ON deal BEGIN {} END",
            upsert("OLD", "-", &live("OLD"))
        ),
        format!(
            "CREATE TRIGGER {TABLE}_update AFTER UPDATE OF {COUNTED} ON deal BEGIN {} {} END",
            upsert("OLD", "-", &live("OLD")),
            upsert("NEW", "", &live("NEW"))
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TABLE)
                    .col(uuid("organization_id"))
                    .col(uuid("stage_id"))
                    .col(string_len("status", 16))
                    .col(char_len("currency", 3))
                    .col(big_integer("deals"))
                    .col(big_integer("value"))
                    .primary_key(
                        Index::create()
                            .col("organization_id")
                            .col("stage_id")
                            .col("status")
                            .col("currency"),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let triggers = match manager.get_database_backend() {
            DbBackend::Postgres => postgres_triggers(),
            _ => sqlite_triggers(),
        };
        for trigger in triggers {
            db.execute_unprepared(&trigger).await?;
        }
        db.execute_unprepared(&format!(
            "INSERT INTO {TABLE} (organization_id, stage_id, status, currency, deals, value) \
             SELECT organization_id, stage_id, status, currency, COUNT(*), SUM(value) FROM deal \
             WHERE deleted_at IS NULL AND archived_at IS NULL \
             GROUP BY organization_id, stage_id, status, currency"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let drops: Vec<String> = match manager.get_database_backend() {
            DbBackend::Postgres => vec![
                format!("DROP TRIGGER IF EXISTS {TABLE}_insert_delete ON deal"),
                format!("DROP TRIGGER IF EXISTS {TABLE}_update ON deal"),
                format!("DROP FUNCTION IF EXISTS {TABLE}_apply()"),
            ],
            _ => ["insert", "delete", "update"]
                .iter()
                .map(|t| format!("DROP TRIGGER IF EXISTS {TABLE}_{t}"))
                .collect(),
        };
        for drop in drops {
            db.execute_unprepared(&drop).await?;
        }
        manager
            .drop_table(Table::drop().table(TABLE).to_owned())
            .await
    }
}
