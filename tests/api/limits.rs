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
