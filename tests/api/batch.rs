//! Batch writes (`createDeals`, `updateDeals`) in both modes, imports of deals with their
//! history, and idempotency keys (input field and `Idempotency-Key` header, retried one
//! after another and at the same time).

use crate::helpers::{TestApp, TestOrg, error_code, gid, ok, pipeline, spawn_app};
use sea_orm::prelude::Uuid;
use serde_json::{Value, json};

const CREATE_DEALS: &str = "mutation($i: CreateDealsInput!) { createDeals(input: $i) {
    writtenCount results { index deal { id title status version } error { code field message } } } }";
const UPDATE_DEALS: &str = "mutation($i: UpdateDealsInput!) { updateDeals(input: $i) {
    writtenCount results { index deal { id title version } error { code field } } } }";

/// Every deal of the organisation (deleted ones too): (id, title, version), by id.
async fn all_deals(app: &TestApp, org: &TestOrg) -> Vec<(String, String, i64)> {
    let data = ok(
        app,
        &org.key,
        "{ deals(first: 500, filter: { includeDeleted: true, includeArchived: true }) { nodes { id title version } } }",
        json!({}),
    )
    .await;
    data["deals"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                d["id"].as_str().unwrap_or_default().to_owned(),
                d["title"].as_str().unwrap_or_default().to_owned(),
                d["version"].as_i64().unwrap_or_default(),
            )
        })
        .collect()
}

async fn event_count(app: &TestApp, org: &TestOrg) -> usize {
    let data = ok(
        app,
        &org.key,
        "{ dealChanges(first: 500) { events { sequence } } }",
        json!({}),
    )
    .await;
    data["dealChanges"]["events"].as_array().map_or(0, Vec::len)
}

/// (code, field) of each result's error; None for a written item.
fn errors(results: &Value) -> Vec<Option<(String, Option<String>)>> {
    results
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            r["error"].as_object().map(|e| {
                (
                    e["code"].as_str().unwrap_or_default().to_owned(),
                    e["field"].as_str().map(str::to_owned),
                )
            })
        })
        .collect()
}

fn err(code: &str, field: Option<&str>) -> Option<(String, Option<String>)> {
    Some((code.to_owned(), field.map(str::to_owned)))
}

