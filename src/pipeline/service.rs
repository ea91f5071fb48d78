//! Pipelines and stages: create, rename, reorder, set probabilities, delete a stage.
//!
//! Stages are soft-deleted, so the stage history of deals keeps pointing at them; a stage is
//! deleted only when no deal is in it, or with every deal moved to another stage first (each
//! move written to the deal's history and its event log, in the same transaction).

use crate::auth::Viewer;
use crate::clock;
use crate::db::Db;
use crate::deal::events::{self, DealEventType};
use crate::deal::service::must_exist;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{NodeKind, global_id};
use entity::{deal, pipeline, stage, stage_change};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder};
use serde_json::Value as Json;

/// A stage to create: name and probability.
pub struct StageFields {
    /// Name.
    pub name: String,
    /// Win probability, 0–100.
    pub probability: i32,
}

async fn live_stage(db: &impl ConnectionTrait, org: Uuid, id: Uuid) -> AppResult<stage::Model> {
    must_exist::<stage::Entity>(
        db,
        org,
        id,
        "stage",
        stage::Column::OrganizationId,
        Some(stage::Column::DeletedAt),
    )
    .await
}

async fn find_pipeline(
    db: &impl ConnectionTrait,
    org: Uuid,
    id: Uuid,
) -> AppResult<pipeline::Model> {
    must_exist::<pipeline::Entity>(
        db,
        org,
        id,
        "pipeline",
        pipeline::Column::OrganizationId,
        None,
    )
    .await
}

async fn live_stages(
    db: &impl ConnectionTrait,
    org: Uuid,
    pipeline_id: Uuid,
) -> AppResult<Vec<stage::Model>> {
    Ok(stage::Entity::find()
        .filter(stage::Column::OrganizationId.eq(org))
        .filter(stage::Column::PipelineId.eq(pipeline_id))
        .filter(stage::Column::DeletedAt.is_null())
        .order_by_asc(stage::Column::Position)
        .order_by_asc(stage::Column::Id)
        .all(db)
        .await?)
}

fn new_stage(
    org: Uuid,
    pipeline_id: Uuid,
    position: i32,
    fields: StageFields,
) -> stage::ActiveModel {
    let now = clock::now();
    stage::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        pipeline_id: Set(pipeline_id),
        name: Set(fields.name),
        position: Set(position),
        probability: Set(fields.probability),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
    }
}

/// Creates a pipeline after the others, with its stages in the order given.
pub async fn create_pipeline(
    db: &impl Db,
    viewer: &Viewer,
    name: String,
    stages: Vec<StageFields>,
    stalled_after_days: Option<i32>,
) -> AppResult<pipeline::Model> {
    let org = viewer.organization_id;
    let txn = crate::db::begin_write(db).await?;
    let last = pipeline::Entity::find()
        .filter(pipeline::Column::OrganizationId.eq(org))
        .order_by_desc(pipeline::Column::Position)
        .one(&txn)
        .await?;
    let now = clock::now();
    let created = pipeline::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        name: Set(name),
        position: Set(last.map_or(0, |p| p.position + 1)),
        created_at: Set(now),
        updated_at: Set(now),
        stalled_after_days: Set(stalled_after_days),
    }
    .insert(&txn)
    .await?;
    let rows = stages
        .into_iter()
        .enumerate()
        .map(|(i, fields)| new_stage(org, created.id, i as i32, fields));
    stage::Entity::insert_many(rows)
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(created)
}

/// Changes to a pipeline: None leaves a field as it is; `Some(None)` clears a nullable one.
#[derive(Default)]
pub struct PipelineChanges {
    /// A new name.
    pub name: Option<String>,
    /// New days after which open deals without activity are stalled.
    pub stalled_after_days: Option<Option<i32>>,
}

/// Changes a pipeline's name and/or when its deals stall.
pub async fn update_pipeline(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    changes: PipelineChanges,
) -> AppResult<pipeline::Model> {
    let mut row: pipeline::ActiveModel =
        find_pipeline(db, viewer.organization_id, id).await?.into();
    if let Some(name) = changes.name {
        row.name = Set(name);
    }
    if let Some(days) = changes.stalled_after_days {
        row.stalled_after_days = Set(days);
    }
    row.updated_at = Set(clock::now());
    Ok(row.update(db).await?)
}

/// Adds a stage at the end of a pipeline.
pub async fn create_stage(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    pipeline_id: Uuid,
    fields: StageFields,
) -> AppResult<stage::Model> {
    let org = viewer.organization_id;
    find_pipeline(db, org, pipeline_id).await?;
    let position = live_stages(db, org, pipeline_id)
        .await?
        .last()
        .map_or(0, |s| s.position + 1);
    Ok(new_stage(org, pipeline_id, position, fields)
        .insert(db)
        .await?)
}

/// Renames a stage and/or sets its probability.
pub async fn update_stage(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    name: Option<String>,
    probability: Option<i32>,
) -> AppResult<stage::Model> {
    let mut row: stage::ActiveModel = live_stage(db, viewer.organization_id, id).await?.into();
    if let Some(name) = name {
        row.name = Set(name);
    }
    if let Some(probability) = probability {
        row.probability = Set(probability);
    }
    row.updated_at = Set(clock::now());
    Ok(row.update(db).await?)
}

