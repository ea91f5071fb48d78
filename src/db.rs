//! Connecting to the database (SQLite by default, PostgreSQL by URL) and migrating it.

use crate::config::Config;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

/// Opens a pool on `config.database_url`. SQLite runs in WAL mode with a busy timeout, so
/// readers never wait for the writer and concurrent writers queue instead of failing.
pub async fn connect(config: &Config) -> Result<DatabaseConnection, DbErr> {
    connect_url(&config.database_url, config.db_max_connections, None).await
}

/// Opens a pool on `url`; `search_path` selects a PostgreSQL schema (tests use one each).
pub async fn connect_url(
    url: &str,
    max_connections: u32,
    search_path: Option<&str>,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    if let Some(schema) = search_path {
        options.set_schema_search_path(schema);
    }
    Database::connect(options).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// `SUM(expr)` of a [`entity::Scaled`] expression, as a 64-bit integer on every backend
/// (PostgreSQL's `SUM(bigint)` is `numeric`; the cast keeps one decoding path).
pub fn scaled_sum(expr: impl Into<sea_orm::sea_query::Expr>) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func};
    Expr::expr(Func::sum(expr.into())).cast_as(Alias::new("BIGINT"))
}
