//! Tokens of the event log: where a `dealChanges` call or a `dealEvents` subscription resumes.
//! A token is a list-engine cursor over the organisation's event sequence, so the feed pages
//! by it and a subscription replays from it.

use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{Cursor, KeyValue, PageArgs};
use entity::deal_event;

/// The ordering name of tokens.
pub const ORDER: &str = "SEQUENCE";

/// The token that resumes after `event` (a list-engine cursor over the sequence).
pub fn token_of(event: &deal_event::Model) -> String {
    Cursor {
        order: ORDER.to_owned(),
        keys: vec![KeyValue::Int(event.sequence)],
        id: event.id,
    }
    .encode()
}

/// The sequence number a token resumes after, read as the argument `field`.
pub fn sequence_of(token: &str, field: &str) -> AppResult<i64> {
    let args = PageArgs {
        first: Some(1),
        after: Some(token.to_owned()),
        last: None,
        before: None,
    };
    let cursor = args
        .page(ORDER)
        .map_err(|e| e.renamed_field("after", field))?
        .cursor;
    match cursor.as_ref().and_then(|cursor| cursor.keys.first()) {
        Some(KeyValue::Int(sequence)) => Ok(*sequence),
        _ => Err(AppError::bad_input(field, "the token is malformed")),
    }
}
