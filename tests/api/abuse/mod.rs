//! The abuse suite: each family of attack the server must refuse with an exact code, quickly,
//! and still answer afterwards. One module per group of families; `bench/abuse.sh` times the
//! same refusals against the release build.

mod cost;
mod documents;
mod http_layer;
mod inputs;
mod read_only;
mod subscriptions;
mod tenancy;
mod transport;

use crate::helpers::{TestApp, TestOrg, error_code};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Longest a refusal may take in these tests (debug build, shared machine): refusals are
/// timed properly by `bench/abuse.sh` on the release build.
const REFUSAL_BOUND: Duration = Duration::from_secs(5);

/// Asserts the server still answers an ordinary query for `org`.
pub async fn assert_alive(app: &TestApp, org: &TestOrg) {
    let body = app.gql(&org.key, "{ viewer { scope } }", json!({})).await;
    assert_eq!(body["data"]["viewer"]["scope"], "READ_WRITE", "{body}");
}

/// POSTs `query` with `variables`, asserts the first error's code is `code`, that the
/// refusal came within [`REFUSAL_BOUND`], and that the server answers afterwards. Returns
/// the body.
pub async fn refused(
    app: &TestApp,
    org: &TestOrg,
    query: &str,
    variables: Value,
    code: &str,
) -> Value {
    let started = Instant::now();
    let (_, body) = app.post(Some(&org.key), query, variables).await;
    assert!(
        started.elapsed() < REFUSAL_BOUND,
        "slow refusal: {:?}",
        started.elapsed()
    );
    assert_eq!(error_code(&body), Some(code), "{}", excerpt(&body));
    assert!(body["data"].is_null(), "{}", excerpt(&body));
    assert_alive(app, org).await;
    body
}

/// [`refused`] for BAD_USER_INPUT, also asserting `extensions.field`.
pub async fn bad_input(app: &TestApp, org: &TestOrg, query: &str, variables: Value, field: &str) {
    let body = refused(app, org, query, variables, "BAD_USER_INPUT").await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        field,
        "{}",
        excerpt(&body)
    );
}

/// A body cut short for assertion messages.
pub fn excerpt(body: &Value) -> String {
    body.to_string().chars().take(600).collect()
}

/// How many rows each table of the domain holds, to prove a refusal wrote nothing.
pub async fn row_counts(app: &TestApp) -> Vec<(String, i64)> {
    use sea_orm::{ConnectionTrait, Statement};
    let mut counts = Vec::new();
    for table in crate::migrations::TABLES {
        let sql = format!("SELECT COUNT(*) AS n FROM \"{table}\"");
        let row = app
            .db
            .query_one_raw(Statement::from_string(app.db.get_database_backend(), sql))
            .await
            .expect("count")
            .expect("a row");
        counts.push((table.to_owned(), row.try_get::<i64>("", "n").expect("n")));
    }
    counts
}
