//! What the websocket sends, brought in line with the graphql-transport-ws protocol where
//! async-graphql's own messages differ:
//!
//! - a `connection_init` refused for its key closes with **4403 Forbidden** (async-graphql
//!   closes with 1002, "protocol error", which clients retry);
//! - an operation that cannot run (it does not parse or validate, a limit refused it) is one
//!   **`error`** message with the list of errors, and no `complete` after it (async-graphql
//!   sends a `next` holding the errors and then `complete`, which clients report twice).
//!
//! The legacy graphql-ws protocol is left as async-graphql speaks it.

use axum::extract::ws::{CloseFrame, Message};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Rewrites one connection's outgoing messages (see the module docs).
pub struct Outgoing {
    /// Set when the connection's key was refused.
    refused: Arc<AtomicBool>,
    /// Whether the connection speaks graphql-transport-ws.
    transport_ws: bool,
    /// Operations answered with `error`, whose `complete` is dropped.
    failed: HashSet<String>,
}

impl Outgoing {
    /// The rewriter of a connection; `refused` is set by its `connection_init` handler.
    pub fn new(refused: Arc<AtomicBool>, transport_ws: bool) -> Self {
        Self {
            refused,
            transport_ws,
            failed: HashSet::new(),
        }
    }

    /// What goes out instead of `message`: itself, a rewritten message, or nothing.
    pub fn rewrite(&mut self, message: Message) -> Option<Message> {
        if !self.transport_ws {
            return Some(message);
        }
        match message {
            Message::Close(Some(frame))
                if frame.code == 1002 && self.refused.load(Ordering::Acquire) =>
            {
                Some(Message::Close(Some(CloseFrame {
                    code: 4403,
                    reason: "Forbidden".into(),
                })))
            }
            Message::Text(text) => self.rewrite_text(text.as_str()).map(Message::from),
            other => Some(other),
        }
    }

    fn rewrite_text(&mut self, text: &str) -> Option<String> {
        let Ok(Value::Object(message)) = serde_json::from_str::<Value>(text) else {
            return Some(text.to_owned());
        };
        let id = message.get("id").and_then(Value::as_str).unwrap_or("");
        match message.get("type").and_then(Value::as_str) {
            Some("next") if is_request_error(&message["payload"]) => {
                self.failed.insert(id.to_owned());
                let errors = message["payload"]["errors"].clone();
                Some(json!({ "id": id, "type": "error", "payload": errors }).to_string())
            }
            Some("complete") if self.failed.remove(id) => None,
            _ => Some(text.to_owned()),
        }
    }
}

/// A response of an operation that never ran: no data, errors outside any field.
fn is_request_error(payload: &Value) -> bool {
    let data_missing = payload.get("data").is_none_or(Value::is_null);
    let errors = payload.get("errors").and_then(Value::as_array);
    data_missing
        && errors.is_some_and(|errors| {
            !errors.is_empty()
                && errors.iter().all(|e| {
                    e.get("path")
                        .is_none_or(|p| p.as_array().is_none_or(Vec::is_empty))
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(message: &Option<Message>) -> Value {
        match message {
            Some(Message::Text(text)) => serde_json::from_str(text.as_str()).unwrap_or_default(),
            _ => Value::Null,
        }
    }

    #[test]
    fn request_errors_become_one_error_message_without_complete() {
        let mut outgoing = Outgoing::new(Arc::new(AtomicBool::new(false)), true);
        let next = json!({ "id": "1", "type": "next", "payload": {
            "data": null, "errors": [{ "message": "unknown field" }] } });
        let sent = outgoing.rewrite(Message::from(next.to_string()));
        assert_eq!(
            text(&sent),
            json!({ "id": "1", "type": "error", "payload": [{ "message": "unknown field" }] })
        );
        let complete = json!({ "id": "1", "type": "complete" }).to_string();
        assert!(outgoing.rewrite(Message::from(complete.clone())).is_none());
        // A field error keeps its data: next, then complete.
        let partial = json!({ "id": "2", "type": "next", "payload": {
            "data": { "node": null }, "errors": [{ "message": "x", "path": ["node"] }] } });
        assert_eq!(
            text(&outgoing.rewrite(Message::from(partial.to_string()))),
            partial
        );
        let complete = json!({ "id": "2", "type": "complete" }).to_string();
        assert!(outgoing.rewrite(Message::from(complete)).is_some());
    }

    #[test]
    fn a_refused_key_closes_with_4403_and_the_legacy_protocol_is_untouched() {
        let refused = Arc::new(AtomicBool::new(true));
        let close = || {
            Message::Close(Some(CloseFrame {
                code: 1002,
                reason: "bad key".into(),
            }))
        };
        let mut transport_ws = Outgoing::new(refused.clone(), true);
        assert!(matches!(
            transport_ws.rewrite(close()),
            Some(Message::Close(Some(CloseFrame { code: 4403, .. })))
        ));
        let mut legacy = Outgoing::new(refused, false);
        assert!(matches!(
            legacy.rewrite(close()),
            Some(Message::Close(Some(CloseFrame { code: 1002, .. })))
        ));
    }
}
