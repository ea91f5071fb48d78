//! Root fields: `contacts` and `contact`.

use super::{Contact, ContactId};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::list_fields::object_with_lists;
use async_graphql::{Context, ID};

/// Root fields of contacts.
#[derive(Default)]
pub struct ContactQuery;

object_with_lists!(
    /// Root fields of contacts.
    ContactQuery;
    contacts: |_: &ContactQuery| None,
    ;
    /// The contact with this id, or null when it is not in your organisation.
    async fn contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The contact's id.")] id: ID,
    ) -> AppResult<Option<Contact>> {
        let id = expect_id(&id, NodeKind::Contact, "id")?;
        ctx.loaders()?.load_one(ContactId(id)).await
    }
);
