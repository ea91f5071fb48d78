//! Fetching deal lists: pages by keyset and summaries, for the whole organisation or, in one
//! statement each, for many parents at once (`stage.deals` of six stages is one page query —
//! a `LIMIT` per stage — and one grouped count or summary query). The to-one relations a
//! request selects on the deals (stage, pipeline, company, contact, owner) come with the page.

use super::Deal;
use super::filter::{DealFilter, STAGE_TOTALS};
use super::order::{DealOrder, deal_column, id_column, signature, sort_keys};
use crate::db::scaled_sum;
use crate::error::{AppError, AppResult};
use crate::graphql::loader::DbLoader;
use crate::graphql::pagination::{
    Cursor, Listing, PAGE_PARENT, PageArgs, Partition, RowPage, ToOne, fetch_raw_rows,
    pages_by_parent,
};
use crate::graphql::row_decode::{Columns, DecodeAt, DecodeSomeAt, Layout, Placed};
use crate::graphql::serial::Serial;
use async_graphql::dataloader::Loader;
use entity::enums::DealStatus;
use entity::{company, contact, deal, deal_participant, pipeline, stage, user};
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{
    Asterisk, Condition, Expr, ExprTrait, Func, IntoIden, JoinType, Order, Query, SelectStatement,
    SimpleExpr, TableRef, ValueTuple,
};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryResult};
use std::collections::HashMap;
use std::sync::Arc;

/// The relation a nested deal list hangs from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DealParent {
    /// `pipeline.deals`.
    Pipeline,
    /// `stage.deals`.
    Stage,
    /// `company.deals`.
    Company,
    /// `contact.deals`.
    Contact,
    /// `user.deals`.
    Owner,
    /// `contact.deals(includeParticipating: true)`: the deals whose main contact the contact
    /// is, and those it takes part in.
    ContactOrParticipant,
}

impl DealParent {
    /// The deal's column naming the parent, for a parent that is one column.
    fn column(self) -> Option<deal::Column> {
        match self {
            Self::Pipeline => Some(deal::Column::PipelineId),
            Self::Stage => Some(deal::Column::StageId),
            Self::Company => Some(deal::Column::CompanyId),
            Self::Contact => Some(deal::Column::ContactId),
            Self::Owner => Some(deal::Column::OwnerId),
            Self::ContactOrParticipant => None,
        }
    }

    /// The condition that a deal belongs to the parent whose id is `parent`.
    fn belongs(self, organization_id: Uuid) -> impl Fn(SimpleExpr) -> SimpleExpr + Send + Sync {
        move |parent: SimpleExpr| match self.column() {
            Some(column) => deal_column(column).eq(parent),
            None => {
                let taking_part = Query::select()
                    .column(deal_participant::Column::DealId)
                    .from(deal_participant::Entity)
                    .and_where(deal_participant::Column::OrganizationId.eq(organization_id))
                    .and_where(Expr::col(deal_participant::Column::ContactId).eq(parent.clone()))
                    .to_owned();
                deal_column(deal::Column::ContactId)
                    .eq(parent)
                    .or(deal_column(deal::Column::Id).in_subquery(taking_part))
            }
        }
    }

    /// The partition of deals under `ids`.
    fn partition(self, organization_id: Uuid, ids: &[Uuid]) -> Partition<'static> {
        Partition {
            belongs: Box::new(self.belongs(organization_id)),
            parents: ids.iter().map(|id| (*id).into()).collect(),
        }
    }
}

/// The to-one relations of a page's deals to fetch with the page: those the request selects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DealIncludes {
    /// `deal.stage`.
    pub stage: bool,
    /// `deal.pipeline`.
    pub pipeline: bool,
    /// `deal.company`.
    pub company: bool,
    /// `deal.contact`.
    pub contact: bool,
    /// `deal.owner`.
    pub owner: bool,
    /// The columns to read of the deals and of the joined relations.
    pub read: ReadColumns,
}

