//! Families: read-only bypasses on every transport, and mutations over GET.
//!
//! Every mutation of the schema × POST, GET, graphql-transport-ws, graphql-ws × anonymous,
//! named, several operations with and without `operationName`, with a read-only key: each is
//! FORBIDDEN and nothing is written. The execution-time guard is tested on its own too.

use super::{assert_alive, row_counts};
use crate::helpers::{TestApp, error_code, spawn_app};
use crate::ws_client::{Socket, connect_to};
use dealgate::auth::Viewer;
use entity::enums::ApiKeyScope;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// The names of every root mutation field, from introspection.
async fn mutation_names(app: &TestApp, key: &str) -> Vec<String> {
    let body = app
        .gql(
            key,
            "{ __schema { mutationType { fields { name } } } }",
            json!({}),
        )
        .await;
    let names: Vec<String> = body["data"]["__schema"]["mutationType"]["fields"]
        .as_array()
        .expect("mutation fields")
        .iter()
        .filter_map(|f| f["name"].as_str().map(str::to_owned))
        .collect();
    assert!(names.len() > 30, "{body}");
    names
}

/// The four shapes of a document running `mutation`: (query, operationName).
fn shapes(mutation: &str) -> Vec<(String, Option<&'static str>)> {
    let call = format!("{mutation}(input: {{ id: \"x\" }}) {{ __typename }}");
    vec![
        (format!("mutation {{ {call} }}"), None),
        (format!("mutation Named {{ {call} }}"), None),
        (
            format!("query Q {{ viewer {{ scope }} }} mutation M {{ {call} }}"),
            Some("M"),
        ),
        (
            format!("query Q {{ viewer {{ scope }} }} mutation M {{ {call} }}"),
            None,
        ),
    ]
}

async fn ws_connect(app: &TestApp, protocol: &str, key: &str) -> Socket {
    let mut socket = connect_to(&app.address, protocol, json!({ "X-API-KEY": key })).await;
    let ack = ws_next(&mut socket).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    socket
}

async fn ws_next(socket: &mut Socket) -> Value {
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(text.as_str()).expect("json");
                if value["type"] != "ka" {
                    return value;
                }
            }
            Some(Ok(_)) => continue,
            other => panic!("socket closed: {other:?}"),
        }
    }
}

/// Runs one operation over the socket and returns its payload (`next` / `data`), or for an
/// operation that could not run on graphql-transport-ws, `{ "errors": … }` of its one `error`
/// message (no `complete` follows it).
async fn ws_run(
    socket: &mut Socket,
    protocol: &str,
    id: usize,
    query: &str,
    name: Option<&str>,
) -> Value {
    let kind = if protocol == "graphql-ws" {
        "start"
    } else {
        "subscribe"
    };
    let message = json!({ "id": id.to_string(), "type": kind,
        "payload": { "query": query, "operationName": name } });
    socket
        .send(Message::text(message.to_string()))
        .await
        .expect("send");
    let answer = ws_next(socket).await;
    if answer["type"] == "error" {
        assert_eq!(protocol, "graphql-transport-ws", "{answer}");
        return json!({ "errors": answer["payload"] });
    }
    let payload = answer["payload"].clone();
    let complete = ws_next(socket).await;
    assert_eq!(complete["type"], "complete", "{complete}");
    payload
}

#[tokio::test]
async fn a_read_only_key_mutates_nothing_on_any_transport_in_any_shape() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let read_only = app.create_key(org.id, None, ApiKeyScope::Read).await;
    let names = mutation_names(&app, &org.key).await;
    let before = row_counts(&app).await;
    let mut sockets = Vec::new();
    for protocol in ["graphql-transport-ws", "graphql-ws"] {
        sockets.push((protocol, ws_connect(&app, protocol, &read_only).await));
    }
    let mut id = 0;
    for name in &names {
        for (query, operation) in shapes(name) {
            let (_, body) = post_named(&app, &read_only, &query, operation).await;
            assert_eq!(error_code(&body), Some("FORBIDDEN"), "POST {query}: {body}");
            let (status, body) = get(&app, &read_only, &query, operation).await;
            assert_eq!(error_code(&body), Some("FORBIDDEN"), "GET {query}: {body}");
            assert_eq!(status, 200, "GET {query}");
            for (protocol, socket) in &mut sockets {
                id += 1;
                let payload = ws_run(socket, protocol, id, &query, operation).await;
                assert_eq!(
                    payload["errors"][0]["extensions"]["code"], "FORBIDDEN",
                    "{protocol} {query}: {payload}"
                );
            }
        }
    }
    assert_eq!(row_counts(&app).await, before, "nothing was written");
    assert_alive(&app, &org).await;
}