/// Puts a pipeline's stages in the order given, which must name each of its stages once.
pub async fn reorder_stages(
    db: &impl Db,
    viewer: &Viewer,
    pipeline_id: Uuid,
    order: &[Uuid],
) -> AppResult<Vec<stage::Model>> {
    let org = viewer.organization_id;
    find_pipeline(db, org, pipeline_id).await?;
    let txn = crate::db::begin_write(db).await?;
    let current = live_stages(&txn, org, pipeline_id).await?;
    let mut given = order.to_vec();
    given.sort();
    let mut existing: Vec<Uuid> = current.iter().map(|s| s.id).collect();
    existing.sort();
    if given != existing {
        return Err(AppError::bad_input(
            "input.stageIds",
            "name every stage of the pipeline exactly once",
        ));
    }
    let now = clock::now();
    for (position, id) in order.iter().enumerate() {
        stage::Entity::update_many()
            .col_expr(stage::Column::Position, Expr::value(position as i32))
            .col_expr(stage::Column::UpdatedAt, Expr::value(now))
            .filter(stage::Column::OrganizationId.eq(org))
            .filter(stage::Column::Id.eq(*id))
            .exec(&txn)
            .await?;
    }
    let stages = live_stages(&txn, org, pipeline_id).await?;
    txn.commit().await?;
    Ok(stages)
}

/// Deletes a stage (softly). With deals in it, `move_deals_to` must name another live stage;
/// every deal is moved there, with history, in the same transaction.
pub async fn delete_stage(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    move_deals_to: Option<Uuid>,
) -> AppResult<stage::Model> {
    let org = viewer.organization_id;
    let doomed = live_stage(db, org, id).await?;
    let target = match move_deals_to {
        Some(target) if target == id => {
            return Err(AppError::bad_input(
                "input.moveDealsToStageId",
                "move the deals to another stage",
            ));
        }
        Some(target) => Some(live_stage(db, org, target).await?),
        None => None,
    };
    let txn = crate::db::begin_write(db).await?;
    let now = clock::now();
    // Marking the stage first takes the write lock; deals cannot enter it from now on.
    stage::Entity::update_many()
        .col_expr(stage::Column::DeletedAt, Expr::value(now))
        .col_expr(stage::Column::UpdatedAt, Expr::value(now))
        .filter(stage::Column::OrganizationId.eq(org))
        .filter(stage::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let deals: Vec<Uuid> = deal::Entity::find()
        .filter(deal::Column::OrganizationId.eq(org))
        .filter(deal::Column::StageId.eq(id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    if !deals.is_empty() {
        let Some(target) = target else {
            txn.rollback().await?;
            return Err(AppError::Conflict(format!(
                "the stage \"{}\" has {} deals: pass moveDealsToStageId to move them first",
                doomed.name,
                deals.len()
            )));
        };
        deal::Entity::update_many()
            .col_expr(deal::Column::StageId, Expr::value(target.id))
            .col_expr(deal::Column::PipelineId, Expr::value(target.pipeline_id))
            .col_expr(deal::Column::StageChangedAt, Expr::value(now))
            .col_expr(deal::Column::UpdatedAt, Expr::value(now))
            .col_expr(
                deal::Column::Version,
                Expr::col(deal::Column::Version).add(1),
            )
            .filter(deal::Column::OrganizationId.eq(org))
            .filter(deal::Column::StageId.eq(id))
            .exec(&txn)
            .await?;
        let history = deals.iter().map(|deal_id| stage_change::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org),
            deal_id: Set(*deal_id),
            from_stage_id: Set(Some(id)),
            to_stage_id: Set(target.id),
            changed_at: Set(now),
            changed_by_id: Set(viewer.user_id),
            note: Set(Some(format!("stage \"{}\" was deleted", doomed.name))),
        });
        stage_change::Entity::insert_many(history)
            .exec_without_returning(&txn)
            .await?;
        // Each move is an event like any other move, so boards and synced copies follow it.
        let stage_id = |stage: Uuid| Json::String(global_id(NodeKind::Stage, stage).0);
        let pipeline_id = |pipeline: Uuid| Json::String(global_id(NodeKind::Pipeline, pipeline).0);
        let mut changes = vec![events::field("stageId", stage_id(id), stage_id(target.id))];
        if doomed.pipeline_id != target.pipeline_id {
            changes.push(events::field(
                "pipelineId",
                pipeline_id(doomed.pipeline_id),
                pipeline_id(target.pipeline_id),
            ));
        }
        changes.push(events::field(
            "note",
            Json::Null,
            Json::String(format!("stage \"{}\" was deleted", doomed.name)),
        ));
        events::record_each(&txn, viewer, &deals, DealEventType::Moved, changes).await?;
    }
    let deleted = live_or_deleted(&txn, org, id).await?;
    txn.commit().await?;
    Ok(deleted)
}

async fn live_or_deleted(
    db: &impl ConnectionTrait,
    org: Uuid,
    id: Uuid,
) -> AppResult<stage::Model> {
    must_exist::<stage::Entity>(db, org, id, "stage", stage::Column::OrganizationId, None).await
}