/// The columns of a page's deals and of each relation joined to them to read (None: all);
/// see [`super::columns`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ReadColumns {
    /// The deal's.
    pub deal: Option<Columns>,
    /// The stage's.
    pub stage: Option<Columns>,
    /// The pipeline's.
    pub pipeline: Option<Columns>,
    /// The company's.
    pub company: Option<Columns>,
    /// The contact's.
    pub contact: Option<Columns>,
    /// The owner's.
    pub owner: Option<Columns>,
}

impl DealIncludes {
    /// The deal's columns naming the relations to join.
    pub(super) fn foreign_keys(&self) -> impl Iterator<Item = &'static str> {
        [
            (self.stage, "stage_id"),
            (self.pipeline, "pipeline_id"),
            (self.company, "company_id"),
            (self.contact, "contact_id"),
            (self.owner, "owner_id"),
        ]
        .into_iter()
        .filter(|(joined, _)| *joined)
        .map(|(_, column)| column)
    }

    fn joins(self) -> Vec<ToOne> {
        fn join<E: EntityTrait + Default>(
            alias: &'static str,
            foreign_key: &'static str,
            columns: Option<Columns>,
        ) -> ToOne
        where
            E::Model: DecodeAt,
        {
            let mut join = ToOne::to::<E>(alias, foreign_key);
            if let Some(columns) = columns {
                join.columns = columns.names::<E::Model>();
            }
            join
        }
        let read = self.read;
        let mut joins = Vec::new();
        if self.stage {
            joins.push(join::<stage::Entity>("stage", "stage_id", read.stage));
        }
        if self.pipeline {
            joins.push(join::<pipeline::Entity>(
                "pipeline",
                "pipeline_id",
                read.pipeline,
            ));
        }
        if self.company {
            joins.push(join::<company::Entity>(
                "company",
                "company_id",
                read.company,
            ));
        }
        if self.contact {
            joins.push(join::<contact::Entity>(
                "contact",
                "contact_id",
                read.contact,
            ));
        }
        if self.owner {
            joins.push(join::<user::Entity>("owner", "owner_id", read.owner));
        }
        joins
    }
}

/// A deal of a page, with the to-one relations fetched with it (None: not asked, or none).
#[derive(Clone, Debug)]
pub struct DealRow {
    /// The deal.
    pub deal: deal::Model,
    /// The columns read of the deal and of its relations. A row read in part
    /// ([`super::columns`]) answers only the selection it was read for: it is not fed to the
    /// request's by-id loaders.
    pub read: ReadColumns,
    /// Its stage.
    pub stage: Option<stage::Model>,
    /// Its pipeline.
    pub pipeline: Option<pipeline::Model>,
    /// Its company.
    pub company: Option<company::Model>,
    /// Its contact.
    pub contact: Option<contact::Model>,
    /// Its owner.
    pub owner: Option<user::Model>,
}

impl DealRow {
    /// The deal, as the page's deals answer it: a deal read in part was read for a selection
    /// of its columns only (and relations read with the page), so its fields answer in turn.
    pub fn into_deal(self: Box<Self>) -> Serial<Deal> {
        let read = self.read.deal;
        let deal = Deal(self.deal);
        match read {
            Some(_) => Serial::at_once(deal),
            None => Serial::side_by_side(deal),
        }
    }

