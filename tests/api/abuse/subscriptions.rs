//! Subscriptions over the websocket: every input of `dealEvents` refused with its code before
//! anything streams, a selection over the cost limit refused, and filters naming another
//! organisation's pipeline, stages, owner or deals deliver nothing of it.

use crate::helpers::{create_deal, gid, move_deal, pipeline, spawn_app, spawn_app_with};
use crate::live::{ARRIVES, EVENTS, QUIET, connected, first_token, next_event, refusal, subscribe};
use crate::ws_client::{next_json_within, start};
use sea_orm::prelude::Uuid;
use serde_json::json;

#[tokio::test]
async fn every_bad_input_of_deal_events_is_refused_with_a_code() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let mut socket = connected(&app.address, &org.key).await;
    let ids = |prefix: &str, n: usize| -> Vec<String> {
        (0..n).map(|_| gid(prefix, Uuid::now_v7())).collect()
    };
    let cases = [
        (
            json!({ "f": { "stageIds": ids("stage", 101) } }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "f": { "dealIds": ids("deal", 501) } }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "f": { "stageIds": ids("deal", 1) } }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "f": { "pipelineId": gid("deal", org.id) } }),
            "BAD_USER_INPUT",
        ),
        (json!({ "f": { "ownerId": "not-an-id" } }), "BAD_USER_INPUT"),
        (json!({ "f": { "dealIds": ["x\u{0}y"] } }), "BAD_USER_INPUT"),
        (
            json!({ "f": { "types": ["NOT_A_TYPE"] } }),
            "BAD_USER_INPUT",
        ),
        (json!({ "after": "garbage" }), "BAD_USER_INPUT"),
        (json!({ "after": "a".repeat(5_000) }), "BAD_USER_INPUT"),
        (json!({ "after": "" }), "BAD_USER_INPUT"),
    ];
    for (n, (variables, code)) in cases.into_iter().enumerate() {
        let id = format!("bad{n}");
        start(&mut socket, &id, EVENTS, variables.clone()).await;
        assert_eq!(refusal(&mut socket, &id).await, code, "{variables}");
    }
    // The connection is still good.
    subscribe(&mut socket, "good", json!({}), None).await;
    // Over HTTP a subscription cannot run; it says so with a code, not a 500.
    let (status, body) = app.post(Some(&org.key), EVENTS, json!({})).await;
    assert!(status < 500, "{status} {body}");
    assert!(
        body["errors"][0]["extensions"]["code"].is_string(),
        "{body}"
    );
}

#[tokio::test]
async fn a_subscription_whose_event_selection_costs_too_much_is_refused() {
    let app = spawn_app_with(|mut config| {
        config.max_cost = 20;
        config
    })
    .await;
    let org = app.create_org("Acme").await;
    let mut socket = connected(&app.address, &org.key).await;
    start(
        &mut socket,
        "big",
        "subscription { dealEvents { deal { changelog(first: 100) { nodes { deal { id } } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(refusal(&mut socket, "big").await, "LIMIT_EXCEEDED");
}

#[tokio::test]
async fn filters_naming_another_organisations_things_deliver_nothing_of_it() {
    let app = spawn_app().await;
    let victim = app.create_org("Victim").await;
    let (pipe, stages) = pipeline(&app, &victim.key, "Secret").await;
    let deal = create_deal(&app, &victim.key, "Secret deal", &stages[0]).await;
    let attacker = app.create_org("Attacker").await;
    let mut socket = connected(&app.address, &attacker.key).await;
    let filters = [
        json!({ "pipelineId": pipe }),
        json!({ "stageIds": stages }),
        json!({ "ownerId": gid("user", victim.user_id) }),
        json!({ "dealIds": [deal] }),
        json!({}),
    ];
    for (n, filter) in filters.iter().enumerate() {
        subscribe(&mut socket, &format!("probe{n}"), filter.clone(), None).await;
    }
    // A replay from the victim's own token is read in the attacker's organisation: nothing.
    let token = first_token(&app, &victim.key).await;
    start(&mut socket, "replay", EVENTS, json!({ "after": token })).await;
    move_deal(&app, &victim.key, &deal, &stages[1]).await;
    // The victim's own subscriber sees the move, so it was delivered to whoever may see it.
    let mut own = connected(&app.address, &victim.key).await;
    subscribe(&mut own, "own", json!({ "dealIds": [deal] }), None).await;
    move_deal(&app, &victim.key, &deal, &stages[2]).await;
    let event = next_event(&mut own, "own").await;
    assert_eq!(event["deal"]["title"], "Secret deal");
    // Nothing reaches the attacker: no probe, no replay.
    let leaked = next_json_within(&mut socket, QUIET.max(ARRIVES / 10)).await;
    assert!(
        leaked.is_none(),
        "delivered to another organisation: {leaked:?}"
    );
}