#[tokio::test]
async fn a_batch_create_is_all_or_nothing_or_item_by_item() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let other = app.create_org("Other").await;
    pipeline(&app, &org.key, "Sales").await;
    let (_, their_stages) = pipeline(&app, &other.key, "Theirs").await;
    let items = json!([
        { "title": "One" },
        { "title": "   " },
        { "title": "Three", "value": "12.50" },
        { "title": "Four", "stageId": their_stages[0] },
    ]);

    let data = ok(
        &app,
        &org.key,
        CREATE_DEALS,
        json!({ "i": { "items": items, "mode": "ALL_OR_NOTHING" } }),
    )
    .await;
    let payload = &data["createDeals"];
    assert_eq!(payload["writtenCount"], 0);
    assert_eq!(
        errors(&payload["results"]),
        vec![
            err("ROLLED_BACK", None),
            err("BAD_USER_INPUT", Some("input.items.1.title")),
            err("ROLLED_BACK", None),
            err("NOT_FOUND", None),
        ]
    );
    assert!(all_deals(&app, &org).await.is_empty());
    assert_eq!(event_count(&app, &org).await, 0);

    let data = ok(
        &app,
        &org.key,
        CREATE_DEALS,
        json!({ "i": { "items": items, "mode": "PER_ITEM" } }),
    )
    .await;
    let payload = &data["createDeals"];
    assert_eq!(payload["writtenCount"], 2);
    assert_eq!(
        errors(&payload["results"]),
        vec![
            None,
            err("BAD_USER_INPUT", Some("input.items.1.title")),
            None,
            err("NOT_FOUND", None),
        ]
    );
    let written: Vec<(String, String, i64)> = [0, 2]
        .iter()
        .map(|i| {
            let deal = &payload["results"][i]["deal"];
            (
                deal["id"].as_str().unwrap_or_default().to_owned(),
                deal["title"].as_str().unwrap_or_default().to_owned(),
                deal["version"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    let mut stored = all_deals(&app, &org).await;
    stored.sort();
    let mut expected = written.clone();
    expected.sort();
    assert_eq!(stored, expected);
    assert_eq!(event_count(&app, &org).await, 2);
    // Nothing leaked into the other organisation.
    assert!(all_deals(&app, &other).await.is_empty());

    // Sizes.
    for items in [json!([]), json!(vec![json!({ "title": "x" }); 101])] {
        let body = app
            .gql(&org.key, CREATE_DEALS, json!({ "i": { "items": items } }))
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.items");
    }
}

#[tokio::test]
async fn a_batch_update_reports_stale_and_missing_items() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    pipeline(&app, &org.key, "Sales").await;
    let data = ok(
        &app,
        &org.key,
        CREATE_DEALS,
        json!({ "i": { "items": [{ "title": "A" }, { "title": "B" }, { "title": "C" }] } }),
    )
    .await;
    let ids: Vec<String> = (0..3)
        .map(|i| {
            data["createDeals"]["results"][i]["deal"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let before = all_deals(&app, &org).await;
    let items = json!([
        { "id": ids[0], "title": "A2", "expectedVersion": 1 },
        { "id": ids[1], "title": "B2", "expectedVersion": 7 },
        { "id": gid("deal", Uuid::now_v7()), "title": "Nobody" },
        { "id": ids[2], "title": "C2" },
    ]);
    let data = ok(
        &app,
        &org.key,
        UPDATE_DEALS,
        json!({ "i": { "items": items } }),
    )
    .await;
    assert_eq!(data["updateDeals"]["writtenCount"], 0);
    assert_eq!(
        errors(&data["updateDeals"]["results"]),
        vec![
            err("ROLLED_BACK", None),
            err("CONFLICT", None),
            err("NOT_FOUND", None),
            err("ROLLED_BACK", None),
        ]
    );
    assert_eq!(all_deals(&app, &org).await, before);

    let data = ok(
        &app,
        &org.key,
        UPDATE_DEALS,
        json!({ "i": { "items": items, "mode": "PER_ITEM" } }),
    )
    .await;
    assert_eq!(data["updateDeals"]["writtenCount"], 2);
    let mut after = all_deals(&app, &org).await;
    after.sort();
    let mut expected = vec![
        (ids[0].clone(), "A2".to_owned(), 2),
        (ids[1].clone(), "B".to_owned(), 1),
        (ids[2].clone(), "C2".to_owned(), 2),
    ];
    expected.sort();
    assert_eq!(after, expected);
}

#[tokio::test]
async fn imported_deals_keep_their_history_and_won_ones_become_sales() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let (_, stages) = pipeline(&app, &org.key, "Sales").await;
    let items = json!([
        { "title": "Won long ago", "stageId": stages[2], "status": "WON",
          "createdAt": "2025-01-10T09:00:00Z", "stageChangedAt": "2025-02-01T10:00:00Z",
          "closedAt": "2025-03-01T12:00:00Z",
          "products": [{ "name": "Licence", "quantity": "3", "unitPrice": "100.00",
                         "discount": "10", "taxPercentage": "20" }] },
        { "title": "Lost", "status": "LOST", "lostReason": "Budget",
          "createdAt": "2025-04-01T00:00:00Z", "closedAt": "2025-04-20T00:00:00Z" },
        { "title": "Still open", "createdAt": "2025-05-05T05:05:05Z" },
    ]);
    let data = ok(
        &app,
        &org.key,
        "mutation($i: CreateDealsInput!) { createDeals(input: $i) { writtenCount results { deal {
            id status createdAt stageChangedAt wonAt lostAt closedAt lostReason value { amount }
            stage { id } sale { quote { totalPrice } } stageHistory { nodes { changedAt } } } } } }",
        json!({ "i": { "items": items } }),
    )
    .await;
    let results = &data["createDeals"]["results"];
    assert_eq!(data["createDeals"]["writtenCount"], 3);
    let won = &results[0]["deal"];
    assert_eq!(won["status"], "WON");
    assert_eq!(won["createdAt"], "2025-01-10T09:00:00Z");
    assert_eq!(won["stageChangedAt"], "2025-02-01T10:00:00Z");
    assert_eq!(won["wonAt"], "2025-03-01T12:00:00Z");
    assert_eq!(won["closedAt"], "2025-03-01T12:00:00Z");
    assert_eq!(won["lostAt"], Value::Null);
    assert_eq!(won["stage"]["id"], stages[2].as_str());
    // 3 × 100.00, 10 % off = 270.00, 20 % tax = 324.00.
    assert_eq!(won["value"]["amount"], "324.00");
    assert_eq!(won["sale"]["quote"]["totalPrice"], "324.00");
    assert_eq!(
        won["stageHistory"]["nodes"][0]["changedAt"],
        "2025-02-01T10:00:00Z"
    );
    let lost = &results[1]["deal"];
    assert_eq!(lost["status"], "LOST");
    assert_eq!(lost["lostReason"], "Budget");
    assert_eq!(lost["lostAt"], "2025-04-20T00:00:00Z");
    assert_eq!(lost["sale"], Value::Null);
    let open = &results[2]["deal"];
    assert_eq!(open["status"], "OPEN");
    assert_eq!(open["closedAt"], Value::Null);
    assert_eq!(open["stageChangedAt"], "2025-05-05T05:05:05Z");

    // Stories that do not hold together are refused, each naming its field.
    let bad = json!([
        { "title": "a", "status": "LOST" },
        { "title": "b", "status": "WON", "lostReason": "x" },
        { "title": "c", "closedAt": "2025-01-01T00:00:00Z" },
        { "title": "d", "createdAt": "2999-01-01T00:00:00Z" },
        { "title": "e", "createdAt": "2025-02-01T00:00:00Z", "stageChangedAt": "2025-01-01T00:00:00Z" },
        { "title": "f", "status": "WON", "createdAt": "2025-02-01T00:00:00Z", "closedAt": "2025-01-01T00:00:00Z" },
        { "title": "g", "value": "5", "products": [{ "name": "p", "quantity": "1", "unitPrice": "1" }] },
        { "title": "h", "products": [{ "name": "p", "quantity": "1", "unitPrice": "1", "discount": "101" }] },
    ]);
    let data = ok(
        &app,
        &org.key,
        CREATE_DEALS,
        json!({ "i": { "items": bad, "mode": "PER_ITEM" } }),
    )
    .await;
    assert_eq!(
        errors(&data["createDeals"]["results"]),
        vec![
            err("BAD_USER_INPUT", Some("input.items.0.lostReason")),
            err("BAD_USER_INPUT", Some("input.items.1.lostReason")),
            err("BAD_USER_INPUT", Some("input.items.2.closedAt")),
            err("BAD_USER_INPUT", Some("input.items.3.createdAt")),
            err("BAD_USER_INPUT", Some("input.items.4.stageChangedAt")),
            err("BAD_USER_INPUT", Some("input.items.5.closedAt")),
            err("BAD_USER_INPUT", Some("input.items.6.value")),
            err("BAD_USER_INPUT", Some("input.items.7.products.0.discount")),
        ]
    );
    assert_eq!(data["createDeals"]["writtenCount"], 0);
}

