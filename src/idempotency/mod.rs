//! Idempotent creates, as Stripe has them: a create mutation sent with an idempotency key —
//! its input's `idempotencyKey`, or the request's `Idempotency-Key` header — creates once; a
//! retry with the same key within 24 hours gets the first result instead of creating again,
//! also when it runs at the same time as the first (it waits for it). The same key with
//! another input (or on another mutation) is BAD_USER_INPUT. Keys belong to the
//! organisation; a failed create keeps nothing, so its retry runs anew.
//!
//! [`IdempotencyKey::of`] reads the key of one mutation field; [`create_once`] runs the
//! create in a transaction that also holds the key ([`store`]).

mod store;

pub use store::{prune, run};

use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use async_graphql::Context;
use futures_util::future::BoxFuture;
use sea_orm::DatabaseTransaction;
use serde_json::Value as Json;

/// How long a key is remembered.
pub const KEEP_HOURS: i64 = 24;
/// Longest key a client may send.
pub const MAX_KEY: usize = 200;

/// The request's `Idempotency-Key` header, as the HTTP layer read it.
#[derive(Clone, Debug, Default)]
pub struct IdempotencyHeader(pub Option<String>);

/// The key one create mutation field runs under, with what identifies its request.
#[derive(Clone, Debug)]
pub struct IdempotencyKey {
    /// The key as stored: the input's, or the header's followed by `#` and the field's
    /// response key (so that two creates of one request do not share it).
    key: String,
    /// The mutation field.
    operation: &'static str,
    /// SHA-256 of the field's arguments.
    fingerprint: String,
}

fn checked(key: &str, field: &str) -> AppResult<()> {
    let printable = key.chars().all(|c| c.is_ascii_graphic() || c == ' ');
    if key.is_empty() || key.len() > MAX_KEY || !printable {
        return Err(AppError::bad_input(
            field,
            format!("an idempotency key is 1–{MAX_KEY} printable ASCII characters"),
        ));
    }
    Ok(())
}

impl IdempotencyKey {
    /// The key of the mutation field `ctx` resolves (named `operation`): `input_key`, else the
    /// request's header; None without either.
    pub fn of(
        ctx: &Context<'_>,
        input_key: Option<&str>,
        operation: &'static str,
    ) -> AppResult<Option<Self>> {
        let header = ctx
            .data_opt::<IdempotencyHeader>()
            .and_then(|h| h.0.as_deref());
        let key = match (input_key, header) {
            (Some(key), _) => {
                checked(key, "input.idempotencyKey")?;
                key.to_owned()
            }
            (None, Some(key)) => {
                checked(key, "Idempotency-Key")?;
                format!(
                    "{key}#{}",
                    ctx.field().alias().unwrap_or(ctx.field().name())
                )
            }
            (None, None) => return Ok(None),
        };
        let arguments = ctx
            .field()
            .arguments()
            .map_err(|_| AppError::internal("arguments of a mutation field"))?;
        let arguments = serde_json::to_string(&arguments).unwrap_or_default();
        Ok(Some(Self {
            key,
            operation,
            fingerprint: crate::digest::hex_sha256(&format!("{operation}\n{arguments}")),
        }))
    }
}

/// What a create mutation gives back: what it made, or — for a retry — what the first
/// request made, as [`Created::result`] recorded it.
pub enum Outcome<T> {
    /// Made now.
    Fresh(T),
    /// Made by the first request with the key (its recorded result).
    Replayed(Json),
}

/// What a create records for a retry to find: the ids of what it made (and, for a batch,
/// each item's error).
pub trait Created {
    /// The record.
    fn result(&self) -> Json;

    /// Whether what was made is kept: false rolls the transaction back (a failed
    /// ALL_OR_NOTHING batch), and the key with it.
    fn keep(&self) -> bool {
        true
    }
}

/// Runs `create` in a write transaction; with `key`, the key is claimed in the same
/// transaction and its result recorded there, or the first result comes back instead.
pub async fn create_once<T: Created + Send>(
    ctx: &Context<'_>,
    key: Option<IdempotencyKey>,
    create: impl for<'c> FnOnce(&'c DatabaseTransaction, Viewer) -> BoxFuture<'c, AppResult<T>> + Send,
) -> AppResult<Outcome<T>> {
    let db = ctx.db()?;
    let viewer = ctx.viewer()?.clone();
    let organization_id = viewer.organization_id;
    let txn = crate::db::begin_write(db).await?;
    if let Some(key) = &key
        && let Some(first) = store::claim(&txn, organization_id, key).await?
    {
        txn.rollback().await?;
        return Ok(Outcome::Replayed(first));
    }
    let created = create(&txn, viewer).await?;
    if !created.keep() {
        txn.rollback().await?;
        return Ok(Outcome::Fresh(created));
    }
    if let Some(key) = &key {
        store::complete(&txn, organization_id, key, created.result()).await?;
    }
    txn.commit().await?;
    Ok(Outcome::Fresh(created))
}

/// [`create_once`] for a create mutation field named `operation` whose input carries
/// `input_key`: what `create` makes, or on a retry what `replay` finds by the id the first
/// request recorded.
pub async fn once<T, F>(
    ctx: &Context<'_>,
    input_key: Option<&str>,
    operation: &'static str,
    create: impl for<'c> FnOnce(&'c DatabaseTransaction, Viewer) -> BoxFuture<'c, AppResult<T>> + Send,
    replay: impl FnOnce(sea_orm::prelude::Uuid) -> F,
) -> AppResult<T>
where
    T: Created + Send,
    F: std::future::Future<Output = AppResult<T>>,
{
    let key = IdempotencyKey::of(ctx, input_key, operation)?;
    match create_once(ctx, key, create).await? {
        Outcome::Fresh(made) => Ok(made),
        Outcome::Replayed(record) => replay(replayed_id(&record)?).await,
    }
}

/// The ids a [`Created::result`] of one object recorded.
pub fn replayed_id(result: &Json) -> AppResult<sea_orm::prelude::Uuid> {
    result
        .get("id")
        .and_then(Json::as_str)
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| AppError::internal("an idempotency record without an id"))
}

/// The record of one created object.
pub fn id_result(id: sea_orm::prelude::Uuid) -> Json {
    serde_json::json!({ "id": id.to_string() })
}

/// Creates that make one row record its id.
macro_rules! created_by_id {
    ($($model:path),+ $(,)?) => {
        $(impl Created for $model {
            fn result(&self) -> Json {
                id_result(self.id)
            }
        })+
    };
}

created_by_id!(
    entity::deal::Model,
    entity::task::Model,
    entity::pipeline::Model,
    entity::stage::Model,
    entity::company::Model,
    entity::contact::Model,
    entity::user::Model,
    entity::sale::Model,
    entity::activity::Model,
    entity::deal_product::Model,
);

/// A create that makes a row of a deal (a product line, an activity) records the row's id;
/// the deal is read again on a retry.
impl<M: Created> Created for (M, entity::deal::Model) {
    fn result(&self) -> Json {
        self.0.result()
    }
}
