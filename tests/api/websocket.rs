//! graphql-ws on `/graphql/ws`: the key goes in `connection_init`, scopes apply as over HTTP.

use crate::helpers::{TestApp, spawn_app};
use crate::ws_client::{Socket, connect_to, next_json};
use entity::enums::ApiKeyScope;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

async fn connect(app: &TestApp, init: Value) -> Socket {
    connect_to(&app.address, "graphql-transport-ws", init).await
}

async fn run(socket: &mut Socket, query: &str) -> Value {
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": query } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .expect("send");
    next_json(socket).await.expect("a result")
}

#[tokio::test]
async fn queries_run_as_the_connections_key() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let mut socket = connect(&app, json!({ "X-API-KEY": org.key })).await;
    assert_eq!(
        next_json(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    let message = run(&mut socket, "{ viewer { organization { name } } }").await;
    assert_eq!(message["type"], "next");
    assert_eq!(
        message["payload"]["data"]["viewer"]["organization"]["name"],
        "Acme"
    );
}

#[tokio::test]
async fn a_read_only_key_cannot_mutate_over_websocket() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let read_only = app.create_key(org.id, None, ApiKeyScope::Read).await;
    let mut socket = connect(&app, json!({ "apiKey": read_only })).await;
    assert_eq!(
        next_json(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    let message = run(
        &mut socket,
        "mutation { createApiKey(input: { name: \"ws\" }) { key } }",
    )
    .await;
    // Refused before it ran: one `error` message, as graphql-transport-ws has it.
    assert_eq!(message["type"], "error", "{message}");
    assert_eq!(
        message["payload"][0]["extensions"]["code"], "FORBIDDEN",
        "{message}"
    );
}

#[tokio::test]
async fn an_operation_that_cannot_run_is_reported_once_and_the_connection_goes_on() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let mut socket = connect(&app, json!({ "X-API-KEY": org.key })).await;
    assert_eq!(
        next_json(&mut socket).await.expect("ack")["type"],
        "connection_ack"
    );
    for bad in [
        "{ viewer { noSuchField } }",
        "subscription { deals { id } }",
        "{ viewer {",
    ] {
        let message = run(&mut socket, bad).await;
        assert_eq!(message["type"], "error", "{bad}: {message}");
        assert_eq!(message["id"], "1");
        assert!(
            message["payload"][0]["extensions"]["code"].is_string(),
            "{message}"
        );
    }
    // No `complete` was sent for them: the next message is the next operation's answer.
    let message = run(&mut socket, "{ viewer { organization { name } } }").await;
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(
        message["payload"]["data"]["viewer"]["organization"]["name"],
        "Acme"
    );
    let complete = next_json(&mut socket).await.expect("complete");
    assert_eq!(complete["type"], "complete");
    // A field error keeps its data: `next`, then `complete`.
    let message = run(
        &mut socket,
        "{ viewer { scope } node(id: \"nope\") { id } }",
    )
    .await;
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(message["payload"]["data"]["viewer"]["scope"], "READ_WRITE");
    let complete = next_json(&mut socket).await.expect("complete");
    assert_eq!(complete["type"], "complete");
}

#[tokio::test]
async fn a_connection_without_a_valid_key_is_closed_with_4403() {
    let app = spawn_app().await;
    app.create_org("Acme").await;
    for init in [json!({ "X-API-KEY": "dg_wrong" }), json!({})] {
        let mut socket = connect(&app, init.clone()).await;
        let mut close = None;
        while let Some(message) = socket.next().await {
            match message {
                Ok(Message::Close(frame)) => {
                    close = frame.map(|f| (u16::from(f.code), f.reason.to_string()));
                    break;
                }
                Ok(Message::Text(text)) => {
                    assert!(!text.contains("connection_ack"), "ack for {init}: {text}")
                }
                Ok(_) => {}
                Err(err) => panic!("socket error instead of a close frame: {err}"),
            }
        }
        assert_eq!(close, Some((4403, "Forbidden".to_owned())), "{init}");
    }
}
