//! [`Config`]: the server's typed configuration, read once at start from flags and environment.

use axum::http::HeaderValue;
use clap::{Args, ValueEnum};
use std::net::SocketAddr;
use std::time::Duration;

/// The SQLite file used when no `DATABASE_URL` is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://dealgate.db?mode=rwc";

/// Settings shared by every subcommand.
#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Database to use: `sqlite://FILE?mode=rwc` or `postgres://USER@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true, hide_env_values = true)]
    pub database_url: String,

    /// Address the HTTP server listens on.
    #[arg(
        long,
        env = "DEALGATE_BIND",
        default_value = "127.0.0.1:8000",
        global = true
    )]
    pub bind: SocketAddr,

    /// Largest number of pooled database connections (default: 16 on PostgreSQL; on SQLite
    /// twice the CPU cores, 4 to 16).
    #[arg(long, env = "DEALGATE_DB_MAX_CONNECTIONS", global = true)]
    pub db_max_connections: Option<u32>,

    /// Threads running requests (default: one per CPU core). On a small machine shared with
    /// its database, fewer threads spend less CPU per request but serve fewer at once.
    #[arg(long, env = "DEALGATE_WORKER_THREADS", global = true,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub worker_threads: Option<u16>,

    /// Report `extensions.sql { statements, ms }` on every GraphQL response.
    #[arg(
        long,
        env = "DEALGATE_SQL_METRICS",
        default_value_t = false,
        global = true
    )]
    pub sql_metrics: bool,

    /// Largest cost one operation may have (see the README's "Limits").
    #[arg(
        long,
        env = "DEALGATE_MAX_COST",
        default_value_t = 200_000,
        global = true
    )]
    pub max_cost: u64,

    /// Cost points each API key may spend per minute, per server process; 0 turns budgets off.
    #[arg(
        long,
        env = "DEALGATE_COST_BUDGET_PER_MINUTE",
        default_value_t = 2_000_000,
        global = true
    )]
    pub cost_budget_per_minute: u64,

    /// Milliseconds a request may run before it is cancelled (LIMIT_EXCEEDED).
    #[arg(
        long,
        env = "DEALGATE_REQUEST_TIMEOUT_MS",
        default_value_t = 15_000,
        global = true
    )]
    pub request_timeout_ms: u64,

    /// Largest request body, in bytes (HTTP 413 above it).
    #[arg(
        long,
        env = "DEALGATE_MAX_BODY_BYTES",
        default_value_t = 1024 * 1024,
        global = true
    )]
    pub max_body_bytes: usize,

    /// Largest response body, in bytes (LIMIT_EXCEEDED above it).
    #[arg(
        long,
        env = "DEALGATE_MAX_RESPONSE_BYTES",
        default_value_t = 32 * 1024 * 1024,
        global = true
    )]
    pub max_response_bytes: usize,

    /// Most subscriptions open at once on one websocket connection.
    #[arg(
        long,
        env = "DEALGATE_MAX_SUBSCRIPTIONS_PER_CONNECTION",
        default_value_t = 25,
        global = true
    )]
    pub max_subscriptions_per_connection: usize,

    /// Most subscriptions open at once with one API key, over all its connections to this
    /// server process.
    #[arg(
        long,
        env = "DEALGATE_MAX_SUBSCRIPTIONS_PER_KEY",
        default_value_t = 100,
        global = true
    )]
    pub max_subscriptions_per_key: usize,

    /// Milliseconds a websocket client has to take a message the server sends; a client that
    /// does not read for longer is disconnected (close code 4008, "slow consumer").
    #[arg(
        long,
        env = "DEALGATE_WS_SEND_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub ws_send_timeout_ms: u64,

    /// Milliseconds a client has to send a request's headers, and then its body.
    #[arg(
        long,
        env = "DEALGATE_READ_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub read_timeout_ms: u64,

    /// Milliseconds open requests get to finish after SIGTERM before they are dropped.
    #[arg(
        long,
        env = "DEALGATE_SHUTDOWN_GRACE_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub shutdown_grace_ms: u64,

    /// Milliseconds an authenticated API key is remembered; 0 reads every key from the
    /// database. A key revoked on another replica keeps working at most this long.
    #[arg(
        long,
        env = "DEALGATE_AUTH_CACHE_TTL_MS",
        default_value_t = 3_000,
        global = true
    )]
    pub auth_cache_ttl_ms: u64,

    /// Days the deal event log (changelogs, the `dealChanges` feed) keeps an event; the
    /// server deletes older ones at start and every hour. 0 keeps every event.
    #[arg(
        long,
        env = "DEALGATE_EVENT_RETENTION_DAYS",
        default_value_t = 90,
        global = true
    )]
    pub event_retention_days: u32,

    /// Milliseconds between two reads of the event log by live subscriptions when nothing
    /// woke them (a safety net: commits and PostgreSQL notifications wake them at once).
    #[arg(
        long,
        env = "DEALGATE_EVENT_POLL_MS",
        default_value_t = 5_000,
        value_parser = clap::value_parser!(u64).range(10..),
        global = true
    )]
    pub event_poll_ms: u64,

    /// Origins of browser apps allowed to call the API (CORS), comma-separated, e.g.
    /// `https://app.example.com,http://localhost:5173`; `*` allows any. None by default.
    #[arg(
        long,
        env = "DEALGATE_CORS_ORIGINS",
        value_delimiter = ',',
        value_parser = parse_origin,
        global = true
    )]
    pub cors_origins: Vec<HeaderValue>,

    /// How log lines are written: `text` for people, `json` (one object per line, with the
    /// request id and trace id of the request) for log collectors.
    #[arg(
        long,
        env = "DEALGATE_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text,
        global = true
    )]
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// A CORS origin: `*`, or `http(s)://host[:port]` (a trailing `/` is dropped).
fn parse_origin(text: &str) -> Result<HeaderValue, String> {
    let origin = text.trim().trim_end_matches('/');
    if origin == "*" {
        return Ok(HeaderValue::from_static("*"));
    }
    let host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    let valid = host.is_some_and(|host| {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
    });
    if !valid {
        return Err(format!(
            "\"{origin}\" is not an origin: write it as https://host or http://host:port"
        ));
    }
    HeaderValue::from_str(origin).map_err(|err| err.to_string())
}