    /// Every row of a deal page, decoded by position ([`crate::graphql::row_decode`]), boxed
    /// as a [`DealPage`] holds them.
    #[expect(
        clippy::vec_box,
        reason = "the rows move through several vectors (grouped, paged); a box moves, a row copies"
    )]
    fn decode_all(rows: &[QueryResult], includes: DealIncludes) -> AppResult<Vec<Box<Self>>> {
        let layout = Layout::of(rows);
        let read = includes.read;
        let deal_at = layout.place::<deal::Model>("", read.deal)?;
        let place = |joined: bool, prefix: &str, columns, of: fn(&Layout, &str, _) -> _| {
            joined.then(|| of(&layout, prefix, columns)).transpose()
        };
        let stage_at = place(
            includes.stage,
            "stage__",
            read.stage,
            Layout::place::<stage::Model>,
        )?;
        let pipeline_at = place(
            includes.pipeline,
            "pipeline__",
            read.pipeline,
            Layout::place::<pipeline::Model>,
        )?;
        let company_at = place(
            includes.company,
            "company__",
            read.company,
            Layout::place::<company::Model>,
        )?;
        let contact_at = place(
            includes.contact,
            "contact__",
            read.contact,
            Layout::place::<contact::Model>,
        )?;
        let owner_at = place(
            includes.owner,
            "owner__",
            read.owner,
            Layout::place::<user::Model>,
        )?;
        fn joined<M: DecodeSomeAt>(row: &QueryResult, at: &Option<Placed>) -> AppResult<Option<M>> {
            Ok(at
                .as_ref()
                .map(|at| at.decode_joined(row))
                .transpose()?
                .flatten())
        }
        let mut decoded = Vec::with_capacity(rows.len());
        for row in rows {
            decoded.push(Box::new(Self {
                deal: deal_at.decode(row)?,
                read,
                stage: joined(row, &stage_at)?,
                pipeline: joined(row, &pipeline_at)?,
                company: joined(row, &company_at)?,
                contact: joined(row, &contact_at)?,
                owner: joined(row, &owner_at)?,
            }));
        }
        Ok(decoded)
    }
}

/// The arguments of a deal list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DealListSpec {
    /// Which deals.
    pub filter: DealFilter,
    /// In which order (then by id).
    pub order: Vec<DealOrder>,
    /// Which page.
    pub page: PageArgs,
    /// Which relations come with the page.
    pub includes: DealIncludes,
}

/// One page of a deal list: rows with their cursors, and what lies around it. The rows are
/// boxed: a row is large (about 1.6 KB), and grouping and paging would copy it at each step.
pub type DealPage = RowPage<Box<DealRow>>;

/// Totals of one currency in a deal list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrencyTotals {
    /// ISO 4217 code.
    pub currency: String,
    /// Deals in this currency.
    pub count: i64,
    /// Σ value, in ten-thousandths.
    pub value: i64,
    /// Σ value × the deal's weight in percent ([`weight_percent`]), in ten-thousandths.
    pub value_times_probability: i64,
    /// The smallest and largest value, in ten-thousandths, when [`Totals::Extremes`] asked.
    pub extremes: Option<(i64, i64)>,
}

/// How much of a list's summary a request needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Totals {
    /// The count alone.
    Count,
    /// The count and per-currency sums (total, weighted, average).
    Sums,
    /// Also each currency's smallest and largest value, which only the deals can tell.
    Extremes,
}

/// Count and (when asked) summary of a whole deal list, not just a page.
#[derive(Clone, Debug, Default)]
pub struct DealStats {
    /// Deals in the list.
    pub count: i64,
    /// Per currency, alphabetically; empty unless totals were asked.
    pub currencies: Vec<CurrencyTotals>,
}

/// Pages of deals: one for the organisation (`parents` None), or one per parent id.
pub async fn fetch_pages(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    spec: &DealListSpec,
    parents: Option<(DealParent, &[Uuid])>,
) -> AppResult<HashMap<Option<Uuid>, DealPage>> {
    let under = parents.map(|(parent, ids)| PagedUnder {
        partition: parent.partition(organization_id, ids),
        keys: ids,
    });
    fetch_pages_under(db, organization_id, spec, under).await
}

/// The parents a nested deal list is paged under: a relation's ids, or any other keys (a
/// timeline's buckets) with the condition that a deal belongs to one. A fetched deal is in
/// the page of the parent it was listed under (a deal may be in several).
pub struct PagedUnder<'a, K> {
    /// How a deal belongs to a parent, and the parents' keys as SQL values.
    pub partition: Partition<'a>,
    /// The same keys.
    pub keys: &'a [K],
}

