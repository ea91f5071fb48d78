//! The deal event log: every change is an event in the transaction of the change, numbered
//! without gaps per organisation; read as `deal.changelog` and as the `dealChanges` feed.

use crate::helpers::{TestApp, TestOrg, error_code, spawn_app};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Runs a mutation that must succeed and returns its data.
async fn ok(app: &TestApp, org: &TestOrg, query: &str, variables: Value) -> Value {
    let body = app.gql(&org.key, query, variables).await;
    assert!(body["errors"].is_null(), "{query}: {body}");
    body["data"].clone()
}

/// A pipeline of two stages; their ids.
async fn pipeline(app: &TestApp, org: &TestOrg) -> Vec<String> {
    let data = ok(
        app,
        org,
        "mutation { createPipeline(input: { name: \"Sales\", stages: [{ name: \"New\", probability: 10 },
            { name: \"Demo\", probability: 50 }] }) { pipeline { stages { id } } } }",
        json!({}),
    )
    .await;
    data["createPipeline"]["pipeline"]["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn create_deal(app: &TestApp, org: &TestOrg, input: Value) -> String {
    let data = ok(
        app,
        org,
        "mutation($i: CreateDealInput!) { createDeal(input: $i) { deal { id } } }",
        json!({ "i": input }),
    )
    .await;
    data["createDeal"]["deal"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

const FEED: &str =
    "query($since: String, $first: Int) { dealChanges(since: $since, first: $first) {
    nextToken hasMore events { sequence type dealId changes { field oldValue newValue } } } }";

/// The whole feed, read `page` events at a time; the events and the last token.
async fn whole_feed(app: &TestApp, org: &TestOrg, page: i32) -> (Vec<Value>, Option<String>) {
    let mut events = Vec::new();
    let mut since: Option<String> = None;
    loop {
        let data = ok(app, org, FEED, json!({ "since": since, "first": page })).await;
        let feed = &data["dealChanges"];
        events.extend(feed["events"].as_array().cloned().unwrap_or_default());
        since = feed["nextToken"].as_str().map(str::to_owned);
        if feed["hasMore"] != true {
            return (events, since);
        }
        assert!(events.len() < 1_000, "the feed must end");
    }
}

fn sequences(events: &[Value]) -> Vec<i64> {
    events
        .iter()
        .map(|e| {
            e["sequence"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(-1)
        })
        .collect()
}

#[tokio::test]
async fn every_change_of_a_deal_is_one_event_in_commit_order() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let stages = pipeline(&app, &org).await;
    let deal = create_deal(
        &app,
        &org,
        json!({ "title": "Fleet", "value": "100.00", "tags": ["hot"] }),
    )
    .await;
    let steps: Vec<(&str, Value)> = vec![
        (
            "mutation($i: UpdateDealInput!) { updateDeal(input: $i) { deal { id } } }",
            json!({ "id": deal, "title": "Fleet renewal", "value": "250.50" }),
        ),
        (
            "mutation($i: MoveDealToStageInput!) { moveDealToStage(input: $i) { deal { id } } }",
            json!({ "dealId": deal, "stageId": stages[1], "note": "Demo booked" }),
        ),
        (
            "mutation($i: CloseDealInput!) { closeDeal(input: $i) { deal { id } } }",
            json!({ "dealId": deal, "result": "WON" }),
        ),
        (
            "mutation($i: ReopenDealInput!) { reopenDeal(input: $i) { deal { id } } }",
            json!({ "dealId": deal }),
        ),
        (
            "mutation($i: DealIdInput!) { archiveDeal(input: $i) { deal { id } } }",
            json!({ "dealId": deal }),
        ),
        (
            "mutation($i: DealIdInput!) { unarchiveDeal(input: $i) { deal { id } } }",
            json!({ "dealId": deal }),
        ),
        (
            "mutation($i: DealIdInput!) { deleteDeal(input: $i) { deal { id } } }",
            json!({ "dealId": deal }),
        ),
        (
            "mutation($i: DealIdInput!) { restoreDeal(input: $i) { deal { id } } }",
            json!({ "dealId": deal }),
        ),
        (
            "mutation($i: FollowDealInput!) { followDeal(input: $i) { deal { id } } }",
            json!({ "dealId": deal }),
        ),
        (
            "mutation($i: FollowDealInput!) { unfollowDeal(input: $i) { deal { id } } }",
            json!({ "dealId": deal }),
        ),
        (
            "mutation($i: LogActivityInput!) { logActivity(input: $i) { __typename } }",
            json!({ "dealId": deal, "type": "CALL", "subject": "Intro call" }),
        ),
    ];
    for (query, input) in &steps {
        ok(&app, &org, query, json!({ "i": input })).await;
    }
    let product = ok(
        &app,
        &org,
        "mutation($i: AddDealProductInput!) { addDealProduct(input: $i) { product { id } } }",
        json!({ "i": { "dealId": deal, "name": "Seat", "quantity": "2", "unitPrice": "10" } }),
    )
    .await["addDealProduct"]["product"]["id"]
        .clone();
    ok(
        &app,
        &org,
        "mutation($i: UpdateDealProductInput!) { updateDealProduct(input: $i) { product { id } } }",
        json!({ "i": { "id": product, "quantity": "3" } }),
    )
    .await;
    ok(
        &app,
        &org,
        "mutation($i: RemoveDealProductInput!) { removeDealProduct(input: $i) { deal { id } } }",
        json!({ "i": { "id": product } }),
    )
    .await;
    let task = ok(
        &app,
        &org,
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }",
        json!({ "i": { "dealId": deal, "title": "Send quote" } }),
    )
    .await["createTask"]["task"]["id"]
        .clone();
    ok(
        &app,
        &org,
        "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id } } }",
        json!({ "i": { "id": task, "status": "COMPLETED" } }),
    )
    .await;
    // A refused write leaves no event: a stale version, and following twice.
    let (_, stale) = app
        .post(
            Some(&org.key),
            "mutation($i: UpdateDealInput!) { updateDeal(input: $i) { deal { id } } }",
            json!({ "i": { "id": deal, "title": "Lost update", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");

    let expected = [
        "CREATED",
        "UPDATED",
        "MOVED",
        "WON",
        "REOPENED",
        "ARCHIVED",
        "UNARCHIVED",
        "DELETED",
        "RESTORED",
        "FOLLOWER_ADDED",
        "FOLLOWER_REMOVED",
        "ACTIVITY_LOGGED",
        "PRODUCT_ADDED",
        "PRODUCT_CHANGED",
        "PRODUCT_REMOVED",
        "TASK_ADDED",
        "TASK_CHANGED",
    ];
    let (events, _) = whole_feed(&app, &org, 4).await;
    let types: Vec<&str> = events
        .iter()
        .map(|e| e["type"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(types, expected);
    assert_eq!(
        sequences(&events),
        (1..=expected.len() as i64).collect::<Vec<_>>(),
        "from 1, without gaps"
    );
    assert!(events.iter().all(|e| e["dealId"] == deal.as_str()));
    let changed = |event: &Value, field: &str| -> (Value, Value) {
        event["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["field"] == field)
            .map(|c| (c["oldValue"].clone(), c["newValue"].clone()))
            .unwrap_or_default()
    };
    assert_eq!(changed(&events[0], "title"), (Value::Null, json!("Fleet")));
    assert_eq!(changed(&events[0], "tags"), (Value::Null, json!(["hot"])));
    assert_eq!(
        changed(&events[1], "title"),
        (json!("Fleet"), json!("Fleet renewal"))
    );
    assert_eq!(
        changed(&events[1], "value"),
        (json!("100.00"), json!("250.50"))
    );
    assert_eq!(
        changed(&events[2], "stageId"),
        (json!(stages[0]), json!(stages[1]))
    );
    assert_eq!(
        changed(&events[2], "note"),
        (Value::Null, json!("Demo booked"))
    );
    assert_eq!(changed(&events[3], "status"), (json!("OPEN"), json!("WON")));
    assert_eq!(changed(&events[13], "product").1["quantity"], "3.00");

    // The deal's changelog: the same events, newest first, with who made them.
    let data = ok(
        &app,
        &org,
        "query($id: ID!) { deal(id: $id) { changelog(first: 50) { totalCount
            nodes { type sequence user { name } apiKey { prefix } } } } }",
        json!({ "id": deal }),
    )
    .await;
    let log = &data["deal"]["changelog"];
    assert_eq!(log["totalCount"], expected.len());
    let newest_first: Vec<&str> = log["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| n["type"].as_str().unwrap_or("?"))
        .collect();
    let mut reversed = expected.to_vec();
    reversed.reverse();
    assert_eq!(newest_first, reversed);
    assert_eq!(log["nodes"][0]["user"]["name"], "Acme Owner");
    assert!(
        log["nodes"][0]["apiKey"]["prefix"]
            .as_str()
            .is_some_and(|p| org.key.starts_with(p))
    );
}

#[tokio::test]
async fn concurrent_writers_get_every_number_once_and_the_feed_pages_by_token() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let other = app.create_org("Other").await;
    pipeline(&app, &org).await;
    pipeline(&app, &other).await;
    let writers = (0..16).map(|n| {
        let (app, org) = (&app, &org);
        async move { create_deal(app, org, json!({ "title": format!("Deal {n}") })).await }
    });
    let created: BTreeSet<String> = futures_util::future::join_all(writers)
        .await
        .into_iter()
        .collect();
    assert_eq!(created.len(), 16);
    create_deal(&app, &other, json!({ "title": "Theirs" })).await;

    for page in [1, 5, 100] {
        let (events, token) = whole_feed(&app, &org, page).await;
        assert_eq!(
            sequences(&events),
            (1..=16).collect::<Vec<_>>(),
            "page {page}"
        );
        let deals: BTreeSet<String> = events
            .iter()
            .map(|e| e["dealId"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(deals, created, "only this organisation's deals");
        // Nothing new: no events, the same token.
        let data = ok(&app, &org, FEED, json!({ "since": token })).await;
        assert_eq!(data["dealChanges"]["events"], json!([]));
        assert_eq!(data["dealChanges"]["nextToken"].as_str(), token.as_deref());
    }
    // A later write comes after the token.
    let (_, token) = whole_feed(&app, &org, 100).await;
    let late = create_deal(&app, &org, json!({ "title": "Late" })).await;
    let data = ok(&app, &org, FEED, json!({ "since": token })).await;
    assert_eq!(data["dealChanges"]["events"][0]["dealId"], late.as_str());
    assert_eq!(data["dealChanges"]["events"][0]["sequence"], "17");
    // Another organisation's numbers start at 1; a bad token is refused.
    let (theirs, _) = whole_feed(&app, &other, 100).await;
    assert_eq!(sequences(&theirs), [1]);
    let (_, body) = app
        .post(Some(&org.key), FEED, json!({ "since": "not-a-token" }))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "since");
}

#[tokio::test]
async fn pruned_events_expire_the_tokens_before_them() {
    use chrono::Duration;
    use entity::deal_event;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    pipeline(&app, &org).await;
    for n in 0..3 {
        create_deal(&app, &org, json!({ "title": format!("Deal {n}") })).await;
    }
    let token_after = |n: i32| {
        let (app, org) = (&app, &org);
        async move {
            let data = ok(app, org, FEED, json!({ "first": n })).await;
            data["dealChanges"]["nextToken"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    let (after_first, after_second) = (token_after(1).await, token_after(2).await);
    // The first two events are older than the 90 days the log keeps.
    deal_event::Entity::update_many()
        .col_expr(
            deal_event::Column::OccurredAt,
            Expr::value(dealgate::clock::now() - Duration::days(100)),
        )
        .filter(deal_event::Column::Sequence.lte(2))
        .exec(&app.db)
        .await
        .expect("age two events");
    let pruned = dealgate::deal::events::retention::prune(&app.db, 90)
        .await
        .expect("prune");
    assert_eq!(pruned, 2);
    // Event 2 is gone: a token before it cannot be continued.
    let (_, body) = app
        .post(Some(&org.key), FEED, json!({ "since": after_first }))
        .await;
    assert_eq!(error_code(&body), Some("SYNC_TOKEN_EXPIRED"), "{body}");
    // A token after it continues with event 3; a new feed starts at 3.
    for since in [Some(after_second), None] {
        let data = ok(&app, &org, FEED, json!({ "since": since })).await;
        assert_eq!(
            sequences(data["dealChanges"]["events"].as_array().expect("events")),
            [3]
        );
    }
}
