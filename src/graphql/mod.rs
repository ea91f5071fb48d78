//! The GraphQL schema, assembled in one place from each domain's `Query` and `Mutation`.
//!
//! [`schema`] takes no per-request data, so the server, the tests and the SDL export all build
//! the same schema. Per-request data (the caller, the database, the loaders) is attached to
//! each request by [`prepare_request`].

pub mod batching;
pub mod connection;
pub mod context;
pub mod errors;
pub mod loader;
pub mod money;
pub mod node;
pub mod pagination;
pub mod patch;
pub mod scalars;
pub mod sql_metrics;
pub mod text_search;

use crate::api_key::ApiKeyMutation;
use crate::auth::{self, Viewer, ViewerQuery};
use crate::company::{CompanyMutation, CompanyQuery};
use crate::contact::{ContactMutation, ContactQuery};
use crate::deal::{DealMutation, DealQuery};
use crate::error::AppResult;
use crate::pipeline::{PipelineMutation, PipelineQuery};
use crate::sale::{SaleMutation, SaleQuery};
use crate::user::{UserMutation, UserQuery};
use async_graphql::{EmptySubscription, MergedObject, Request, Schema};
use batching::{Batches, batch_queue, run_with_batches};
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
pub struct Query(
    ViewerQuery,
    NodeQuery,
    DealQuery,
    PipelineQuery,
    CompanyQuery,
    ContactQuery,
    UserQuery,
    SaleQuery,
);

/// Every root mutation field.
#[derive(MergedObject, Default)]
pub struct Mutation(
    ApiKeyMutation,
    DealMutation,
    PipelineMutation,
    CompanyMutation,
    ContactMutation,
    UserMutation,
    SaleMutation,
);

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

/// A request ready to run: authorised, with its data attached.
pub struct PreparedRequest {
    request: Request,
    batches: Option<Batches>,
    metrics: Option<Arc<SqlMetrics>>,
}

/// Checks that `viewer` may run `request`, then attaches what resolvers need: the caller,
/// the database and fresh loaders scoped to the caller's organisation. With `count_sql`,
/// the request's statements are counted and reported in `extensions.sql`.
pub fn prepare_request(
    db: &DatabaseConnection,
    viewer: Viewer,
    mut request: Request,
    count_sql: bool,
) -> AppResult<PreparedRequest> {
    auth::authorize_operation(&viewer, &mut request)?;
    let (db, metrics) = if count_sql {
        let (db, metrics) = SqlMetrics::instrument(db);
        (db, Some(metrics))
    } else {
        (db.clone(), None)
    };
    let (queue, batches) = batch_queue();
    let loaders = DbLoader::queued(db.clone(), viewer.organization_id, queue);
    let request = request.data(viewer).data(db).data(loaders);
    Ok(PreparedRequest {
        request,
        batches: Some(batches),
        metrics,
    })
}

/// Like [`prepare_request`], with loaders that spawn their batches on the runtime: for
/// streams (graphql-ws), which are not polled as one future.
pub fn prepare_stream_request(
    db: &DatabaseConnection,
    viewer: Viewer,
    mut request: Request,
) -> AppResult<Request> {
    auth::authorize_operation(&viewer, &mut request)?;
    let loaders = DbLoader::for_request(db.clone(), viewer.organization_id);
    Ok(request.data(viewer).data(db.clone()).data(loaders))
}

impl PreparedRequest {
    /// Runs the request on `schema`: codes on every error, `extensions.sql` when counted.
    pub async fn run(self, schema: &AppSchema) -> async_graphql::Response {
        let query = schema.execute(self.request);
        let response = match self.batches {
            Some(batches) => run_with_batches(query, batches).await,
            None => query.await,
        };
        let response = errors::with_codes(response);
        match self.metrics {
            Some(metrics) => metrics.report(response),
            None => response,
        }
    }
}
