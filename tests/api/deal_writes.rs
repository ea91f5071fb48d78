//! The deal lifecycle through mutations: create, update, move, close, reopen — success, every
//! error code, nothing changed by a failed call, and concurrent writers.

use crate::fixtures::{self, World};
use crate::helpers::{TestApp, TestOrg, error_code, gid, spawn_app};
use entity::enums::ApiKeyScope;
use entity::{deal, stage_change};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

const CREATE: &str = "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal {
  id title value { amount currency } status priority version tags customFields
  pipeline { id } stage { id } owner { id } contact { id }
  stageHistory { totalCount nodes { fromStage { id } toStage { id } changedBy { id } } } } } }";
const UPDATE: &str = "mutation($input: UpdateDealInput!) { updateDeal(input: $input) { deal {
  id title value { amount } version contact { id } company { id } source expectedCloseDate tags } } }";
const MOVE: &str = "mutation($input: MoveDealToStageInput!) { moveDealToStage(input: $input) {
  deal { id version stage { id } pipeline { id } stageChangedAt }
  stageChange { fromStage { id } toStage { id } note changedBy { id } } } }";
const CLOSE: &str = "mutation($input: CloseDealInput!) { closeDeal(input: $input) { deal {
  id status value { amount } wonAt lostAt closedAt lostReason version
  activities { nodes { type subject note } } } } }";
const REOPEN: &str = "mutation($input: ReopenDealInput!) { reopenDeal(input: $input) { deal {
  id status wonAt lostAt closedAt lostReason version } } }";

async fn setup() -> (TestApp, TestOrg, World) {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let world = fixtures::build(&app, &org, 0).await;
    (app, org, world)
}

async fn create(app: &TestApp, org: &TestOrg, input: Value) -> Value {
    let body = app.gql(&org.key, CREATE, json!({ "input": input })).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["createDeal"]["deal"].clone()
}

async fn deal_count(app: &TestApp) -> u64 {
    deal::Entity::find().count(&app.db).await.expect("count")
}

async fn history_count(app: &TestApp) -> u64 {
    stage_change::Entity::find()
        .count(&app.db)
        .await
        .expect("count")
}

#[tokio::test]
async fn create_deal_fills_defaults_and_writes_the_first_history_entry() {
    let (app, org, w) = setup().await;
    let deal = create(
        &app,
        &org,
        json!({ "title": "  Big one ", "tags": ["b", "a", "b"], "customFields": { "seats": 5 } }),
    )
    .await;
    assert_eq!(deal["title"], "Big one");
    assert_eq!(
        deal["value"],
        json!({ "amount": "0.00", "currency": "EUR" }),
        "the organisation's currency"
    );
    assert_eq!(deal["status"], "OPEN");
    assert_eq!(deal["priority"], "MEDIUM");
    assert_eq!(deal["version"], 1);
    assert_eq!(deal["tags"], json!(["a", "b"]));
    assert_eq!(deal["customFields"], json!({ "seats": 5 }));
    assert_eq!(
        deal["pipeline"]["id"],
        gid("pipeline", w.pipelines[0].id),
        "first pipeline"
    );
    assert_eq!(
        deal["stage"]["id"],
        gid("stage", w.stages[0].id),
        "its first stage"
    );
    assert_eq!(
        deal["owner"]["id"],
        gid("user", org.user_id),
        "the key's user"
    );
    let history = &deal["stageHistory"];
    assert_eq!(history["totalCount"], 1);
    assert!(history["nodes"][0]["fromStage"].is_null());
    assert_eq!(
        history["nodes"][0]["toStage"]["id"],
        gid("stage", w.stages[0].id)
    );

    let deal = create(&app, &org, json!({
        "title": "Renewal", "value": "1234.5", "currency": "gbp",
        "pipelineId": gid("pipeline", w.pipelines[1].id), "contactId": gid("contact", w.contacts[0].id),
        "priority": "HIGH"
    })).await;
    assert_eq!(
        deal["value"],
        json!({ "amount": "1234.50", "currency": "GBP" })
    );
    assert_eq!(
        deal["stage"]["id"],
        gid("stage", w.stages[3].id),
        "the given pipeline's first stage"
    );
    assert_eq!(deal["contact"]["id"], gid("contact", w.contacts[0].id));
    assert_eq!(deal["priority"], "HIGH");
}

