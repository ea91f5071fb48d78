//! Mutations around a deal: follow and unfollow, log activities, create and change tasks.

use super::service::{self, NewActivity, NewTask, TaskChanges};
use super::types::{Activity, ActivityStatus, ActivityType, Task, TaskStatus};
use crate::deal::ActivityId;
use crate::deal::Deal;
use crate::deal::mutation::DealPayload;
use crate::deal::types::Priority;
use crate::error::AppError;
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::patch::patch;
use crate::graphql::scalars::DateTime;
use crate::idempotency;
use crate::validate;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

/// Input of `followDeal` and `unfollowDeal`.
#[derive(InputObject)]
pub struct FollowDealInput {
    /// The deal.
    pub deal_id: ID,
    /// The user; the user of your API key when omitted.
    pub user_id: Option<ID>,
}

/// Input of `logActivity`.
#[derive(InputObject)]
pub struct LogActivityInput {
    /// The deal.
    pub deal_id: ID,
    /// What kind of activity (not STATUS_CHANGE, which the server records).
    pub r#type: ActivityType,
    /// A one-line summary (1–255 characters).
    pub subject: String,
    /// Details.
    pub note: Option<String>,
    /// Whether it happened; COMPLETED when omitted.
    pub status: Option<ActivityStatus>,
    /// When it happened; now when omitted.
    pub occurred_at: Option<DateTime>,
    /// Makes the create safe to retry (1–200 printable ASCII characters): a request with a
    /// key used in the last 24 hours gets what the first one created.
    pub idempotency_key: Option<String>,
}

/// Result of `logActivity`.
#[derive(SimpleObject)]
pub struct LogActivityPayload {
    /// The activity logged.
    pub activity: Activity,
    /// The deal, with its `lastActivityAt` moved forward.
    pub deal: Deal,
}

/// Input of `createTask`.
#[derive(InputObject)]
pub struct CreateTaskInput {
    /// The deal.
    pub deal_id: ID,
    /// What to do (1–255 characters).
    pub title: String,
    /// How urgent; MEDIUM when omitted.
    pub priority: Option<Priority>,
    /// When it is due.
    pub due_at: Option<DateTime>,
    /// Who is to do it.
    pub assignee_id: Option<ID>,
    /// Makes the create safe to retry (1–200 printable ASCII characters): a request with a
    /// key used in the last 24 hours gets what the first one created.
    pub idempotency_key: Option<String>,
}

/// Input of `updateTask`: only the fields given change; null clears a nullable one.
#[derive(InputObject)]
pub struct UpdateTaskInput {
    /// The task.
    pub id: ID,
    /// A new title.
    pub title: Option<String>,
    /// A new priority.
    pub priority: Option<Priority>,
    /// A new status; COMPLETED stamps `completedAt`, any other clears it.
    pub status: Option<TaskStatus>,
    /// A new due date, or null for none.
    pub due_at: MaybeUndefined<DateTime>,
    /// A new assignee, or null for none.
    pub assignee_id: MaybeUndefined<ID>,
}

/// Input of `completeTask`.
#[derive(InputObject)]
pub struct CompleteTaskInput {
    /// The task.
    pub id: ID,
}

/// Result of a task mutation.
#[derive(SimpleObject)]
pub struct TaskPayload {
    /// The task as it is now.
    pub task: Task,
}

/// Mutations around a deal.
#[derive(Default)]
pub struct DealAroundMutation;

/// What a create of a row of a deal made, found again for a retry: the row `key` loads and
/// its deal.
pub(crate) async fn replayed_with_deal<K, R>(
    ctx: &Context<'_>,
    key: K,
    deal_of: impl Fn(&R) -> sea_orm::prelude::Uuid,
) -> AppResult<(R, entity::deal::Model)>
where
    K: Send + Sync + Clone + Eq + std::hash::Hash + 'static,
    crate::graphql::loader::DbLoader:
        async_graphql::dataloader::Loader<K, Value = R, Error = AppError>,
    R: Clone + Send + Sync + 'static,
{
    let row = ctx
        .loaders()?
        .load_one(key)
        .await?
        .ok_or_else(|| AppError::NotFound("row".into()))?;
    let organization_id = ctx.viewer()?.organization_id;
    let deal = crate::deal::service::find(ctx.db()?, organization_id, deal_of(&row)).await?;
    Ok((row, deal))
}

fn optional_user(id: &Option<ID>, field: &str) -> AppResult<Option<sea_orm::prelude::Uuid>> {
    id.as_ref()
        .map(|id| expect_id(id, NodeKind::User, field))
        .transpose()
}

