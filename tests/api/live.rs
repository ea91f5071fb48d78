//! The `dealEvents` subscription over real websocket clients: live delivery, filters, replay
//! with `after` without gaps or repeats, the legacy protocol, bounds, revoked keys, slow
//! consumers, and a second server process on the same database.

use crate::helpers::{
    TestApp, TestOrg, create_deal, gid, move_deal, ok, pipeline, spawn_app, spawn_app_with,
};
use crate::ws_client::{
    Received, Socket, connect_small_buffer, connect_to, next_json, next_json_within, receive, start,
};
use entity::enums::ApiKeyScope;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

/// Long enough for any event to arrive on a loaded machine.
pub(crate) const ARRIVES: Duration = Duration::from_secs(10);
/// How long to wait to be sure that nothing more comes.
pub(crate) const QUIET: Duration = Duration::from_millis(700);

async fn rename(app: &TestApp, key: &str, deal: &str, title: &str) {
    ok(
        app,
        key,
        "mutation($d: ID!, $t: String!) { updateDeal(input: { id: $d, title: $t }) { deal { id } } }",
        json!({ "d": deal, "t": title }),
    )
    .await;
}

/// The token of the organisation's first event, from the sync feed.
pub(crate) async fn first_token(app: &TestApp, key: &str) -> String {
    let feed = ok(
        app,
        key,
        "{ dealChanges(first: 1) { nextToken } }",
        json!({}),
    )
    .await;
    feed["dealChanges"]["nextToken"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// A connection of `key` on `app`, acknowledged.
pub(crate) async fn connected(address: &str, key: &str) -> Socket {
    let mut socket = connect_to(address, "graphql-transport-ws", json!({ "X-API-KEY": key })).await;
    let ack = next_json(&mut socket).await.expect("ack");
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    socket
}

pub(crate) const EVENTS: &str = "subscription($f: DealEventFilter, $after: String) {
    dealEvents(filter: $f, after: $after) {
        sequence token type dealId
        changes { field oldValue newValue }
        deal { id title stage { name } }
        user { id }
    } }";

/// Subscribes as operation `id` and gives the server a moment to register it (the first
/// event proves it is live in each test; this only keeps the order of steps readable).
pub(crate) async fn subscribe(socket: &mut Socket, id: &str, filter: Value, after: Option<&str>) {
    start(socket, id, EVENTS, json!({ "f": filter, "after": after })).await;
    // A subscription is live once its resolver ran; a query after it on the same connection
    // is answered after that.
    start(
        socket,
        "probe",
        "{ viewer { organization { id } } }",
        json!({}),
    )
    .await;
    loop {
        let message = next_json_within(socket, ARRIVES)
            .await
            .expect("probe answer");
        if message["id"] == "probe" && message["type"] == "complete" {
            return;
        }
        assert_ne!(
            message["id"], id,
            "nothing is delivered before a change: {message}"
        );
    }
}

/// The next event of operation `id` (skipping other operations' messages into `others`).
pub(crate) async fn next_event(socket: &mut Socket, id: &str) -> Value {
    loop {
        let message = next_json_within(socket, ARRIVES)
            .await
            .unwrap_or_else(|| panic!("an event for {id} within {ARRIVES:?}"));
        if message["id"] == id {
            assert_eq!(message["type"], "next", "{message}");
            return message["payload"]["data"]["dealEvents"].clone();
        }
    }
}

pub(crate) fn sequence(event: &Value) -> i64 {
    event["sequence"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(-1)
}

#[tokio::test]
async fn a_board_sees_a_colleagues_move_with_the_deal_as_it_is_now() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let (pipe, stages) = pipeline(&app, &org.key, "Sales").await;
    let (_, other_stages) = pipeline(&app, &org.key, "Partners").await;
    let deal = create_deal(&app, &org.key, "Board deal", &stages[0]).await;
    let other = create_deal(&app, &org.key, "Elsewhere", &other_stages[0]).await;
    let mut board = connected(&app.address, &org.key).await;
    subscribe(&mut board, "board", json!({ "pipelineId": pipe }), None).await;

    // Another pipeline's change, another organisation's move: not for this board.
    rename(&app, &org.key, &other, "Elsewhere, renamed").await;
    let rival = app.create_org("Rival").await;
    let (_, rival_stages) = pipeline(&app, &rival.key, "Theirs").await;
    let theirs = create_deal(&app, &rival.key, "Theirs", &rival_stages[0]).await;
    move_deal(&app, &rival.key, &theirs, &rival_stages[1]).await;

    move_deal(&app, &org.key, &deal, &stages[1]).await;
    let event = next_event(&mut board, "board").await;
    assert_eq!(event["type"], "MOVED", "{event}");
    assert_eq!(event["dealId"], deal);
    assert_eq!(event["deal"]["title"], "Board deal");
    assert_eq!(event["deal"]["stage"]["name"], "Demo");
    assert_eq!(event["user"]["id"], gid("user", org.user_id));
    let change = event["changes"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["field"] == "stageId"))
        .cloned()
        .expect("a stageId change");
    assert_eq!(change["oldValue"], stages[0]);
    assert_eq!(change["newValue"], stages[1]);
    // Its sequence is the organisation's: create ×2 (deals), rename, then this move.
    assert_eq!(sequence(&event), 4, "{event}");
    assert!(
        next_json_within(&mut board, QUIET).await.is_none(),
        "nothing else for this board"
    );
}

