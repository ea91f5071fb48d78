//! Families: body size, malformed JSON, content types, batches, deadlines, response size,
//! slow and broken peers, an unreachable database.

use super::assert_alive;
use crate::helpers::{TestApp, error_code, spawn_app, spawn_app_with};
use dealgate::config::Config;
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn post_raw(
    app: &TestApp,
    key: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (u16, Value) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("X-API-KEY", key)
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").cloned();
    let body = response.json().await.expect("a JSON error body");
    assert!(content_type.is_some_and(|c| c.to_str().is_ok_and(|c| c.contains("json"))));
    (status, body)
}

/// Sends `bytes` on a raw connection and returns what the server answered (until it closes
/// the connection or `wait` passes).
async fn raw_exchange(app: &TestApp, bytes: &[u8], wait: Duration) -> (String, Duration) {
    let address = app.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream.write_all(bytes).await.expect("write");
    let started = Instant::now();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut answer)).await;
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_with_a_json_error() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let padding = "x".repeat(1024 * 1024);
    let body = serde_json::to_vec(
        &json!({ "query": "{ viewer { scope } }", "variables": { "pad": padding } }),
    )
    .expect("json");
    let (status, answer) = post_raw(&app, &org.key, Some("application/json"), body).await;
    assert_eq!(
        (status, error_code(&answer)),
        (413, Some("LIMIT_EXCEEDED")),
        "{answer}"
    );
    // A chunked body, with no Content-Length to refuse it by, is cut off as it grows.
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nX-API-KEY: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        org.key
    );
    let mut request = head.into_bytes();
    for _ in 0..20 {
        request
            .extend_from_slice(format!("{:x}\r\n{}\r\n", 100_000, "y".repeat(100_000)).as_bytes());
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let (answer, _) = raw_exchange(&app, &request, Duration::from_secs(5)).await;
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "{}",
        &answer[..answer.len().min(300)]
    );
    assert!(answer.contains("LIMIT_EXCEEDED"));
    assert_alive(&app, &org).await;
}

#[tokio::test]
async fn malformed_json_batches_and_wrong_media_types_are_json_errors() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    for (content_type, body, status) in [
        (Some("application/json"), &b"{\"query\": "[..], 400),
        (Some("application/json"), &b"not json"[..], 400),
        (Some("application/json"), &b"{\"query\": 42}"[..], 400),
        (
            Some("application/json"),
            &b"[{\"query\": \"{ viewer { scope } }\"}]"[..],
            400,
        ),
        (None, &b"{\"query\": \"{ viewer { scope } }\"}"[..], 415),
        (
            Some("text/plain"),
            &b"{\"query\": \"{ viewer { scope } }\"}"[..],
            415,
        ),
        (
            Some("multipart/form-data; boundary=x"),
            &b"--x\r\n\r\n--x--"[..],
            415,
        ),
    ] {
        let (got, answer) = post_raw(&app, &org.key, content_type, body.to_vec()).await;
        assert_eq!(
            (got, error_code(&answer)),
            (status, Some("BAD_REQUEST")),
            "{content_type:?}: {answer}"
        );
        let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            !message.contains("InvalidRequest") && !message.contains("Error("),
            "{message}"
        );
    }
    assert_alive(&app, &org).await;
}

