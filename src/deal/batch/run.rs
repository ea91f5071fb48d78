//! Running the items of a batch in one transaction, each in a savepoint of its own: an item
//! that fails leaves nothing behind and the next one goes on. ALL_OR_NOTHING then rolls the
//! whole batch back when any item failed; PER_ITEM keeps what succeeded. Either way every
//! item gets its result, and a database failure fails the whole request.

use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::idempotency::Created;
use entity::deal;
use futures_util::future::BoxFuture;
use sea_orm::{DatabaseTransaction, TransactionTrait};
use serde_json::{Value as Json, json};

/// Most items one batch may hold.
pub const MAX_ITEMS: usize = 100;

/// How a batch treats an item that fails.
#[derive(async_graphql::Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BatchMode {
    /// Nothing is written unless every item succeeds (the default).
    #[default]
    AllOrNothing,
    /// Every item that succeeds is written, whatever the others do.
    PerItem,
}

/// What became of each item, in the order given.
pub struct BatchOutcome {
    /// Each item's deal or error.
    pub items: Vec<Result<deal::Model, AppError>>,
    /// Whether the batch was written (PER_ITEM always; ALL_OR_NOTHING when every item
    /// succeeded).
    pub written: bool,
}

impl Created for BatchOutcome {
    fn result(&self) -> Json {
        let items: Vec<Json> = self
            .items
            .iter()
            .map(|item| match item {
                Ok(deal) => json!({ "id": deal.id.to_string() }),
                Err(err) => json!({ "error": {
                    "code": err.code(),
                    "message": err.message(),
                    "field": field_of(err),
                } }),
            })
            .collect();
        json!({ "items": items })
    }

    fn keep(&self) -> bool {
        self.written
    }
}

/// The input field an error names, if any.
pub fn field_of(err: &AppError) -> Option<String> {
    match err {
        AppError::BadUserInput { field, .. } => field.clone(),
        _ => None,
    }
}

/// `err` with the input field it names moved under item `index` (`input.title` becomes
/// `input.items.3.title`): the services name the fields of a single write.
fn under_item(err: AppError, index: usize) -> AppError {
    match err {
        AppError::BadUserInput {
            message,
            field: Some(field),
        } => {
            let rest = field.strip_prefix("input").unwrap_or(&field);
            let field = if field.starts_with(&format!("input.items.{index}")) {
                field.clone()
            } else {
                format!("input.items.{index}{rest}")
            };
            AppError::BadUserInput {
                message,
                field: Some(field),
            }
        }
        other => other,
    }
}

/// Whether an error is the database's (or a bug): it fails the whole batch.
fn is_fatal(err: &AppError) -> bool {
    matches!(err, AppError::Internal(_) | AppError::Unavailable(_))
}

/// Writes `items` with `write` in `txn` (see the module docs). Items whose input was already
/// refused are `Err` in `items` and are not run.
pub async fn run<I: Send>(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    mode: BatchMode,
    items: Vec<AppResult<I>>,
    write: impl for<'c> Fn(
        &'c DatabaseTransaction,
        &'c Viewer,
        I,
    ) -> BoxFuture<'c, AppResult<deal::Model>>
    + Send
    + Sync,
) -> AppResult<BatchOutcome> {
    let mut results = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let item = match item {
            Ok(item) => item,
            Err(err) => {
                results.push(Err(under_item(err, index)));
                continue;
            }
        };
        let savepoint = txn.begin().await?;
        match write(&savepoint, viewer, item).await {
            Ok(deal) => {
                savepoint.commit().await?;
                results.push(Ok(deal));
            }
            Err(err) if is_fatal(&err) => return Err(err),
            Err(err) => {
                savepoint.rollback().await?;
                results.push(Err(under_item(err, index)));
            }
        }
    }
    let failed = results.iter().any(Result::is_err);
    if mode == BatchMode::AllOrNothing && failed {
        let results = results
            .into_iter()
            .map(|result| match result {
                Ok(_) => Err(AppError::RolledBack(
                    "not written: another item of this ALL_OR_NOTHING batch failed".into(),
                )),
                Err(err) => Err(err),
            })
            .collect();
        return Ok(BatchOutcome {
            items: results,
            written: false,
        });
    }
    Ok(BatchOutcome {
        items: results,
        written: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_errors_name_the_items_fields() {
        let err = under_item(AppError::bad_input("input.stageId", "no such stage"), 3);
        assert_eq!(field_of(&err).as_deref(), Some("input.items.3.stageId"));
        let err = under_item(AppError::bad_input("input.items.3.title", "blank"), 3);
        assert_eq!(field_of(&err).as_deref(), Some("input.items.3.title"));
        let err = under_item(AppError::NotFound("deal".into()), 1);
        assert_eq!(err.code(), "NOT_FOUND");
    }
}
