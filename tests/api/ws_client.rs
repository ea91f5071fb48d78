//! A graphql-transport-ws (or legacy graphql-ws) client for the tests: connect with a
//! `connection_init` payload, send operations, read messages.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The upgrade request to `/graphql/ws` of the server at `address` (`http://host:port`)
/// offering `protocol`.
fn upgrade_request(address: &str, protocol: &str) -> Request {
    let url = format!("{}/graphql/ws", address.replace("http://", "ws://"));
    let mut request = url.into_client_request().expect("request");
    request
        .headers_mut()
        .insert("sec-websocket-protocol", protocol.parse().expect("header"));
    request
}

/// Sends `connection_init` with `init`.
async fn initialise(socket: &mut Socket, init: Value) {
    let init = json!({ "type": "connection_init", "payload": init });
    socket
        .send(Message::text(init.to_string()))
        .await
        .expect("send init");
}

/// Opens `/graphql/ws` of the server at `address` speaking `protocol` and sends
/// `connection_init` with `init`.
pub async fn connect_to(address: &str, protocol: &str, init: Value) -> Socket {
    let (mut socket, _) = tokio_tungstenite::connect_async(upgrade_request(address, protocol))
        .await
        .expect("connect");
    initialise(&mut socket, init).await;
    socket
}

/// What the server sent next: a JSON message, or how it closed.
#[derive(Debug)]
pub enum Received {
    Json(Value),
    Closed(Option<(u16, String)>),
}

/// The next message or close, skipping pings.
pub async fn receive(socket: &mut Socket) -> Received {
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => {
                return Received::Json(serde_json::from_str(text.as_str()).expect("JSON message"));
            }
            Some(Ok(Message::Close(frame))) => {
                return Received::Closed(
                    frame.map(|f| (u16::from(f.code), f.reason.as_str().to_owned())),
                );
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Received::Closed(None),
        }
    }
}

/// The next JSON message, or None when the server closed the connection.
pub async fn next_json(socket: &mut Socket) -> Option<Value> {
    match receive(socket).await {
        Received::Json(value) => Some(value),
        Received::Closed(_) => None,
    }
}

/// The next JSON message within `wait`; None when nothing came in time or it closed.
pub async fn next_json_within(socket: &mut Socket, wait: Duration) -> Option<Value> {
    tokio::time::timeout(wait, next_json(socket))
        .await
        .ok()
        .flatten()
}

/// Sends a graphql-transport-ws `subscribe` (legacy graphql-ws: `start`) for operation `id`.
pub async fn start(socket: &mut Socket, id: &str, query: &str, variables: Value) {
    let message = json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } });
    socket
        .send(Message::text(message.to_string()))
        .await
        .expect("send");
}

/// [`connect_to`] (graphql-transport-ws) over a socket whose receive buffer is a few KiB: a
/// client that does not read fills it after a handful of messages.
pub async fn connect_small_buffer(address: &str, init: Value) -> Socket {
    let host = address.trim_start_matches("http://");
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("receive buffer");
    let stream = socket
        .connect(host.parse().expect("address"))
        .await
        .expect("connect");
    let (mut socket, _) = tokio_tungstenite::client_async(
        upgrade_request(address, "graphql-transport-ws"),
        tokio_tungstenite::MaybeTlsStream::Plain(stream),
    )
    .await
    .expect("handshake");
    initialise(&mut socket, init).await;
    socket
}
