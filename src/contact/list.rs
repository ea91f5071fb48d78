//! Contact lists: `contacts` and `company.contacts`, by last then first name.

use super::Contact;
use crate::error::{AppError, AppResult};
use crate::graphql::connection::{CountWhere, TotalCount, list_connection};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::loader::DbLoader;
use crate::graphql::pagination::count_rows;
use crate::graphql::pagination::{
    KeyValue, Keyed, PageArgs, Parents, RowPage, SortKey, fetch_keyed_pages, fetch_root_page,
};
use crate::graphql::text_search::{contains, term};
use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject};
use entity::contact;
use sea_orm::ConnectionTrait;
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SimpleExpr};
use std::collections::HashMap;
use std::sync::Arc;

/// Which contacts a list holds.
#[derive(InputObject, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ContactFilter {
    /// Case-insensitive text in the first name, last name, full name or email (at most 200
    /// characters).
    pub search: Option<String>,
    /// Only contacts at this company.
    pub company_id: Option<ID>,
    /// Include soft-deleted contacts (left out by default).
    pub include_deleted: Option<bool>,
}

fn col(column: contact::Column) -> SimpleExpr {
    Expr::col((contact::Entity, column))
}

impl ContactFilter {
    fn condition(&self, organization_id: Uuid) -> AppResult<Condition> {
        let mut all =
            Condition::all().add(col(contact::Column::OrganizationId).eq(organization_id));
        if self.include_deleted != Some(true) {
            all = all.add(col(contact::Column::DeletedAt).is_null());
        }
        if let Some(company) = &self.company_id {
            let company = expect_id(company, NodeKind::Company, "filter.companyId")?;
            all = all.add(col(contact::Column::CompanyId).eq(company));
        }
        if let Some(term) = term(&self.search)? {
            let full_name = Expr::cust("first_name || ' ' || last_name");
            all = all.add(
                Condition::any()
                    .add(contains(full_name, term))
                    .add(contains(col(contact::Column::Email), term)),
            );
        }
        Ok(all)
    }
}

const ORDER: &str = "contact:last_name,first_name";

fn keys() -> Vec<SortKey> {
    [contact::Column::LastName, contact::Column::FirstName]
        .into_iter()
        .map(|c| SortKey {
            expr: col(c),
            descending: false,
            nullable: false,
        })
        .collect()
}

impl Keyed for contact::Model {
    fn key_values(&self) -> Vec<KeyValue> {
        vec![
            KeyValue::Text(self.last_name.clone()),
            KeyValue::Text(self.first_name.clone()),
        ]
    }
    fn row_id(&self) -> Uuid {
        self.id
    }
}

/// How a contact list is counted.
pub enum ContactCount {
    /// A root list.
    Root(CountWhere<contact::Entity>),
    /// `company.contacts`, counted with its siblings.
    OfCompany(ContactCountOf),
}

impl TotalCount for ContactCount {
    async fn total(&self, ctx: &Context<'_>) -> AppResult<i64> {
        match self {
            Self::Root(count) => count.total(ctx).await,
            Self::OfCompany(key) => Ok(ctx.loaders()?.load_one(key.clone()).await?.unwrap_or(0)),
        }
    }
}

list_connection!(
    ContactConnection,
    ContactEdge,
    Contact,
    contact::Model,
    ContactCount,
    "A contact with its cursor.",
    "A page of contacts, by last then first name (a Relay connection)."
);

impl ContactConnection {
    /// The contacts of a company (`Some`), or of the organisation.
    pub async fn resolve(
        ctx: &Context<'_>,
        company: Option<Uuid>,
        filter: ContactFilter,
        args: PageArgs,
    ) -> AppResult<Self> {
        match company {
            Some(company) => {
                let filter = ContactFilter {
                    company_id: None,
                    ..filter
                };
                Self::of_company(ctx, company, filter, args).await
            }
            None => Self::root(ctx, filter, args).await,
        }
    }

