//! The GraphQL schema, assembled in one place from each domain's `Query` and `Mutation`.
//!
//! [`schema`] takes no per-request data, so the server, the tests and the SDL export all build
//! the same schema. Per-request data (the caller, the database, the loaders) is attached to
//! each request by [`prepare_request`].

pub mod batching;
pub mod column_value;
pub mod connection;
pub mod context;
pub mod errors;
pub mod federation;
pub mod ids;
pub mod list_fields;
pub mod loader;
pub mod money;
pub mod node;
pub mod pagination;
pub mod part_rows;
pub mod patch;
pub mod row_decode;
pub mod scalars;
pub mod serial;
pub mod sql_metrics;
pub mod text_search;
pub mod validated;

use crate::api_key::ApiKeyMutation;
use crate::auth::{Viewer, ViewerQuery, WriteGuarded};
use crate::company::{CompanyMutation, CompanyQuery};
use crate::contact::{ContactMutation, ContactQuery};
use crate::db::reuse::ReadConnection;
use crate::deal::events::DealSubscription;
use crate::deal::{DealMutation, DealQuery};
use crate::error::AppError;
use crate::limits::{self, CostReport, Refusal, RequestGate, Transport};
use crate::pipeline::{PipelineMutation, PipelineQuery};
use crate::sale::{SaleMutation, SaleQuery};
use crate::user::{UserMutation, UserQuery};
use async_graphql::parser::types::OperationType;
use async_graphql::{MergedObject, MergedSubscription, Request, Schema, SchemaBuilder};
use batching::{Batches, batch_queue, run_with_batches};
use errors::ArgumentPositions;
use federation::EntityQuery;
use futures_util::{Stream, StreamExt};
use loader::{DbLoader, Loaders};
use node::NodeQuery;
use sql_metrics::SqlMetrics;
use std::sync::Arc;
use std::time::Duration;
use validated::Schemas;

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
    EntityQuery,
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

/// Every root subscription field (served over the websocket).
#[derive(MergedSubscription, Default)]
pub struct Subscription(DealSubscription);

/// The dealgate schema; its mutation root refuses writes the caller may not make.
pub type AppSchema = Schema<Query, WriteGuarded<Mutation>, Subscription>;

/// Builds the schema: the execution-time [`WriteGuarded`] mutation root, async-graphql's own depth limits
/// behind the request gate's (which refuses first, see [`crate::limits`]), and the Apollo
/// Federation v2 fields `_service` and `_entities` ([`federation`]).
pub fn schema() -> AppSchema {
    schema_builder().finish()
}

/// The schema's builder with everything [`schema`] sets, for a variant of it
/// ([`validated::Schemas`]).
fn schema_builder() -> SchemaBuilder<Query, WriteGuarded<Mutation>, Subscription> {
    Schema::build(
        Query::default(),
        WriteGuarded::default(),
        Subscription::default(),
    )
    .enable_federation()
    .limit_depth(limits::MAX_DEPTH)
    .limit_recursive_depth(limits::MAX_NESTING)
}

pub fn sdl() -> String {
    schema().sdl()
}

/// The subgraph SDL a federation gateway composes (what `_service { sdl }` answers): the
/// schema with `@link` to Federation v2 and `@key(fields: "id")` on every entity.
pub fn federation_sdl() -> String {
    schema().sdl_with_options(async_graphql::SDLExportOptions::new().federation())
}

/// A request ready to run: admitted by the gate, with its data attached.
pub struct PreparedRequest {
    request: Request,
    batches: Batches,
    metrics: Option<Arc<SqlMetrics>>,
    cost: CostReport,
    arguments: ArgumentPositions,
    deadline: Duration,
    subscription: bool,
}

