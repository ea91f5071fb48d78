//! `spawn_app()`: the server on port 0 over a fresh database, and a GraphQL client for it.

use dealgate::config::Config;
use dealgate::{api_key::service as api_keys, clock, db, http};
use entity::{enums::ApiKeyScope, organization, user};
use sea_orm::prelude::Uuid;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};

/// A running server and its database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The server's database, for setting up and checking state.
    pub db: DatabaseConnection,
    pub client: reqwest::Client,
    /// The URL another server process would open the same database with.
    pub database_url: String,
    /// Keeps the SQLite file alive for the test's duration.
    _dir: Option<tempfile::TempDir>,
}

/// An organisation made for a test, with a user and a read-write key of that user.
pub struct TestOrg {
    pub id: Uuid,
    pub user_id: Uuid,
    pub key: String,
}

/// A fresh, migrated database: a new PostgreSQL schema, or a new SQLite file.
pub async fn fresh_database() -> (DatabaseConnection, Option<tempfile::TempDir>) {
    let (db, dir, _) = fresh_database_with_url().await;
    (db, dir)
}

/// [`fresh_database`], and the URL that opens it from another process (on PostgreSQL the
/// schema is the connection's `search_path`).
pub async fn fresh_database_with_url() -> (DatabaseConnection, Option<tempfile::TempDir>, String) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let schema = format!("t_{}", Uuid::now_v7().simple());
            let admin = db::connect_url(&url, 1, None)
                .await
                .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but unreachable: {e}"));
            admin
                .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                .await
                .expect("create test schema");
            admin.close().await.ok();
            let conn = db::connect_url(&url, 8, Some(&schema))
                .await
                .expect("connect to schema");
            db::migrate(&conn).await.expect("migrate");
            let separator = if url.contains('?') { '&' } else { '?' };
            let own_url = format!("{url}{separator}options=-c%20search_path%3D{schema}");
            (conn, None, own_url)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            let conn = db::connect_url(&url, 8, None).await.expect("open sqlite");
            db::migrate(&conn).await.expect("migrate");
            (conn, Some(dir), url)
        }
    }
}

/// Starts the real server on an ephemeral port over a fresh database, with `--sql-metrics`.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|config| config).await
}

/// With `TEST_LOG=1` (filter: `RUST_LOG`, default `info,sqlx=warn`) the servers' logs go to the
/// test's output, which `cargo test` shows for a failing test.
fn init_test_log() {
    if std::env::var("TEST_LOG").is_ok_and(|v| !v.is_empty() && v != "0") {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
        // Several tests share the process: the first one installs the subscriber.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }
}

/// [`spawn_app`] with settings changed by `configure` (limits, timeouts…), built by the same
/// [`http::AppState::new`] and served by the same [`http::serve_until`] as `dealgate serve`.
pub async fn spawn_app_with(configure: impl FnOnce(Config) -> Config) -> TestApp {
    init_test_log();
    let (db, dir, database_url) = fresh_database_with_url().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("addr"));
    let config = configure(Config {
        sql_metrics: true,
        ..Config::for_database("unused")
    });
    let state = http::AppState::new(db.clone(), config);
    tokio::spawn(http::serve_until(listener, state, std::future::pending()));
    TestApp {
        address,
        db,
        client: reqwest::Client::new(),
        database_url,
        _dir: dir,
    }
}

impl TestApp {
    /// Creates an organisation with one user and a read-write key for that user.
    pub async fn create_org(&self, name: &str) -> TestOrg {
        let now = clock::now();
        let org = organization::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name.into()),
            default_currency: Set("EUR".into()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert organisation");
        let user = user::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org.id),
            name: Set(format!("{name} Owner")),
            email: Set(format!("owner@{}.example", name.to_lowercase())),
            is_active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert user");
        let key = self
            .create_key(org.id, Some(user.id), ApiKeyScope::ReadWrite)
            .await;
        TestOrg {
            id: org.id,
            user_id: user.id,
            key,
        }
    }

    /// A new key of `org` with `scope`.
    pub async fn create_key(&self, org: Uuid, user: Option<Uuid>, scope: ApiKeyScope) -> String {
        match api_keys::create(&self.db, org, user, "test", scope).await {
            Ok(created) => created.plain_key,
            Err(err) => panic!("create key: {}", err.message()),
        }
    }

    /// POSTs a GraphQL request with `key` (if any) and returns the status and JSON body.
    pub async fn post(&self, key: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(key) = key {
            request = request.header("X-API-KEY", key);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    /// POSTs `body` (any JSON: a request with extensions, a malformed one) with `key`;
    /// returns the status and JSON body.
    pub async fn post_body(&self, key: Option<&str>, body: &Value) -> (u16, Value) {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(key) = key {
            request = request.header("X-API-KEY", key);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    /// Runs a GraphQL request with `key` and returns its body.
    pub async fn gql(&self, key: &str, query: &str, variables: Value) -> Value {
        self.post(Some(key), query, variables).await.1
    }
}

/// The `extensions.code` of the first error of `body`.
pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

/// The global id a row of kind `prefix` has.
pub fn gid(prefix: &str, id: Uuid) -> String {
    format!("{prefix}_{}", id.simple())
}

pub async fn ok(app: &TestApp, key: &str, query: &str, variables: Value) -> Value {
    let body = app.gql(key, query, variables).await;
    assert!(body["errors"].is_null(), "{query}: {body}");
    body["data"].clone()
}

/// A pipeline of three stages: its id and its stages' ids.
pub async fn pipeline(app: &TestApp, key: &str, name: &str) -> (String, Vec<String>) {
    let data = ok(
        app,
        key,
        "mutation($n: String!) { createPipeline(input: { name: $n, stages: [{ name: \"New\", probability: 10 },
            { name: \"Demo\", probability: 50 }, { name: \"Offer\", probability: 80 }] })
            { pipeline { id stages { id } } } }",
        json!({ "n": name }),
    )
    .await;
    let pipeline = &data["createPipeline"]["pipeline"];
    let stages = pipeline["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    (
        pipeline["id"].as_str().unwrap_or_default().to_owned(),
        stages,
    )
}

pub async fn create_deal(app: &TestApp, key: &str, title: &str, stage: &str) -> String {
    let data = ok(
        app,
        key,
        "mutation($i: CreateDealInput!) { createDeal(input: $i) { deal { id } } }",
        json!({ "i": { "title": title, "stageId": stage, "value": "100.00" } }),
    )
    .await;
    data["createDeal"]["deal"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

pub async fn move_deal(app: &TestApp, key: &str, deal: &str, stage: &str) {
    ok(
        app,
        key,
        "mutation($d: ID!, $s: ID!) { moveDealToStage(input: { dealId: $d, stageId: $s, note: \"live\" }) { deal { id } } }",
        json!({ "d": deal, "s": stage }),
    )
    .await;
}
