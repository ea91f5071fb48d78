//! The GraphQL endpoints: POST and GET `/graphql`, GraphiQL, and graphql-ws on `/graphql/ws`.
//!
//! Each request is authenticated from its API key before the schema runs; a missing or bad
//! key is answered with HTTP 401 and an UNAUTHENTICATED error.

use super::AppState;
use crate::auth::{self, Viewer};
use crate::error::AppError;
use crate::graphql::errors::{single_error, with_codes};
use crate::graphql::{prepare_request, prepare_stream_request};
use async_graphql::Executor;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Answers one GraphQL request after authenticating it.
async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    request: async_graphql::Request,
) -> Response {
    let key = auth::api_key_from_headers(headers);
    let viewer = match auth::authenticate(&state.db, key).await {
        Ok(viewer) => viewer,
        Err(err) => return error_response(StatusCode::UNAUTHORIZED, &err),
    };
    let response = match prepare_request(&state.db, viewer, request, state.config.sql_metrics) {
        Ok(prepared) => prepared.run(&state.schema).await,
        Err(err) => single_error(&err),
    };
    GraphQLResponse::from(response).into_response()
}

fn error_response(status: StatusCode, error: &AppError) -> Response {
    let mut response = GraphQLResponse::from(single_error(error)).into_response();
    *response.status_mut() = status;
    response
}

/// `POST /graphql`.
pub async fn post_graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    execute(&state, &headers, request.into_inner()).await
}

/// `GET /graphql`: GraphiQL for a browser, otherwise a query in the URL. Mutations are not
/// allowed over GET (they must not be triggered by following a link).
pub async fn get_graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let Some(request) = request.ok().filter(|_| !wants_html) else {
        return graphiql().await.into_response();
    };
    let mut request = request.into_inner();
    if auth::operation_type(&mut request)
        == Some(async_graphql::parser::types::OperationType::Mutation)
    {
        let err = AppError::BadUserInput {
            message: "mutations must be sent with POST".into(),
            field: None,
        };
        return error_response(StatusCode::METHOD_NOT_ALLOWED, &err);
    }
    execute(&state, &headers, request).await
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

/// `GET /graphql/ws`: graphql-ws. The key goes in the `connection_init` payload, as
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
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            GraphQLWebSocket::new(stream, executor, protocol)
                .on_connection_init(move |payload| async move {
                    let headers = headers_from_init_payload(&payload);
                    let viewer =
                        auth::authenticate(&state.db, auth::api_key_from_headers(&headers))
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

/// The schema behind one websocket connection, run as the connection's authenticated caller.
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
        let prepared = self
            .viewer()
            .and_then(|viewer| prepare_request(&self.state.db, viewer, request, false));
        match prepared {
            Ok(prepared) => prepared.run(&self.state.schema).await,
            Err(err) => single_error(&err),
        }
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session_data: Option<std::sync::Arc<async_graphql::Data>>,
    ) -> futures_util::stream::BoxStream<'static, async_graphql::Response> {
        use futures_util::StreamExt;
        let prepared = self
            .viewer()
            .and_then(|viewer| prepare_stream_request(&self.state.db, viewer, request));
        match prepared {
            Ok(request) => self
                .state
                .schema
                .execute_stream_with_session_data(request, session_data.unwrap_or_default())
                .map(with_codes)
                .boxed(),
            Err(err) => futures_util::stream::once(async move { single_error(&err) }).boxed(),
        }
    }
}
