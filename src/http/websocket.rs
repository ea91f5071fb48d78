//! `GET /graphql/ws`: GraphQL over a websocket, graphql-transport-ws or the legacy graphql-ws.
//!
//! The key goes in the `connection_init` payload (`{"X-API-KEY": "…"}`, `{"apiKey": "…"}` or
//! `{"Authorization": "Bearer …"}`); every operation then runs as that caller through the same
//! gate, deadline and error codes as HTTP. Queries and mutations are answered once;
//! subscriptions stream until the client completes them. A message larger than the body
//! limit closes the connection. What goes out is brought in line with graphql-transport-ws
//! ([`super::ws_outgoing`]). The connection is closed by the server:
//!
//! - **4403 Forbidden** when the `connection_init` key is refused, and when the key is revoked
//!   (or its user deactivated) while the connection is open: the key is checked again every
//!   [`KEY_CHECK_INTERVAL`] through the auth cache, so this happens within the cache's
//!   time-to-live plus that interval (at once on the process that revoked it);
//! - **4008 "slow consumer"** when the client has not taken a message within
//!   `--ws-send-timeout-ms` (10 s by default): the server keeps no queue for it that could
//!   grow, and a subscription that falls behind reads the event log, not memory.
//!
//! Subscriptions are bounded per connection and per key ([`SubscriptionLimits`]); one past a
//! bound is refused with LIMIT_EXCEEDED.

use super::AppState;
use super::ws_outgoing::Outgoing;
use crate::auth::{self, Viewer};
use crate::error::AppError;
use crate::graphql::errors::single_error;
use crate::graphql::{prepare_request, refused};
use crate::limits::Transport;
use crate::limits::subscriptions::ConnectionSubscriptions;
use async_graphql::Executor;
use async_graphql::http::{WebSocket as GraphQLSession, WebSocketProtocols, WsMessage};
use async_graphql_axum::GraphQLProtocol;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use futures_util::stream::BoxStream;
use futures_util::{SinkExt, StreamExt};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How often an open connection's key is checked again.
pub const KEY_CHECK_INTERVAL: Duration = Duration::from_secs(1);
/// What a connection's read and write buffers start at.
pub const WS_BUFFER_BYTES: usize = 8 * 1024;
/// The close code of a connection whose client does not read.
pub const SLOW_CONSUMER: u16 = 4008;

/// The caller of a connection, once `connection_init` authenticated it, with its key (kept to
/// check it again; never logged).
struct Caller {
    viewer: Viewer,
    key: String,
}

/// Upgrades to the websocket and serves it.
pub async fn websocket(
    State(state): State<AppState>,
    _protocol: GraphQLProtocol,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let transport_ws = speaks_graphql_transport_ws(&headers);
    // A websocket message carries one request: it gets the body limit too.
    let max_message = state.gate.limits.max_body_bytes;
    upgrade
        .max_message_size(max_message)
        .max_frame_size(max_message)
        // Buffers start small and grow with the messages (the defaults reserve 128 KiB each
        // way per connection: most of a live board's memory).
        .read_buffer_size(WS_BUFFER_BYTES)
        .write_buffer_size(WS_BUFFER_BYTES)
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve(state, socket, transport_ws))
}

/// Serves one connection until either side ends it (see the module docs).
async fn serve(state: AppState, socket: WebSocket, transport_ws: bool) {
    let caller = Arc::new(OnceLock::<Caller>::new());
    let executor = AuthenticatedExecutor {
        state: state.clone(),
        caller: caller.clone(),
        subscriptions: ConnectionSubscriptions::default(),
    };
    let refused = Arc::new(AtomicBool::new(false));
    let mut outgoing = Outgoing::new(refused.clone(), transport_ws);
    let (mut sink, incoming) = socket.split();
    let incoming = incoming
        .take_while(|message| std::future::ready(message.is_ok()))
        .filter_map(|message| {
            std::future::ready(match message {
                Ok(message @ (Message::Text(_) | Message::Binary(_))) => Some(message.into_data()),
                _ => None,
            })
        });
    let protocol = if transport_ws {
        WebSocketProtocols::GraphQLWS
    } else {
        WebSocketProtocols::SubscriptionsTransportWS
    };
    let init_state = state.clone();
    let checked = caller.clone();
    let mut session = GraphQLSession::new(executor, incoming, protocol).on_connection_init(
        move |payload| async move {
            let headers = headers_from_init_payload(&payload);
            let key = auth::api_key_from_headers(&headers).unwrap_or_default();
            let authenticated =
                auth::authenticate(&init_state.db, &init_state.viewers, Some(key)).await;
            let viewer = authenticated.map_err(|err| {
                refused.store(true, Ordering::Release);
                async_graphql::Error::from(err)
            })?;
            // A connection is initialised once; the slot is fresh for it.
            let _ = caller.set(Caller {
                viewer,
                key: key.to_owned(),
            });
            Ok(async_graphql::Data::default())
        },
    );
    let send_timeout = Duration::from_millis(state.config.ws_send_timeout_ms);
    let mut key_check = tokio::time::interval(KEY_CHECK_INTERVAL);
    loop {
        let message = tokio::select! {
            message = session.next() => match message {
                Some(message) => to_axum(message),
                None => break,
            },
            _ = key_check.tick() => match still_authorized(&state, &checked).await {
                Ok(()) => continue,
                Err(close) => close,
            },
        };
        let closing = matches!(message, Message::Close(_));
        let Some(message) = outgoing.rewrite(message) else {
            continue;
        };
        match tokio::time::timeout(send_timeout, sink.send(message)).await {
            Ok(Ok(())) if !closing => {}
            Ok(_) => break,
            Err(_) => {
                tracing::warn!("websocket client did not read for {send_timeout:?}: disconnected");
                let close = close(
                    SLOW_CONSUMER,
                    "slow consumer: messages were not read in time",
                );
                let _ = tokio::time::timeout(Duration::from_secs(1), sink.send(close)).await;
                break;
            }
        }
    }
}