#[tokio::test]
async fn filters_on_stages_owner_deals_and_types_see_both_sides_of_a_change() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let (_, stages) = pipeline(&app, &org.key, "Sales").await;
    let colleague = ok(
        &app,
        &org.key,
        "mutation { createUser(input: { name: \"Colleague\", email: \"c@acme.example\" }) { user { id } } }",
        json!({}),
    )
    .await["createUser"]["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let a = create_deal(&app, &org.key, "A", &stages[0]).await;
    let b = create_deal(&app, &org.key, "B", &stages[1]).await;
    let mut socket = connected(&app.address, &org.key).await;
    subscribe(
        &mut socket,
        "demo",
        json!({ "stageIds": [stages[1]] }),
        None,
    )
    .await;
    subscribe(
        &mut socket,
        "colleague",
        json!({ "ownerId": colleague }),
        None,
    )
    .await;
    subscribe(&mut socket, "a", json!({ "dealIds": [a] }), None).await;
    subscribe(
        &mut socket,
        "renames",
        json!({ "types": ["UPDATED"] }),
        None,
    )
    .await;

    // 1: a into Demo. 2: b out of Demo. 3: b renamed. 4: a given to the colleague.
    // 5: a taken back from the colleague.
    move_deal(&app, &org.key, &a, &stages[1]).await;
    move_deal(&app, &org.key, &b, &stages[2]).await;
    rename(&app, &org.key, &b, "B renamed").await;
    let assign =
        "mutation($d: ID!, $o: ID) { updateDeal(input: { id: $d, ownerId: $o }) { deal { id } } }";
    ok(&app, &org.key, assign, json!({ "d": a, "o": colleague })).await;
    let owner = gid("user", org.user_id);
    ok(&app, &org.key, assign, json!({ "d": a, "o": owner })).await;

    // Expected, per subscription, as (deal, type) in order, from the steps above.
    let expected: Vec<(&str, Vec<(&str, &str)>)> = vec![
        // a enters Demo, b leaves it; then a is in Demo for the owner changes too.
        (
            "demo",
            vec![
                (&a, "MOVED"),
                (&b, "MOVED"),
                (&a, "UPDATED"),
                (&a, "UPDATED"),
            ],
        ),
        ("colleague", vec![(&a, "UPDATED"), (&a, "UPDATED")]),
        ("a", vec![(&a, "MOVED"), (&a, "UPDATED"), (&a, "UPDATED")]),
        (
            "renames",
            vec![(&b, "UPDATED"), (&a, "UPDATED"), (&a, "UPDATED")],
        ),
    ];
    let total: usize = expected.iter().map(|(_, events)| events.len()).sum();
    let mut got: Vec<(String, String, String)> = Vec::new();
    while got.len() < total {
        let message = next_json_within(&mut socket, ARRIVES)
            .await
            .unwrap_or_else(|| panic!("{total} events, got {got:?}"));
        assert_eq!(message["type"], "next", "{message}");
        let event = &message["payload"]["data"]["dealEvents"];
        got.push((
            message["id"].as_str().unwrap_or_default().to_owned(),
            event["dealId"].as_str().unwrap_or_default().to_owned(),
            event["type"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    for (id, events) in expected {
        let of_id: Vec<(&str, &str)> = got
            .iter()
            .filter(|(op, _, _)| op == id)
            .map(|(_, deal, kind)| (deal.as_str(), kind.as_str()))
            .collect();
        assert_eq!(of_id, events, "subscription {id}");
    }
    assert!(next_json_within(&mut socket, QUIET).await.is_none());
}

#[tokio::test]
async fn after_a_token_the_missed_events_come_first_then_live_ones_without_gap_or_repeat() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let (_, stages) = pipeline(&app, &org.key, "Sales").await;
    let deal = create_deal(&app, &org.key, "Resumed", &stages[0]).await;
    // The token of the first event, from the sync feed.
    let token = first_token(&app, &org.key).await;
    // Missed while offline: 10 renames (events 2..=11).
    for n in 0..10 {
        rename(&app, &org.key, &deal, &format!("offline {n}")).await;
    }
    let mut socket = connected(&app.address, &org.key).await;
    // Writes go on while the subscription replays: 20 more (events 12..=31).
    let writer = {
        let (address, key, deal) = (app.address.clone(), org.key.clone(), deal.clone());
        let client = app.client.clone();
        tokio::spawn(async move {
            for n in 0..20 {
                let body = json!({
                    "query": "mutation($d: ID!, $t: String!) { updateDeal(input: { id: $d, title: $t }) { deal { id } } }",
                    "variables": { "d": deal, "t": format!("live {n}") },
                });
                let response = client
                    .post(format!("{address}/graphql"))
                    .header("x-api-key", &key)
                    .json(&body)
                    .send()
                    .await
                    .expect("write");
                assert!(response.status().is_success());
            }
        })
    };
    start(&mut socket, "resume", EVENTS, json!({ "after": token })).await;
    let mut sequences = Vec::new();
    while sequences.len() < 30 {
        let event = next_event(&mut socket, "resume").await;
        sequences.push(sequence(&event));
        if sequences.len() == 10 {
            // The last replayed event carries the title of the last offline write... or a
            // later one, read as the deal is now; its sequence says which write it was.
            assert_eq!(event["changes"][0]["field"], "title");
        }
    }
    writer.await.expect("writer");
    assert_eq!(sequences, (2..=31).collect::<Vec<i64>>());
    assert!(next_json_within(&mut socket, QUIET).await.is_none());

    // Resuming from the last token received gives only what came after it.
    rename(&app, &org.key, &deal, "after the last").await;
    let mut again = connected(&app.address, &org.key).await;
    let feed = ok(
        &app,
        &org.key,
        "{ dealChanges(first: 500) { events { sequence token } } }",
        json!({}),
    )
    .await;
    let thirty_one = feed["dealChanges"]["events"]
        .as_array()
        .and_then(|events| events.iter().find(|e| e["sequence"] == "31"))
        .map(|e| e["token"].as_str().unwrap_or_default().to_owned())
        .expect("event 31");
    start(&mut again, "again", EVENTS, json!({ "after": thirty_one })).await;
    let event = next_event(&mut again, "again").await;
    assert_eq!(sequence(&event), 32);
    assert_eq!(event["deal"]["title"], "after the last");
}

#[tokio::test]
async fn the_legacy_graphql_ws_protocol_streams_events_too() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let (_, stages) = pipeline(&app, &org.key, "Sales").await;
    let deal = create_deal(&app, &org.key, "Legacy", &stages[0]).await;
    let mut socket = connect_to(&app.address, "graphql-ws", json!({ "apiKey": org.key })).await;
    assert_eq!(
        next_json(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    let start_message = json!({ "id": "1", "type": "start", "payload": { "query": EVENTS } });
    use futures_util::SinkExt;
    socket
        .send(tokio_tungstenite::tungstenite::Message::text(
            start_message.to_string(),
        ))
        .await
        .expect("start");
    // The legacy protocol answers nothing to `start`: give the server a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;
    move_deal(&app, &org.key, &deal, &stages[2]).await;
    let message = next_json_within(&mut socket, ARRIVES).await.expect("data");
    assert_eq!(message["type"], "data", "{message}");
    assert_eq!(message["payload"]["data"]["dealEvents"]["type"], "MOVED");
    assert_eq!(
        message["payload"]["data"]["dealEvents"]["deal"]["stage"]["name"],
        "Offer"
    );
}

#[tokio::test]
async fn a_read_only_key_may_subscribe() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let (_, stages) = pipeline(&app, &org.key, "Sales").await;
    let deal = create_deal(&app, &org.key, "Watched", &stages[0]).await;
    let reader = app.create_key(org.id, None, ApiKeyScope::Read).await;
    let mut socket = connected(&app.address, &reader).await;
    subscribe(&mut socket, "watch", json!({ "dealIds": [deal] }), None).await;
    rename(&app, &org.key, &deal, "Seen by a reader").await;
    let event = next_event(&mut socket, "watch").await;
    assert_eq!(event["deal"]["title"], "Seen by a reader");
}

/// The code of the error that ended operation `id` before any event: an `error` message
/// when the operation was refused before it ran, or (as graphql-ws's reference server does
/// for a subscription whose source could not be created) one `next` without data and with
/// errors, then `complete`.
pub(crate) async fn refusal(socket: &mut Socket, id: &str) -> String {
    loop {
        let message = next_json_within(socket, ARRIVES).await.expect("a message");
        if message["id"] != id {
            continue;
        }
        let errors = match message["type"].as_str() {
            Some("error") => message["payload"].clone(),
            Some("next") => {
                assert!(message["payload"]["data"].is_null(), "{message}");
                let complete = next_json_within(socket, ARRIVES).await.expect("complete");
                assert_eq!(complete["type"], "complete", "{complete}");
                assert_eq!(complete["id"], id);
                message["payload"]["errors"].clone()
            }
            _ => panic!("not a refusal: {message}"),
        };
        return errors[0]["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
    }
}

#[tokio::test]
async fn subscriptions_are_bounded_per_connection_and_per_key() {
    let app = spawn_app_with(|mut config| {
        config.max_subscriptions_per_connection = 2;
        config.max_subscriptions_per_key = 3;
        config
    })
    .await;
    let org = app.create_org("Acme").await;
    let mut first = connected(&app.address, &org.key).await;
    subscribe(&mut first, "1", json!({}), None).await;
    subscribe(&mut first, "2", json!({}), None).await;
    start(&mut first, "3", EVENTS, json!({})).await;
    assert_eq!(refusal(&mut first, "3").await, "LIMIT_EXCEEDED");
    let mut second = connected(&app.address, &org.key).await;
    subscribe(&mut second, "1", json!({}), None).await;
    start(&mut second, "2", EVENTS, json!({})).await;
    assert_eq!(
        refusal(&mut second, "2").await,
        "LIMIT_EXCEEDED",
        "the key holds 3"
    );
    // Completing one gives its slot back.
    use futures_util::SinkExt;
    first
        .send(tokio_tungstenite::tungstenite::Message::text(
            json!({ "id": "1", "type": "complete" }).to_string(),
        ))
        .await
        .expect("complete");
    tokio::time::sleep(Duration::from_millis(200)).await;
    subscribe(&mut second, "3", json!({}), None).await;
    // Queries are not subscriptions: they still run on the full connection.
    let answer = ok(
        &app,
        &org.key,
        "{ viewer { organization { name } } }",
        json!({}),
    )
    .await;
    assert_eq!(answer["viewer"]["organization"]["name"], "Acme");
}

#[tokio::test]
async fn a_revoked_key_loses_its_connection_within_the_auth_cache_bound() {
    let app = spawn_app_with(|mut config| {
        config.auth_cache_ttl_ms = 1_000;
        config
    })
    .await;
    let org = app.create_org("Acme").await;
    let created = ok(
        &app,
        &org.key,
        "mutation { createApiKey(input: { name: \"board\", scope: READ }) { key apiKey { id } } }",
        json!({}),
    )
    .await;
    let board_key = created["createApiKey"]["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let board_key_id = created["createApiKey"]["apiKey"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mut socket = connected(&app.address, &board_key).await;
    subscribe(&mut socket, "board", json!({}), None).await;
    let revoked_at = std::time::Instant::now();
    ok(
        &app,
        &org.key,
        "mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { revokedAt } } }",
        json!({ "id": board_key_id }),
    )
    .await;
    let closed = tokio::time::timeout(ARRIVES, async {
        loop {
            if let Received::Closed(frame) = receive(&mut socket).await {
                return frame;
            }
        }
    })
    .await
    .expect("the connection is closed");
    // TTL (1 s) + one check interval (1 s), with room for a slow machine.
    assert!(revoked_at.elapsed() < Duration::from_secs(5));
    let (code, reason) = closed.expect("a close frame");
    assert_eq!(code, 4403, "{reason}");
}

#[tokio::test]
async fn a_token_older_than_the_log_keeps_ends_the_subscription_with_sync_token_expired() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let (_, stages) = pipeline(&app, &org.key, "Sales").await;
    let deal = create_deal(&app, &org.key, "Old", &stages[0]).await;
    rename(&app, &org.key, &deal, "Older").await;
    rename(&app, &org.key, &deal, "Oldest").await;
    let token = first_token(&app, &org.key).await;
    // Events 2 and 3 pruned, as retention would.
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared("DELETE FROM deal_event WHERE sequence IN (2, 3)")
        .await
        .expect("prune");
    let mut socket = connected(&app.address, &org.key).await;
    start(&mut socket, "stale", EVENTS, json!({ "after": token })).await;
    assert_eq!(refusal(&mut socket, "stale").await, "SYNC_TOKEN_EXPIRED");
}

/// Appends `count` events to `org`'s log directly, each changing a field to `bytes`
/// characters: a flood no client could take as fast as it is written.
async fn flood(
    app: &TestApp,
    org: &TestOrg,
    deal: sea_orm::prelude::Uuid,
    count: i64,
    bytes: usize,
) {
    use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, TransactionTrait};
    let txn = app.db.begin().await.expect("begin");
    let counter = entity::deal_event::Entity::find()
        .all(&txn)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.organization_id == org.id)
        .map(|e| e.sequence)
        .max()
        .unwrap_or(0);
    let big = "z".repeat(bytes);
    let events: Vec<entity::deal_event::ActiveModel> = (1..=count)
        .map(|n| entity::deal_event::ActiveModel {
            id: Set(sea_orm::prelude::Uuid::now_v7()),
            organization_id: Set(org.id),
            sequence: Set(counter + n),
            deal_id: Set(deal),
            event_type: Set("UPDATED".into()),
            changes: Set(json!([{ "field": "title", "old": big, "new": big }])),
            user_id: Set(None),
            api_key_id: Set(None),
            occurred_at: Set(dealgate::clock::now()),
            pipeline_id: Set(None),
            stage_id: Set(None),
            owner_id: Set(None),
        })
        .collect();
    for chunk in events.chunks(200) {
        entity::deal_event::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .expect("insert events");
    }
    txn.execute_unprepared(&format!(
        "UPDATE deal_event_sequence SET last_sequence = {} WHERE organization_id = '{}'",
        counter + count,
        org.id
    ))
    .await
    .expect("counter");
    txn.commit().await.expect("commit");
}

/// A client that never reads: the server stops waiting for it after the send timeout and
/// closes, and it does not hold up the other subscribers.
#[tokio::test]
async fn a_client_that_does_not_read_is_disconnected_as_a_slow_consumer() {
    let app = spawn_app_with(|mut config| {
        config.ws_send_timeout_ms = 300;
        config.event_poll_ms = 100;
        config
    })
    .await;
    let org = app.create_org("Acme").await;
    let (_, stages) = pipeline(&app, &org.key, "Sales").await;
    let deal = create_deal(&app, &org.key, "Flooded", &stages[0]).await;
    let deal_id = dealgate::graphql::ids::parse_global_id(&deal)
        .expect("deal id")
        .1;
    let mut stuck = connect_small_buffer(&app.address, json!({ "X-API-KEY": org.key })).await;
    assert_eq!(
        next_json(&mut stuck).await.expect("ack")["type"],
        "connection_ack"
    );
    start(
        &mut stuck,
        "stuck",
        "subscription { dealEvents { changes { newValue } } }",
        json!({}),
    )
    .await;
    let mut healthy = connected(&app.address, &org.key).await;
    subscribe(&mut healthy, "healthy", json!({}), None).await;
    // 2,000 events of 8 KiB each way: 32 MB to the stuck client, more than any socket buffers.
    let count = 2_000;
    flood(&app, &org, deal_id, count, 8 * 1024).await;
    for n in 0..count {
        let event = next_event(&mut healthy, "healthy").await;
        assert_eq!(
            sequence(&event),
            2 + n,
            "the healthy subscriber gets every event in order"
        );
    }
    // Now read `stuck`: what its buffers held, then the close (or the dropped connection)
    // instead of all the events.
    let mut received = 0;
    let closed = loop {
        match tokio::time::timeout(ARRIVES, receive(&mut stuck)).await {
            Ok(Received::Json(_)) => received += 1,
            Ok(Received::Closed(frame)) => break frame,
            Err(_) => panic!("neither all events nor a close: {received} received"),
        }
    };
    assert!(received < count, "the server stopped sending: {received}");
    if let Some((code, reason)) = closed {
        assert_eq!(code, 4008, "{reason}");
    }
}

/// Starts `dealgate serve` as another process on `app`'s database, with `env`; its address.
async fn second_process(app: &TestApp, env: &[(&str, &str)]) -> (String, Killed) {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        probe.local_addr().expect("addr").port()
    };
    let address = format!("127.0.0.1:{port}");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_dealgate"));
    command
        .arg("serve")
        .env("DATABASE_URL", &app.database_url)
        .env("DEALGATE_BIND", &address)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit());
    for (name, value) in env {
        command.env(name, value);
    }
    let child = Killed(command.spawn().expect("start the second process"));
    let url = format!("http://{address}");
    for _ in 0..200 {
        let ready = app.client.get(format!("{url}/readyz")).send().await;
        if ready.is_ok_and(|response| response.status().is_success()) {
            return (url, child);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the second process did not become ready");
}

/// Ends the child process when the test ends, passing or not.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_move_through_one_server_process_reaches_a_subscriber_on_another() {
    let app = spawn_app().await;
    let org: TestOrg = app.create_org("Acme").await;
    let (_, stages) = pipeline(&app, &org.key, "Sales").await;
    let deal = create_deal(&app, &org.key, "Across", &stages[0]).await;
    let postgres = app.database_url.starts_with("postgres");
    // On PostgreSQL replica B's own reads of the log are made rare (60 s), so only the
    // notification can bring the event in time; on SQLite (one file, no notifications) it
    // reads the log every 200 ms.
    let poll = if postgres { "60000" } else { "200" };
    let (replica_b, _child) = second_process(&app, &[("DEALGATE_EVENT_POLL_MS", poll)]).await;
    let mut socket = connected(&replica_b, &org.key).await;
    subscribe(&mut socket, "b", json!({ "dealIds": [deal] }), None).await;
    // Replica A is this test's server.
    move_deal(&app, &org.key, &deal, &stages[1]).await;
    let event = next_event(&mut socket, "b").await;
    assert_eq!(event["type"], "MOVED");
    assert_eq!(event["deal"]["stage"]["name"], "Demo");
    // And a second one: the first was not a lucky poll.
    move_deal(&app, &org.key, &deal, &stages[2]).await;
    let event = next_event(&mut socket, "b").await;
    assert_eq!(event["deal"]["stage"]["name"], "Offer");
    let sequences: BTreeSet<i64> = [sequence(&event)].into();
    assert_eq!(sequences, [3].into());
}
