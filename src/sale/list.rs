//! Sale lists: `sales`, `user.sales`, `company.sales`, `contact.sales` — newest activity
//! first (HyperRep's order: `lastActivityAt` descending, then id), paged by keyset, so cursors
//! stay put while new sales arrive at the top. Nested lists of many parents are one statement
//! of per-parent pages (through `sale_contact` for contacts) and one grouped count.

use super::Sale;
use crate::error::{AppError, AppResult};
use crate::graphql::connection::{CountWhere, TotalCount, list_connection};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::loader::DbLoader;
use crate::graphql::pagination::{
    Cursor, KeyValue, Keyed, Listing, PAGE_PARENT, PageArgs, Partition, RowPage, SortKey,
    count_rows, fetch_raw_rows, fetch_root_page, pages_by_parent,
};
use crate::graphql::scalars::Date;
use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject};
use chrono::{Days, NaiveTime};
use entity::{sale, sale_contact, sale_status_event};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, JoinType, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::collections::HashMap;
use std::sync::Arc;

/// Which sales a list holds (HyperRep's list filters).
#[derive(InputObject, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SaleFilter {
    /// Only sales of this agent.
    pub owner_id: Option<ID>,
    /// Only sales with this company.
    pub company_id: Option<ID>,
    /// Only sales with this contact among their contacts.
    pub contact_id: Option<ID>,
    /// Only sales active on or after this day (UTC), by `lastActivityAt`.
    pub start_date: Option<Date>,
    /// Only sales active on or before this day (UTC), by `lastActivityAt`.
    pub end_date: Option<Date>,
    /// Only sales whose current status has this tag (e.g. `accepted`).
    pub status: Option<String>,
}

fn col(column: sale::Column) -> SimpleExpr {
    Expr::col((sale::Entity, column))
}

fn day_start(date: chrono::NaiveDate) -> DateTimeUtc {
    date.and_time(NaiveTime::MIN).and_utc()
}

impl SaleFilter {
    fn condition(&self, organization_id: Uuid) -> AppResult<Condition> {
        let mut all = Condition::all().add(col(sale::Column::OrganizationId).eq(organization_id));
        if let Some(owner) = &self.owner_id {
            all = all.add(col(sale::Column::OwnerId).eq(expect_id(
                owner,
                NodeKind::User,
                "filter.ownerId",
            )?));
        }
        if let Some(company) = &self.company_id {
            all = all.add(col(sale::Column::CompanyId).eq(expect_id(
                company,
                NodeKind::Company,
                "filter.companyId",
            )?));
        }
        if let Some(contact) = &self.contact_id {
            let contact = expect_id(contact, NodeKind::Contact, "filter.contactId")?;
            let linked = Query::select()
                .column(sale_contact::Column::SaleId)
                .from(sale_contact::Entity)
                .and_where(sale_contact::Column::OrganizationId.eq(organization_id))
                .and_where(sale_contact::Column::ContactId.eq(contact))
                .to_owned();
            all = all.add(col(sale::Column::Id).in_subquery(linked));
        }
        if let Some(Date(start)) = self.start_date {
            all = all.add(col(sale::Column::LastActivityAt).gte(day_start(start)));
        }
        if let Some(Date(end)) = self.end_date {
            let next = end
                .checked_add_days(Days::new(1))
                .ok_or_else(|| AppError::bad_input("filter.endDate", "the date is out of range"))?;
            all = all.add(col(sale::Column::LastActivityAt).lt(day_start(next)));
        }
        if let Some(status) = &self.status {
            all = all.add(current_status_is(organization_id, status.trim()));
        }
        Ok(all)
    }
}

/// The sale's latest event (by changed_at, then id) carries the tag `status`:
/// `EXISTS (event e of the sale with that tag AND NOT EXISTS (a later event l))`.
fn current_status_is(organization_id: Uuid, status: &str) -> SimpleExpr {
    use sale_status_event::Column as Event;
    let (e, l) = (Alias::new("e"), Alias::new("l"));
    let later = Query::select()
        .expr(Expr::val(1))
        .from_as(sale_status_event::Entity, l.clone())
        .and_where(Expr::col((l.clone(), Event::SaleId)).equals((e.clone(), Event::SaleId)))
        .cond_where(
            Condition::any()
                .add(
                    Expr::col((l.clone(), Event::ChangedAt))
                        .gt(Expr::col((e.clone(), Event::ChangedAt))),
                )
                .add(
                    Condition::all()
                        .add(
                            Expr::col((l.clone(), Event::ChangedAt))
                                .equals((e.clone(), Event::ChangedAt)),
                        )
                        .add(Expr::col((l, Event::Id)).gt(Expr::col((e.clone(), Event::Id)))),
                ),
        )
        .to_owned();
    let current = Query::select()
        .expr(Expr::val(1))
        .from_as(sale_status_event::Entity, e.clone())
        .and_where(Expr::col((e.clone(), Event::SaleId)).equals((sale::Entity, sale::Column::Id)))
        .and_where(Expr::col((e.clone(), Event::OrganizationId)).eq(organization_id))
        .and_where(Expr::col((e, Event::Status)).eq(status))
        .and_where(Expr::exists(later).not())
        .to_owned();
    Expr::exists(current)
}

