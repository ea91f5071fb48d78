//! Statement accounting: with `--sql-metrics`, each GraphQL response reports
//! `extensions.sql { statements, ms }` — the statements its resolvers and loaders ran.
//!
//! SeaORM keeps the metric callback in the `DatabaseConnection` value, not in the shared
//! pool, so a per-request clone with its own callback counts exactly that request's
//! statements. Authentication runs before, on the server's own handle, and is not counted.

use crate::db::reuse::OnStatement;
use async_graphql::{Name, Response, Value};
use sea_orm::{DatabaseConnection, Statement};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Counters of one request.
#[derive(Default)]
pub struct SqlMetrics {
    statements: AtomicU64,
    micros: AtomicU64,
}

impl SqlMetrics {
    /// A handle on `db` whose statements are counted in a fresh [`SqlMetrics`].
    pub fn instrument(db: &DatabaseConnection) -> (DatabaseConnection, Arc<SqlMetrics>) {
        let metrics = Arc::new(SqlMetrics::default());
        let mut counted = db.clone();
        let sink = metrics.clone();
        counted.set_metric_callback(move |info| sink.count(info.statement, info.elapsed));
        (counted, metrics)
    }

    /// A hook counting the statements of reads on reused connections (which bypass the
    /// pool handle's callback) in these counters.
    pub fn on_statement(self: &Arc<Self>) -> OnStatement {
        let sink = self.clone();
        Arc::new(move |statement, elapsed| sink.count(statement, elapsed))
    }

    fn count(&self, statement: &Statement, elapsed: Duration) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        tracing::trace!(sql = %statement.sql, "statement");
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Adds `extensions.sql` to `response`.
    pub fn report(&self, mut response: Response) -> Response {
        let statements = self.statements.load(Ordering::Relaxed);
        let ms = self.micros.load(Ordering::Relaxed) as f64 / 1000.0;
        let mut sql = async_graphql::indexmap::IndexMap::new();
        sql.insert(Name::new("statements"), Value::from(statements));
        sql.insert(Name::new("ms"), Value::from(ms));
        response.extensions.insert("sql".into(), Value::Object(sql));
        response
    }
}
