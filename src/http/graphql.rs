//! The GraphQL endpoints: POST and GET `/graphql`, GraphiQL, and the websocket on
//! `/graphql/ws` (graphql-transport-ws and the legacy graphql-ws).
//!
//! Each request is read within the body limit and the read timeout, authenticated from its
//! API key (a missing or bad key is HTTP 401 UNAUTHENTICATED; an unreachable database is 503
//! SERVICE_UNAVAILABLE), admitted by the request gate ([`crate::limits`]), and run within its
//! deadline. Every error body is JSON with `extensions.code`.

use super::AppState;
use crate::auth::{self, Viewer};
use crate::error::{AppError, AppResult, excerpt};
use crate::graphql::errors::single_error;
use crate::graphql::{prepare_request, refused};
use crate::limits::{Limits, Transport};
use async_graphql::Executor;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use futures_util::StreamExt;
use std::time::Duration;

/// The media type of every GraphQL response body.
const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// Answers one GraphQL request after authenticating and admitting it.
async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    request: async_graphql::Request,
    transport: Transport,
) -> Response {
    let key = auth::api_key_from_headers(headers);
    let viewer = match auth::authenticate(&state.db, &state.viewers, key).await {
        Ok(viewer) => viewer,
        Err(err) => return error_response(&err, &state.gate.limits),
    };
    let db = &state.db;
    let sql_metrics = state.config.sql_metrics;
    let request = request.data(state.viewers.clone());
    match prepare_request(db, &state.gate, viewer, request, transport, sql_metrics) {
        Ok(prepared) => {
            let response = prepared.run(&state.schema).await;
            let status = if has_code(&response, "SERVICE_UNAVAILABLE") {
                AppError::Unavailable(String::new()).http_status()
            } else {
                200
            };
            respond(response, status, &state.gate.limits)
        }
        Err(refusal) => respond(
            refused(&refusal),
            refusal.error.http_status(),
            &state.gate.limits,
        ),
    }
}

fn has_code(response: &async_graphql::Response, code: &str) -> bool {
    response.errors.iter().any(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .is_some_and(|c| *c == async_graphql::Value::from(code))
    })
}

/// A JSON error body for `error`, with its HTTP status and `Retry-After` when it has one.
fn error_response(error: &AppError, limits: &Limits) -> Response {
    respond(single_error(error), error.http_status(), limits)
}

/// Serialises `response` with `status`. A body over the response limit is replaced by a
/// LIMIT_EXCEEDED error; an error asking the client to wait sets `Retry-After`.
fn respond(response: async_graphql::Response, status: u16, limits: &Limits) -> Response {
    let retry_after = response.errors.iter().find_map(|e| {
        e.extensions
            .as_ref()
            .and_then(|x| x.get("retryAfter"))
            .map(|v| v.to_string())
    });
    let mut body = serde_json::to_vec(&response).unwrap_or_default();
    if body.len() > limits.max_response_bytes {
        let error = AppError::LimitExceeded(format!(
            "the response would be {} bytes, more than the limit of {}: ask for fewer rows",
            body.len(),
            limits.max_response_bytes
        ));
        body = serde_json::to_vec(&single_error(&error)).unwrap_or_default();
    }
    let mut http = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        [(header::CONTENT_TYPE, GRAPHQL_RESPONSE)],
        body,
    )
        .into_response();
    if let Some(seconds) = retry_after.and_then(|s| HeaderValue::from_str(&s).ok()) {
        http.headers_mut().insert(header::RETRY_AFTER, seconds);
    }
    http
}

/// `POST /graphql`: one GraphQL request as `application/json`.
pub async fn post_graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let read_timeout = state.config.timeouts().header_read;
    match read_request(
        &headers,
        body,
        state.gate.limits.max_body_bytes,
        read_timeout,
    )
    .await
    {
        Ok(request) => execute(&state, &headers, request, Transport::Post).await,
        Err(err) => error_response(&err, &state.gate.limits),
    }
}

/// Reads a POST body: `application/json`, at most `max_bytes`, within `timeout`; one request
/// object (batches and multipart uploads are refused).
async fn read_request(
    headers: &HeaderMap,
    body: Body,
    max_bytes: usize,
    timeout: Duration,
) -> AppResult<async_graphql::Request> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if media_type != "application/json" {
        let message = if media_type.starts_with("multipart/") {
            "file uploads (multipart requests) are not accepted".to_owned()
        } else {
            "send the request body as application/json (with a Content-Type header)".to_owned()
        };
        return Err(AppError::bad_request(415, message));
    }
    let too_large =
        || AppError::PayloadTooLarge(format!("the request body is larger than {max_bytes} bytes"));
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max_bytes as u64) {
        return Err(too_large());
    }
    let read = async {
        let mut bytes = Vec::new();
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk =
                chunk.map_err(|_| AppError::bad_request(400, "the request body broke off"))?;
            if bytes.len() + chunk.len() > max_bytes {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    };
    let bytes = tokio::time::timeout(timeout, read).await.map_err(|_| {
        AppError::bad_request(
            408,
            "the request body did not arrive within the read timeout",
        )
    })??;
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(AppError::bad_request(
            400,
            "batched requests are not accepted: send one operation per request",
        ));
    }
    serde_json::from_slice(&bytes).map_err(|err| {
        AppError::bad_request(
            400,
            format!(
                "the body is not a GraphQL request in JSON: {}",
                excerpt(&err.to_string())
            ),
        )
    })
}