const ORDER: &str = "sale:last_activity_at:desc";

fn keys() -> Vec<SortKey> {
    vec![SortKey {
        expr: col(sale::Column::LastActivityAt),
        descending: true,
        nullable: false,
    }]
}

impl Keyed for sale::Model {
    fn key_values(&self) -> Vec<KeyValue> {
        vec![KeyValue::Time(self.last_activity_at)]
    }
    fn row_id(&self) -> Uuid {
        self.id
    }
}

/// The relation a nested sale list hangs from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SaleParent {
    /// `user.sales` (HyperRep's "list agent sales").
    Owner,
    /// `company.sales`.
    Company,
    /// `contact.sales`, through the sale's contacts.
    Contact,
}

impl SaleParent {
    fn column(self) -> SimpleExpr {
        match self {
            Self::Owner => col(sale::Column::OwnerId),
            Self::Company => col(sale::Column::CompanyId),
            Self::Contact => Expr::col((sale_contact::Entity, sale_contact::Column::ContactId)),
        }
    }

    /// The condition that a sale belongs to the parent whose id is `parent` (for a contact:
    /// that the contact is among the sale's contacts).
    fn belongs(self, organization_id: Uuid, parent: SimpleExpr) -> SimpleExpr {
        match self {
            Self::Owner | Self::Company => self.column().eq(parent),
            Self::Contact => {
                let sales_of_contact = Query::select()
                    .column((sale_contact::Entity, sale_contact::Column::SaleId))
                    .from(sale_contact::Entity)
                    .and_where(
                        Expr::col((sale_contact::Entity, sale_contact::Column::OrganizationId))
                            .eq(organization_id),
                    )
                    .and_where(self.column().eq(parent))
                    .to_owned();
                col(sale::Column::Id).in_subquery(sales_of_contact)
            }
        }
    }

    /// A select from `sale` (joined to its contacts for `Contact`) of the given parents.
    fn from(
        self,
        select: &mut sea_orm::sea_query::SelectStatement,
        organization_id: Uuid,
        ids: &[Uuid],
    ) {
        select.from(sale::Entity);
        if self == Self::Contact {
            select.join(
                JoinType::InnerJoin,
                sale_contact::Entity,
                Condition::all()
                    .add(
                        Expr::col((sale_contact::Entity, sale_contact::Column::SaleId))
                            .equals((sale::Entity, sale::Column::Id)),
                    )
                    .add(
                        Expr::col((sale_contact::Entity, sale_contact::Column::OrganizationId))
                            .eq(organization_id),
                    ),
            );
        }
        select.and_where(self.column().is_in(ids.iter().copied()));
    }
}

/// How a sale list is counted.
pub enum SaleCount {
    /// A root list.
    Root(CountWhere<sale::Entity>),
    /// A nested list, counted with its siblings.
    Of(SaleCountOf),
}

impl TotalCount for SaleCount {
    async fn total(&self, ctx: &Context<'_>) -> AppResult<i64> {
        match self {
            Self::Root(count) => count.total(ctx).await,
            Self::Of(key) => Ok(ctx.loaders()?.load_one(key.clone()).await?.unwrap_or(0)),
        }
    }
}

list_connection!(
    SaleConnection,
    SaleEdge,
    Sale,
    sale::Model,
    SaleCount,
    "A sale with its cursor.",
    "A page of sales, most recent activity first (a Relay connection)."
);

impl SaleConnection {
    /// The organisation's sales.
    pub async fn root(ctx: &Context<'_>, filter: SaleFilter, args: PageArgs) -> AppResult<Self> {
        let condition = filter.condition(ctx.viewer()?.organization_id)?;
        let page = fetch_root_page::<sale::Entity>(
            ctx.reads()?,
            condition.clone(),
            &keys(),
            col(sale::Column::Id),
            ORDER,
            &args,
        )
        .await?;
        Ok(Self {
            page,
            count: SaleCount::Root(CountWhere::new(condition)),
        })
    }

    /// A nested list, loaded with its siblings in one statement.
    pub async fn nested(
        ctx: &Context<'_>,
        parent: SaleParent,
        id: Uuid,
        filter: SaleFilter,
        args: PageArgs,
    ) -> AppResult<Self> {
        let filter = Arc::new(filter);
        let page = ctx
            .loaders()?
            .load_one(SalesOf {
                parent,
                id,
                filter: filter.clone(),
                page: args,
            })
            .await?
            .unwrap_or_default();
        Ok(Self {
            page,
            count: SaleCount::Of(SaleCountOf { parent, id, filter }),
        })
    }
}

