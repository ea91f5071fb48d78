//! Column values read by position from the driver's rows ([`dealgate::graphql::column_value`]):
//! NULLs become `None` (and an error where the field has no room for one), and a column whose
//! type is not the field's is refused when checked — on PostgreSQL from the column's declared
//! type, so even when the checked row's value is NULL.

use crate::helpers::fresh_database;
use dealgate::graphql::column_value::{Check, ColumnValue};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement};

async fn rows(sql_postgres: &str, sql_sqlite: &str) -> Vec<QueryResult> {
    let (db, _dir) = fresh_database().await;
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => sql_postgres,
        _ => sql_sqlite,
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await
        .expect("query")
}

#[tokio::test]
async fn values_and_nulls_read_by_position() {
    let rows = rows(
        "SELECT 'x'::text AS a, NULL::text AS b, 7::int4 AS c UNION ALL SELECT 'y', 'z', 8",
        "SELECT 'x' AS a, NULL AS b, 7 AS c UNION ALL SELECT 'y', 'z', 8",
    )
    .await;
    assert_eq!(rows.len(), 2);
    let (first, second) = (&rows[0], &rows[1]);
    assert_eq!(
        String::read(first, 0, Check::Types).ok().as_deref(),
        Some("x")
    );
    assert_eq!(
        Option::<String>::read(first, 1, Check::Types).ok(),
        Some(None)
    );
    assert_eq!(i32::read(first, 2, Check::Types).ok(), Some(7));
    assert!(
        String::read(first, 1, Check::Types).is_err(),
        "NULL into a String"
    );
    assert_eq!(
        Option::<String>::read(second, 1, Check::Trusted).ok(),
        Some(Some("z".to_owned()))
    );
    assert_eq!(i32::read(second, 2, Check::Trusted).ok(), Some(8));
}

#[tokio::test]
async fn a_column_of_another_type_is_refused_when_checked() {
    let rows = rows(
        "SELECT 'x'::text AS a, NULL::text AS b",
        "SELECT 'x' AS a, NULL AS b",
    )
    .await;
    assert!(i32::read(&rows[0], 0, Check::Types).is_err(), "text as i32");
    if rows[0].try_as_pg_row().is_some() {
        // The check reads the column's type, not the value's: a NULL text is still text.
        assert!(Option::<i32>::read(&rows[0], 1, Check::Types).is_err());
    }
}
