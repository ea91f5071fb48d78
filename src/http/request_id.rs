//! Request ids: every request gets one, from its `x-request-id` header when that is a sane
//! token, a fresh UUID otherwise. The id is echoed in the response's `x-request-id`, stands in
//! every log line of the request (the request span) and in `extensions.requestId` of errors,
//! so support can match a user's failure to the server's log. A W3C `traceparent` header's
//! trace id is kept in the same span.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The header that carries the request id, both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest request id accepted from a client; a longer or odd one is replaced.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// The id of the request being served.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

impl RequestId {
    /// The request's id as the middleware left it in `headers`.
    pub fn of(headers: &HeaderMap) -> Option<&str> {
        headers.get(REQUEST_ID).and_then(|v| v.to_str().ok())
    }
}

/// A client's id is kept when it is 1–128 characters of letters, digits and `-_.:/+=`.
fn acceptable(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=".contains(&b))
}

/// The trace id of a W3C `traceparent` header (`00-<32 hex>-<16 hex>-<2 hex>`), when valid.
pub fn trace_id(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("traceparent")?.to_str().ok()?;
    let mut parts = value.split('-');
    let (version, trace, parent, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
    let valid = hex(version, 2)
        && version != "ff"
        && hex(trace, 32)
        && trace.bytes().any(|b| b != b'0')
        && hex(parent, 16)
        && hex(flags, 2);
    valid.then_some(trace)
}

/// Middleware: settles the request's id (the client's or a new one) in its `x-request-id`
/// header and extensions before anything else sees it, and echoes it on the response.
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = match RequestId::of(request.headers()) {
        Some(id) if acceptable(id) => id.to_owned(),
        _ => uuid::Uuid::new_v4().simple().to_string(),
    };
    let value = HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("-"));
    request.headers_mut().insert(REQUEST_ID, value.clone());
    request.extensions_mut().insert(RequestId(id));
    let mut response = next.run(request).await;
    response.headers_mut().insert(REQUEST_ID, value);
    response
}

/// The span every log line of a request stands in: method, path, request id and trace id.
pub fn span(request: &Request) -> tracing::Span {
    let id = request
        .extensions()
        .get::<RequestId>()
        .map_or("-", |id| id.0.as_str());
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %id,
        trace_id = trace_id(request.headers()).unwrap_or("-"),
    )
}

/// Logs the end of a request: at INFO when it failed (status 400 and up), so that support
/// finds a user's failure by its request id; at DEBUG otherwise (a line per request under
/// load would cost more than the request).
pub fn on_response(
    response: &axum::http::Response<axum::body::Body>,
    latency: std::time::Duration,
    _span: &tracing::Span,
) {
    let status = response.status().as_u16();
    let latency_ms = latency.as_secs_f64() * 1000.0;
    if status >= 400 {
        tracing::info!(status, latency_ms, "request failed");
    } else {
        tracing::debug!(status, latency_ms, "request answered");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_kept_only_when_sane() {
        assert!(acceptable("req-123_abc.def:9/x+y="));
        assert!(!acceptable(""));
        assert!(!acceptable("has space"));
        assert!(!acceptable("quote\"inside"));
        assert!(!acceptable(&"a".repeat(MAX_REQUEST_ID_LEN + 1)));
    }

    #[test]
    fn traceparent_gives_its_trace_id_when_well_formed() {
        let mut headers = HeaderMap::new();
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        headers.insert(
            "traceparent",
            HeaderValue::from_str(&format!("00-{trace}-00f067aa0ba902b7-01")).expect("header"),
        );
        assert_eq!(trace_id(&headers), Some(trace));
        for bad in [
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "garbage",
        ] {
            headers.insert("traceparent", HeaderValue::from_static(bad));
            assert_eq!(trace_id(&headers), None, "{bad}");
        }
    }
}
