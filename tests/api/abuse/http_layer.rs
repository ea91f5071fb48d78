//! Families: federation's `_entities` (too many, too costly, malformed representations),
//! automatic persisted queries (floods of unknown hashes, oversized extensions), odd request
//! ids and CORS origins. Each is refused with its code and the server answers afterwards.

use super::{assert_alive, bad_input, excerpt, refused};
use crate::helpers::{error_code, gid, spawn_app};
use serde_json::{Value, json};

const ENTITIES: &str =
    "query($r: [_Any!]!) { _entities(representations: $r) { ... on Deal { id } } }";

#[tokio::test]
async fn entity_representations_are_bounded_costed_and_checked() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let deal = json!({ "__typename": "Deal", "id": gid("deal", org.id) });

    let too_many: Vec<Value> = (0..1_001).map(|_| deal.clone()).collect();
    bad_input(&app, &org, ENTITIES, json!({ "r": too_many }), "$r").await;

    let costly = "query($r: [_Any!]!) { _entities(representations: $r) { \
        ... on Deal { owner { deals(first: 500) { nodes { id } } } } } }";
    let many: Vec<Value> = (0..1_000).map(|_| deal.clone()).collect();
    refused(&app, &org, costly, json!({ "r": many }), "LIMIT_EXCEEDED").await;

    let huge_id = json!([{ "__typename": "Deal", "id": "x".repeat(70_000) }]);
    bad_input(&app, &org, ENTITIES, json!({ "r": huge_id }), "$r.id").await;

    for representation in [
        json!({ "__typename": "Money", "id": "deal_1" }),
        json!({ "__typename": "Deal" }),
        json!({ "id": gid("deal", org.id) }),
        json!({ "__typename": "Deal", "id": gid("stage", org.id) }),
        json!({ "__typename": "Deal", "id": 42 }),
        json!("just a string"),
    ] {
        let (_, body) = app
            .post(Some(&org.key), ENTITIES, json!({ "r": [representation] }))
            .await;
        assert_eq!(
            error_code(&body),
            Some("BAD_USER_INPUT"),
            "{representation}: {}",
            excerpt(&body)
        );
    }
    assert_alive(&app, &org).await;
}

#[tokio::test]
async fn floods_of_unknown_persisted_query_hashes_are_answered_cheaply() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    for i in 0..200 {
        let hash = dealgate::digest::hex_sha256(&format!("nothing {i}"));
        let body =
            json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
        let (_, answer) = app.post_body(Some(&org.key), &body).await;
        assert_eq!(error_code(&answer), Some("PERSISTED_QUERY_NOT_FOUND"));
    }
    // An extension whose hash is a megabyte is malformed, not stored.
    let body = json!({
        "query": "{ viewer { scope } }",
        "extensions": { "persistedQuery": { "version": 1, "sha256Hash": "a".repeat(900_000) } }
    });
    let (status, answer) = app.post_body(Some(&org.key), &body).await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&answer), Some("BAD_REQUEST"));
    assert_alive(&app, &org).await;
}

#[tokio::test]
async fn odd_request_ids_and_origins_change_nothing() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    for (id, kept) in [
        ("x".repeat(129), false),
        ("ünïcode".to_owned(), false),
        ("a\"b".to_owned(), false),
        ("0".repeat(128), true),
    ] {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("content-type", "application/json")
            .header("x-api-key", &org.key)
            .header("x-request-id", id.as_bytes())
            .header("origin", "null")
            .body(json!({ "query": "{ viewer { scope } }" }).to_string())
            .send()
            .await
            .expect("request");
        assert_eq!(response.status().as_u16(), 200);
        let echoed = response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .expect("an id")
            .to_owned();
        assert_eq!(echoed == id, kept, "{echoed}");
        assert!(
            response
                .headers()
                .get("access-control-allow-origin")
                .is_none()
        );
    }
    assert_alive(&app, &org).await;
}