impl Config {
    /// The pool size: as configured, else 16 on PostgreSQL and twice the CPU cores (4 to 16)
    /// on SQLite. An SQLite connection is a thread with its own page cache and prepared
    /// statements, and its reads run on the CPUs while writes take turns: beyond a couple of
    /// connections per core the pool adds memory (≈ 7 MB a connection after boards over the
    /// 100,000-deal demo) and no throughput.
    pub fn pool_size(&self) -> u32 {
        self.db_max_connections.unwrap_or_else(|| {
            if self.database_url.starts_with("sqlite:") {
                let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
                (2 * cores).clamp(4, 16) as u32
            } else {
                16
            }
        })
    }

    /// A configuration for `database_url` with every other setting at its default.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            db_max_connections: None,
            worker_threads: None,
            sql_metrics: false,
            max_cost: 200_000,
            cost_budget_per_minute: 2_000_000,
            request_timeout_ms: 15_000,
            max_body_bytes: 1024 * 1024,
            max_response_bytes: 32 * 1024 * 1024,
            max_subscriptions_per_connection: 25,
            max_subscriptions_per_key: 100,
            ws_send_timeout_ms: 10_000,
            read_timeout_ms: 10_000,
            shutdown_grace_ms: 10_000,
            auth_cache_ttl_ms: 3_000,
            event_retention_days: 90,
            event_poll_ms: 5_000,
            cors_origins: Vec::new(),
            log_format: LogFormat::Text,
        }
    }

    /// The request limits these settings describe.
    pub fn limits(&self) -> crate::limits::Limits {
        crate::limits::Limits {
            max_cost: self.max_cost,
            budget_per_minute: self.cost_budget_per_minute,
            request_timeout: Duration::from_millis(self.request_timeout_ms),
            max_body_bytes: self.max_body_bytes,
            max_response_bytes: self.max_response_bytes,
        }
    }

    /// How long an authenticated API key is remembered.
    pub fn auth_cache_ttl(&self) -> Duration {
        Duration::from_millis(self.auth_cache_ttl_ms)
    }
}
