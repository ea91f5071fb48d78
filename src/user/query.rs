//! Root fields: `users` and `user`.

use super::list::{UserConnection, UserFilter};
use super::{User, UserId};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::pagination::PageArgs;
use async_graphql::{Context, ID, Object};

/// Root fields of users.
#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// Your organisation's users, by name.
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which users.")] filter: Option<UserFilter>,
        #[graphql(desc = "Page forward: this many (at most 500; 50 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Page forward: start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page backward: this many (at most 500).")] last: Option<i32>,
        #[graphql(desc = "Page backward: end before this cursor.")] before: Option<String>,
    ) -> AppResult<UserConnection> {
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        UserConnection::root(ctx, filter.unwrap_or_default(), page).await
    }

    /// The user with this id, or null when it is not in your organisation.
    async fn user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
    ) -> AppResult<Option<User>> {
        let id = expect_id(&id, NodeKind::User, "id")?;
        ctx.loaders()?.load_one(UserId(id)).await
    }
}
