//! dealgate: a GraphQL API over a sales-deals domain.
//!
//! One module per domain (its GraphQL types, queries, mutations, services, loaders), plus the
//! shared pieces: `graphql` (schema assembly, scalars, ids), `http` (the router), `auth`,
//! `db`, `config`, `error`, `limits` (what one request may ask), `cli` and `demo`.

pub mod api_key;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod company;
pub mod config;
pub mod contact;
pub mod db;
pub mod deal;
pub mod demo;
pub mod digest;
pub mod error;
pub mod graphql;
pub mod http;
pub mod idempotency;
pub mod import;
pub mod limits;
pub mod organization;
pub mod pipeline;
pub mod sale;
pub mod user;
pub mod validate;
