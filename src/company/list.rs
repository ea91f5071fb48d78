//! The company list: `companies`, by name.

use super::Company;
use crate::error::AppResult;
use crate::graphql::connection::{CountWhere, list_connection};
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::{KeyValue, Keyed, PageArgs, SortKey, fetch_root_page};
use crate::graphql::text_search::{contains, term};
use async_graphql::{Context, InputObject};
use entity::company;
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, SimpleExpr};

/// Which companies a list holds.
#[derive(InputObject, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct CompanyFilter {
    /// Case-insensitive text in the name or the domain (at most 200 characters).
    pub search: Option<String>,
    /// Include soft-deleted companies (left out by default).
    pub include_deleted: Option<bool>,
}

fn col(column: company::Column) -> SimpleExpr {
    Expr::col((company::Entity, column))
}

impl CompanyFilter {
    fn condition(&self, organization_id: Uuid) -> AppResult<Condition> {
        let mut all =
            Condition::all().add(col(company::Column::OrganizationId).eq(organization_id));
        if self.include_deleted != Some(true) {
            all = all.add(col(company::Column::DeletedAt).is_null());
        }
        if let Some(term) = term(&self.search)? {
            all = all.add(
                Condition::any()
                    .add(contains(col(company::Column::Name), term))
                    .add(contains(col(company::Column::Domain), term)),
            );
        }
        Ok(all)
    }
}

impl Keyed for company::Model {
    fn key_values(&self) -> Vec<KeyValue> {
        vec![KeyValue::Text(self.name.clone())]
    }
    fn row_id(&self) -> Uuid {
        self.id
    }
}

list_connection!(
    CompanyConnection,
    CompanyEdge,
    Company,
    company::Model,
    CountWhere<company::Entity>,
    "A company with its cursor.",
    "A page of companies, by name (a Relay connection)."
);

impl CompanyConnection {
    /// The organisation's companies.
    pub async fn root(ctx: &Context<'_>, filter: CompanyFilter, args: PageArgs) -> AppResult<Self> {
        let condition = filter.condition(ctx.viewer()?.organization_id)?;
        let keys = [SortKey {
            expr: col(company::Column::Name),
            descending: false,
            nullable: false,
        }];
        let page = fetch_root_page::<company::Entity>(
            ctx.reads()?,
            condition.clone(),
            &keys,
            col(company::Column::Id),
            "company:name",
            &args,
        )
        .await?;
        Ok(Self {
            page,
            count: CountWhere::new(condition),
        })
    }
}
