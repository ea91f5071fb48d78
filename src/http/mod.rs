//! The HTTP surface: the axum router and how the server starts and stops.

mod graphiql;
mod graphql;
mod health;
mod persisted;
pub mod request_id;
mod respond;
mod serve;
mod websocket;
mod ws_outgoing;

pub use serve::Timeouts;

use crate::auth::{OnMutation, ViewerCache};
use crate::config::Config;
use crate::db::reuse::{ConnectionReuse, ReadConnection};
use crate::deal::events::EventHub;
use crate::error::AppError;
use crate::graphql::validated::Schemas;
use crate::limits::RequestGate;
use crate::limits::subscriptions::SubscriptionLimits;
use axum::Router;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::get;
use persisted::PersistedQueries;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

/// What every handler shares: the pool, the schema and the configuration.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: DatabaseConnection,
    /// The pool for requests' loaders, reusing connections between statements.
    pub reads: ReadConnection,
    /// The GraphQL schema (validating strictly, and trusting known documents).
    pub schemas: Arc<Schemas>,
    /// The server's configuration.
    pub config: Arc<Config>,
    /// The checks every GraphQL request passes first.
    pub gate: Arc<RequestGate>,
    /// Callers of recently seen API keys.
    pub viewers: Arc<ViewerCache>,
    /// Query texts of automatic persisted queries.
    pub persisted: Arc<PersistedQueries>,
    /// The event log delivered live to this process's subscribers.
    pub events: Arc<EventHub>,
    /// Wakes the live subscribers of an organisation after one of its mutations.
    pub on_mutation: OnMutation,
    /// The open subscriptions per API key, and the bounds.
    pub subscriptions: Arc<SubscriptionLimits>,
}

impl AppState {
    /// The state of a server over `db` with `config`: the one builder `serve` and the tests
    /// share.
    pub fn new(db: DatabaseConnection, config: Config) -> Self {
        let schemas = Schemas::default();
        let gate = RequestGate::new(config.limits(), &schemas.strict.sdl());
        let viewers = ViewerCache::new(config.auth_cache_ttl());
        let events = EventHub::new(db.clone(), Duration::from_millis(config.event_poll_ms));
        let hub = events.clone();
        let on_mutation = OnMutation(Arc::new(move |organization_id| hub.wake(organization_id)));
        let subscriptions = SubscriptionLimits::new(
            config.max_subscriptions_per_connection,
            config.max_subscriptions_per_key,
        );
        let reads = ReadConnection::new(db.clone(), ConnectionReuse::for_pool(&db));
        Self {
            db,
            reads,
            events,
            on_mutation,
            subscriptions: Arc::new(subscriptions),
            schemas: Arc::new(schemas),
            config: Arc::new(config),
            gate: Arc::new(gate),
            viewers: Arc::new(viewers),
            persisted: Arc::new(PersistedQueries::default()),
        }
    }
}

/// Responses smaller than this go out uncompressed (compressing them saves nothing).
pub const COMPRESS_ABOVE_BYTES: u16 = 1024;

/// How long a browser may reuse a CORS preflight answer (Chromium caps it at 2 hours).
pub const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(7200);

/// The router: `/graphql` (POST, GET, GraphiQL for browsers), `/graphiql` and its assets,
/// `/graphql/ws`, `/healthz` and `/readyz`; every request gets an id and a span, CORS for the
/// configured origins, and compressed responses when the client accepts gzip or br.
pub fn router(state: AppState) -> Router {
    let cors = cors_layer(&state.config.cors_origins);
    let compress_when = SizeAbove::new(COMPRESS_ABOVE_BYTES)
        .and(NotForContentType::GRPC)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE);
    let router = Router::new()
        .route(
            "/graphql",
            get(graphql::get_graphql)
                .post(graphql::post_graphql)
                .fallback(method_not_allowed),
        )
        .route("/graphiql", get(graphiql::page_handler))
        .route("/graphiql/assets/{file}", get(graphiql::asset))
        .route("/graphql/ws", get(websocket::websocket))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .fallback(not_found)
        .layer(CompressionLayer::new().compress_when(compress_when));
    let router = match cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_id::span)
                .on_response(request_id::on_response),
        )
        .layer(axum::middleware::from_fn(request_id::assign))
        .with_state(state)
}

/// CORS for browser apps on `origins` (`*` for any); none when the list is empty. Preflights
/// allow POST and GET with the headers clients send, and are cached for two hours.
fn cors_layer(origins: &[HeaderValue]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow_origin = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().cloned())
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow_origin)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                HeaderName::from_static("x-api-key"),
                request_id::REQUEST_ID,
                HeaderName::from_static("traceparent"),
            ])
            .expose_headers([request_id::REQUEST_ID, header::RETRY_AFTER])
            .max_age(PREFLIGHT_MAX_AGE),
    )
}

/// A method `/graphql` does not take: 405 with the methods it does.
async fn method_not_allowed(method: Method, headers: HeaderMap) -> Response {
    let error = AppError::bad_request(405, format!("/graphql takes GET and POST, not {method}"));
    let id = request_id::RequestId::of(&headers);
    let mut response = respond::bare_error(StatusCode::METHOD_NOT_ALLOWED, &error, id);
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    response
}

/// Any other path: 404 NOT_FOUND.
async fn not_found(uri: Uri, headers: HeaderMap) -> Response {
    let path = crate::error::excerpt(uri.path()).into_owned();
    let error = AppError::NotFound(format!("the path {path} (the API is at /graphql)"));
    respond::bare_error(
        StatusCode::NOT_FOUND,
        &error,
        request_id::RequestId::of(&headers),
    )
}

/// Serves `state` on `listener` until SIGTERM or Ctrl-C, then drains open requests within
/// the configured grace period.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let timeouts = Timeouts::of(&state.config);
    housekeeping(&state);
    serve::serve_until(listener, router(state), timeouts, shutdown_signal()).await
}

/// Serves `state` on `listener` until `stop` completes: [`serve`] with another stop signal.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    state: AppState,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let timeouts = Timeouts::of(&state.config);
    housekeeping(&state);
    serve::serve_until(listener, router(state), timeouts, stop).await
}

/// Keeps the deal event log to its retention, and forgets expired idempotency keys, while the
/// server runs.
fn housekeeping(state: &AppState) {
    let days = state.config.event_retention_days;
    tokio::spawn(crate::deal::events::retention::run(state.db.clone(), days));
    tokio::spawn(crate::idempotency::run(state.db.clone()));
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