/// Ok while the connection's key (if it has one yet) still authenticates; otherwise the close
/// frame that ends the connection. An unreachable database keeps the connection.
async fn still_authorized(state: &AppState, caller: &OnceLock<Caller>) -> Result<(), Message> {
    let Some(caller) = caller.get() else {
        return Ok(());
    };
    match auth::authenticate(&state.db, &state.viewers, Some(&caller.key)).await {
        Ok(_) | Err(AppError::Unavailable(_)) => Ok(()),
        Err(_) => Err(close(4403, "Forbidden: the API key is no longer valid")),
    }
}

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

fn to_axum(message: WsMessage) -> Message {
    match message {
        WsMessage::Text(text) => Message::Text(text.into()),
        WsMessage::Close(code, reason) => close(code, &reason),
    }
}

/// Whether the subprotocol chosen (as [`GraphQLProtocol`] chooses it: the first one offered
/// that is known) is graphql-transport-ws rather than the legacy graphql-ws.
fn speaks_graphql_transport_ws(headers: &HeaderMap) -> bool {
    headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|offered| {
            offered.split(',').map(str::trim).find_map(|p| {
                if p.eq_ignore_ascii_case("graphql-transport-ws") {
                    Some(true)
                } else if p.eq_ignore_ascii_case("graphql-ws") {
                    Some(false)
                } else {
                    None
                }
            })
        })
        .unwrap_or(false)
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
    caller: Arc<OnceLock<Caller>>,
    subscriptions: ConnectionSubscriptions,
}

impl AuthenticatedExecutor {
    fn viewer(&self) -> Result<Viewer, AppError> {
        self.caller
            .get()
            .map(|caller| caller.viewer.clone())
            .ok_or_else(|| {
                AppError::Unauthenticated("send an API key in the connection_init payload".into())
            })
    }

    fn prepare(
        &self,
        request: async_graphql::Request,
    ) -> Result<crate::graphql::PreparedRequest, Box<async_graphql::Response>> {
        let viewer = self.viewer().map_err(|err| Box::new(single_error(&err)))?;
        let state = &self.state;
        let request = request
            .data(state.viewers.clone())
            .data(state.on_mutation.clone())
            .data(state.events.clone());
        prepare_request(
            &state.reads,
            &state.gate,
            viewer,
            request,
            Transport::WebSocket,
            false,
        )
        .map_err(|refusal| Box::new(refused(&refusal)))
    }
}

impl Executor for AuthenticatedExecutor {
    async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        match self.prepare(request) {
            Ok(prepared) => prepared.run(&self.state.schemas).await,
            Err(response) => *response,
        }
    }

    /// A subscription streams one response per event while it holds a slot of the
    /// connection's and the key's bounds; any other operation is answered once.
    fn execute_stream(
        &self,
        request: async_graphql::Request,
        _session_data: Option<Arc<async_graphql::Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        let once = |response| futures_util::stream::once(std::future::ready(response)).boxed();
        let prepared = match self.prepare(request) {
            Ok(prepared) => prepared,
            Err(response) => return once(*response),
        };
        if !prepared.is_subscription() {
            let schemas = self.state.schemas.clone();
            return futures_util::stream::once(async move { prepared.run(&schemas).await }).boxed();
        }
        let viewer = match self.viewer() {
            Ok(viewer) => viewer,
            Err(err) => return once(single_error(&err)),
        };
        let limits = &self.state.subscriptions;
        let slot = match limits.take(&self.subscriptions, viewer.api_key_id) {
            Ok(slot) => slot,
            Err(err) => return once(single_error(&err)),
        };
        let loaders = self.state.events.loaders(viewer.organization_id);
        prepared
            .stream(&self.state.schemas, loaders)
            .map(move |response| {
                let _held = &slot;
                response
            })
            .boxed()
    }
}
