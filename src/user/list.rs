//! The user list: `users`, by name.

use super::User;
use crate::error::AppResult;
use crate::graphql::connection::{CountWhere, list_connection};
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::{KeyValue, Keyed, PageArgs, SortKey, fetch_root_page};
use crate::graphql::text_search::{contains, term};
use async_graphql::{Context, InputObject};
use entity::user;
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, SimpleExpr};

/// Which users a list holds.
#[derive(InputObject, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct UserFilter {
    /// Case-insensitive text in the name or the email (at most 200 characters).
    pub search: Option<String>,
    /// Only active (true) or only deactivated (false) users.
    pub is_active: Option<bool>,
}

fn col(column: user::Column) -> SimpleExpr {
    Expr::col((user::Entity, column))
}

impl UserFilter {
    fn condition(&self, organization_id: Uuid) -> AppResult<Condition> {
        let mut all = Condition::all().add(col(user::Column::OrganizationId).eq(organization_id));
        if let Some(active) = self.is_active {
            all = all.add(col(user::Column::IsActive).eq(active));
        }
        if let Some(term) = term(&self.search)? {
            all = all.add(
                Condition::any()
                    .add(contains(col(user::Column::Name), term))
                    .add(contains(col(user::Column::Email), term)),
            );
        }
        Ok(all)
    }
}

impl Keyed for user::Model {
    fn key_values(&self) -> Vec<KeyValue> {
        vec![KeyValue::Text(self.name.clone())]
    }
    fn row_id(&self) -> Uuid {
        self.id
    }
}

list_connection!(
    UserConnection,
    UserEdge,
    User,
    user::Model,
    CountWhere<user::Entity>,
    "A user with its cursor.",
    "A page of users, by name (a Relay connection)."
);

impl UserConnection {
    /// The organisation's users.
    pub async fn root(ctx: &Context<'_>, filter: UserFilter, args: PageArgs) -> AppResult<Self> {
        let condition = filter.condition(ctx.viewer()?.organization_id)?;
        let keys = [SortKey {
            expr: col(user::Column::Name),
            descending: false,
            nullable: false,
        }];
        let page = fetch_root_page::<user::Entity>(
            ctx.reads()?,
            condition.clone(),
            &keys,
            col(user::Column::Id),
            "user:name",
            &args,
        )
        .await?;
        Ok(Self {
            page,
            count: CountWhere::new(condition),
        })
    }
}
