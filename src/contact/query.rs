//! Root fields: `contacts` and `contact`.

use super::list::{ContactConnection, ContactFilter};
use super::{Contact, ContactId};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::pagination::PageArgs;
use async_graphql::{Context, ID, Object};

/// Root fields of contacts.
#[derive(Default)]
pub struct ContactQuery;

#[Object]
impl ContactQuery {
    /// Your organisation's contacts [persons], by last then first name.
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which contacts.")] filter: Option<ContactFilter>,
        #[graphql(desc = "Page forward: this many (at most 500; 50 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Page forward: start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page backward: this many (at most 500).")] last: Option<i32>,
        #[graphql(desc = "Page backward: end before this cursor.")] before: Option<String>,
    ) -> AppResult<ContactConnection> {
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        ContactConnection::root(ctx, filter.unwrap_or_default(), page).await
    }

    /// The contact with this id, or null when it is not in your organisation.
    async fn contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The contact's id.")] id: ID,
    ) -> AppResult<Option<Contact>> {
        let id = expect_id(&id, NodeKind::Contact, "id")?;
        ctx.loaders()?.load_one(ContactId(id)).await
    }
}
