//! A document validated once answers every later request exactly as strict validation would:
//! each bad request below is sent after its document ran cleanly (so the server knows it), and
//! its answer is compared with the answer to the same request whose text the server has never
//! seen (a comment appended), which async-graphql validates with every rule.

use crate::helpers::{TestApp, create_deal, pipeline, spawn_app};
use serde_json::{Value, json};

/// A deals page with a variable of each kind: a scalar, an input object holding enums, lists
/// and a custom scalar.
const PAGE: &str = "query Page($first: Int, $filter: DealFilter) \
                    { deals(first: $first, filter: $filter) { nodes { id title } } }";

/// The data and errors of an answer, without what differs between any two answers (timings,
/// request ids).
fn outcome(body: &Value) -> Value {
    let mut errors = body["errors"].clone();
    for error in errors.as_array_mut().into_iter().flatten() {
        if let Some(extensions) = error["extensions"].as_object_mut() {
            extensions.remove("requestId");
        }
    }
    json!({ "data": body["data"], "errors": errors })
}

/// Posts `query` with `variables` twice: as is (its text known to the server) and with a
/// comment appended (never seen); both answers must be the same and carry an error.
async fn same_errors_as_unseen(
    app: &TestApp,
    key: &str,
    query: &str,
    variables: Value,
    case: &str,
) {
    let known = app.gql(key, query, variables.clone()).await;
    let unseen = app
        .gql(key, &format!("{query}\n# {case}"), variables.clone())
        .await;
    assert!(
        known["errors"].as_array().is_some_and(|e| !e.is_empty()),
        "{case}: {variables} should be refused: {known}"
    );
    assert_eq!(outcome(&known), outcome(&unseen), "{case}: {variables}");
}

#[tokio::test]
async fn a_known_document_with_bad_variables_gets_the_errors_of_strict_validation() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let (_, stages) = pipeline(&app, &org.key, "Sales").await;
    let deal = create_deal(&app, &org.key, "Renewal", &stages[0]).await;
    let valid = json!({ "first": 5, "filter": { "status": ["OPEN"], "valueMin": "0" } });
    let first = app.gql(&org.key, PAGE, valid.clone()).await;
    assert_eq!(first["data"]["deals"]["nodes"][0]["id"], deal, "{first}");
    let again = app.gql(&org.key, PAGE, valid).await;
    assert_eq!(outcome(&again), outcome(&first));

    let bad = [
        (
            "a string for an Int",
            json!({ "first": "five", "filter": {} }),
        ),
        (
            "a fraction for an Int",
            json!({ "first": 2.5, "filter": {} }),
        ),
        (
            "an unknown enum value",
            json!({ "first": 5, "filter": { "status": ["OPENED"] } }),
        ),
        (
            "an unknown input field",
            json!({ "first": 5, "filter": { "nope": 1 } }),
        ),
        (
            "a boolean for a Decimal",
            json!({ "first": 5, "filter": { "valueMin": true } }),
        ),
        (
            "an object for an ID",
            json!({ "first": 5, "filter": { "stageId": { "a": 1 } } }),
        ),
        (
            "a list of the wrong items",
            json!({ "first": 5, "filter": { "ids": [[1]] } }),
        ),
    ];
    for (case, variables) in bad {
        same_errors_as_unseen(&app, &org.key, PAGE, variables, case).await;
    }
}

#[tokio::test]
async fn an_explicit_null_for_a_defaulted_variable_in_a_required_place_is_refused() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let (_, stages) = pipeline(&app, &org.key, "Sales").await;
    let deal = create_deal(&app, &org.key, "Renewal", &stages[0]).await;
    // `$id` is nullable with a default, so it may stand where an `ID!` is required.
    let query = format!("query One($id: ID = \"{deal}\") {{ deal(id: $id) {{ id }} }}");
    let body = app.gql(&org.key, &query, json!({ "id": deal })).await;
    assert_eq!(body["data"]["deal"]["id"], deal, "{body}");
    let defaulted = app.gql(&org.key, &query, json!({})).await;
    assert_eq!(defaulted["data"]["deal"]["id"], deal, "{defaulted}");
    same_errors_as_unseen(&app, &org.key, &query, json!({ "id": null }), "null").await;
}

#[tokio::test]
async fn a_document_known_without_a_variable_is_checked_again_with_it() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    // With `$status` absent, async-graphql leaves the whole `filter` argument unchecked, its
    // unknown literal field included; given, the argument is checked and refused.
    let query = "query Hidden($status: [DealStatus!]) \
                 { deals(filter: { status: $status, bogus: 1 }) { nodes { id } } }";
    let absent = app.gql(&org.key, query, json!({})).await;
    let absent_again = app.gql(&org.key, query, json!({})).await;
    assert_eq!(outcome(&absent), outcome(&absent_again));
    same_errors_as_unseen(
        &app,
        &org.key,
        query,
        json!({ "status": ["OPEN"] }),
        "given",
    )
    .await;
}
