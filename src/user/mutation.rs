//! User mutations.

use super::{User, service};
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::idempotency;
use crate::validate;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

/// Input of `createUser`.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Full name (1–255 characters).
    pub name: String,
    /// Email address, unique in your organisation.
    pub email: String,
    /// Makes the create safe to retry (1–200 printable ASCII characters): a request with a
    /// key used in the last 24 hours gets what the first one created.
    pub idempotency_key: Option<String>,
}

/// Input of `updateUser`: only the fields given change.
#[derive(InputObject)]
pub struct UpdateUserInput {
    /// The user.
    pub id: ID,
    /// A new name.
    pub name: Option<String>,
    /// A new email.
    pub email: Option<String>,
}

/// Input of `deactivateUser`.
#[derive(InputObject)]
pub struct DeactivateUserInput {
    /// The user.
    pub id: ID,
}

/// Result of a user mutation.
#[derive(SimpleObject)]
pub struct UserPayload {
    /// The user as they are now.
    pub user: User,
}

fn email(value: &str) -> AppResult<String> {
    let email = validate::text("input.email", value, 254)?.to_lowercase();
    if !email.contains('@') {
        return Err(AppError::bad_input("input.email", "not an email address"));
    }
    Ok(email)
}

/// Mutations on users.
#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Creates a user of your organisation.
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user.")] input: CreateUserInput,
    ) -> AppResult<UserPayload> {
        let name = validate::text("input.name", &input.name, validate::MAX_TITLE)?;
        let email = email(&input.email)?;
        let user = idempotency::once(
            ctx,
            input.idempotency_key.as_deref(),
            "createUser",
            move |txn, viewer| {
                Box::pin(async move { service::create(txn, &viewer, name, email).await })
            },
            |id| async move {
                Ok(ctx
                    .loaders()?
                    .load_one(super::UserId(id))
                    .await?
                    .ok_or_else(|| AppError::NotFound("user".into()))?
                    .0)
            },
        )
        .await?;
        Ok(UserPayload { user: User(user) })
    }

    /// Changes a user's name and/or email. A taken email is CONFLICT.
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user and the changes.")] input: UpdateUserInput,
    ) -> AppResult<UserPayload> {
        let id = expect_id(&input.id, NodeKind::User, "input.id")?;
        let name = input
            .name
            .as_deref()
            .map(|n| validate::text("input.name", n, validate::MAX_TITLE))
            .transpose()?;
        let new_email = input.email.as_deref().map(email).transpose()?;
        let user = service::update(ctx.db()?, ctx.viewer()?, id, name, new_email).await?;
        Ok(UserPayload { user: User(user) })
    }

    /// Deactivates a user and revokes the API keys that act for them.
    async fn deactivate_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user.")] input: DeactivateUserInput,
    ) -> AppResult<UserPayload> {
        let id = expect_id(&input.id, NodeKind::User, "input.id")?;
        let user = service::deactivate(ctx.db()?, ctx.viewer()?, id).await?;
        crate::auth::forget_callers(ctx);
        Ok(UserPayload { user: User(user) })
    }
}
