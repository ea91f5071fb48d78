//! Families: page sizes, cost (and its overflow), budgets. Legitimate work passes under the
//! defaults and reports its cost.

use super::{assert_alive, bad_input, excerpt, refused};
use crate::fixtures;
use crate::helpers::{error_code, gid, spawn_app, spawn_app_with};
use dealgate::config::Config;
use serde_json::json;

/// The documented cost of `levels` nested `deals(first: 500) { nodes { owner { … } } }`:
/// a connection is 1 plus its page, a deal and an owner 1 each.
fn nested_cost(levels: u32) -> u64 {
    let mut inner: u64 = 1 + 500; // deals(first: 500) { nodes { id } }
    for _ in 1..levels {
        inner = 1u64.saturating_add(500u64.saturating_mul(1 + 1 + inner));
    }
    inner
}

fn nested_query(levels: u32) -> String {
    let mut query = "deals(first: 500) { nodes { id } }".to_owned();
    for _ in 1..levels {
        query = format!("deals(first: 500) {{ nodes {{ owner {{ {query} }} }} }}");
    }
    format!("{{ {query} }}")
}

#[tokio::test]
async fn costs_multiply_through_page_sizes_and_are_refused_above_the_limit() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    for levels in [2, 3, 5] {
        let body = refused(
            &app,
            &org,
            &nested_query(levels),
            json!({}),
            "LIMIT_EXCEEDED",
        )
        .await;
        assert_eq!(
            body["extensions"]["cost"]["requested"],
            nested_cost(levels),
            "{}",
            excerpt(&body)
        );
        assert_eq!(body["extensions"]["cost"]["limit"], 200_000);
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(&nested_cost(levels).to_string()) && message.contains("200000"),
            "{message}"
        );
    }
    // Page sizes given through variables count the same way.
    let query = "query($n: Int!) { deals(first: $n) { nodes { owner { deals(first: $n) { nodes { id } } } } } }";
    let body = refused(&app, &org, query, json!({ "n": 500 }), "LIMIT_EXCEEDED").await;
    assert_eq!(body["extensions"]["cost"]["requested"], nested_cost(2));
    // Deeper still: the depth limit refuses it before any cost is computed.
    let body = refused(&app, &org, &nested_query(6), json!({}), "LIMIT_EXCEEDED").await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("levels deep"), "{message}");
}

#[tokio::test]
async fn page_sizes_outside_the_range_are_bad_input() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    bad_input(
        &app,
        &org,
        "{ deals(first: 501) { nodes { id } } }",
        json!({}),
        "first",
    )
    .await;
    bad_input(
        &app,
        &org,
        "{ deals(last: -1) { nodes { id } } }",
        json!({}),
        "last",
    )
    .await;
    let query = "query($n: Int) { deals(first: $n) { nodes { id } } }";
    bad_input(
        &app,
        &org,
        query,
        json!({ "n": 2_147_483_648_i64 }),
        "deals.first",
    )
    .await;
    bad_input(&app, &org, query, json!({ "n": 1e30 }), "deals.first").await;
    bad_input(
        &app,
        &org,
        "{ deals(first: 99999999999) { nodes { id } } }",
        json!({}),
        "deals.first",
    )
    .await;
}

#[tokio::test]
async fn legitimate_work_passes_under_the_defaults_and_reports_its_cost() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let world = fixtures::build(&app, &org, 60).await;
    let page = "{ deals(first: 500) { totalCount nodes { title value { amount currency } stage { name } pipeline { name } company { name } contact { name } owner { name } products { nodes { name totals { withTax { amount } } } } } } }";
    let board = "query($p: ID!) { pipeline(id: $p) { stages { name deals(first: 50, filter: { status: [OPEN] }) { totalCount summary { totalValue { amount currency } } nodes { title company { name } contact { name } } } } } }";
    let readme_list = "{ deals(first: 20, filter: { status: [OPEN], search: \"a\" }, orderBy: [{ field: VALUE, direction: DESC }]) { totalCount summary { count totalValue { amount currency } weightedValue { amount currency } } pageInfo { hasNextPage endCursor } nodes { title value { amount currency } stage { name probability } company { name } contact { name } owner { name } daysInStage dealAgeDays tags products { nodes { name quantity totals { withoutTax { amount } withTax { amount } } } } } } }";
    let readme_board = "{ pipelines { nodes { name stages { name probability deals(first: 20, filter: { status: [OPEN] }) { totalCount summary { totalValue { amount currency } } nodes { title company { name } } } } } } }";
    let groups =
        "{ dealGroups(by: [OWNER, STAGE]) { owner { name } stage { name } summary { count } } }";
    let pipeline = gid("pipeline", world.pipelines[0].id);
    for (query, expected) in [
        // up to 1,000 groups × (owner 1 + stage 1)
        (groups, 1_000 * 2),
        // 1 + 500 × (deal 1 + 5 to-one + products 1 + 50 × 1)
        (page, 1 + 500 * (1 + 5 + 1 + 50)),
        // pipeline 1 + 50 stages (a list) × (stage 1 + connection 1 + 50 × (deal 1 + 2))
        (board, 1 + 50 * (1 + 1 + 50 * 3)),
        (readme_list, 1 + 20 * (1 + 4 + 1 + 50)),
        // connection 1 + 50 pipelines × (1 + 50 stages × (1 + 1 + 20 × 2))
        (readme_board, 1 + 50 * (1 + 50 * (1 + 1 + 20 * 2))),
    ] {
        let body = app.gql(&org.key, query, json!({ "p": pipeline })).await;
        assert!(body["errors"].is_null(), "{}", excerpt(&body));
        assert_eq!(body["extensions"]["cost"]["requested"], expected, "{query}");
        assert!(
            body["extensions"]["cost"]["budget"]["remaining"]
                .as_u64()
                .is_some()
        );
        assert!(
            body["extensions"]["cost"]["budget"]["resetAt"]
                .as_str()
                .is_some()
        );
    }
}

