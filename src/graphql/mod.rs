//! The GraphQL schema, assembled in one place from each domain's `Query` and `Mutation`.
//!
//! [`schema`] takes no per-request data, so the server, the tests and the SDL export all build
//! the same schema. Per-request data (the caller, the database, the loaders) is attached to
//! each request by [`prepare_request`].

pub mod context;
pub mod errors;
pub mod loader;
pub mod node;
pub mod scalars;
pub mod sql_metrics;

use crate::api_key::ApiKeyMutation;
use crate::auth::{self, Viewer, ViewerQuery};
use crate::error::AppResult;
use async_graphql::{EmptySubscription, MergedObject, Request, Schema};
use loader::DbLoader;
use node::NodeQuery;
use sea_orm::DatabaseConnection;
use sql_metrics::SqlMetrics;
use std::sync::Arc;

/// Deepest selection a query may nest.
pub const MAX_DEPTH: usize = 16;
/// Largest complexity (roughly, fields resolved per page) a query may have.
pub const MAX_COMPLEXITY: usize = 20_000;

/// Every root query field.
#[derive(MergedObject, Default)]
pub struct Query(ViewerQuery, NodeQuery);

/// Every root mutation field.
#[derive(MergedObject, Default)]
pub struct Mutation(ApiKeyMutation);

/// The dealgate schema.
pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// Builds the schema with its limits. Holds no per-request or connection data.
pub fn schema() -> AppSchema {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(64)
        .finish()
}

/// The SDL of [`schema`], as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema().sdl()
}

/// Checks that `viewer` may run `request`, then attaches what resolvers need: the caller,
/// the database and fresh loaders scoped to the caller's organisation. With `count_sql`,
/// the request's statements are counted in the returned [`SqlMetrics`].
pub fn prepare_request(
    db: &DatabaseConnection,
    viewer: Viewer,
    mut request: Request,
    count_sql: bool,
) -> AppResult<(Request, Option<Arc<SqlMetrics>>)> {
    auth::authorize_operation(&viewer, &mut request)?;
    let (db, metrics) = if count_sql {
        let (db, metrics) = SqlMetrics::instrument(db);
        (db, Some(metrics))
    } else {
        (db.clone(), None)
    };
    let loaders = DbLoader::for_request(db.clone(), viewer.organization_id);
    Ok((request.data(viewer).data(db).data(loaders), metrics))
}

/// Runs a prepared request on `schema`: codes on every error, `extensions.sql` when counted.
pub async fn execute(
    schema: &AppSchema,
    (request, metrics): (Request, Option<Arc<SqlMetrics>>),
) -> async_graphql::Response {
    let response = errors::with_codes(schema.execute(request).await);
    match metrics {
        Some(metrics) => metrics.report(response),
        None => response,
    }
}
