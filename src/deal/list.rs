//! Fetching deal lists: pages by keyset and summaries, for the whole organisation or, in one
//! statement each, for many parents at once (`stage.deals` of six stages is one page query
//! with `ROW_NUMBER() OVER (PARTITION BY stage_id …)` and one grouped summary query).

use super::filter::DealFilter;
use super::order::{DealOrder, deal_column, id_column, signature, sort_keys};
use crate::db::scaled_sum;
use crate::error::{AppError, AppResult};
use crate::graphql::loader::DbLoader;
use crate::graphql::pagination::{Cursor, Listing, PageArgs, RowPage, fetch_rows, pages_by_parent};
use async_graphql::dataloader::Loader;
use entity::{deal, stage};
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Func, JoinType, Order, Query};
use sea_orm::{ConnectionTrait, StatementBuilder};
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
}

impl DealParent {
    fn column(self) -> deal::Column {
        match self {
            Self::Pipeline => deal::Column::PipelineId,
            Self::Stage => deal::Column::StageId,
            Self::Company => deal::Column::CompanyId,
            Self::Contact => deal::Column::ContactId,
            Self::Owner => deal::Column::OwnerId,
        }
    }

    fn id_of(self, deal: &deal::Model) -> Option<Uuid> {
        match self {
            Self::Pipeline => Some(deal.pipeline_id),
            Self::Stage => Some(deal.stage_id),
            Self::Company => deal.company_id,
            Self::Contact => deal.contact_id,
            Self::Owner => deal.owner_id,
        }
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
}

/// One page of a deal list: rows with their cursors, and what lies around it.
pub type DealPage = RowPage<deal::Model>;

/// Totals of one currency in a deal list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrencyTotals {
    /// ISO 4217 code.
    pub currency: String,
    /// Deals in this currency.
    pub count: i64,
    /// Σ value, in ten-thousandths.
    pub value: i64,
    /// Σ value × stage probability (percent), in ten-thousandths.
    pub value_times_probability: i64,
}

/// Summary of a whole deal list (not just a page), one entry per currency.
#[derive(Clone, Debug, Default)]
pub struct DealStats {
    /// Per currency, alphabetically.
    pub currencies: Vec<CurrencyTotals>,
}

/// Pages of deals: one for the organisation (`parents` None), or one per parent id.
pub async fn fetch_pages(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    spec: &DealListSpec,
    parents: Option<(DealParent, &[Uuid])>,
) -> AppResult<HashMap<Option<Uuid>, DealPage>> {
    let order_signature = signature(&spec.order);
    let page = spec.page.page(&order_signature)?;
    let keys = sort_keys(&spec.order);
    let listing = Listing {
        condition: spec.filter.condition(organization_id)?,
        keys: &keys,
        id: id_column(),
        partition: parents.map(|(parent, ids)| (deal_column(parent.column()), ids)),
        page: &page,
    };
    let rows = fetch_rows::<deal::Entity>(db, listing).await?;
    let cursor_of = |row: &deal::Model| {
        Cursor {
            order: order_signature.clone(),
            keys: spec.order.iter().map(|o| o.field.value_of(row)).collect(),
            id: row.id,
        }
        .encode()
    };
    let parent_ids = parents.map(|(_, ids)| ids);
    let parent_of = |row: &deal::Model| parents.and_then(|(parent, _)| parent.id_of(row));
    Ok(pages_by_parent(
        rows, parent_ids, parent_of, &page, cursor_of,
    ))
}

/// Summaries of deal lists: of the organisation (`parents` None), or one per parent id.
pub async fn fetch_stats(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    filter: &DealFilter,
    parents: Option<(DealParent, &[Uuid])>,
) -> AppResult<HashMap<Option<Uuid>, DealStats>> {
    let value = deal_column(deal::Column::Value);
    let probability = Expr::col((stage::Entity, stage::Column::Probability));
    let mut select = Query::select();
    select
        .expr_as(
            Expr::col((deal::Entity, deal::Column::Currency)),
            "currency",
        )
        .expr_as(Func::count(Expr::col(Asterisk)).cast_as("BIGINT"), "deals")
        .expr_as(scaled_sum(value.clone()), "total")
        .expr_as(scaled_sum(value.mul(probability)), "weighted")
        .from(deal::Entity)
        .join(
            JoinType::InnerJoin,
            stage::Entity,
            Expr::col((stage::Entity, stage::Column::Id))
                .equals((deal::Entity, deal::Column::StageId)),
        )
        .cond_where(filter.condition(organization_id)?)
        .group_by_col((deal::Entity, deal::Column::Currency))
        .order_by((deal::Entity, deal::Column::Currency), Order::Asc);
    if let Some((parent, ids)) = parents {
        select
            .expr_as(deal_column(parent.column()), "parent")
            .and_where(deal_column(parent.column()).is_in(ids.iter().copied()))
            .group_by_col((deal::Entity, parent.column()));
    }
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(StatementBuilder::build(&select, &backend))
        .await?;
    let mut stats: HashMap<Option<Uuid>, DealStats> = HashMap::new();
    if let Some((_, ids)) = parents {
        for id in ids {
            stats.insert(Some(*id), DealStats::default());
        }
    } else {
        stats.insert(None, DealStats::default());
    }
    for row in rows {
        let parent: Option<Uuid> = match parents {
            Some(_) => Some(row.try_get("", "parent")?),
            None => None,
        };
        let totals = CurrencyTotals {
            currency: row.try_get("", "currency")?,
            count: row.try_get("", "deals")?,
            value: row.try_get("", "total")?,
            value_times_probability: row.try_get("", "weighted")?,
        };
        stats.entry(parent).or_default().currencies.push(totals);
    }
    Ok(stats)
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

/// Key: the summary of a deal list, of one parent or (`parent` None) of the organisation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DealStatsOf {
    /// The relation and the parent's id, for a nested list.
    pub parent: Option<(DealParent, Uuid)>,
    /// The list's filter.
    pub filter: Arc<DealFilter>,
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
        for ((parent, filter), group) in groups(keys, |k| {
            (k.parent.map(|(relation, _)| relation), k.filter.clone())
        }) {
            let ids: Vec<Uuid> = group
                .iter()
                .filter_map(|k| k.parent.map(|(_, id)| id))
                .collect();
            let mut stats = fetch_stats(
                &self.db,
                self.organization_id,
                &filter,
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
