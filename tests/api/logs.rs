//! The real binary: its own log (with `DEALGATE_LOG_FORMAT=json` every line of a request carries
//! its request id and the trace id of its `traceparent`), and its runtime settings.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_dealgate");

/// Kills the server when the test ends, however it ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `dealgate serve` on `url` with JSON logs and `env`, on a free port: the server, its
/// address, and the next line of its log (waiting up to 20 s).
fn serve(url: &str, env: &[(&str, &str)]) -> (Server, String, impl Fn() -> String + use<>) {
    let mut child = Command::new(BINARY)
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("DEALGATE_BIND", "127.0.0.1:0")
        .env("DEALGATE_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .envs(env.iter().copied())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("serve");
    let stderr = child.stderr.take().expect("stderr");
    let server = Server(child);
    let (lines_tx, lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let next_line = move || {
        lines
            .recv_timeout(Duration::from_secs(20))
            .expect("a log line within 20 s")
    };
    let address = loop {
        let line: Value = serde_json::from_str(&next_line()).expect("a JSON log line");
        let message = line["fields"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if let Some(rest) = message.strip_prefix("serving http://") {
            break rest.split('/').next().expect("address").to_owned();
        }
    };
    (server, address, next_line)
}

/// A key of a new organisation in the SQLite database at `url`, made by the binary.
fn create_key(url: &str, org: &str) -> String {
    let created = Command::new(BINARY)
        .args(["api-key", "create", "--org", org, "--create-org"])
        .env("DATABASE_URL", url)
        .output()
        .expect("api-key create");
    let key = String::from_utf8_lossy(&created.stdout).trim().to_owned();
    assert!(key.starts_with("dg_"), "no key printed");
    key
}

#[tokio::test]
async fn json_log_lines_carry_the_request_id_and_the_trace_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("logs.db").display());
    let key = create_key(&url, "Logs");

    let (_server, address, next_line) = serve(&url, &[("DEALGATE_LOG_FORMAT", "json")]);

    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let response = reqwest::Client::new()
        .post(format!("http://{address}/graphql"))
        .header("content-type", "application/json")
        .header("x-api-key", &key)
        .header("x-request-id", "log-test-7")
        .header("traceparent", format!("00-{trace}-00f067aa0ba902b7-01"))
        .body(json!({ "query": "{ viewer { noSuchField } }" }).to_string())
        .send()
        .await
        .expect("request");
    assert_eq!(
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("log-test-7")
    );

    let line = loop {
        let line: Value = serde_json::from_str(&next_line()).expect("a JSON log line");
        if line["fields"]["message"] == "answered with errors" {
            break line;
        }
    };
    assert_eq!(line["span"]["request_id"], "log-test-7", "{line}");
    assert_eq!(line["span"]["trace_id"], trace, "{line}");
    assert_eq!(
        line["fields"]["codes"], "GRAPHQL_VALIDATION_FAILED",
        "{line}"
    );
    assert!(
        !line.to_string().contains(&key[3..]),
        "the key is never logged"
    );
}

#[tokio::test]
async fn one_worker_thread_serves_and_zero_threads_are_refused() {
    let refused = Command::new(BINARY)
        .args(["--worker-threads", "0", "serve"])
        .env("DATABASE_URL", "sqlite::memory:")
        .output()
        .expect("serve with 0 threads");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--worker-threads"), "{stderr}");

    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("one.db").display());
    let key = create_key(&url, "One thread");
    let (_server, address, _) = serve(&url, &[("DEALGATE_WORKER_THREADS", "1")]);
    let answers = futures_util::future::join_all((0..8).map(|n| {
        reqwest::Client::new()
            .post(format!("http://{address}/graphql"))
            .header("content-type", "application/json")
            .header("x-api-key", &key)
            .body(
                json!({ "query": format!("{{ n{n}: viewer {{ organization {{ name }} }} }}") })
                    .to_string(),
            )
            .send()
    }))
    .await;
    for (n, answer) in answers.into_iter().enumerate() {
        let body: Value = answer.expect("request").json().await.expect("JSON");
        assert_eq!(
            body["data"][format!("n{n}")]["organization"]["name"],
            "One thread",
            "{body}"
        );
    }
}
