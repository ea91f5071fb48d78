//! What happens around a deal: followers (Pipedrive), activities and tasks (Rex).

use crate::auth::Viewer;
use crate::clock;
use crate::db::Db;
use crate::deal::events::{self, DealEventType};
use crate::deal::service::find;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{NodeKind, global_id};
use entity::enums::{ActivityStatus, ActivityType, Priority, TaskStatus};
use entity::{activity, deal, deal_follower, task, user};
use sea_orm::ActiveEnum;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use serde_json::{Value as Json, json};

async fn user_in_org(db: &impl ConnectionTrait, org: Uuid, id: Uuid) -> AppResult<()> {
    user::Entity::find_by_id(id)
        .filter(user::Column::OrganizationId.eq(org))
        .one(db)
        .await?
        .map(|_| ())
        .ok_or_else(|| AppError::NotFound("user".into()))
}

fn follower(viewer: &Viewer, user_id: Option<Uuid>) -> AppResult<Uuid> {
    user_id.or(viewer.user_id).ok_or_else(|| {
        AppError::bad_input(
            "input.userId",
            "this API key has no user: say which user follows",
        )
    })
}

/// Makes `user_id` (by default the key's user) follow a deal; following twice changes nothing.
pub async fn follow(
    db: &impl Db,
    viewer: &Viewer,
    deal_id: Uuid,
    user_id: Option<Uuid>,
) -> AppResult<deal::Model> {
    let org = viewer.organization_id;
    let deal = find(db, org, deal_id).await?;
    let user_id = follower(viewer, user_id)?;
    user_in_org(db, org, user_id).await?;
    let row = deal_follower::ActiveModel {
        deal_id: Set(deal_id),
        user_id: Set(user_id),
        organization_id: Set(org),
        created_at: Set(clock::now()),
    };
    let txn = crate::db::begin_write(db).await?;
    let added = deal_follower::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                deal_follower::Column::DealId,
                deal_follower::Column::UserId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    if added > 0 {
        let change = events::field("follower", Json::Null, user_json(user_id));
        events::record(
            &txn,
            viewer,
            deal_id,
            DealEventType::FollowerAdded,
            vec![change],
        )
        .await?;
    }
    txn.commit().await?;
    Ok(deal)
}