/// Pages of deals: one for the organisation (`under` None), or one per parent key, in one
/// statement.
pub async fn fetch_pages_under<K>(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    spec: &DealListSpec,
    under: Option<PagedUnder<'_, K>>,
) -> AppResult<HashMap<Option<K>, DealPage>>
where
    K: Copy + Eq + std::hash::Hash + sea_orm::TryGetable,
{
    let order_signature = signature(&spec.order);
    let page = spec.page.page(&order_signature)?;
    let keys = sort_keys(&spec.order);
    let joins = spec.includes.joins();
    let columns = spec.includes.read.deal.map(Columns::names::<deal::Model>);
    let (partition, parent_keys) = match under {
        Some(under) => (Some(under.partition), Some(under.keys)),
        None => (None, None),
    };
    let listing = Listing {
        condition: spec
            .filter
            .condition(organization_id, db.get_database_backend())?,
        keys: &keys,
        id: id_column(),
        partition,
        page: &page,
        joins: &joins,
        hits: None,
        columns: columns.as_deref(),
    };
    let raw = fetch_raw_rows::<deal::Entity>(db, listing).await?;
    let listed_under = match parent_keys {
        Some(_) => raw
            .iter()
            .map(|row| Ok(Some(row.try_get::<K>("", PAGE_PARENT)?)))
            .collect::<AppResult<Vec<_>>>()?,
        None => vec![None; raw.len()],
    };
    let rows = listed_under
        .into_iter()
        .zip(DealRow::decode_all(&raw, spec.includes)?);
    let cursor_of = |(_, row): &(Option<K>, Box<DealRow>)| Cursor {
        order: order_signature.clone(),
        keys: spec
            .order
            .iter()
            .map(|o| {
                o.field
                    .value_of(&row.deal, row.stage.as_ref(), row.owner.as_ref())
            })
            .collect(),
        id: row.deal.id,
    };
    let pages = pages_by_parent(
        rows.collect(),
        parent_keys,
        |(parent, _)| *parent,
        &page,
        cursor_of,
    );
    Ok(pages
        .into_iter()
        .map(|(parent, page)| (parent, page.map(|(_, row)| row)))
        .collect())
}

/// Counts, and with `totals` summaries, of deal lists: of the organisation (`parents` None),
/// or one per parent id. What the maintained per-stage totals can answer (live deals by status,
/// stage and pipeline: a board) is read from them, a few rows per stage; anything else counts
/// the deals — a count alone reads only the filter's columns, totals also join each deal's
/// stage for its probability.
pub async fn fetch_stats(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    filter: &DealFilter,
    totals: Totals,
    parents: Option<(DealParent, &[Uuid])>,
) -> AppResult<HashMap<Option<Uuid>, DealStats>> {
    let backend = db.get_database_backend();
    let from_totals = match parents {
        _ if totals == Totals::Extremes => None,
        None | Some((DealParent::Stage | DealParent::Pipeline, _)) => {
            filter.stage_totals_condition(organization_id)?
        }
        Some(_) => None,
    };
    let select = match (from_totals, parents) {
        (Some(condition), _) => stats_from_stage_totals(condition, totals, parents),
        (None, Some((parent, ids))) if parent.column().is_none() => {
            let mut select =
                stats_from_deals(filter.condition(organization_id, backend)?, totals, None);
            let parent_id = Expr::col((PARENTS, "column1"));
            let values = ids.iter().map(|id| ValueTuple::One((*id).into())).collect();
            select
                .join(
                    JoinType::InnerJoin,
                    TableRef::ValuesList(values, PARENTS.into_iden()),
                    parent.belongs(organization_id)(parent_id.clone()),
                )
                .expr_as(parent_id.clone(), "parent")
                .add_group_by([parent_id]);
            select
        }
        (None, _) => stats_from_deals(filter.condition(organization_id, backend)?, totals, parents),
    };
    let rows = db
        .query_all_raw(crate::db::statement::build(&select, backend))
        .await?;
    let mut stats: HashMap<Option<Uuid>, DealStats> = match parents {
        Some((_, ids)) => ids
            .iter()
            .map(|id| (Some(*id), DealStats::default()))
            .collect(),
        None => HashMap::from([(None, DealStats::default())]),
    };
    for row in rows {
        let parent: Option<Uuid> = match parents {
            Some(_) => Some(row.try_get("", "parent")?),
            None => None,
        };
        let count: i64 = row.try_get("", "deals")?;
        let entry = stats.entry(parent).or_default();
        entry.count += count;
        if totals != Totals::Count {
            let extremes = match totals {
                Totals::Extremes => Some((row.try_get("", "least")?, row.try_get("", "greatest")?)),
                _ => None,
            };
            entry.currencies.push(CurrencyTotals {
                currency: row.try_get("", "currency")?,
                count,
                value: row.try_get("", "total")?,
                value_times_probability: row.try_get("", "weighted")?,
                extremes,
            });
        }
    }
    Ok(stats)
}

