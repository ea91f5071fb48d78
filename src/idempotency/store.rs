//! The `idempotency_key` table: claiming a key in the transaction of a create, recording
//! what the create made, and forgetting keys after [`super::KEEP_HOURS`].

use super::{IdempotencyKey, KEEP_HOURS};
use crate::clock;
use crate::error::{AppError, AppResult};
use chrono::TimeDelta;
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};
use serde_json::Value as Json;

const TABLE: &str = "idempotency_key";

fn cutoff() -> chrono::DateTime<chrono::Utc> {
    clock::now() - TimeDelta::hours(KEEP_HOURS)
}

/// Claims `key` for the create running in `txn`: None when it is this create's to make (a
/// new key, or one older than [`KEEP_HOURS`]); the first create's result when the key was
/// used already. A create holding the key in another transaction is waited for (on
/// PostgreSQL by the unique index, on SQLite by the write lock). BAD_USER_INPUT when the key
/// was used with another request.
pub(super) async fn claim(
    txn: &DatabaseTransaction,
    organization_id: Uuid,
    key: &IdempotencyKey,
) -> AppResult<Option<Json>> {
    let insert = Query::insert()
        .into_table(TABLE)
        .columns([
            "organization_id",
            "key",
            "operation",
            "fingerprint",
            "result",
            "created_at",
        ])
        .values_panic([
            organization_id.into(),
            key.key.clone().into(),
            key.operation.into(),
            key.fingerprint.clone().into(),
            Option::<Json>::None.into(),
            clock::now().into(),
        ])
        .on_conflict(
            OnConflict::columns(["organization_id", "key"])
                .update_columns(["operation", "fingerprint", "result", "created_at"])
                .action_and_where(Expr::col((TABLE, "created_at")).lt(cutoff()))
                .to_owned(),
        )
        .to_owned();
    if txn.execute(&insert).await?.rows_affected() > 0 {
        return Ok(None);
    }
    let select = Query::select()
        .columns(["operation", "fingerprint", "result"])
        .from(TABLE)
        .and_where(Expr::col("organization_id").eq(organization_id))
        .and_where(Expr::col("key").eq(key.key.clone()))
        .to_owned();
    let backend = txn.get_database_backend();
    let row = txn
        .query_one_raw(crate::db::statement::build(&select, backend))
        .await?
        .ok_or_else(|| AppError::internal("an idempotency key neither new nor stored"))?;
    let operation: String = row.try_get("", "operation")?;
    let fingerprint: String = row.try_get("", "fingerprint")?;
    if operation != key.operation || fingerprint != key.fingerprint {
        return Err(AppError::bad_input(
            if key.key.contains('#') {
                "Idempotency-Key"
            } else {
                "input.idempotencyKey"
            },
            "this idempotency key was used for another request in the last 24 hours: use a new \
             key for a new request",
        ));
    }
    let result: Option<Json> = row.try_get("", "result")?;
    result.map(Some).ok_or_else(|| {
        AppError::Conflict("a request with this idempotency key is still running".into())
    })
}

/// Records what the create holding `key` made.
pub(super) async fn complete(
    txn: &DatabaseTransaction,
    organization_id: Uuid,
    key: &IdempotencyKey,
    result: Json,
) -> AppResult<()> {
    let update = Query::update()
        .table(TABLE)
        .value("result", result)
        .and_where(Expr::col("organization_id").eq(organization_id))
        .and_where(Expr::col("key").eq(key.key.clone()))
        .to_owned();
    txn.execute(&update).await?;
    Ok(())
}

/// Forgets old keys now and then every hour, for as long as the server runs.
pub async fn run(db: DatabaseConnection) {
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(3_600));
    loop {
        ticks.tick().await;
        match prune(&db).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "forgot expired idempotency keys"),
            Err(err) => tracing::warn!(code = err.code(), "forgetting idempotency keys failed"),
        }
    }
}

/// Forgets the keys older than [`KEEP_HOURS`]; how many went.
pub async fn prune(db: &DatabaseConnection) -> AppResult<u64> {
    let delete = Query::delete()
        .from_table(TABLE)
        .and_where(Expr::col("created_at").lt(cutoff()))
        .to_owned();
    Ok(db.execute(&delete).await?.rows_affected())
}