#[tokio::test]
async fn a_spent_budget_is_429_with_retry_after_and_other_keys_keep_theirs() {
    let app = spawn_app_with(|config| Config {
        cost_budget_per_minute: 1_200,
        ..config
    })
    .await;
    let org = app.create_org("Acme").await;
    let other = app.create_org("Other").await;
    let query = "{ deals(first: 500) { nodes { id } } }"; // 501 points
    let first = app.gql(&org.key, query, json!({})).await;
    assert!(first["errors"].is_null(), "{first}");
    assert_eq!(
        first["extensions"]["cost"]["budget"]["remaining"],
        1_200 - 501
    );
    let second = app.gql(&org.key, query, json!({})).await;
    let left = second["extensions"]["cost"]["budget"]["remaining"]
        .as_u64()
        .expect("remaining");
    assert!(
        (198..=201).contains(&left),
        "refilled at 20 points a second: {left}"
    );
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("X-API-KEY", &org.key)
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 429);
    let retry_header: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), Some("LIMIT_EXCEEDED"), "{body}");
    // 501 − 198 points missing at 20 points a second: 16 s (rounded up).
    let retry = body["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .expect("retryAfter");
    assert!((15..=16).contains(&retry), "{retry}");
    assert_eq!(retry, retry_header);
    assert_eq!(body["extensions"]["cost"]["requested"], 501);
    // Another key has its own budget.
    let theirs = app.gql(&other.key, query, json!({})).await;
    assert!(theirs["errors"].is_null(), "{theirs}");
    assert_alive(&app, &other).await;
}

#[tokio::test]
async fn deal_groups_are_costed_at_their_most_groups() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    // 1,000 groups × (owner 1 + connection 1 + 500 deals) = 502,000 > 200,000.
    let query = "{ dealGroups(by: [OWNER]) { owner { deals(first: 500) { nodes { id } } } } }";
    let body = refused(&app, &org, query, json!({}), "LIMIT_EXCEEDED").await;
    assert_eq!(
        body["extensions"]["cost"]["requested"],
        502_000,
        "{}",
        excerpt(&body)
    );
}

#[tokio::test]
async fn timelines_are_costed_at_their_periods() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    // 366 periods × (connection 1 + 500 × (deal 1 + owner 1)) = 366,366 > 200,000.
    let query = "{ dealsTimeline(startDate: \"2026-01-01\", interval: DAY, amount: 366, \
        field: CREATED) { deals(first: 500) { nodes { id owner { name } } } } }";
    let body = refused(&app, &org, query, json!({}), "LIMIT_EXCEEDED").await;
    assert_eq!(
        body["extensions"]["cost"]["requested"],
        366_366,
        "{}",
        excerpt(&body)
    );
    // The same at 12 periods is 12,012 and runs.
    let twelve = query.replace("amount: 366", "amount: 12");
    let body = app.gql(&org.key, &twelve, json!({})).await;
    assert!(body["errors"].is_null(), "{}", excerpt(&body));
    assert_eq!(body["extensions"]["cost"]["requested"], 12_012);
}

#[tokio::test]
async fn searches_are_costed_as_connections() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    // A page of 500 results, each a deal and its owner: 1 + 500 × 2.
    let query =
        "{ searchDeals(term: \"acme\", first: 500) { edges { score node { owner { name } } } } }";
    let body = app.gql(&org.key, query, json!({})).await;
    assert!(body["errors"].is_null(), "{}", excerpt(&body));
    assert_eq!(body["extensions"]["cost"]["requested"], 1_001);
}

#[tokio::test]
async fn the_change_feed_is_costed_at_its_page() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    // 500 events × (deal 1 + owner 1) + 500 × (user 1) = 1,500 (the feed itself is free).
    let query = "{ dealChanges(first: 500) { events { deal { owner { name } } user { name } } } }";
    let body = app.gql(&org.key, query, json!({})).await;
    assert!(body["errors"].is_null(), "{}", excerpt(&body));
    assert_eq!(body["extensions"]["cost"]["requested"], 1_500);
    let default = "{ dealChanges { events { user { name } } } }";
    let body = app.gql(&org.key, default, json!({})).await;
    assert_eq!(body["extensions"]["cost"]["requested"], 100);
}