/// A deal's weight in percent, as SQL: 100 when won, 0 when lost, its stage's probability
/// while open (HubSpot's closed stages weigh the same way). `status` and `probability` are
/// the columns holding the deal's status and its stage's probability.
pub fn weight_percent(status: Expr, probability: Expr) -> Expr {
    Expr::case(status.clone().eq(DealStatus::Won.to_value()), 100)
        .case(status.eq(DealStatus::Lost.to_value()), 0)
        .finally(probability)
        .into()
}

/// The count (and totals) statement over the deals themselves.
fn stats_from_deals(
    condition: Condition,
    totals: Totals,
    parents: Option<(DealParent, &[Uuid])>,
) -> SelectStatement {
    let mut select = Query::select();
    select
        .expr_as(Func::count(Expr::col(Asterisk)).cast_as("BIGINT"), "deals")
        .from(deal::Entity)
        .cond_where(condition);
    if totals == Totals::Extremes {
        let value = || Expr::col((deal::Entity, deal::Column::Value));
        select
            .expr_as(Func::min(value()).cast_as("BIGINT"), "least")
            .expr_as(Func::max(value()).cast_as("BIGINT"), "greatest");
    }
    if totals != Totals::Count {
        let value = deal_column(deal::Column::Value);
        let weight = weight_percent(
            deal_column(deal::Column::Status),
            Expr::col((stage::Entity, stage::Column::Probability)),
        );
        select
            .expr_as(
                Expr::col((deal::Entity, deal::Column::Currency)),
                "currency",
            )
            .expr_as(scaled_sum(value.clone()), "total")
            .expr_as(scaled_sum(value.mul(weight)), "weighted")
            .join(
                JoinType::InnerJoin,
                stage::Entity,
                Expr::col((stage::Entity, stage::Column::Id))
                    .equals((deal::Entity, deal::Column::StageId)),
            )
            .group_by_col((deal::Entity, deal::Column::Currency))
            .order_by((deal::Entity, deal::Column::Currency), Order::Asc);
    }
    if let Some((parent, ids)) = parents
        && let Some(column) = parent.column()
    {
        select
            .expr_as(deal_column(column), "parent")
            .and_where(deal_column(column).is_in(ids.iter().copied()))
            .group_by_col((deal::Entity, column));
    }
    select
}

/// The derived table of parent ids a list is counted under, when a deal's parent is not one
/// of its columns.
const PARENTS: &str = "parents";

