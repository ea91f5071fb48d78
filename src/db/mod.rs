//! Connecting to the database (SQLite by default, PostgreSQL by URL), migrating it, and
//! beginning write transactions; reads that reuse their connection are [`reuse`], statements
//! built once per shape are [`shapes`], and every statement's text is built by [`statement`].

pub mod reuse;
pub mod shapes;
pub mod statement;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

/// Opens a pool on `url`; `search_path` selects a PostgreSQL schema (tests use one each).
pub async fn connect_url(
    url: &str,
    max_connections: u32,
    search_path: Option<&str>,
) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, max_connections, search_path, None).await
}

/// Opens a pool on `url`. SQLite runs in WAL mode with a busy timeout, so readers never wait
/// for the writer and concurrent writers queue instead of failing; it is built so that its
/// plans never depend on bound values (`.cargo/config.toml`), so a prepared statement is
/// prepared once per connection, not again on every run. On PostgreSQL, statements
/// longer than `statement_timeout` are cancelled by the server (the server passes its request
/// deadline, so a cancelled request leaves no work behind), and a pool with a statement
/// timeout (the server's) opens all its connections at start and keeps them: under a burst,
/// requests then never wait behind connection set-up.
pub async fn connect_with(
    url: &str,
    max_connections: u32,
    search_path: Option<&str>,
    statement_timeout: Option<Duration>,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    // The server's pool (it has a statement timeout) is kept full; test pools start small.
    let min_connections = if statement_timeout.is_some() {
        max_connections
    } else {
        1
    };
    options
        .max_connections(max_connections)
        .min_connections(min_connections)
        .acquire_timeout(Duration::from_secs(5))
        // A connection handed out is not pinged first: that would be one more round trip per
        // statement. A broken connection fails its statement and is replaced.
        .test_before_acquire(false)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        })
        .map_sqlx_postgres_opts(move |opts| match statement_timeout {
            // Every statement is a prepared one, reused per connection. PostgreSQL re-plans a
            // prepared statement on every execution while its generic plan looks dearer than
            // the custom ones — always, for a page whose LIMIT is a parameter — which cost
            // ~1 ms of database CPU per statement (a deal page's execution is 0.6 ms). Every
            // list statement is a keyset page on an index that matches its order, which the
            // generic plan keeps, so it is planned once per connection; its LIMIT is written
            // into the text ([`statement`]), so that the plan is made for a page's rows.
            Some(timeout) => opts.options([
                ("statement_timeout", format!("{}ms", timeout.as_millis())),
                ("plan_cache_mode", "force_generic_plan".to_owned()),
            ]),
            None => opts,
        });
    if let Some(schema) = search_path {
        options.set_schema_search_path(schema);
    }
    Database::connect(options).await
}

/// What services read and write through: the pool, or a transaction the caller opened (a
/// batch of writes, an idempotent create), in which a service's own transaction is a
/// savepoint.
pub trait Db:
    sea_orm::ConnectionTrait
    + sea_orm::TransactionTrait<Transaction = sea_orm::DatabaseTransaction>
    + Send
    + Sync
{
}

impl<T> Db for T where
    T: sea_orm::ConnectionTrait
        + sea_orm::TransactionTrait<Transaction = sea_orm::DatabaseTransaction>
        + Send
        + Sync
{
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

/// Begins a transaction that writes. On SQLite it takes the write lock at `BEGIN`
/// (`IMMEDIATE`), waiting its turn under the busy timeout: a deferred transaction that reads
/// before it writes (triggers do: the search words read the deal's contact, company, products)
/// cannot upgrade while another writer commits, and fails at once with "database is locked".
///
/// Begun in a transaction (a batch, an idempotent create), it is a savepoint of it: the
/// write lock is the outer transaction's.
pub async fn begin_write(db: &impl Db) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions};
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::connect_url;
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    /// The bundled SQLite is built as `.cargo/config.toml` says, with the query planner
    /// stability guarantee: without it, a statement whose plan looked at a bound value (a
    /// page's `LIMIT ?`) is prepared again on every run.
    #[tokio::test]
    async fn sqlite_plans_never_depend_on_bound_values() {
        let db = connect_url("sqlite::memory:", 1, None)
            .await
            .expect("an in-memory SQLite database");
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT sqlite_compileoption_used('ENABLE_QPSG') AS qpsg",
            ))
            .await
            .expect("statement")
            .expect("one row");
        assert_eq!(row.try_get::<i64>("", "qpsg").expect("qpsg"), 1);
    }
}
