//! GraphiQL, served entirely by this binary: the page at `/graphiql` (and `GET /graphql` for
//! a browser) and its pinned assets at `/graphiql/assets/…`, so it works without internet.
//! The vendored files, their origin and how to update them: `graphiql/vendor/README.md`.
//!
//! The page's Content-Security-Policy lets it load nothing from elsewhere; assets carry their
//! version in their name and are cached for a year.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The page: GraphiQL with the header editor open and an `X-API-KEY` placeholder.
const PAGE: &str = include_str!("graphiql/index.html");

/// What the page may load: only this origin (styles and fonts inline in GraphiQL's CSS).
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/// The assets by file name, with their media type.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "graphiql-4.1.2.min.js",
        "text/javascript",
        include_bytes!("graphiql/vendor/graphiql-4.1.2.min.js"),
    ),
    (
        "graphiql-4.1.2.min.css",
        "text/css",
        include_bytes!("graphiql/vendor/graphiql-4.1.2.min.css"),
    ),
    (
        "react-18.3.1.production.min.js",
        "text/javascript",
        include_bytes!("graphiql/vendor/react-18.3.1.production.min.js"),
    ),
    (
        "react-dom-18.3.1.production.min.js",
        "text/javascript",
        include_bytes!("graphiql/vendor/react-dom-18.3.1.production.min.js"),
    ),
    (
        "dealgate-graphiql.js",
        "text/javascript",
        include_bytes!("graphiql/dealgate-graphiql.js"),
    ),
];

/// `GET /graphiql`: the GraphiQL page.
pub fn page() -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        PAGE,
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    response
}

/// `GET /graphiql`, as a handler.
pub async fn page_handler() -> Response {
    page()
}

/// `GET /graphiql/assets/{file}`: one vendored asset, cached for a year (names are
/// versioned, except the page's own script, which is revalidated).
pub async fn asset(Path(file): Path<String>) -> Response {
    let Some((_, media_type, bytes)) = ASSETS.iter().find(|(name, ..)| *name == file) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let cache = if file.starts_with("dealgate-") {
        "no-cache"
    } else {
        "public, max-age=31536000, immutable"
    };
    (
        [
            (header::CONTENT_TYPE, *media_type),
            (header::CACHE_CONTROL, cache),
        ],
        *bytes,
    )
        .into_response()
}