#[Object]
impl DealAroundMutation {
    /// Makes a user (by default you) follow a deal (Pipedrive's followers). Idempotent.
    async fn follow_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal and the user.")] input: FollowDealInput,
    ) -> AppResult<DealPayload> {
        let deal = expect_id(&input.deal_id, NodeKind::Deal, "input.dealId")?;
        let user = optional_user(&input.user_id, "input.userId")?;
        let deal = service::follow(ctx.db()?, ctx.viewer()?, deal, user).await?;
        Ok(DealPayload { deal: Deal(deal) })
    }

    /// Stops a user (by default you) following a deal. Idempotent.
    async fn unfollow_deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal and the user.")] input: FollowDealInput,
    ) -> AppResult<DealPayload> {
        let deal = expect_id(&input.deal_id, NodeKind::Deal, "input.dealId")?;
        let user = optional_user(&input.user_id, "input.userId")?;
        let deal = service::unfollow(ctx.db()?, ctx.viewer()?, deal, user).await?;
        Ok(DealPayload { deal: Deal(deal) })
    }

    /// Logs an activity on a deal (Rex); the deal's `lastActivityAt` moves forward to it.
    async fn log_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The activity.")] input: LogActivityInput,
    ) -> AppResult<LogActivityPayload> {
        let deal = expect_id(&input.deal_id, NodeKind::Deal, "input.dealId")?;
        let new = NewActivity {
            activity_type: input.r#type.into(),
            status: input
                .status
                .map_or(entity::enums::ActivityStatus::Completed, Into::into),
            subject: validate::text("input.subject", &input.subject, validate::MAX_TITLE)?,
            note: validate::optional_text("input.note", input.note.as_deref(), 10_000)?,
            occurred_at: input.occurred_at.map(|t| t.0),
        };
        let (activity, deal) = idempotency::once(
            ctx,
            input.idempotency_key.as_deref(),
            "logActivity",
            move |txn, viewer| {
                Box::pin(async move { service::log_activity(txn, &viewer, deal, new).await })
            },
            |id| async move {
                let (activity, deal) =
                    replayed_with_deal(ctx, ActivityId(id), |a: &Activity| a.0.deal_id).await?;
                Ok((activity.0, deal))
            },
        )
        .await?;
        Ok(LogActivityPayload {
            activity: Activity(activity),
            deal: Deal(deal),
        })
    }

    /// Adds a task to a deal (Rex).
    async fn create_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task.")] input: CreateTaskInput,
    ) -> AppResult<TaskPayload> {
        let deal = expect_id(&input.deal_id, NodeKind::Deal, "input.dealId")?;
        let new = NewTask {
            title: validate::text("input.title", &input.title, validate::MAX_TITLE)?,
            priority: input
                .priority
                .map_or(entity::enums::Priority::Medium, Into::into),
            due_at: input.due_at.map(|t| t.0),
            assignee_id: optional_user(&input.assignee_id, "input.assigneeId")?,
        };
        let task = idempotency::once(
            ctx,
            input.idempotency_key.as_deref(),
            "createTask",
            move |txn, viewer| {
                Box::pin(async move { service::create_task(txn, &viewer, deal, new).await })
            },
            |id| async move {
                Ok(ctx
                    .loaders()?
                    .load_one(crate::deal::TaskId(id))
                    .await?
                    .ok_or_else(|| AppError::NotFound("task".into()))?
                    .0)
            },
        )
        .await?;
        Ok(TaskPayload { task: Task(task) })
    }

    /// Changes the fields given of a task.
    async fn update_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task and its changes.")] input: UpdateTaskInput,
    ) -> AppResult<TaskPayload> {
        let id = expect_id(&input.id, NodeKind::Task, "input.id")?;
        let changes = TaskChanges {
            title: input
                .title
                .as_deref()
                .map(|t| validate::text("input.title", t, validate::MAX_TITLE))
                .transpose()?,
            priority: input.priority.map(Into::into),
            status: input.status.map(Into::into),
            due_at: patch(&input.due_at, |t| Ok(t.0))?,
            assignee_id: patch(&input.assignee_id, |id| {
                expect_id(id, NodeKind::User, "input.assigneeId")
            })?,
        };
        let task = service::update_task(ctx.db()?, ctx.viewer()?, id, changes).await?;
        Ok(TaskPayload { task: Task(task) })
    }

    /// Marks a task COMPLETED now.
    async fn complete_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task.")] input: CompleteTaskInput,
    ) -> AppResult<TaskPayload> {
        let id = expect_id(&input.id, NodeKind::Task, "input.id")?;
        let changes = TaskChanges {
            status: Some(entity::enums::TaskStatus::Completed),
            ..Default::default()
        };
        let task = service::update_task(ctx.db()?, ctx.viewer()?, id, changes).await?;
        Ok(TaskPayload { task: Task(task) })
    }
}
