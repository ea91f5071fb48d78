//! Query limits answer LIMIT_EXCEEDED; validation errors carry a code too.

use crate::helpers::{error_code, spawn_app};
use serde_json::json;

#[tokio::test]
async fn a_too_deep_query_is_limit_exceeded() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let mut selection = "name".to_owned();
    for _ in 0..20 {
        selection = format!("ofType {{ {selection} }}");
    }
    let query = format!("{{ __schema {{ types {{ fields {{ type {{ {selection} }} }} }} }} }}");
    let body = app.gql(&org.key, &query, json!({})).await;
    assert_eq!(error_code(&body), Some("LIMIT_EXCEEDED"), "{body}");
}

#[tokio::test]
async fn too_many_node_ids_are_limit_exceeded() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let ids: Vec<String> = (0..101).map(|_| format!("user_{}", uuid_hex())).collect();
    let body = app
        .gql(
            &org.key,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        )
        .await;
    assert_eq!(error_code(&body), Some("LIMIT_EXCEEDED"), "{body}");
}

#[tokio::test]
async fn an_unknown_field_is_a_validation_error() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let body = app.gql(&org.key, "{ nope }", json!({})).await;
    assert_eq!(error_code(&body), Some("GRAPHQL_VALIDATION_FAILED"));
}

fn uuid_hex() -> String {
    sea_orm::prelude::Uuid::now_v7().simple().to_string()
}

#[tokio::test]
async fn responses_count_their_sql_statements() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    // One statement per loader: organisation, user, API key. Authentication is not counted.
    let body = app
        .gql(
            &org.key,
            "{ viewer { organization { name } user { name } apiKey { prefix } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["extensions"]["sql"]["statements"], 3, "{body}");
    assert!(
        body["extensions"]["sql"]["ms"]
            .as_f64()
            .is_some_and(|ms| ms >= 0.0)
    );

    // Two users asked at once are one statement, not two.
    let ids = [
        crate::helpers::gid("user", org.user_id),
        crate::helpers::gid("user", sea_orm::prelude::Uuid::now_v7()),
    ];
    let body = app
        .gql(
            &org.key,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        )
        .await;
    assert_eq!(body["extensions"]["sql"]["statements"], 1, "{body}");
}

/// A document seen before is not parsed again, but whatever depends on the request — its
/// variables, its key, its transport — is judged every time, and a document refused once is
/// refused again.
#[tokio::test]
async fn a_document_seen_before_is_judged_again_on_its_variables() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    crate::fixtures::build(&app, &org, 6).await;
    let query =
        "query($n: Int, $s: String) { deals(first: $n, filter: { search: $s }) { nodes { id } } }";
    for _ in 0..2 {
        let body = app.gql(&org.key, query, json!({ "n": 3 })).await;
        assert_eq!(
            body["data"]["deals"]["nodes"].as_array().map(Vec::len),
            Some(3),
            "{body}"
        );
    }
    let body = app.gql(&org.key, query, json!({ "n": 501 })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let body = app
        .gql(&org.key, query, json!({ "s": "x".repeat(70_000) }))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    // The cost of the same text follows its page sizes.
    let nested = "query($n: Int) { deals(first: $n) { nodes { owner { deals(first: $n) { nodes { id } } } } } }";
    let body = app.gql(&org.key, nested, json!({ "n": 2 })).await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app.gql(&org.key, nested, json!({ "n": 500 })).await;
    assert_eq!(error_code(&body), Some("LIMIT_EXCEEDED"), "{body}");
    // A read-only key does not run a mutation another key ran.
    let mutation = "mutation { createCompany(input: { name: \"Kappa\" }) { company { id } } }";
    let body = app.gql(&org.key, mutation, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    let reader = app
        .create_key(org.id, None, entity::enums::ApiKeyScope::Read)
        .await;
    let body = app.gql(&reader, mutation, json!({})).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    // A refused document stays refused.
    let aliases: String = (0..201)
        .map(|i| format!("a{i}: viewer {{ scope }} "))
        .collect();
    let too_many = format!("{{ {aliases} }}");
    for _ in 0..2 {
        let body = app.gql(&org.key, &too_many, json!({})).await;
        assert_eq!(error_code(&body), Some("LIMIT_EXCEEDED"), "{body}");
    }
}
