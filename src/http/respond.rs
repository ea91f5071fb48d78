//! How a GraphQL response goes out over HTTP, as the GraphQL-over-HTTP spec has it.
//!
//! - **Media type** from `Accept`: `application/graphql-response+json` when the client prefers
//!   it (q-values; a tie goes to it), `application/json` when it asks for that, `*/*`,
//!   `application/*` or nothing; anything else is HTTP 406.
//! - **Status**: an error with an HTTP meaning keeps it (401, 405, 413, 415, 429, 503…).
//!   Otherwise a *request error* — the document did not parse or validate, a variable did not
//!   coerce, the gate refused it: nothing ran — is 400 under
//!   `application/graphql-response+json` and 200 under `application/json`; a response whose
//!   execution started is 200.
//! - **Body**: a request error has no `data` entry; every error carries
//!   `extensions.requestId`; a body over the response limit becomes LIMIT_EXCEEDED.
//! - **Caching**: POST answers `no-store`. A GET answers `private, no-cache` with a weak ETag
//!   of its data and errors, and 304 when the client's `If-None-Match` has it.

use crate::error::AppError;
use crate::graphql::errors::single_error;
use crate::limits::Limits;
use async_graphql::{Response, ServerError, Value};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// The media types a GraphQL response can be sent as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: request errors are HTTP 4xx.
    GraphqlResponse,
    /// `application/json`: every well-formed request is HTTP 200.
    Json,
}

impl MediaType {
    fn as_str(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json",
            Self::Json => "application/json",
        }
    }

    /// The media type `headers`' `Accept` asks for, or a 406 BAD_REQUEST.
    pub fn negotiate(headers: &HeaderMap) -> Result<Self, AppError> {
        let accept = headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        if accept.trim().is_empty() {
            return Ok(Self::Json);
        }
        let (mut graphql_response, mut json) = (0.0_f32, 0.0_f32);
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0)
                .clamp(0.0, 1.0);
            match media.as_str() {
                "application/graphql-response+json" => {
                    graphql_response = graphql_response.max(quality)
                }
                "application/json" | "application/*" | "*/*" => json = json.max(quality),
                _ => {}
            }
        }
        match (graphql_response, json) {
            (g, j) if g > 0.0 && g >= j => Ok(Self::GraphqlResponse),
            (_, j) if j > 0.0 => Ok(Self::Json),
            _ => Err(AppError::bad_request(
                406,
                "this endpoint answers application/graphql-response+json or application/json: \
                 accept one of them",
            )),
        }
    }
}

/// How a request came, for the caching headers of its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// POST (or the websocket): never cached.
    Post,
    /// GET: cacheable by the client, revalidated every time.
    Get,
}

/// Everything but the GraphQL response that shapes the HTTP answer.
pub struct Answer<'a> {
    /// The negotiated media type.
    pub media_type: MediaType,
    /// The request's id, for `extensions.requestId`.
    pub request_id: Option<&'a str>,
    /// The request's headers (for `If-None-Match`).
    pub headers: &'a HeaderMap,
    /// POST or GET.
    pub method: Method,
    /// The response limit.
    pub limits: &'a Limits,
}

/// Nothing ran: no data, and every error stands outside any field.
pub fn is_request_error(response: &Response) -> bool {
    response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// The body as the spec wants it: no `data` entry for a request error.
#[derive(serde::Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: &'a Vec<ServerError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a Value>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, Value>,
}