/// A write that cannot finish in time — the test holds the lock it needs — is cancelled at
/// the deadline, leaves nothing written, and the server goes on. (A deadline of 0 raced the
/// request: a fast enough answer could be polled before the timer.)
#[tokio::test]
async fn a_request_past_its_deadline_is_cancelled() {
    let app = spawn_app_with(|config| Config {
        request_timeout_ms: 300,
        ..config
    })
    .await;
    let org = app.create_org("Acme").await;
    let world = crate::fixtures::build(&app, &org, 1).await;
    let deal = &world.deals[0];
    let rename = |title: &str| json!({ "input": { "id": crate::helpers::gid("deal", deal.id), "title": title } });
    let mutation =
        "mutation($input: UpdateDealInput!) { updateDeal(input: $input) { deal { title } } }";
    // On SQLite the open write takes the database's write lock, on PostgreSQL the deals' rows.
    let blocker = app.db.begin().await.expect("begin");
    blocker
        .execute_unprepared("UPDATE deal SET version = version")
        .await
        .expect("lock the deals");
    let started = Instant::now();
    let (_, body) = app
        .post(Some(&org.key), mutation, rename("Never written"))
        .await;
    let waited = started.elapsed();
    blocker.rollback().await.expect("release the lock");
    assert_eq!(error_code(&body), Some("LIMIT_EXCEEDED"), "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("cancelled"), "{message}");
    assert!(
        (Duration::from_millis(300)..Duration::from_secs(5)).contains(&waited),
        "answered after {waited:?}"
    );
    // Nothing of the cancelled write was kept, and the next write goes through.
    let title = || async {
        let body = app
            .gql(
                &org.key,
                "query($id: ID!) { deal(id: $id) { title } }",
                json!({ "id": crate::helpers::gid("deal", deal.id) }),
            )
            .await;
        body["data"]["deal"]["title"].as_str().map(str::to_owned)
    };
    assert_eq!(title().await.as_deref(), Some(deal.title.as_str()));
    let body = app.gql(&org.key, mutation, rename("Written")).await;
    assert_eq!(
        body["data"]["updateDeal"]["deal"]["title"], "Written",
        "{body}"
    );
    assert_eq!(title().await.as_deref(), Some("Written"));
}

#[tokio::test]
async fn responses_over_the_limit_are_refused() {
    let app = spawn_app_with(|config| Config {
        max_response_bytes: 400,
        ..config
    })
    .await;
    let org = app.create_org("Acme").await;
    crate::fixtures::build(&app, &org, 20).await;
    let (_, body) = app
        .post(
            Some(&org.key),
            "{ deals { nodes { id title } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("LIMIT_EXCEEDED"), "{body}");
    let small = app.gql(&org.key, "{ viewer { scope } }", json!({})).await;
    assert_eq!(small["data"]["viewer"]["scope"], "READ_WRITE");
}

#[tokio::test]
async fn half_sent_requests_are_closed_after_the_read_timeout() {
    let app = spawn_app_with(|config| Config {
        read_timeout_ms: 300,
        ..config
    })
    .await;
    let org = app.create_org("Acme").await;
    // Headers that never finish: the connection is closed.
    let (answer, waited) = raw_exchange(
        &app,
        b"POST /graphql HTTP/1.1\r\nHost: x\r\n",
        Duration::from_secs(5),
    )
    .await;
    assert!(
        waited < Duration::from_secs(3),
        "closed after {waited:?}: {answer}"
    );
    // A body that never finishes: 408 with a JSON error.
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nX-API-KEY: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"query\"",
        org.key
    );
    let (answer, waited) = raw_exchange(&app, head.as_bytes(), Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("BAD_REQUEST") && waited < Duration::from_secs(3),
        "{answer}"
    );
    assert_alive(&app, &org).await;
}

#[tokio::test]
async fn shutdown_ends_within_its_grace_whatever_clients_do() {
    let (db, _dir) = crate::helpers::fresh_database().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("addr");
    let config = Config {
        read_timeout_ms: 60_000,
        shutdown_grace_ms: 500,
        ..Config::for_database("unused")
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(dealgate::http::serve_until(
        listener,
        dealgate::http::AppState::new(db, config),
        async move {
            let _ = stopped.await;
        },
    ));
    let mut stalled = Vec::new();
    for _ in 0..50 {
        let mut stream = TcpStream::connect(address).await.expect("connect");
        stream
            .write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{")
            .await
            .expect("write");
        stalled.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stopped within 5 s")
        .expect("task")
        .expect("serve");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_unreachable_database_is_503_not_401() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    app.db.clone().close().await.expect("close the pool");
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("X-API-KEY", &org.key)
        .json(&json!({ "query": "{ viewer { scope } }" }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 503);
    assert!(response.headers().get("retry-after").is_some());
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), Some("SERVICE_UNAVAILABLE"), "{body}");
    assert!(
        body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .is_some()
    );
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status().as_u16(), 503);
}