/// Admits `request` for `viewer` through `gate` (limits, operation guard, cost, budget), then
/// attaches what resolvers need: the caller, the transport, the database and fresh loaders
/// scoped to the caller's organisation. With `count_sql`, the request's statements are
/// counted and reported in `extensions.sql`.
pub fn prepare_request(
    reads: &ReadConnection,
    gate: &RequestGate,
    viewer: Viewer,
    mut request: Request,
    transport: Transport,
    count_sql: bool,
) -> Result<PreparedRequest, Refusal> {
    let cost = gate.admit(&viewer, &mut request, transport)?;
    let arguments = request
        .parsed_query()
        .map(ArgumentPositions::of)
        .unwrap_or_default();
    let (db, reads, metrics) = if count_sql {
        let (db, metrics) = SqlMetrics::instrument(reads.pool());
        let reads = reads.with_pool(db.clone()).counted(metrics.on_statement());
        (db, reads, Some(metrics))
    } else {
        (reads.pool().clone(), reads.clone(), None)
    };
    let operation_name = request.operation_name.clone();
    let subscription = request
        .parsed_query()
        .ok()
        .and_then(|document| crate::auth::selected_operation(document, operation_name.as_deref()))
        .is_some_and(|operation| operation.ty == OperationType::Subscription);
    let (queue, batches) = batch_queue();
    let organization_id = viewer.organization_id;
    let mut request = request.data(viewer).data(transport).data(db.clone());
    if !subscription {
        // A subscription gets its organisation's shared loaders instead (`stream`).
        let loaders = DbLoader::queued(reads, organization_id, queue);
        request = request.data(loaders).data(part_rows::PartRows::default());
    }
    Ok(PreparedRequest {
        request,
        batches,
        metrics,
        cost,
        arguments,
        deadline: gate.limits.request_timeout,
        subscription,
    })
}

impl PreparedRequest {
    /// The query text, as admitted.
    pub fn query(&self) -> &str {
        &self.request.query
    }

    /// Whether the operation is a subscription (to run with [`Self::stream`]).
    pub fn is_subscription(&self) -> bool {
        self.subscription
    }

    /// Runs a subscription, validated strictly, with `loaders` (its organisation's shared ones): one
    /// response per event, each with codes on its errors. No deadline: it lives until the
    /// client stops it.
    pub fn stream(
        self,
        schemas: &Schemas,
        loaders: Arc<Loaders>,
    ) -> impl Stream<Item = async_graphql::Response> + Send + use<> {
        let arguments = self.arguments;
        schemas
            .strict
            .execute_stream(self.request.data(loaders))
            .map(move |response| errors::with_codes(response, &arguments))
    }

    /// Runs the request within its deadline (on the schema that trusts its document when it
    /// is known valid, see [`validated`]): codes on every error, `extensions.cost`, and
    /// `extensions.sql` when counted. Past the deadline the work is dropped (its statements
    /// cancelled) and the answer is LIMIT_EXCEEDED.
    pub async fn run(mut self, schemas: &Schemas) -> async_graphql::Response {
        let validation = schemas.judge(&mut self.request);
        let schema = schemas.for_request(&validation);
        let query = run_with_batches(schema.execute(self.request), self.batches);
        let response = match tokio::time::timeout(self.deadline, query).await {
            Ok(response) => {
                schemas.learn(validation, &response);
                errors::with_codes(response, &self.arguments)
            }
            Err(_) => errors::single_error(&AppError::LimitExceeded(format!(
                "the request ran longer than {} ms and was cancelled",
                self.deadline.as_millis()
            ))),
        };
        let mut response = match self.metrics {
            Some(metrics) => metrics.report(response),
            None => response,
        };
        response
            .extensions
            .insert("cost".into(), self.cost.to_value());
        response
    }
}

/// The response to a request the gate refused: its error, and its cost when it had one.
pub fn refused(refusal: &Refusal) -> async_graphql::Response {
    let mut response = errors::single_error(&refusal.error);
    if let Some(cost) = &refusal.cost {
        response.extensions.insert("cost".into(), cost.to_value());
    }
    response
}
