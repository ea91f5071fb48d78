//! Reads that keep their connection between statements.
//!
//! sqlx pings every connection it takes back into its pool (a `Sync` and its answer on
//! PostgreSQL, a hop to the connection's thread on SQLite): one more round trip, task and
//! database wake-up after every statement. A request's loaders therefore read through a
//! [`ReadConnection`], which takes a connection from a small stack of idle ones
//! ([`ConnectionReuse`]), runs the statement and puts it back unpinged. Only a connection
//! whose statement completed goes back on the stack: one whose statement failed, or whose
//! request was dropped mid-statement (a deadline), goes back to sqlx's pool, which tests and
//! repairs or replaces it as before.
//!
//! The stack holds at most three quarters of the pool, so writes (transactions, taken from the
//! pool) always find the last quarter (at least one connection; SQLite has one writer at a
//! time anyway), and as many reads run at once as it holds: the others wait in one
//! first-come first-served line (a semaphore). Without the line, a read finding the stack empty
//! queued in sqlx's pool while later reads took the connections coming back to the stack: under
//! load a bimodal latency, p99 four to five times the median. Measured with `bench/ab.sh` on the deal detail (three statements) over
//! the 100,000-deal PostgreSQL demo, three alternating rounds against the binary before:
//! 1,366 vs 1,102 req/s (medians), server CPU 0.82 vs 1.07 ms per request.

use sea_orm::sea_query::Values;
use sea_orm::sqlx::{self, Postgres, Sqlite, pool::PoolConnection};
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, ExecResult,
    QueryResult, RuntimeErr, Statement,
};
use sea_query_sqlx::SqlxValues;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Called after each statement a [`ReadConnection`] runs on a reused connection, with how long
/// it took (statement accounting, `--sql-metrics`).
pub type OnStatement = Arc<dyn Fn(&Statement, Duration) + Send + Sync>;

/// The idle connections kept out of sqlx's pool between reads, process-wide, and the line
/// reads wait in for one.
pub struct ConnectionReuse {
    idle: Mutex<Vec<Held>>,
    capacity: usize,
    /// One permit per connection the stack keeps: reads run one statement per permit, and
    /// wait for one first-come first-served.
    turns: Semaphore,
}

/// A connection taken out of the pool.
enum Held {
    Postgres(PoolConnection<Postgres>),
    Sqlite(PoolConnection<Sqlite>),
}

impl ConnectionReuse {
    /// Room for three quarters of `db`'s pool (a quarter, at least one connection, is left to
    /// writes; at least one for reads); None unless `db` is a PostgreSQL or SQLite pool of sqlx.
    pub fn for_pool(db: &DatabaseConnection) -> Option<Arc<Self>> {
        let max_connections = match db.get_database_backend() {
            DatabaseBackend::Postgres => db
                .get_postgres_connection_pool()
                .options()
                .get_max_connections(),
            DatabaseBackend::Sqlite => db
                .get_sqlite_connection_pool()
                .options()
                .get_max_connections(),
            _ => return None,
        };
        let pool = max_connections as usize;
        let for_writes = (pool / 4).max(1);
        let capacity = pool.saturating_sub(for_writes).max(1);
        Some(Arc::new(Self {
            idle: Mutex::new(Vec::with_capacity(capacity)),
            capacity,
            turns: Semaphore::new(capacity),
        }))
    }

    /// How many connections the stack keeps at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many connections are idle on the stack.
    pub fn idle(&self) -> usize {
        self.idle.lock().map_or(0, |idle| idle.len())
    }

    fn pop(&self) -> Option<Held> {
        self.idle.lock().ok()?.pop()
    }

    /// Keeps `held` for the next read, or lets it go back to the pool when the stack is full.
    fn push(&self, held: Held) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.capacity
        {
            idle.push(held);
        }
    }
}

/// What a request's loaders read through: the pool's statements on reused connections.
/// Writes never go through it (it opens no transactions).
#[derive(Clone)]
pub struct ReadConnection {
    db: DatabaseConnection,
    reuse: Option<Arc<ConnectionReuse>>,
    on_statement: Option<OnStatement>,
}

