//! graphql-ws on `/graphql/ws`: the key goes in `connection_init`, scopes apply as over HTTP.

use crate::helpers::{TestApp, spawn_app};
use entity::enums::ApiKeyScope;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp, init: Value) -> Socket {
    let url = format!("{}/graphql/ws", app.address.replace("http://", "ws://"));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    let init = json!({ "type": "connection_init", "payload": init });
    socket
        .send(Message::text(init.to_string()))
        .await
        .expect("send init");
    socket
}

/// The next JSON message, or None when the server closed the connection.
async fn next_json(socket: &mut Socket) -> Option<Value> {
    loop {
        match socket.next().await? {
            Ok(Message::Text(text)) => return serde_json::from_str(text.as_str()).ok(),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
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
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(
        message["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{message}"
    );
    assert!(message["payload"]["data"].is_null());
}

#[tokio::test]
async fn a_connection_without_a_valid_key_is_refused() {
    let app = spawn_app().await;
    app.create_org("Acme").await;
    let mut socket = connect(&app, json!({ "X-API-KEY": "dg_wrong" })).await;
    let answer = next_json(&mut socket).await;
    assert!(
        answer.is_none()
            || answer
                .as_ref()
                .is_some_and(|m| m["type"] != "connection_ack"),
        "no ack for a bad key: {answer:?}"
    );
}