/// The same statement over the maintained per-stage totals, for a filter they can answer and
/// no parent or stages or pipelines as parents. Rows whose deals all left keep a zero count
/// and are left out, as counting the deals would.
fn stats_from_stage_totals(
    condition: Condition,
    totals: Totals,
    parents: Option<(DealParent, &[Uuid])>,
) -> SelectStatement {
    let column = |name: &'static str| Expr::col((STAGE_TOTALS, name));
    let deals = Expr::expr(Func::sum(column("deals")));
    let mut select = Query::select();
    select
        .expr_as(deals.clone().cast_as("BIGINT"), "deals")
        .from(STAGE_TOTALS)
        .join(
            JoinType::InnerJoin,
            stage::Entity,
            Expr::col((stage::Entity, stage::Column::Id)).equals((STAGE_TOTALS, "stage_id")),
        )
        .cond_where(condition)
        .and_having(deals.gt(0));
    if totals != Totals::Count {
        let weight = weight_percent(
            column("status"),
            Expr::col((stage::Entity, stage::Column::Probability)),
        );
        select
            .expr_as(column("currency"), "currency")
            .expr_as(scaled_sum(column("value")), "total")
            .expr_as(scaled_sum(column("value").mul(weight)), "weighted")
            .group_by_col((STAGE_TOTALS, "currency"))
            .order_by((STAGE_TOTALS, "currency"), Order::Asc);
    }
    if let Some((parent, ids)) = parents {
        let parent_column = match parent {
            DealParent::Pipeline => Expr::col((stage::Entity, stage::Column::PipelineId)),
            _ => column("stage_id"),
        };
        select
            .expr_as(parent_column.clone(), "parent")
            .and_where(parent_column.clone().is_in(ids.iter().copied()))
            .add_group_by([parent_column]);
    }
    select
}

/// Key: one parent's page of a nested deal list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DealsOf {
    /// The relation.
    pub parent: DealParent,
    /// The parent's id.
    pub id: Uuid,
    /// The list's arguments.
    pub spec: Arc<DealListSpec>,
}

/// Key: the count or summary of a deal list, of one parent or (`parent` None) of the
/// organisation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DealStatsOf {
    /// The relation and the parent's id, for a nested list.
    pub parent: Option<(DealParent, Uuid)>,
    /// The list's filter.
    pub filter: Arc<DealFilter>,
    /// How much of the summary is needed.
    pub totals: Totals,
}

/// Groups `keys` that can share one statement: same relation, same arguments.
fn groups<K, G: Eq + std::hash::Hash>(keys: &[K], group: impl Fn(&K) -> G) -> HashMap<G, Vec<&K>> {
    let mut groups: HashMap<G, Vec<&K>> = HashMap::new();
    for key in keys {
        groups.entry(group(key)).or_default().push(key);
    }
    groups
}

impl Loader<DealsOf> for DbLoader {
    type Value = DealPage;
    type Error = AppError;

    async fn load(&self, keys: &[DealsOf]) -> Result<HashMap<DealsOf, DealPage>, AppError> {
        let mut loaded = HashMap::new();
        for ((parent, spec), group) in groups(keys, |k| (k.parent, k.spec.clone())) {
            let ids: Vec<Uuid> = group.iter().map(|k| k.id).collect();
            let mut pages =
                fetch_pages(&self.db, self.organization_id, &spec, Some((parent, &ids))).await?;
            for key in group {
                let page = pages.remove(&Some(key.id)).unwrap_or_default();
                loaded.insert(key.clone(), page);
            }
        }
        Ok(loaded)
    }
}

impl Loader<DealStatsOf> for DbLoader {
    type Value = DealStats;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[DealStatsOf],
    ) -> Result<HashMap<DealStatsOf, DealStats>, AppError> {
        let mut loaded = HashMap::new();
        for ((parent, filter, totals), group) in groups(keys, |k| {
            (
                k.parent.map(|(relation, _)| relation),
                k.filter.clone(),
                k.totals,
            )
        }) {
            let ids: Vec<Uuid> = group
                .iter()
                .filter_map(|k| k.parent.map(|(_, id)| id))
                .collect();
            let mut stats = fetch_stats(
                &self.db,
                self.organization_id,
                &filter,
                totals,
                parent.map(|relation| (relation, ids.as_slice())),
            )
            .await?;
            for key in group {
                let found = stats
                    .remove(&key.parent.map(|(_, id)| id))
                    .unwrap_or_default();
                loaded.insert(key.clone(), found);
            }
        }
        Ok(loaded)
    }
}