const CREATE_KEYED: &str =
    "mutation($i: CreateDealInput!) { createDeal(input: $i) { deal { id title } } }";

async fn keyed_create(app: &TestApp, org: &TestOrg, title: &str, key: &str) -> Value {
    app.gql(
        &org.key,
        CREATE_KEYED,
        json!({ "i": { "title": title, "idempotencyKey": key } }),
    )
    .await
}

#[tokio::test]
async fn a_retried_create_with_its_key_returns_the_first_result() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    pipeline(&app, &org.key, "Sales").await;
    let first = keyed_create(&app, &org, "Once", "order-42").await;
    let again = keyed_create(&app, &org, "Once", "order-42").await;
    assert!(first["errors"].is_null(), "{first}");
    assert_eq!(again["data"], first["data"]);
    assert_eq!(all_deals(&app, &org).await.len(), 1);
    assert_eq!(event_count(&app, &org).await, 1);
    // The same key for another request is refused; another key creates.
    let body = keyed_create(&app, &org, "Twice?", "order-42").await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.idempotencyKey"
    );
    let other = keyed_create(&app, &org, "Once", "order-43").await;
    assert_ne!(
        other["data"]["createDeal"]["deal"]["id"],
        first["data"]["createDeal"]["deal"]["id"]
    );
    // Keys are the organisation's own.
    let rival = app.create_org("Rival").await;
    pipeline(&app, &rival.key, "Sales").await;
    let theirs = keyed_create(&app, &rival, "Once", "order-42").await;
    assert!(theirs["errors"].is_null(), "{theirs}");
    assert_ne!(
        theirs["data"]["createDeal"]["deal"]["id"],
        first["data"]["createDeal"]["deal"]["id"]
    );
    // A key older than 24 hours is forgotten: the create runs again.
    use sea_orm::{ConnectionTrait, Statement};
    let old = (chrono::Utc::now() - chrono::TimeDelta::hours(25)).to_rfc3339();
    let backend = app.db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "UPDATE idempotency_key SET created_at = $1",
        _ => "UPDATE idempotency_key SET created_at = ?",
    };
    let at: chrono::DateTime<chrono::Utc> = old.parse().expect("time");
    app.db
        .execute_raw(Statement::from_sql_and_values(backend, sql, [at.into()]))
        .await
        .expect("age the keys");
    let later = keyed_create(&app, &org, "Once", "order-42").await;
    assert!(later["errors"].is_null(), "{later}");
    assert_ne!(
        later["data"]["createDeal"]["deal"]["id"],
        first["data"]["createDeal"]["deal"]["id"]
    );
    // Keys that cannot be keys.
    for key in [String::new(), "k".repeat(201), "clé".to_owned()] {
        let body = keyed_create(&app, &org, "Bad key", &key).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"],
            "input.idempotencyKey"
        );
    }
}