impl Answer<'_> {
    /// `response` as HTTP; `status` is the HTTP status its error asks for, if any (see the
    /// module docs for the rest).
    pub fn send(&self, mut response: Response, status: Option<u16>) -> HttpResponse {
        let request_error = is_request_error(&response);
        let status = status.unwrap_or(
            if request_error && self.media_type == MediaType::GraphqlResponse {
                400
            } else {
                200
            },
        );
        let retry_after = response.errors.iter().find_map(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("retryAfter"))
                .map(|v| v.to_string())
        });
        if !response.errors.is_empty() {
            let codes: Vec<String> = response
                .errors
                .iter()
                .filter_map(|e| match e.extensions.as_ref()?.get("code")? {
                    Value::String(code) => Some(code.clone()),
                    other => Some(other.to_string()),
                })
                .collect();
            tracing::info!(status, codes = %codes.join(","), "answered with errors");
        }
        with_request_id(&mut response, self.request_id);
        let mut body = serialize(&response, request_error);
        if body.len() > self.limits.max_response_bytes {
            let error = AppError::LimitExceeded(format!(
                "the response would be {} bytes, more than the limit of {}: ask for fewer rows",
                body.len(),
                self.limits.max_response_bytes
            ));
            body = serialize(&single_error(&error), true);
        }
        let etag = (self.method == Method::Get && status == 200).then(|| weak_etag(&response));
        let not_modified = etag.as_ref().is_some_and(|etag| {
            self.headers
                .get_all(header::IF_NONE_MATCH)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
        let mut http = if not_modified {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            (
                StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                [(header::CONTENT_TYPE, self.media_type.as_str())],
                body,
            )
                .into_response()
        };
        let headers = http.headers_mut();
        if let Some(etag) = etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
            headers.insert(header::ETAG, etag);
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-cache"),
            );
            headers.insert(
                header::VARY,
                HeaderValue::from_static("accept, x-api-key, authorization"),
            );
        } else {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        if let Some(seconds) = retry_after.and_then(|s| HeaderValue::from_str(&s).ok()) {
            headers.insert(header::RETRY_AFTER, seconds);
        }
        http
    }

    /// An answer with just `error`, at its HTTP status.
    pub fn error(&self, error: &AppError) -> HttpResponse {
        let status = error.http_status();
        self.send(single_error(error), (status != 200).then_some(status))
    }
}

/// `error` as an `application/json` answer with `status`, outside any GraphQL request (an
/// unknown path, a method the path does not take).
pub fn bare_error(status: StatusCode, error: &AppError, request_id: Option<&str>) -> HttpResponse {
    let mut response = single_error(error);
    with_request_id(&mut response, request_id);
    let body = serialize(&response, true);
    (
        status,
        [(header::CONTENT_TYPE, MediaType::Json.as_str())],
        body,
    )
        .into_response()
}

/// Puts the request's id in `extensions.requestId` of every error.
fn with_request_id(response: &mut Response, request_id: Option<&str>) {
    let Some(id) = request_id else { return };
    for error in &mut response.errors {
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("requestId", id);
    }
}

fn serialize(response: &Response, request_error: bool) -> Vec<u8> {
    let body = Body {
        errors: &response.errors,
        data: (!request_error).then_some(&response.data),
        extensions: &response.extensions,
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

/// A weak validator of the response's data and errors: what the client caches. Its
/// extensions (the cost budget left, timings) change with every request and are left out.
fn weak_etag(response: &Response) -> String {
    let content = serde_json::to_vec(&(&response.data, &response.errors)).unwrap_or_default();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    content.hash(&mut hasher);
    format!("W/\"{:016x}{:08x}\"", hasher.finish(), content.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &'static str) -> Result<MediaType, AppError> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(value));
        MediaType::negotiate(&headers)
    }

    #[test]
    fn accept_picks_the_preferred_media_type() {
        assert_eq!(
            MediaType::negotiate(&HeaderMap::new()).ok(),
            Some(MediaType::Json)
        );
        assert_eq!(accept("application/json").ok(), Some(MediaType::Json));
        assert_eq!(accept("*/*").ok(), Some(MediaType::Json));
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9").ok(),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json").ok(),
            Some(MediaType::Json)
        );
        assert_eq!(
            accept("application/json, application/graphql-response+json").ok(),
            Some(MediaType::GraphqlResponse)
        );
        assert!(accept("text/plain").is_err());
        assert!(accept("application/json;q=0").is_err());
    }
}
