//! [`Config`]: the server's typed configuration, read once at start from flags and environment.

use clap::Args;
use std::net::SocketAddr;

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

    /// Largest number of pooled database connections.
    #[arg(
        long,
        env = "DEALGATE_DB_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub db_max_connections: u32,

    /// Report `extensions.sql { statements, ms }` on every GraphQL response.
    #[arg(
        long,
        env = "DEALGATE_SQL_METRICS",
        default_value_t = false,
        global = true
    )]
    pub sql_metrics: bool,
}

impl Config {
    /// A configuration for `database_url` with every other setting at its default.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            db_max_connections: 16,
            sql_metrics: false,
        }
    }
}