#[tokio::test]
async fn concurrent_retries_create_once_and_all_get_the_same_deal() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    pipeline(&app, &org.key, "Sales").await;
    let attempts = (0..8).map(|_| keyed_create(&app, &org, "Flaky network", "retry-me"));
    let bodies = futures_util::future::join_all(attempts).await;
    let ids: Vec<&Value> = bodies
        .iter()
        .map(|body| {
            assert!(body["errors"].is_null(), "{body}");
            &body["data"]["createDeal"]["deal"]["id"]
        })
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(all_deals(&app, &org).await.len(), 1);
    assert_eq!(event_count(&app, &org).await, 1);
}

#[tokio::test]
async fn the_idempotency_header_keys_every_create_of_a_request() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    pipeline(&app, &org.key, "Sales").await;
    let body = json!({
        "query": "mutation { a: createDeal(input: { title: \"A\" }) { deal { id } }
                             b: createDeal(input: { title: \"B\" }) { deal { id } }
                             c: createCompany(input: { name: \"Kappa\" }) { company { id } } }"
    });
    let post = || async {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("X-API-KEY", &org.key)
            .header("Idempotency-Key", "import-2026-12-02")
            .json(&body)
            .send()
            .await
            .expect("request");
        response.json::<Value>().await.expect("json")
    };
    let first = post().await;
    assert!(first["errors"].is_null(), "{first}");
    assert_ne!(
        first["data"]["a"]["deal"]["id"],
        first["data"]["b"]["deal"]["id"]
    );
    let again = post().await;
    assert_eq!(again["data"], first["data"]);
    assert_eq!(all_deals(&app, &org).await.len(), 2);
    // Batches too; a batch that wrote nothing keeps no key.
    let failing = json!({ "i": { "items": [{ "title": "ok" }, { "title": "" }],
                                 "idempotencyKey": "batch-1" } });
    let data = ok(&app, &org.key, CREATE_DEALS, failing).await;
    assert_eq!(data["createDeals"]["writtenCount"], 0);
    let fixed = json!({ "i": { "items": [{ "title": "ok" }, { "title": "fixed" }],
                               "idempotencyKey": "batch-1" } });
    let first = ok(&app, &org.key, CREATE_DEALS, fixed.clone()).await;
    assert_eq!(first["createDeals"]["writtenCount"], 2);
    let again = ok(&app, &org.key, CREATE_DEALS, fixed).await;
    assert_eq!(again, first);
    assert_eq!(all_deals(&app, &org).await.len(), 4);
}