async fn post_named(
    app: &TestApp,
    key: &str,
    query: &str,
    operation: Option<&str>,
) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("X-API-KEY", key)
        .json(&json!({ "query": query, "operationName": operation }))
        .send()
        .await
        .expect("request");
    (
        response.status().as_u16(),
        response.json().await.expect("json"),
    )
}

async fn get(app: &TestApp, key: &str, query: &str, operation: Option<&str>) -> (u16, Value) {
    let mut params = vec![("query", query)];
    if let Some(operation) = operation {
        params.push(("operationName", operation));
    }
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&params)
        .header("X-API-KEY", key)
        .send()
        .await
        .expect("request");
    (
        response.status().as_u16(),
        response.json().await.expect("json"),
    )
}

#[tokio::test]
async fn a_websocket_message_over_the_body_limit_closes_the_connection() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let mut socket = ws_connect(&app, "graphql-transport-ws", &org.key).await;
    let huge = json!({ "id": "1", "type": "subscribe",
        "payload": { "query": "{ viewer { scope } }", "variables": { "pad": "x".repeat(1_100_000) } } });
    let _ = socket.send(Message::text(huge.to_string())).await;
    let closed = loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) if text.contains("\"next\"") => break false,
            Some(Ok(_)) => continue,
            None | Some(Err(_)) => break true,
        }
    };
    assert!(closed, "the connection was closed instead of answering");
    assert_alive(&app, &org).await;
}

#[tokio::test]
async fn mutations_over_get_run_for_no_key_in_no_shape() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let before = row_counts(&app).await;
    let create = "createApiKey(input: { name: \"via-get\" }) { key }";
    for (query, operation) in [
        (format!("mutation {{ {create} }}"), None),
        (format!("mutation Named {{ {create} }}"), None),
        (
            format!("query Q {{ viewer {{ scope }} }} mutation M {{ {create} }}"),
            Some("M"),
        ),
        (
            format!("query Q {{ viewer {{ scope }} }} mutation M {{ {create} }}"),
            None,
        ),
    ] {
        let (status, body) = get(&app, &org.key, &query, operation).await;
        assert_eq!(status, 405, "{query}: {body}");
        assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{query}: {body}");
    }
    assert_eq!(row_counts(&app).await, before, "nothing was written");
    // The query of such a document still runs when it is the one selected.
    let (status, body) = get(
        &app,
        &org.key,
        &format!("query Q {{ viewer {{ scope }} }} mutation M {{ {create} }}"),
        Some("Q"),
    )
    .await;
    assert_eq!(
        (status, &body["data"]["viewer"]["scope"]),
        (200, &json!("READ_WRITE")),
        "{body}"
    );
}

/// The second, independent check: run straight on the schema (no request gate), a mutation
/// is refused while it executes unless the viewer may write and the request is not a GET.
#[tokio::test]
async fn the_execution_time_guard_refuses_on_its_own() {
    use dealgate::limits::Transport;
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let schema = dealgate::graphql::schema();
    let viewer = |scope| Viewer {
        organization_id: org.id,
        user_id: Some(org.user_id),
        api_key_id: sea_orm::prelude::Uuid::now_v7(),
        scope,
    };
    let mutation = "mutation Named { createApiKey(input: { name: \"bypass\" }) { key } }";
    let before = row_counts(&app).await;
    for (data, code) in [
        (
            Some((viewer(ApiKeyScope::Read), Transport::Post)),
            "FORBIDDEN",
        ),
        (
            Some((viewer(ApiKeyScope::ReadWrite), Transport::Get)),
            "BAD_REQUEST",
        ),
        (None, "FORBIDDEN"),
    ] {
        let mut request = async_graphql::Request::new(mutation).data(app.db.clone());
        if let Some((viewer, transport)) = data {
            request = request.data(viewer).data(transport);
        }
        let response = schema.execute(request).await;
        let error = response.errors.first().expect("an error");
        let extensions = error.extensions.as_ref().expect("extensions");
        assert_eq!(
            extensions.get("code"),
            Some(&async_graphql::Value::from(code)),
            "{error:?}"
        );
    }
    assert_eq!(row_counts(&app).await, before, "nothing was written");
}
