//! Load generator for `bench/subscribers.sh`: holds N websocket connections, each with one
//! `dealEvents` subscription on the same pipeline board, moves deals on that pipeline at a
//! steady rate, and prints how long each event took from its commit (`occurredAt`, the
//! server's clock on this same machine) to each subscriber (p50, p99, max), how many of the
//! expected deliveries arrived, and the server's resident memory before and while it serves
//! them.
//!
//! Usage: `subscribers URL KEY SUBSCRIBERS MOVES INTERVAL_MS SERVER_PID`

// A benchmark prints its figures.
#![allow(clippy::print_stdout)]

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

const SUBSCRIPTION: &str = "subscription($p: ID!) { dealEvents(filter: { pipelineId: $p }) {
    sequence type occurredAt deal { id title stage { name } } } }";

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn arg(n: usize, name: &str) -> String {
    std::env::args()
        .nth(n)
        .unwrap_or_else(|| panic!("missing argument {n}: {name}"))
}

async fn gql(http: &reqwest::Client, url: &str, key: &str, query: &str, variables: Value) -> Value {
    let body: Value = http
        .post(format!("{url}/graphql"))
        .header("x-api-key", key)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    assert!(body["errors"].is_null(), "{query}: {body}");
    body["data"].clone()
}

/// The server's resident memory in MiB.
fn rss_mib(pid: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// One subscriber: connects, subscribes, says it is live, then records the latency of each
/// event until it has `expected` of them or `deadline` passes.
async fn subscriber(
    url: String,
    key: String,
    pipeline: String,
    expected: usize,
    live: Arc<AtomicUsize>,
    deadline: Instant,
) -> Result<Vec<f64>, Failure> {
    let ws = format!("{}/graphql/ws", url.replace("http://", "ws://"));
    let mut request = ws.into_client_request()?;
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "graphql-transport-ws".parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    let send = |value: Value| Message::text(value.to_string());
    socket
        .send(send(
            json!({ "type": "connection_init", "payload": { "X-API-KEY": key } }),
        ))
        .await?;
    socket
        .send(send(json!({ "id": "board", "type": "subscribe",
            "payload": { "query": SUBSCRIPTION, "variables": { "p": pipeline } } })))
        .await?;
    // A query after the subscription is answered once the subscription is registered.
    socket
        .send(send(json!({ "id": "probe", "type": "subscribe",
            "payload": { "query": "{ viewer { scope } }" } })))
        .await?;
    let mut latencies = Vec::with_capacity(expected);
    while latencies.len() < expected {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(Some(message)) = tokio::time::timeout(left, socket.next()).await else {
            break;
        };
        let Message::Text(text) = message? else {
            continue;
        };
        let received = chrono::Utc::now();
        let message: Value = serde_json::from_str(text.as_str())?;
        match (message["id"].as_str(), message["type"].as_str()) {
            (Some("probe"), Some("complete")) => {
                live.fetch_add(1, Ordering::AcqRel);
            }
            (Some("board"), Some("next")) => {
                let event = &message["payload"]["data"]["dealEvents"];
                let at = event["occurredAt"].as_str().unwrap_or_default();
                let committed = chrono::DateTime::parse_from_rfc3339(at)?;
                let latency = received.signed_duration_since(committed);
                latencies.push(latency.num_microseconds().unwrap_or(i64::MAX) as f64 / 1000.0);
            }
            (Some("board"), _) => return Err(format!("subscription ended: {message}").into()),
            _ => {}
        }
    }
    Ok(latencies)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let (url, key) = (arg(1, "URL"), arg(2, "KEY"));
    let subscribers: usize = arg(3, "SUBSCRIBERS").parse().expect("a number");
    let moves: usize = arg(4, "MOVES").parse().expect("a number");
    let interval = Duration::from_millis(arg(5, "INTERVAL_MS").parse().expect("a number"));
    let pid = arg(6, "SERVER_PID");
    let http = reqwest::Client::new();

    let created = gql(
        &http,
        &url,
        &key,
        "mutation { createPipeline(input: { name: \"Live board\", stages: [{ name: \"New\", probability: 10 },
            { name: \"Demo\", probability: 50 }, { name: \"Offer\", probability: 80 }] }) { pipeline { id stages { id } } } }",
        json!({}),
    )
    .await;
    let pipeline = created["createPipeline"]["pipeline"]["id"]
        .as_str()
        .expect("pipeline")
        .to_owned();
    let stages: Vec<String> = created["createPipeline"]["pipeline"]["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let mut deals = Vec::new();
    for n in 0..10 {
        let data = gql(
            &http,
            &url,
            &key,
            "mutation($i: CreateDealInput!) { createDeal(input: $i) { deal { id } } }",
            json!({ "i": { "title": format!("Board deal {n}"), "stageId": stages[0], "value": "1000.00" } }),
        )
        .await;
        deals.push(
            data["createDeal"]["deal"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }

    let rss_before = rss_mib(&pid);
    let live = Arc::new(AtomicUsize::new(0));
    let connect_started = Instant::now();
    let deadline = connect_started + Duration::from_secs(120) + interval * moves as u32;
    let mut tasks = Vec::with_capacity(subscribers);
    for _ in 0..subscribers {
        tasks.push(tokio::spawn(subscriber(
            url.clone(),
            key.clone(),
            pipeline.clone(),
            moves,
            live.clone(),
            deadline,
        )));
    }
    while live.load(Ordering::Acquire) < subscribers {
        assert!(
            connect_started.elapsed() < Duration::from_secs(60),
            "only {} of {subscribers} subscribers live after 60 s",
            live.load(Ordering::Acquire)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let connect_time = connect_started.elapsed();
    let rss_idle = rss_mib(&pid);

    let mut rss_peak = rss_idle;
    let moving = Instant::now();
    for n in 0..moves {
        let deal = &deals[n % deals.len()];
        let stage = &stages[(n / deals.len() + 1) % stages.len()];
        gql(
            &http,
            &url,
            &key,
            "mutation($d: ID!, $s: ID!) { moveDealToStage(input: { dealId: $d, stageId: $s }) { deal { id } } }",
            json!({ "d": deal, "s": stage }),
        )
        .await;
        rss_peak = rss_peak.max(rss_mib(&pid));
        tokio::time::sleep_until((moving + interval * (n as u32 + 1)).into()).await;
    }
    let mut latencies = Vec::with_capacity(subscribers * moves);
    let mut failed = 0;
    for task in tasks {
        match task.await {
            Ok(Ok(mut own)) => latencies.append(&mut own),
            Ok(Err(err)) => {
                failed += 1;
                eprintln!("subscriber failed: {err}");
            }
            Err(err) => {
                failed += 1;
                eprintln!("subscriber panicked: {err}");
            }
        }
        rss_peak = rss_peak.max(rss_mib(&pid));
    }
    latencies.sort_by(f64::total_cmp);
    let expected = subscribers * moves;
    println!(
        "subscribers            {subscribers} (one websocket each, filter: the board's pipeline)"
    );
    println!(
        "moves                  {moves}, one every {} ms",
        interval.as_millis()
    );
    println!("connected and live in  {:.1} s", connect_time.as_secs_f64());
    println!(
        "deliveries             {} of {expected}{}",
        latencies.len(),
        if failed > 0 {
            format!(" ({failed} subscribers failed)")
        } else {
            String::new()
        }
    );
    println!(
        "latency commit→client  p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "server RSS             {rss_before:.0} MiB before, {rss_idle:.0} MiB with the subscribers, {rss_peak:.0} MiB peak ({:.1} KiB per subscriber)",
        (rss_peak - rss_before) * 1024.0 / subscribers as f64
    );
}
