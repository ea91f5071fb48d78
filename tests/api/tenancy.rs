//! Tenant isolation: nothing of one organisation is visible or reachable with another's key.

use crate::helpers::{error_code, gid, spawn_app};
use entity::api_key;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

#[tokio::test]
async fn another_organisations_ids_answer_like_missing_ones() {
    let app = spawn_app().await;
    let acme = app.create_org("Acme").await;
    let globex = app.create_org("Globex").await;
    let globex_key_row = api_key::Entity::find()
        .filter(api_key::Column::OrganizationId.eq(globex.id))
        .one(&app.db)
        .await
        .expect("query")
        .expect("globex key");
    let foreign = [
        gid("org", globex.id),
        gid("user", globex.user_id),
        gid("apikey", globex_key_row.id),
    ];
    let missing = [
        gid("org", sea_orm::prelude::Uuid::now_v7()),
        gid("user", sea_orm::prelude::Uuid::now_v7()),
    ];

    for id in foreign.iter().chain(&missing) {
        let body = app
            .gql(
                &acme.key,
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert!(body["errors"].is_null(), "{id}: {body}");
        assert!(
            body["data"]["node"].is_null(),
            "{id} must not resolve: {body}"
        );
    }
    let body = app
        .gql(
            &acme.key,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": foreign }),
        )
        .await;
    assert_eq!(body["data"]["nodes"], json!([null, null, null]), "{body}");

    // Its own objects resolve through the same fields.
    let own = [gid("org", acme.id), gid("user", acme.user_id)];
    let body = app
        .gql(
            &acme.key,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { name } ... on Organization { name } } }",
            json!({ "ids": own }),
        )
        .await;
    assert_eq!(body["data"]["nodes"][0]["name"], "Acme");
    assert_eq!(body["data"]["nodes"][1]["name"], "Acme Owner");

    let viewer = app
        .gql(
            &acme.key,
            "{ viewer { organization { id name } user { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        viewer["data"]["viewer"]["organization"]["id"],
        gid("org", acme.id)
    );
    assert_eq!(
        viewer["data"]["viewer"]["user"]["id"],
        gid("user", acme.user_id)
    );
}

#[tokio::test]
async fn another_organisations_objects_cannot_be_touched() {
    let app = spawn_app().await;
    let acme = app.create_org("Acme").await;
    let globex = app.create_org("Globex").await;
    let globex_key_id = api_key::Entity::find()
        .filter(api_key::Column::OrganizationId.eq(globex.id))
        .one(&app.db)
        .await
        .expect("query")
        .expect("globex key")
        .id;

    let body = app
        .gql(
            &acme.key,
            "mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }",
            json!({ "id": gid("apikey", globex_key_id) }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let still = app
        .gql(
            &globex.key,
            "{ viewer { organization { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(still["data"]["viewer"]["organization"]["name"], "Globex");

    let body = app
        .gql(
            &acme.key,
            "mutation($u: ID!) { createApiKey(input: { name: \"x\", userId: $u }) { key } }",
            json!({ "u": gid("user", globex.user_id) }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let acme_keys = api_key::Entity::find()
        .filter(api_key::Column::OrganizationId.eq(acme.id))
        .all(&app.db)
        .await
        .expect("query");
    assert_eq!(acme_keys.len(), 1, "nothing was created");
}

#[tokio::test]
async fn the_schema_refuses_cross_tenant_references() {
    // Defence in depth: even a bug in a service cannot link rows of two organisations,
    // because every reference is a composite (organization_id, id) foreign key.
    let app = spawn_app().await;
    let acme = app.create_org("Acme").await;
    let globex = app.create_org("Globex").await;
    let result = dealgate::api_key::service::create(
        &app.db,
        acme.id,
        Some(globex.user_id),
        "cross",
        entity::enums::ApiKeyScope::Read,
    )
    .await;
    assert!(
        result.is_err(),
        "a key of Acme cannot belong to a user of Globex"
    );
}