    /// The organisation's contacts.
    async fn root(ctx: &Context<'_>, filter: ContactFilter, args: PageArgs) -> AppResult<Self> {
        let condition = filter.condition(ctx.viewer()?.organization_id)?;
        let page = fetch_root_page::<contact::Entity>(
            ctx.reads()?,
            condition.clone(),
            &keys(),
            col(contact::Column::Id),
            ORDER,
            &args,
        )
        .await?;
        Ok(Self {
            page,
            count: ContactCount::Root(CountWhere::new(condition)),
        })
    }

    /// A company's contacts, loaded with its siblings' in one statement.
    async fn of_company(
        ctx: &Context<'_>,
        company: Uuid,
        filter: ContactFilter,
        args: PageArgs,
    ) -> AppResult<Self> {
        let filter = Arc::new(filter);
        let key = ContactsOf {
            company,
            filter: filter.clone(),
            page: args,
        };
        let page = ctx.loaders()?.load_one(key).await?.unwrap_or_default();
        Ok(Self {
            page,
            count: ContactCount::OfCompany(ContactCountOf { company, filter }),
        })
    }
}

/// Key: one company's page of contacts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContactsOf {
    company: Uuid,
    filter: Arc<ContactFilter>,
    page: PageArgs,
}

/// Key: how many contacts match a filter at one company.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContactCountOf {
    company: Uuid,
    filter: Arc<ContactFilter>,
}

impl Loader<ContactsOf> for DbLoader {
    type Value = RowPage<contact::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys_: &[ContactsOf],
    ) -> Result<HashMap<ContactsOf, RowPage<contact::Model>>, AppError> {
        let mut groups: HashMap<(Arc<ContactFilter>, PageArgs), Vec<Uuid>> = HashMap::new();
        for key in keys_ {
            groups
                .entry((key.filter.clone(), key.page.clone()))
                .or_default()
                .push(key.company);
        }
        let mut loaded = HashMap::new();
        for ((filter, page), companies) in groups {
            let pages = fetch_keyed_pages::<contact::Entity>(
                &self.db,
                filter.condition(self.organization_id)?,
                &keys(),
                col(contact::Column::Id),
                ORDER,
                &page,
                Some(Parents {
                    column: col(contact::Column::CompanyId),
                    ids: &companies,
                    of: |c| c.company_id,
                }),
            )
            .await?;
            for (company, rows) in pages {
                if let Some(company) = company {
                    loaded.insert(
                        ContactsOf {
                            company,
                            filter: filter.clone(),
                            page: page.clone(),
                        },
                        rows,
                    );
                }
            }
        }
        Ok(loaded)
    }
}

async fn count_by_company(
    db: &impl ConnectionTrait,
    condition: Condition,
    companies: &[Uuid],
) -> AppResult<HashMap<Uuid, i64>> {
    let select = Query::select()
        .from(contact::Entity)
        .cond_where(condition)
        .to_owned();
    let column = col(contact::Column::CompanyId);
    let counts = count_rows(db, select, Some((column, companies))).await?;
    Ok(counts
        .into_iter()
        .filter_map(|(company, rows)| Some((company?, rows)))
        .collect())
}

impl Loader<ContactCountOf> for DbLoader {
    type Value = i64;
    type Error = AppError;

    async fn load(
        &self,
        keys_: &[ContactCountOf],
    ) -> Result<HashMap<ContactCountOf, i64>, AppError> {
        let mut groups: HashMap<Arc<ContactFilter>, Vec<Uuid>> = HashMap::new();
        for key in keys_ {
            groups
                .entry(key.filter.clone())
                .or_default()
                .push(key.company);
        }
        let mut loaded = HashMap::new();
        for (filter, companies) in groups {
            let counts = count_by_company(
                &self.db,
                filter.condition(self.organization_id)?,
                &companies,
            )
            .await?;
            for company in companies {
                let count = counts.get(&company).copied().unwrap_or(0);
                loaded.insert(
                    ContactCountOf {
                        company,
                        filter: filter.clone(),
                    },
                    count,
                );
            }
        }
        Ok(loaded)
    }
}