#[tokio::test]
async fn create_deal_rejects_bad_input_and_writes_nothing() {
    let (app, org, w) = setup().await;
    let other = app.create_org("Globex").await;
    let theirs = fixtures::build(&app, &other, 0).await;
    let before = (deal_count(&app).await, history_count(&app).await);
    let long = "x".repeat(256);
    let many: Vec<String> = (0..51).map(|n| format!("t{n}")).collect();
    let cases = [
        (
            json!({ "title": "  " }),
            "BAD_USER_INPUT",
            Some("input.title"),
        ),
        (
            json!({ "title": long }),
            "BAD_USER_INPUT",
            Some("input.title"),
        ),
        (
            json!({ "title": "x", "currency": "EURO" }),
            "BAD_USER_INPUT",
            Some("input.currency"),
        ),
        (
            json!({ "title": "x", "value": "-1" }),
            "BAD_USER_INPUT",
            Some("input.value"),
        ),
        (
            json!({ "title": "x", "value": "1.00001" }),
            "BAD_USER_INPUT",
            Some("input.value"),
        ),
        (
            json!({ "title": "x", "tags": many }),
            "BAD_USER_INPUT",
            Some("input.tags"),
        ),
        (
            json!({ "title": "x", "customFields": [1, 2] }),
            "BAD_USER_INPUT",
            Some("input.customFields"),
        ),
        (
            json!({ "title": "x", "stageId": gid("pipeline", w.pipelines[0].id) }),
            "BAD_USER_INPUT",
            Some("input.stageId"),
        ),
        (
            json!({ "title": "x", "pipelineId": gid("pipeline", w.pipelines[0].id), "stageId": gid("stage", w.stages[4].id) }),
            "BAD_USER_INPUT",
            Some("input.stageId"),
        ),
        (
            json!({ "title": "x", "contactId": gid("contact", theirs.contacts[0].id) }),
            "NOT_FOUND",
            None,
        ),
        (
            json!({ "title": "x", "stageId": gid("stage", theirs.stages[0].id) }),
            "NOT_FOUND",
            None,
        ),
        (
            json!({ "title": "x", "ownerId": gid("user", other.user_id) }),
            "NOT_FOUND",
            None,
        ),
    ];
    for (input, code, field) in cases {
        let body = app.gql(&org.key, CREATE, json!({ "input": input })).await;
        assert_eq!(error_code(&body), Some(code), "{input}: {body}");
        if let Some(field) = field {
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{input}");
        }
    }
    assert_eq!((deal_count(&app).await, history_count(&app).await), before);

    let read_only = app.create_key(org.id, None, ApiKeyScope::Read).await;
    let body = app
        .gql(&read_only, CREATE, json!({ "input": { "title": "x" } }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    assert_eq!(deal_count(&app).await, before.0);
}

#[tokio::test]
async fn update_deal_changes_only_what_is_given() {
    let (app, org, w) = setup().await;
    let deal = create(&app, &org, json!({ "title": "A", "value": "10", "contactId": gid("contact", w.contacts[0].id),
        "companyId": gid("company", w.companies[0].id), "source": "Web", "expectedCloseDate": "2027-01-31", "tags": ["x"] })).await;
    let id = deal["id"].clone();

    let body = app
        .gql(
            &org.key,
            UPDATE,
            json!({ "input": { "id": id, "title": "B" } }),
        )
        .await;
    let updated = &body["data"]["updateDeal"]["deal"];
    assert_eq!(updated["title"], "B");
    assert_eq!(updated["value"]["amount"], "10.00");
    assert_eq!(updated["contact"]["id"], gid("contact", w.contacts[0].id));
    assert_eq!(updated["source"], "Web");
    assert_eq!(updated["tags"], json!(["x"]));
    assert_eq!(updated["version"], 2);

    let body = app.gql(&org.key, UPDATE, json!({ "input": { "id": id, "contactId": null, "source": null, "expectedCloseDate": null, "tags": [], "expectedVersion": 2 } })).await;
    let updated = &body["data"]["updateDeal"]["deal"];
    assert!(updated["contact"].is_null(), "{body}");
    assert!(updated["source"].is_null());
    assert!(updated["expectedCloseDate"].is_null());
    assert_eq!(
        updated["company"]["id"],
        gid("company", w.companies[0].id),
        "untouched"
    );
    assert_eq!(updated["tags"], json!([]));
    assert_eq!(updated["version"], 3);

    // A stale version changes nothing.
    let body = app
        .gql(
            &org.key,
            UPDATE,
            json!({ "input": { "id": id, "title": "C", "expectedVersion": 2 } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    let body = app
        .gql(
            &org.key,
            "query($id: ID!) { deal(id: $id) { title version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["data"]["deal"], json!({ "title": "B", "version": 3 }));

    let body = app.gql(&org.key, UPDATE, json!({ "input": { "id": gid("deal", sea_orm::prelude::Uuid::now_v7()), "title": "C" } })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(
            &org.key,
            UPDATE,
            json!({ "input": { "id": id, "title": "" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn moving_a_deal_writes_history_and_follows_the_stage_to_its_pipeline() {
    let (app, org, w) = setup().await;
    let deal = create(&app, &org, json!({ "title": "A" })).await;
    let id = deal["id"].clone();
    let move_to = |stage: usize, version: Option<i64>| json!({ "input": { "dealId": id, "stageId": gid("stage", w.stages[stage].id), "note": "called", "expectedVersion": version } });

    let body = app.gql(&org.key, MOVE, move_to(1, Some(1))).await;
    let moved = &body["data"]["moveDealToStage"];
    assert_eq!(
        moved["deal"]["stage"]["id"],
        gid("stage", w.stages[1].id),
        "{body}"
    );
    assert_eq!(moved["deal"]["version"], 2);
    assert_eq!(
        moved["stageChange"]["fromStage"]["id"],
        gid("stage", w.stages[0].id)
    );
    assert_eq!(moved["stageChange"]["note"], "called");
    assert_eq!(
        moved["stageChange"]["changedBy"]["id"],
        gid("user", org.user_id)
    );

    // A stage of the other pipeline moves the deal there.
    let body = app.gql(&org.key, MOVE, move_to(4, None)).await;
    assert_eq!(
        body["data"]["moveDealToStage"]["deal"]["pipeline"]["id"],
        gid("pipeline", w.pipelines[1].id)
    );

    let history_before = history_count(&app).await;
    for (input, code) in [
        (move_to(4, None), "CONFLICT"),
        (move_to(2, Some(1)), "CONFLICT"),
        (
            json!({ "input": { "dealId": id, "stageId": gid("stage", sea_orm::prelude::Uuid::now_v7()) } }),
            "NOT_FOUND",
        ),
        (
            json!({ "input": { "dealId": id, "stageId": "stage_x" } }),
            "BAD_USER_INPUT",
        ),
    ] {
        let body = app.gql(&org.key, MOVE, input.clone()).await;
        assert_eq!(error_code(&body), Some(code), "{input}: {body}");
    }
    assert_eq!(
        history_count(&app).await,
        history_before,
        "failed moves write no history"
    );

    let body = app
        .gql(
            &org.key,
            CLOSE,
            json!({ "input": { "dealId": id, "result": "WON" } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app.gql(&org.key, MOVE, move_to(5, None)).await;
    assert_eq!(
        error_code(&body),
        Some("CONFLICT"),
        "a closed deal does not move"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("WON")
    );

    let body = app.gql(&org.key, "query($id: ID!) { deal(id: $id) { stageHistory { nodes { fromStage { id } toStage { id } } } } }", json!({ "id": id })).await;
    let chain: Vec<(Value, Value)> = body["data"]["deal"]["stageHistory"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| (n["fromStage"]["id"].clone(), n["toStage"]["id"].clone()))
        .collect();
    assert_eq!(
        chain,
        vec![
            (Value::Null, json!(gid("stage", w.stages[0].id))),
            (
                json!(gid("stage", w.stages[0].id)),
                json!(gid("stage", w.stages[1].id))
            ),
            (
                json!(gid("stage", w.stages[1].id)),
                json!(gid("stage", w.stages[4].id))
            ),
        ]
    );
}

#[tokio::test]
async fn closing_and_reopening_follow_the_rules_and_are_recorded() {
    let (app, org, _) = setup().await;
    let won = create(&app, &org, json!({ "title": "W", "value": "100" })).await;
    let lost = create(&app, &org, json!({ "title": "L", "value": "100" })).await;

    let body = app.gql(&org.key, CLOSE, json!({ "input": { "dealId": won["id"], "result": "WON", "finalValue": "120.50", "note": "signed" } })).await;
    let deal = &body["data"]["closeDeal"]["deal"];
    assert_eq!(deal["status"], "WON", "{body}");
    assert_eq!(deal["value"]["amount"], "120.50");
    assert!(deal["wonAt"].is_string() && deal["closedAt"].is_string() && deal["lostAt"].is_null());
    assert_eq!(
        deal["activities"]["nodes"][0],
        json!({ "type": "STATUS_CHANGE", "subject": "Deal won", "note": "signed" })
    );

    let body = app
        .gql(
            &org.key,
            CLOSE,
            json!({ "input": { "dealId": lost["id"], "result": "LOST", "lostReason": "  " } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.lostReason");
    let body = app
        .gql(
            &org.key,
            CLOSE,
            json!({ "input": { "dealId": lost["id"], "result": "LOST" } }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.lostReason");
    let body = app
        .gql(
            &org.key,
            "query($id: ID!) { deal(id: $id) { status version } }",
            json!({ "id": lost["id"] }),
        )
        .await;
    assert_eq!(
        body["data"]["deal"],
        json!({ "status": "OPEN", "version": 1 }),
        "nothing changed"
    );

    let body = app
        .gql(
            &org.key,
            CLOSE,
            json!({ "input": { "dealId": lost["id"], "result": "LOST", "lostReason": "Price" } }),
        )
        .await;
    let deal = &body["data"]["closeDeal"]["deal"];
    assert_eq!(deal["status"], "LOST");
    assert_eq!(deal["lostReason"], "Price");
    assert_eq!(
        deal["activities"]["nodes"][0]["subject"],
        "Deal lost: Price"
    );

    let body = app
        .gql(
            &org.key,
            CLOSE,
            json!({ "input": { "dealId": lost["id"], "result": "WON" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "closing a closed deal");

    let body = app
        .gql(
            &org.key,
            REOPEN,
            json!({ "input": { "dealId": lost["id"] } }),
        )
        .await;
    let deal = &body["data"]["reopenDeal"]["deal"];
    assert_eq!(deal["status"], "OPEN");
    assert!(deal["lostReason"].is_null() && deal["lostAt"].is_null() && deal["closedAt"].is_null());
    let body = app
        .gql(
            &org.key,
            REOPEN,
            json!({ "input": { "dealId": lost["id"] } }),
        )
        .await;
    assert_eq!(
        error_code(&body),
        Some("CONFLICT"),
        "reopening an open deal"
    );
    let body = app
        .gql(
            &org.key,
            CLOSE,
            json!({ "input": { "dealId": won["id"], "result": "WON", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
}

#[tokio::test]
async fn concurrent_moves_keep_an_unbroken_history() {
    let (app, org, w) = setup().await;
    let deal = create(&app, &org, json!({ "title": "Contended" })).await;
    let id = deal["id"].clone();
    let calls = (0..20).map(|n| {
        let stage = gid("stage", w.stages[1 + n % 2].id);
        let vars = json!({ "input": { "dealId": id, "stageId": stage } });
        let app = &app;
        let key = org.key.clone();
        async move { app.gql(&key, MOVE, vars).await }
    });
    let results = futures_util::future::join_all(calls).await;
    let succeeded = results.iter().filter(|b| b["errors"].is_null()).count();
    for body in results.iter().filter(|b| !b["errors"].is_null()) {
        assert_eq!(
            error_code(body),
            Some("CONFLICT"),
            "only 'already in that stage': {body}"
        );
    }
    assert!(succeeded >= 1);
    let body = app.gql(&org.key, "query($id: ID!) { deal(id: $id) { version stage { id } stageHistory(first: 500) { totalCount nodes { fromStage { id } toStage { id } } } } }", json!({ "id": id })).await;
    let deal = &body["data"]["deal"];
    assert_eq!(
        deal["stageHistory"]["totalCount"],
        succeeded + 1,
        "one entry per successful move, plus creation"
    );
    assert_eq!(deal["version"], succeeded + 1);
    let nodes = deal["stageHistory"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for pair in nodes.windows(2) {
        assert_eq!(
            pair[1]["fromStage"]["id"], pair[0]["toStage"]["id"],
            "unbroken chain"
        );
    }
    assert_eq!(
        nodes.last().map(|n| n["toStage"]["id"].clone()),
        Some(deal["stage"]["id"].clone())
    );
}

#[tokio::test]
async fn concurrent_updates_with_one_version_give_one_winner() {
    let (app, org, _) = setup().await;
    let deal = create(&app, &org, json!({ "title": "Contended" })).await;
    let id = deal["id"].clone();
    let calls = (0..20).map(|n| {
        let vars =
            json!({ "input": { "id": id, "title": format!("writer {n}"), "expectedVersion": 1 } });
        let app = &app;
        let key = org.key.clone();
        async move { app.gql(&key, UPDATE, vars).await }
    });
    let results = futures_util::future::join_all(calls).await;
    let winners: Vec<&Value> = results.iter().filter(|b| b["errors"].is_null()).collect();
    let conflicts = results
        .iter()
        .filter(|b| error_code(b) == Some("CONFLICT"))
        .count();
    assert_eq!((winners.len(), conflicts), (1, 19), "{results:?}");
    let body = app
        .gql(
            &org.key,
            "query($id: ID!) { deal(id: $id) { title version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        body["data"]["deal"]["title"],
        winners[0]["data"]["updateDeal"]["deal"]["title"]
    );
    assert_eq!(body["data"]["deal"]["version"], 2);

    // Without expectedVersion no update is lost: every writer's change lands, one after another.
    let calls = (0..10).map(|n| {
        let vars = json!({ "input": { "id": id, "title": format!("free {n}") } });
        let app = &app;
        let key = org.key.clone();
        async move { app.gql(&key, UPDATE, vars).await }
    });
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(|b| b["errors"].is_null()), "{results:?}");
    let body = app
        .gql(
            &org.key,
            "query($id: ID!) { deal(id: $id) { version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["data"]["deal"]["version"], 12);
}