/// Stops `user_id` (by default the key's user) following a deal; unfollowing twice changes nothing.
pub async fn unfollow(
    db: &impl Db,
    viewer: &Viewer,
    deal_id: Uuid,
    user_id: Option<Uuid>,
) -> AppResult<deal::Model> {
    let org = viewer.organization_id;
    let deal = find(db, org, deal_id).await?;
    let user_id = follower(viewer, user_id)?;
    user_in_org(db, org, user_id).await?;
    let txn = crate::db::begin_write(db).await?;
    let removed = deal_follower::Entity::delete_many()
        .filter(deal_follower::Column::OrganizationId.eq(org))
        .filter(deal_follower::Column::DealId.eq(deal_id))
        .filter(deal_follower::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    if removed.rows_affected > 0 {
        let change = events::field("follower", user_json(user_id), Json::Null);
        let kind = DealEventType::FollowerRemoved;
        events::record(&txn, viewer, deal_id, kind, vec![change]).await?;
    }
    txn.commit().await?;
    Ok(deal)
}

/// A new activity.
pub struct NewActivity {
    /// Kind (STATUS_CHANGE is the server's own).
    pub activity_type: ActivityType,
    /// Whether it happened; COMPLETED by default.
    pub status: ActivityStatus,
    /// One-line summary.
    pub subject: String,
    /// Details.
    pub note: Option<String>,
    /// When; now by default.
    pub occurred_at: Option<DateTimeUtc>,
}

/// Logs an activity on a deal and moves the deal's `last_activity_at` forward to it (never
/// back), in one transaction.
pub async fn log_activity(
    db: &impl Db,
    viewer: &Viewer,
    deal_id: Uuid,
    new: NewActivity,
) -> AppResult<(activity::Model, deal::Model)> {
    if new.activity_type == ActivityType::StatusChange {
        return Err(AppError::bad_input(
            "input.type",
            "STATUS_CHANGE activities are recorded by the server",
        ));
    }
    let org = viewer.organization_id;
    let current = find(db, org, deal_id).await?;
    if current.deleted_at.is_some() {
        return Err(AppError::Conflict(
            "the deal is deleted: restore it first".into(),
        ));
    }
    let now = clock::now();
    let occurred_at = new.occurred_at.unwrap_or(now);
    let txn = crate::db::begin_write(db).await?;
    // Raise last_activity_at to occurred_at unless it is later already: one statement, so
    // concurrent loggers cannot move it back.
    let last = Expr::col(deal::Column::LastActivityAt);
    deal::Entity::update_many()
        .col_expr(
            deal::Column::LastActivityAt,
            Expr::case(
                last.clone().is_null().or(last.lt(occurred_at)),
                Expr::value(occurred_at),
            )
            .finally(Expr::col(deal::Column::LastActivityAt))
            .into(),
        )
        .col_expr(deal::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            deal::Column::Version,
            Expr::col(deal::Column::Version).add(1),
        )
        .filter(deal::Column::OrganizationId.eq(org))
        .filter(deal::Column::Id.eq(deal_id))
        .exec(&txn)
        .await?;
    let activity = activity::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        deal_id: Set(deal_id),
        user_id: Set(viewer.user_id),
        activity_type: Set(new.activity_type),
        status: Set(new.status),
        subject: Set(new.subject),
        note: Set(new.note),
        occurred_at: Set(occurred_at),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let deal = find(&txn, org, deal_id).await?;
    let change = events::field(
        "activity",
        Json::Null,
        json!({
            "id": global_id(NodeKind::Activity, activity.id).0,
            "type": activity.activity_type.to_value(),
            "subject": activity.subject,
            "note": activity.note,
        }),
    );
    events::record(
        &txn,
        viewer,
        deal_id,
        DealEventType::ActivityLogged,
        vec![change],
    )
    .await?;
    txn.commit().await?;
    Ok((activity, deal))
}

/// A new task.
pub struct NewTask {
    /// What to do.
    pub title: String,
    /// How urgent; MEDIUM by default.
    pub priority: Priority,
    /// When it is due.
    pub due_at: Option<DateTimeUtc>,
    /// Who is to do it.
    pub assignee_id: Option<Uuid>,
}

/// Changes to a task: None leaves a field; `Some(None)` clears a nullable one.
#[derive(Default)]
pub struct TaskChanges {
    /// New title.
    pub title: Option<String>,
    /// New priority.
    pub priority: Option<Priority>,
    /// New status (COMPLETED sets completed_at; any other clears it).
    pub status: Option<TaskStatus>,
    /// New due date.
    pub due_at: Option<Option<DateTimeUtc>>,
    /// New assignee.
    pub assignee_id: Option<Option<Uuid>>,
}

/// Adds a task to a deal.
pub async fn create_task(
    db: &impl Db,
    viewer: &Viewer,
    deal_id: Uuid,
    new: NewTask,
) -> AppResult<task::Model> {
    let org = viewer.organization_id;
    find(db, org, deal_id).await?;
    if let Some(assignee) = new.assignee_id {
        user_in_org(db, org, assignee).await?;
    }
    let now = clock::now();
    let txn = crate::db::begin_write(db).await?;
    let task = task::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        deal_id: Set(deal_id),
        assignee_id: Set(new.assignee_id),
        title: Set(new.title),
        priority: Set(new.priority),
        status: Set(TaskStatus::Open),
        due_at: Set(new.due_at),
        completed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let change = events::field("task", Json::Null, task_json(&task));
    events::record(
        &txn,
        viewer,
        deal_id,
        DealEventType::TaskAdded,
        vec![change],
    )
    .await?;
    txn.commit().await?;
    Ok(task)
}

/// A task as the event log keeps it.
fn task_json(task: &task::Model) -> Json {
    json!({
        "id": global_id(NodeKind::Task, task.id).0,
        "title": task.title,
        "priority": task.priority.to_value(),
        "status": task.status.to_value(),
        "dueAt": task.due_at.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        "assigneeId": task.assignee_id.map(|id| global_id(NodeKind::User, id).0),
    })
}

/// A user as the event log keeps it: the global id.
fn user_json(id: Uuid) -> Json {
    Json::String(global_id(NodeKind::User, id).0)
}

/// Changes a task.
pub async fn update_task(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    changes: TaskChanges,
) -> AppResult<task::Model> {
    let org = viewer.organization_id;
    let current = task::Entity::find_by_id(id)
        .filter(task::Column::OrganizationId.eq(org))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("task".into()))?;
    if let Some(Some(assignee)) = changes.assignee_id {
        user_in_org(db, org, assignee).await?;
    }
    let now = clock::now();
    let before = current.clone();
    let mut row: task::ActiveModel = current.into();
    if let Some(title) = changes.title {
        row.title = Set(title);
    }
    if let Some(priority) = changes.priority {
        row.priority = Set(priority);
    }
    if let Some(status) = changes.status {
        row.status = Set(status);
        row.completed_at = Set((status == TaskStatus::Completed).then_some(now));
    }
    if let Some(due_at) = changes.due_at {
        row.due_at = Set(due_at);
    }
    if let Some(assignee) = changes.assignee_id {
        row.assignee_id = Set(assignee);
    }
    row.updated_at = Set(now);
    let txn = crate::db::begin_write(db).await?;
    let task = row.update(&txn).await?;
    let change = events::field("task", task_json(&before), task_json(&task));
    let kind = DealEventType::TaskChanged;
    events::record(&txn, viewer, task.deal_id, kind, vec![change]).await?;
    txn.commit().await?;
    Ok(task)
}
