//! dealgate's integration tests: the real router on a real port, over HTTP, against a fresh
//! database per test (SQLite by default; PostgreSQL when `TEST_DATABASE_URL` is set).

mod abuse;
mod auth;
mod batch;
mod connection_reuse;
mod deal_around;
mod deal_detail;
mod deal_writes;
mod deals;
mod domain_writes;
mod events;
mod fixtures;
mod funnel;
mod health;
mod helpers;
mod http;
mod import;
mod limits;
mod lists;
mod live;
mod logs;
mod merging;
mod migrations;
mod money;
mod participants;
mod pricing;
mod products;
mod sales;
mod schema;
mod search;
mod stage_totals;
mod stalled;
mod tenancy;
mod timeline;
mod websocket;
mod ws_client;
