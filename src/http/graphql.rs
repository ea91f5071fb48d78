//! The GraphQL endpoints over HTTP: POST and GET `/graphql`, and GraphiQL (the websocket is
//! [`super::websocket`]).
//!
//! Each request is read within the body limit and the read timeout, authenticated from its
//! API key (a missing or bad key is HTTP 401 UNAUTHENTICATED; an unreachable database is 503
//! SERVICE_UNAVAILABLE), admitted by the request gate ([`crate::limits`]), and run within its
//! deadline. Every error body is JSON with `extensions.code`.

use super::graphiql;
use super::request_id::RequestId;
use super::respond::{Answer, MediaType, Method};
use super::{AppState, Timeouts};
use crate::auth;
use crate::error::{AppError, AppResult, excerpt};
use crate::graphql::{prepare_request, refused};
use crate::idempotency::IdempotencyHeader;
use crate::limits::Transport;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::time::Duration;

/// Answers one GraphQL request after authenticating and admitting it; a request naming a
/// persisted query gets its text first ([`super::persisted`]).
async fn execute(
    state: &AppState,
    answer: &Answer<'_>,
    mut request: async_graphql::Request,
    transport: Transport,
) -> Response {
    let key = auth::api_key_from_headers(answer.headers);
    let viewer = match auth::authenticate(&state.db, &state.viewers, key).await {
        Ok(viewer) => viewer,
        Err(err) => return answer.error(&err),
    };
    let to_remember = match state.persisted.resolve(&mut request) {
        Ok(to_remember) => to_remember,
        Err(err) => return answer.error(&err),
    };
    let sql_metrics = state.config.sql_metrics;
    let request = request
        .data(state.viewers.clone())
        .data(state.on_mutation.clone())
        .data(IdempotencyHeader(
            answer
                .headers
                .get("idempotency-key")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        ));
    match prepare_request(
        &state.reads,
        &state.gate,
        viewer,
        request,
        transport,
        sql_metrics,
    ) {
        Ok(prepared) => {
            state.persisted.remember(to_remember, prepared.query());
            let response = prepared.run(&state.schemas).await;
            let status = has_code(&response, "SERVICE_UNAVAILABLE")
                .then(|| AppError::Unavailable(String::new()).http_status());
            answer.send(response, status)
        }
        Err(refusal) => {
            let status = refusal.error.http_status();
            answer.send(refused(&refusal), (status != 200).then_some(status))
        }
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

/// The answer shape of a request with `headers`, or the 406 for an `Accept` it cannot meet
/// (itself sent as `application/json`).
fn answer_for<'a>(
    state: &'a AppState,
    headers: &'a HeaderMap,
    method: Method,
) -> Result<Answer<'a>, Box<Response>> {
    let mut answer = Answer {
        media_type: MediaType::Json,
        request_id: RequestId::of(headers),
        headers,
        method,
        limits: &state.gate.limits,
    };
    match MediaType::negotiate(headers) {
        Ok(media_type) => {
            answer.media_type = media_type;
            Ok(answer)
        }
        Err(err) => Err(Box::new(answer.error(&err))),
    }
}

/// `POST /graphql`: one GraphQL request as `application/json`.
pub async fn post_graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let answer = match answer_for(&state, &headers, Method::Post) {
        Ok(answer) => answer,
        Err(not_acceptable) => return *not_acceptable,
    };
    let read_timeout = Timeouts::of(&state.config).header_read;
    match read_request(
        &headers,
        body,
        state.gate.limits.max_body_bytes,
        read_timeout,
    )
    .await
    {
        Ok(request) => execute(&state, &answer, request, Transport::Post).await,
        Err(err) => answer.error(&err),
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

/// `GET /graphql`: GraphiQL for a browser that asks for HTML without a request in the URL,
/// otherwise a query (or a persisted query's hash) in the URL. Mutations are not allowed over
/// GET (they must not be triggered by following a link).
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
    let holds_request = params
        .as_ref()
        .is_ok_and(|p| p.query.is_some() || p.extensions.is_some());
    if wants_html && !holds_request {
        return graphiql::page().into_response();
    }
    let answer = match answer_for(&state, &headers, Method::Get) {
        Ok(answer) => answer,
        Err(not_acceptable) => return *not_acceptable,
    };
    match params
        .map_err(|err| err.body_text())
        .and_then(GetParams::into_request)
    {
        Ok(request) => execute(&state, &answer, request, Transport::Get).await,
        Err(err) => answer.error(&AppError::bad_request(
            400,
            format!("the URL holds no GraphQL request: {}", excerpt(&err)),
        )),
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