impl ReadConnection {
    /// Reads on `db`'s pool, reusing connections through `reuse` (None: every statement takes
    /// and returns a pool connection, as `db` itself does).
    pub fn new(db: DatabaseConnection, reuse: Option<Arc<ConnectionReuse>>) -> Self {
        Self {
            db,
            reuse,
            on_statement: None,
        }
    }

    /// The same, calling `on_statement` after each statement.
    pub fn counted(mut self, on_statement: OnStatement) -> Self {
        self.on_statement = Some(on_statement);
        self
    }

    /// The pool underneath.
    pub fn pool(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Reads on `db` (the same pool, another handle) with the same reuse.
    pub fn with_pool(&self, db: DatabaseConnection) -> Self {
        Self::new(db, self.reuse.clone())
    }

    async fn take(&self, reuse: &ConnectionReuse) -> Result<Held, DbErr> {
        if let Some(held) = reuse.pop() {
            return Ok(held);
        }
        match self.db.get_database_backend() {
            DatabaseBackend::Postgres => self
                .db
                .get_postgres_connection_pool()
                .acquire()
                .await
                .map(Held::Postgres),
            DatabaseBackend::Sqlite => self
                .db
                .get_sqlite_connection_pool()
                .acquire()
                .await
                .map(Held::Sqlite),
            // `ConnectionReuse::for_pool` makes none for other pools; never reached.
            _ => {
                return Err(DbErr::Custom(
                    "no reusable connections for this database".into(),
                ));
            }
        }
        .map_err(acquire_error)
    }

    /// Runs `stmt` on a reused connection and returns its rows (with `first_only`, at most
    /// the first).
    async fn fetch(
        &self,
        reuse: &ConnectionReuse,
        mut stmt: Statement,
        first_only: bool,
    ) -> Result<Vec<QueryResult>, DbErr> {
        // The semaphore is never closed.
        let _turn = reuse
            .turns
            .acquire()
            .await
            .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed))?;
        let mut held = self.take(reuse).await?;
        let started = self.on_statement.as_ref().map(|_| Instant::now());
        let values = SqlxValues(stmt.values.take().unwrap_or(Values(Vec::new())));
        let sql = sqlx::AssertSqlSafe(stmt.sql.as_str());
        // The same sqlx calls for either backend's connection type.
        macro_rules! rows_on {
            ($conn:expr) => {{
                let query = sqlx::query_with(sql, values);
                if first_only {
                    let row = query.fetch_optional(&mut **$conn).await;
                    row.map(|row| row.into_iter().map(QueryResult::from).collect())
                } else {
                    let rows = query.fetch_all(&mut **$conn).await;
                    rows.map(|rows| rows.into_iter().map(QueryResult::from).collect())
                }
            }};
        }
        let rows: Result<Vec<QueryResult>, sqlx::Error> = match &mut held {
            Held::Postgres(conn) => rows_on!(conn),
            Held::Sqlite(conn) => rows_on!(conn),
        };
        if let (Some(on_statement), Some(started)) = (&self.on_statement, started) {
            on_statement(&stmt, started.elapsed());
        }
        match rows {
            Ok(rows) => {
                reuse.push(held);
                Ok(rows)
            }
            // `held` goes back to the pool, which tests it.
            Err(err) => Err(DbErr::Query(RuntimeErr::SqlxError(Arc::new(err)))),
        }
    }
}

fn acquire_error(err: sqlx::Error) -> DbErr {
    match err {
        sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        sqlx::Error::PoolClosed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        other => DbErr::Conn(RuntimeErr::SqlxError(Arc::new(other))),
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for ReadConnection {
    fn get_database_backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.db.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.db.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match &self.reuse {
            Some(reuse) => Ok(self.fetch(reuse, stmt, true).await?.into_iter().next()),
            None => self.db.query_one_raw(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match &self.reuse {
            Some(reuse) => self.fetch(reuse, stmt, false).await,
            None => self.db.query_all_raw(stmt).await,
        }
    }
}
