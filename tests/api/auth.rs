//! Authentication and the read-only scope.

use crate::helpers::{error_code, spawn_app, spawn_app_with};
use dealgate::config::Config;
use entity::{api_key, enums::ApiKeyScope};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use std::time::{Duration, Instant};

const VIEWER: &str = "{ viewer { organization { name } scope } }";
const CREATE_KEY: &str =
    "mutation { createApiKey(input: { name: \"ci\" }) { key apiKey { prefix scope } } }";

#[tokio::test]
async fn a_request_without_a_key_is_unauthenticated() {
    let app = spawn_app().await;
    let (status, body) = app.post(None, VIEWER, json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    assert!(body["data"].is_null());
}

#[tokio::test]
async fn a_wrong_key_is_unauthenticated() {
    let app = spawn_app().await;
    app.create_org("Acme").await;
    let (status, body) = app
        .post(Some("dg_0000000000000000"), VIEWER, json!({}))
        .await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn a_key_works_as_header_or_bearer_token() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let body = app.gql(&org.key, VIEWER, json!({})).await;
    assert_eq!(body["data"]["viewer"]["organization"]["name"], "Acme");
    assert_eq!(body["data"]["viewer"]["scope"], "READ_WRITE");

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&org.key)
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["data"]["viewer"]["organization"]["name"], "Acme");
}

#[tokio::test]
async fn a_read_only_key_queries_but_cannot_mutate() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let read_only = app.create_key(org.id, None, ApiKeyScope::Read).await;

    let body = app.gql(&read_only, VIEWER, json!({})).await;
    assert_eq!(body["data"]["viewer"]["scope"], "READ");

    let body = app.gql(&read_only, CREATE_KEY, json!({})).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    assert!(body["data"].is_null());
    let keys = entity::api_key::Entity::find()
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(keys, 2, "the forbidden mutation created nothing");

    // Naming the operation does not get around it.
    let doc =
        "query Q { viewer { scope } } mutation M { createApiKey(input: {name: \"x\"}) { key } }";
    let (_, body) = app.post(Some(&read_only), doc, json!({})).await;
    assert!(
        body["errors"].is_array(),
        "an ambiguous document is rejected: {body}"
    );
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("X-API-KEY", &read_only)
        .json(&json!({ "query": doc, "operationName": "M" }))
        .send()
        .await
        .expect("request");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}

#[tokio::test]
async fn a_created_key_works_and_a_revoked_key_stops_working() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let body = app.gql(&org.key, CREATE_KEY, json!({})).await;
    let new_key = body["data"]["createApiKey"]["key"]
        .as_str()
        .expect("key")
        .to_owned();
    assert!(new_key.starts_with("dg_"));
    assert_eq!(
        body["data"]["createApiKey"]["apiKey"]["prefix"],
        &new_key[..11]
    );

    let body = app
        .gql(&new_key, "{ viewer { apiKey { id } } }", json!({}))
        .await;
    let id = body["data"]["viewer"]["apiKey"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let revoke = "mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { revokedAt } } }";
    let body = app.gql(&org.key, revoke, json!({ "id": id })).await;
    assert!(
        body["data"]["revokeApiKey"]["apiKey"]["revokedAt"].is_string(),
        "{body}"
    );

    let (status, body) = app.post(Some(&new_key), VIEWER, json!({})).await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn a_key_revoked_by_another_replica_stops_working_within_the_cache_ttl() {
    let ttl = Duration::from_millis(1_500);
    let app = spawn_app_with(|config| Config {
        auth_cache_ttl_ms: ttl.as_millis() as u64,
        ..config
    })
    .await;
    let org = app.create_org("Acme").await;
    let (status, _) = app.post(Some(&org.key), VIEWER, json!({})).await;
    assert_eq!(status, 200);
    // Another replica revokes the key: this process hears nothing of it.
    let revoked_at = Instant::now();
    api_key::Entity::update_many()
        .col_expr(
            api_key::Column::RevokedAt,
            Expr::value(dealgate::clock::now()),
        )
        .filter(api_key::Column::OrganizationId.eq(org.id))
        .exec(&app.db)
        .await
        .expect("revoke in the database");
    let (status, _) = app.post(Some(&org.key), VIEWER, json!({})).await;
    if revoked_at.elapsed() < ttl {
        assert_eq!(status, 200, "remembered within the TTL");
    }
    tokio::time::sleep(ttl.saturating_sub(revoked_at.elapsed()) + Duration::from_millis(50)).await;
    let (status, body) = app.post(Some(&org.key), VIEWER, json!({})).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn bad_input_names_the_field() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let body = app
        .gql(
            &org.key,
            "mutation { createApiKey(input: { name: \"  \" }) { key } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.name");

    let body = app
        .gql(
            &org.key,
            "mutation { revokeApiKey(input: { id: \"nonsense\" }) { apiKey { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.id");
}

#[tokio::test]
async fn mutations_are_refused_over_get() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", CREATE_KEY)])
        .header("X-API-KEY", &org.key)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 405);

    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", VIEWER)])
        .header("X-API-KEY", &org.key)
        .send()
        .await
        .expect("request");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["data"]["viewer"]["organization"]["name"], "Acme");
}