/// `GET /graphql`: GraphiQL for a browser, otherwise a query in the URL. Mutations are not
/// allowed over GET (they must not be triggered by following a link).
pub async fn get_graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<GetParams>, QueryRejection>,
) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let params = params.map(|Query(params)| params);
    if wants_html || params.as_ref().is_ok_and(|p| p.query.is_none()) {
        return graphiql().await.into_response();
    }
    match params
        .map_err(|err| err.body_text())
        .and_then(GetParams::into_request)
    {
        Ok(request) => execute(&state, &headers, request, Transport::Get).await,
        Err(err) => error_response(
            &AppError::bad_request(
                400,
                format!("the URL holds no GraphQL request: {}", excerpt(&err)),
            ),
            &state.gate.limits,
        ),
    }
}

/// A GraphQL request in a URL, as the GraphQL-over-HTTP spec names its parameters
/// (`operationName`, with `variables` and `extensions` as JSON).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

impl GetParams {
    fn into_request(self) -> Result<async_graphql::Request, String> {
        let json = |text: Option<String>, what: &str| -> Result<serde_json::Value, String> {
            text.map_or(Ok(serde_json::Value::Null), |text| {
                serde_json::from_str(&text).map_err(|err| format!("{what} is not JSON: {err}"))
            })
        };
        let mut request = async_graphql::Request::new(self.query.unwrap_or_default());
        request.operation_name = self.operation_name;
        request.variables = async_graphql::Variables::from_json(json(self.variables, "variables")?);
        if let serde_json::Value::Object(fields) = json(self.extensions, "extensions")? {
            for (name, value) in fields {
                let value = async_graphql::Value::from_json(value).map_err(|e| e.to_string())?;
                request.extensions.insert(name, value);
            }
        }
        Ok(request)
    }
}

/// `GET /graphiql`: the GraphiQL IDE. Put your key in its headers: `{"X-API-KEY": "…"}`.
pub async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("dealgate")
            .finish(),
    )
}

/// `GET /graphql/ws`: graphql-ws. A message larger than the body limit closes the
/// connection. The key goes in the `connection_init` payload, as
/// `{"X-API-KEY": "…"}`, `{"apiKey": "…"}` or `{"Authorization": "Bearer …"}`.
pub async fn websocket(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let viewer_slot = std::sync::Arc::new(std::sync::OnceLock::<Viewer>::new());
    let executor = AuthenticatedExecutor {
        state: state.clone(),
        viewer: viewer_slot.clone(),
    };
    // A websocket message carries one request: it gets the body limit too.
    let max_message = state.gate.limits.max_body_bytes;
    upgrade
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            GraphQLWebSocket::new(stream, executor, protocol)
                .on_connection_init(move |payload| async move {
                    let headers = headers_from_init_payload(&payload);
                    let viewer = auth::authenticate(
                        &state.db,
                        &state.viewers,
                        auth::api_key_from_headers(&headers),
                    )
                    .await
                    .map_err(async_graphql::Error::from)?;
                    // A connection is initialised once; the slot is fresh for it.
                    let _ = viewer_slot.set(viewer);
                    Ok(async_graphql::Data::default())
                })
                .serve()
        })
}

/// The connection_init payload read as request headers.
fn headers_from_init_payload(payload: &serde_json::Value) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let Some(fields) = payload.as_object() else {
        return headers;
    };
    for (name, value) in fields {
        let name = if name.eq_ignore_ascii_case("apiKey") {
            "x-api-key"
        } else {
            name.as_str()
        };
        if let (Ok(name), Some(Ok(value))) = (
            header::HeaderName::try_from(name.to_ascii_lowercase()),
            value.as_str().map(header::HeaderValue::from_str),
        ) {
            headers.insert(name, value);
        }
    }
    headers
}

/// The schema behind one websocket connection, run as the connection's authenticated caller
/// through the same gate, deadline and codes as HTTP.
#[derive(Clone)]
struct AuthenticatedExecutor {
    state: AppState,
    viewer: std::sync::Arc<std::sync::OnceLock<Viewer>>,
}

impl AuthenticatedExecutor {
    fn viewer(&self) -> Result<Viewer, AppError> {
        self.viewer.get().cloned().ok_or_else(|| {
            AppError::Unauthenticated("send an API key in the connection_init payload".into())
        })
    }
}

impl Executor for AuthenticatedExecutor {
    async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        let viewer = match self.viewer() {
            Ok(viewer) => viewer,
            Err(err) => return single_error(&err),
        };
        let state = &self.state;
        match prepare_request(
            &state.db,
            &state.gate,
            viewer,
            request.data(state.viewers.clone()),
            Transport::WebSocket,
            false,
        ) {
            Ok(prepared) => prepared.run(&state.schema).await,
            Err(refusal) => refused(&refusal),
        }
    }

    /// The schema has no subscriptions: every operation over the socket is one query or
    /// mutation, answered once.
    fn execute_stream(
        &self,
        request: async_graphql::Request,
        _session_data: Option<std::sync::Arc<async_graphql::Data>>,
    ) -> futures_util::stream::BoxStream<'static, async_graphql::Response> {
        let executor = self.clone();
        futures_util::stream::once(async move { executor.execute(request).await }).boxed()
    }
}
