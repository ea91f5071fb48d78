//! Building a statement's SQL text and bound values, with its row limits written into the text.
//!
//! On PostgreSQL every statement is prepared once per connection and runs on its generic plan
//! (`plan_cache_mode = force_generic_plan`, [`super::connect_with`]). A generic plan knows no
//! bound value: for `LIMIT $2` the planner assumes a tenth of the table (9,522 of the peer
//! benchmark's 95,220 live deals), and so planned a 50-deal page as hash joins over the whole
//! stage, company, contact and user tables — every contact of every organisation read to join
//! 50 of them. `bench/plans.sh` shows the plans the server really runs: that page's executions
//! took ~0.44 ms (median of 10) with the bound limit, ~0.35 ms with `LIMIT 51` in the text, and
//! the bound limit's plan reads whole relation tables, so its cost grows with them. A `LIMIT`
//! or `OFFSET` is a number the server derives from a bounded page size, never text of the
//! client, so it is written into the statement and the plan is made for the rows the statement
//! really reads; every other value is bound. One text per page size is a handful of prepared
//! statements per connection (sqlx keeps the most recent hundred).

use sea_orm::sea_query::{
    PostgresQueryBuilder, QueryBuilder, QueryStatementWriter, SqlWriter, SqliteQueryBuilder,
};
use sea_orm::{DbBackend, Statement, StatementBuilder, Value, Values};
use std::fmt::{self, Write};

/// `statement` for `backend`: its text, its `LIMIT` and `OFFSET` written in, every other
/// value bound.
pub fn build<S: QueryStatementWriter + StatementBuilder>(
    statement: &S,
    backend: DbBackend,
) -> Statement {
    let mut writer = LimitsInText::default();
    match backend {
        DbBackend::Postgres => {
            writer.numbered = true;
            statement.build_collect_into(PostgresQueryBuilder, &mut writer);
        }
        DbBackend::Sqlite => statement.build_collect_into(SqliteQueryBuilder, &mut writer),
        // Not a backend of this server; built as SeaORM builds it.
        _ => return StatementBuilder::build(statement, &backend),
    }
    Statement::from_sql_and_values(backend, writer.sql, Values(writer.values))
}

/// Collects a statement's text and bound values, writing the row counts of `LIMIT` and
/// `OFFSET` into the text (placeholders `$1`, `$2`… when `numbered`, `?` otherwise).
#[derive(Default)]
struct LimitsInText {
    sql: String,
    values: Vec<Value>,
    numbered: bool,
}

impl LimitsInText {
    /// The row count `value` is when it stands right after `LIMIT` or `OFFSET`.
    fn row_count(&self, value: &Value) -> Option<u64> {
        if !(self.sql.ends_with(" LIMIT ") || self.sql.ends_with(" OFFSET ")) {
            return None;
        }
        match *value {
            Value::BigUnsigned(Some(count)) => Some(count),
            Value::Unsigned(Some(count)) => Some(count.into()),
            Value::BigInt(Some(count)) => u64::try_from(count).ok(),
            Value::Int(Some(count)) => u64::try_from(count).ok(),
            _ => None,
        }
    }
}

impl Write for LimitsInText {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.sql.push_str(text);
        Ok(())
    }
}

impl fmt::Display for LimitsInText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql)
    }
}

impl SqlWriter for LimitsInText {
    fn push_param<T: QueryBuilder>(&mut self, value: Value, _: &T) {
        if let Some(count) = self.row_count(&value) {
            let _ = write!(self.sql, "{count}");
            return;
        }
        self.values.push(value);
        if self.numbered {
            let _ = write!(self.sql, "${}", self.values.len());
        } else {
            self.sql.push('?');
        }
    }

    fn as_writer(&mut self) -> &mut dyn Write {
        self as _
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};

    /// A page of `t` for `organization`, after a cursor, of `size` rows.
    fn page(size: u64) -> sea_orm::sea_query::SelectStatement {
        Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("t"))
            .and_where(Expr::col(Alias::new("org")).eq("acme"))
            .and_where(Expr::col(Alias::new("id")).gt(7))
            .limit(size)
            .offset(3)
            .to_owned()
    }

    #[test]
    fn limits_are_written_in_and_every_other_value_bound() {
        let built = build(&page(51), DbBackend::Postgres);
        assert_eq!(
            built.sql,
            r#"SELECT "id" FROM "t" WHERE "org" = $1 AND "id" > $2 LIMIT 51 OFFSET 3"#
        );
        assert_eq!(
            built.values,
            Some(Values(vec![Value::from("acme"), Value::from(7)]))
        );
        let built = build(&page(2), DbBackend::Sqlite);
        assert_eq!(
            built.sql,
            r#"SELECT "id" FROM "t" WHERE "org" = ? AND "id" > ? LIMIT 2 OFFSET 3"#
        );
        assert_eq!(built.values.map(|v| v.0.len()), Some(2));
    }

    #[test]
    fn a_value_compared_with_a_column_named_limit_stays_bound() {
        let select = Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("t"))
            .and_where(Expr::col(Alias::new("limit")).eq(5))
            .to_owned();
        let built = build(&select, DbBackend::Postgres);
        assert_eq!(built.sql, r#"SELECT "id" FROM "t" WHERE "limit" = $1"#);
        assert_eq!(built.values, Some(Values(vec![Value::from(5)])));
    }
}
