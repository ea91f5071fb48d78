//! `Activity` and `Task`: what happens around a deal (Rex).

use crate::deal::child_connection::child_connection;
use crate::deal::types::Priority;
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::scalars::DateTime;
use crate::user::{User, UserId};
use async_graphql::{Context, Enum, ID, Object};
use entity::{activity, enums, task};

/// The kind of an activity.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "enums::ActivityType")]
pub enum ActivityType {
    /// A phone call.
    Call,
    /// A meeting.
    Meeting,
    /// An email.
    Email,
    /// A note.
    Note,
    /// A demo.
    Demo,
    /// A change of the deal's status (won, lost, reopened), recorded by the server.
    StatusChange,
}

/// Whether an activity has happened.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "enums::ActivityStatus")]
pub enum ActivityStatus {
    /// Planned.
    Planned,
    /// Done.
    Completed,
    /// Called off.
    Cancelled,
}

/// Where a task stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "enums::TaskStatus")]
pub enum TaskStatus {
    /// Not started.
    Open,
    /// Being worked on.
    InProgress,
    /// Done.
    Completed,
}

#[derive(Clone)]
pub struct Activity(pub activity::Model);

/// Something that happened on a deal: a call, a meeting, an email, a note (Rex). Logging one
/// moves the deal's `lastActivityAt`.
#[Object]
impl Activity {
    /// The activity's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Activity, self.0.id)
    }

    /// What kind of activity.
    async fn r#type(&self) -> ActivityType {
        self.0.activity_type.into()
    }

    /// Whether it happened.
    async fn status(&self) -> ActivityStatus {
        self.0.status.into()
    }

    /// A one-line summary.
    async fn subject(&self) -> &str {
        &self.0.subject
    }

    /// Details.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// When it happened (or is planned).
    async fn occurred_at(&self) -> DateTime {
        self.0.occurred_at.into()
    }

    /// Who logged it.
    async fn user(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        match self.0.user_id {
            Some(id) => ctx.loaders()?.load_one(UserId(id)).await,
            None => Ok(None),
        }
    }

    /// When it was logged.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

#[derive(Clone)]
pub struct Task(pub task::Model);

/// A to-do on a deal (Rex).
#[Object]
impl Task {
    /// The task's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Task, self.0.id)
    }

    /// What to do.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// How urgent.
    async fn priority(&self) -> Priority {
        self.0.priority.into()
    }

    /// Where it stands.
    async fn status(&self) -> TaskStatus {
        self.0.status.into()
    }

    /// When it is due.
    async fn due_at(&self) -> Option<DateTime> {
        self.0.due_at.map(DateTime)
    }

    /// When it was completed.
    async fn completed_at(&self) -> Option<DateTime> {
        self.0.completed_at.map(DateTime)
    }

    /// Who is to do it.
    async fn assignee(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        match self.0.assignee_id {
            Some(id) => ctx.loaders()?.load_one(UserId(id)).await,
            None => Ok(None),
        }
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it was last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

child_connection!(
    ActivityConnection,
    ActivityEdge,
    Activity,
    activity::Model,
    "An activity with its cursor.",
    "A page of a deal's activities, newest first (a Relay connection)."
);

child_connection!(
    TaskConnection,
    TaskEdge,
    Task,
    task::Model,
    "A task with its cursor.",
    "A page of a deal's tasks, by due date with undated ones last (a Relay connection)."
);