/// Resolves a `sales` field (see [`crate::graphql::list_fields`]): of the organisation
/// (`parent` None) or of one parent row.
pub async fn resolve_sales(
    ctx: &Context<'_>,
    parent: Option<(SaleParent, Uuid)>,
    filter: SaleFilter,
    page: PageArgs,
) -> AppResult<SaleConnection> {
    match parent {
        None => SaleConnection::root(ctx, filter, page).await,
        Some((parent, id)) => SaleConnection::nested(ctx, parent, id, filter, page).await,
    }
}

/// Key: one parent's page of sales.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SalesOf {
    parent: SaleParent,
    id: Uuid,
    filter: Arc<SaleFilter>,
    page: PageArgs,
}

/// Key: how many sales match a filter under one parent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SaleCountOf {
    parent: SaleParent,
    id: Uuid,
    filter: Arc<SaleFilter>,
}

async fn fetch_pages(
    db: &impl ConnectionTrait,
    org: Uuid,
    parent: SaleParent,
    ids: &[Uuid],
    filter: &SaleFilter,
    args: &PageArgs,
) -> AppResult<HashMap<Option<Uuid>, RowPage<sale::Model>>> {
    let page = args.page(ORDER)?;
    let sort = keys();
    let listing = Listing {
        condition: filter.condition(org)?,
        keys: &sort,
        id: col(sale::Column::Id),
        partition: Some(Partition {
            belongs: Box::new(move |id| parent.belongs(org, id)),
            parents: ids.iter().map(|id| (*id).into()).collect(),
        }),
        page: &page,
        joins: &[],
        hits: None,
        columns: None,
    };
    let mut rows = Vec::new();
    for row in fetch_raw_rows::<sale::Entity>(db, listing).await? {
        let listed_under: Uuid = row.try_get("", PAGE_PARENT)?;
        rows.push((listed_under, sale::Model::from_query_result(&row, "")?));
    }
    let cursor_of = |row: &(Uuid, sale::Model)| Cursor {
        order: ORDER.into(),
        keys: row.1.key_values(),
        id: row.1.id,
    };
    let pages = pages_by_parent(rows, Some(ids), |row| Some(row.0), &page, cursor_of);
    Ok(pages
        .into_iter()
        .map(|(parent, page)| (parent, page.map(|(_, row)| row)))
        .collect())
}

impl Loader<SalesOf> for DbLoader {
    type Value = RowPage<sale::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys_: &[SalesOf],
    ) -> Result<HashMap<SalesOf, RowPage<sale::Model>>, AppError> {
        let mut groups: HashMap<(SaleParent, Arc<SaleFilter>, PageArgs), Vec<Uuid>> =
            HashMap::new();
        for key in keys_ {
            groups
                .entry((key.parent, key.filter.clone(), key.page.clone()))
                .or_default()
                .push(key.id);
        }
        let mut loaded = HashMap::new();
        for ((parent, filter, page), ids) in groups {
            let mut pages =
                fetch_pages(&self.db, self.organization_id, parent, &ids, &filter, &page).await?;
            for id in ids {
                let rows = pages.remove(&Some(id)).unwrap_or_default();
                loaded.insert(
                    SalesOf {
                        parent,
                        id,
                        filter: filter.clone(),
                        page: page.clone(),
                    },
                    rows,
                );
            }
        }
        Ok(loaded)
    }
}

impl Loader<SaleCountOf> for DbLoader {
    type Value = i64;
    type Error = AppError;

    async fn load(&self, keys_: &[SaleCountOf]) -> Result<HashMap<SaleCountOf, i64>, AppError> {
        let mut groups: HashMap<(SaleParent, Arc<SaleFilter>), Vec<Uuid>> = HashMap::new();
        for key in keys_ {
            groups
                .entry((key.parent, key.filter.clone()))
                .or_default()
                .push(key.id);
        }
        let mut loaded = HashMap::new();
        for ((parent, filter), ids) in groups {
            let mut select = Query::select();
            parent.from(&mut select, self.organization_id, &ids);
            select.cond_where(filter.condition(self.organization_id)?);
            let counts = count_rows(&self.db, select, Some((parent.column(), &ids))).await?;
            for id in ids {
                let count = counts.get(&Some(id)).copied().unwrap_or(0);
                loaded.insert(
                    SaleCountOf {
                        parent,
                        id,
                        filter: filter.clone(),
                    },
                    count,
                );
            }
        }
        Ok(loaded)
    }
}
