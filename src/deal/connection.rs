//! `DealConnection`: a page of deals with `totalCount` and Pipedrive's `summary` of the
//! whole filtered list.

use super::Deal;
use super::columns;
use super::filter::DealFilter;
use super::list::{
    DealIncludes, DealListSpec, DealPage, DealParent, DealStats, DealStatsOf, DealsOf, ReadColumns,
    Totals, fetch_pages,
};
use super::loader::DealId;
use super::order::DealOrder;
use crate::company::{Company, CompanyId};
use crate::contact::{Contact, ContactId};
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::loader::{DbLoader, Loaders};
use crate::graphql::money::Money;
use crate::graphql::pagination::{Cursor, PageArgs, PageInfo, RowPage};
use crate::graphql::part_rows::PartRows;
use crate::graphql::row_decode::{Columns, DecodeAt};
use crate::graphql::serial::Serial;
use crate::pipeline::{Pipeline, PipelineId, Stage, StageId};
use crate::user::{User, UserId};
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Lookahead, Object, SimpleObject};
use entity::Scaled;
use entity::{company, contact, pipeline, stage, user};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use sea_orm::prelude::Uuid;
use std::hash::Hash;
use std::sync::Arc;

/// A deal of a list and where it stands.
pub struct DealEdge {
    /// Where the deal stands, encoded when asked for.
    cursor: Cursor,
    /// The deal.
    node: Serial<Deal>,
}

/// A deal with its cursor.
#[Object]
impl DealEdge {
    /// Where this deal stands in the list; pass it as `after` or `before`.
    async fn cursor(&self) -> String {
        self.cursor.encode()
    }

    /// The deal.
    async fn node(&self) -> &Serial<Deal> {
        &self.node
    }
}

/// Counts and exact totals of a whole deal list, one `Money` per currency (Pipedrive's
/// summary).
#[derive(SimpleObject)]
pub struct DealSummary {
    /// How many deals the list holds.
    pub count: i64,
    /// Σ value, per currency.
    pub total_value: Vec<Money>,
    /// Σ weighted value per currency: value × stage probability ÷ 100 for open deals, the
    /// whole value for won deals, nothing for lost ones.
    pub weighted_value: Vec<Money>,
    /// Mean value per currency: Σ value ÷ count, rounded to the nearest ten-thousandth
    /// (halves to even).
    pub average_value: Vec<Money>,
    /// Smallest value per currency.
    pub min_value: Vec<Money>,
    /// Largest value per currency.
    pub max_value: Vec<Money>,
}

/// A page of deals and the summary of the whole list.
pub struct DealConnection {
    /// The page's deals, each wrapped as its fields resolve ([`super::list::DealRow::into_deal`]).
    page: RowPage<Serial<Deal>>,
    stats: ListStats,
}

/// Where a connection's count and summary come from.
enum ListStats {
    /// Loaded when asked, batched with sibling lists.
    Load(DealStatsOf),
    /// Already computed with the list's parent (a timeline bucket's deals).
    Known(Arc<DealStats>),
}

/// Arguments every deal list takes, as the client sent them.
pub struct DealListArgs {
    /// `filter`.
    pub filter: Option<DealFilter>,
    /// `orderBy`.
    pub order_by: Option<Vec<DealOrder>>,
    /// `first`, `after`, `last`, `before`.
    pub page: PageArgs,
}

/// Most sort keys `orderBy` may hold.
pub const MAX_ORDER_KEYS: usize = 8;

impl DealListArgs {
    pub(super) fn into_spec(self, includes: DealIncludes) -> AppResult<Arc<DealListSpec>> {
        let order = self.order_by.unwrap_or_default();
        if order.len() > MAX_ORDER_KEYS {
            return Err(AppError::bad_input(
                "orderBy",
                format!("at most {MAX_ORDER_KEYS} sort keys"),
            ));
        }
        // A key sorting on the stage or the owner takes its cursor value from them.
        let mut includes = includes;
        for key in &order {
            let (stage, owner) = key.field.needs();
            includes.stage |= stage;
            includes.owner |= owner;
        }
        includes.read = columns::to_read(includes.read, &order, &includes);
        Ok(Arc::new(DealListSpec {
            filter: self.filter.unwrap_or_default(),
            order,
            page: self.page,
            includes,
        }))
    }
}

/// What the request selects of a deal connection: the deals' to-one relations to fetch with
/// the page, and how much of the summary is needed.
pub(super) fn look_ahead(ctx: &Context<'_>) -> (DealIncludes, Totals) {
    let connection = ctx.look_ahead();
    let deals = [
        connection.field("nodes"),
        connection.field("edges").field("node"),
    ];
    let selects = |field: &str| deals.iter().any(|deal| deal.field(field).exists());
    // Relations read in part are kept for their fields in the request's part rows.
    let keeps_parts = ctx.data_opt::<PartRows>().is_some();
    fn relation<M: DecodeAt>(
        keeps_parts: bool,
        deals: &[Lookahead<'_>],
        field: &str,
    ) -> Option<Columns> {
        let selections = deals
            .iter()
            .flat_map(|deal| deal.field(field).selection_fields());
        keeps_parts
            .then(|| columns::of_relation::<M>(selections))
            .flatten()
    }
    let includes = DealIncludes {
        stage: selects("stage"),
        pipeline: selects("pipeline"),
        company: selects("company"),
        contact: selects("contact"),
        owner: selects("owner"),
        read: ReadColumns {
            deal: columns::selected(deals.iter().flat_map(|deal| deal.selection_fields())),
            stage: relation::<stage::Model>(keeps_parts, &deals, "stage"),
            pipeline: relation::<pipeline::Model>(keeps_parts, &deals, "pipeline"),
            company: relation::<company::Model>(keeps_parts, &deals, "company"),
            contact: relation::<contact::Model>(keeps_parts, &deals, "contact"),
            owner: relation::<user::Model>(keeps_parts, &deals, "owner"),
        },
    };
    let summary = connection.field("summary");
    let totals = if summary.field("minValue").exists() || summary.field("maxValue").exists() {
        Totals::Extremes
    } else if summary.exists() {
        Totals::Sums
    } else {
        Totals::Count
    };
    (includes, totals)
}

impl DealConnection {
    /// The organisation's deal list.
    pub async fn root(ctx: &Context<'_>, args: DealListArgs) -> AppResult<Self> {
        let (includes, totals) = look_ahead(ctx);
        let spec = args.into_spec(includes)?;
        let viewer = ctx.viewer()?;
        let mut pages = fetch_pages(ctx.reads()?, viewer.organization_id, &spec, None).await?;
        let page = pages.remove(&None).unwrap_or_default();
        let stats = DealStatsOf {
            parent: None,
            filter: Arc::new(spec.filter.clone()),
            totals,
        };
        Self::with_deals_cached(ctx, page, ListStats::Load(stats)).await
    }

    /// A list whose count and summary its parent already knows (a timeline bucket's deals).
    pub(super) async fn with_known_stats(
        ctx: &Context<'_>,
        page: DealPage,
        stats: Arc<DealStats>,
    ) -> AppResult<Self> {
        Self::with_deals_cached(ctx, page, ListStats::Known(stats)).await
    }

    /// A nested deal list (`stage.deals`, …), loaded in one batch with its siblings.
    pub async fn nested(
        ctx: &Context<'_>,
        parent: DealParent,
        id: Uuid,
        args: DealListArgs,
    ) -> AppResult<Self> {
        let (includes, totals) = look_ahead(ctx);
        let spec = args.into_spec(includes)?;
        let stats = DealStatsOf {
            parent: Some((parent, id)),
            filter: Arc::new(spec.filter.clone()),
            totals,
        };
        let page = ctx
            .loaders()?
            .load_one(DealsOf { parent, id, spec })
            .await?
            .unwrap_or_default();
        Self::with_deals_cached(ctx, page, ListStats::Load(stats)).await
    }

    /// The connection, with its deals and the relations fetched with them fed to the by-id
    /// loaders, so that `deal.stage` (…) and rows under the deals (product lines, which need
    /// the deal's currency) do not load them again. The relations are moved out of the page's
    /// rows (nothing reads them there afterwards), not copied.
    async fn with_deals_cached(
        ctx: &Context<'_>,
        mut page: DealPage,
        stats: ListStats,
    ) -> AppResult<Self> {
        let loaders = ctx.loaders()?;
        let parts = ctx.data_opt::<PartRows>();
        let complete = page.edges.iter().filter(|(_, row)| row.read.deal.is_none());
        loaders
            .feed_many(complete.map(|(_, row)| (DealId(row.deal.id), Deal(row.deal.clone()))))
            .await;
        /// Shares each row's `$relation`, wrapped as `$wrap` under key `$key`.
        macro_rules! share {
            ($relation:ident, $key:ident, $wrap:ident) => {
                share(
                    loaders,
                    parts,
                    page.edges
                        .iter_mut()
                        .map(|(_, r)| (r.$relation.take(), r.read.$relation)),
                    |m| m.id,
                    |id, m| ($key(id), $wrap(m)),
                )
                .await
            };
        }
        share!(stage, StageId, Stage);
        share!(pipeline, PipelineId, Pipeline);
        share!(company, CompanyId, Company);
        share!(contact, ContactId, Contact);
        share!(owner, UserId, User);
        Ok(Self {
            page: page.map(|row| row.into_deal()),
            stats,
        })
    }
}

/// Shares the relation of each row read whole with the by-id loader (so `deal.stage` … and
/// any other field find it), and keeps one read in part in the request's part rows.
async fn share<M, K, W>(
    loaders: &Loaders,
    parts: Option<&PartRows>,
    rows: impl Iterator<Item = (Option<M>, Option<Columns>)>,
    id: fn(&M) -> Uuid,
    wrap: fn(Uuid, M) -> (K, W),
) where
    M: Send + Sync + 'static,
    K: Send + Sync + Hash + Eq + Clone + 'static,
    DbLoader: Loader<K, Value = W>,
{
    let mut whole = Vec::new();
    let mut part = Vec::new();
    for (model, columns) in rows {
        match (model, columns, parts) {
            (None, _, _) => {}
            (Some(model), Some(columns), Some(_)) => part.push((id(&model), columns, model)),
            // Read in part with nowhere to keep it: its field reads it again.
            (Some(_), Some(_), None) => {}
            (Some(model), None, _) => whole.push(wrap(id(&model), model)),
        }
    }
    if let Some(parts) = parts {
        parts.keep(part);
    }
    loaders.feed_many(whole).await;
}

/// A page of deals (a Relay connection), with the count and totals of the whole list.
#[Object]
impl DealConnection {
    /// The deals of this page, each with its cursor.
    async fn edges(&self) -> Vec<DealEdge> {
        self.page
            .edges
            .iter()
            .map(|(cursor, deal)| DealEdge {
                cursor: cursor.clone(),
                node: deal.clone(),
            })
            .collect()
    }

    /// The deals of this page.
    async fn nodes(&self) -> Vec<&Serial<Deal>> {
        self.page.edges.iter().map(|(_, deal)| deal).collect()
    }

    /// Where this page stands in the list.
    async fn page_info(&self) -> &PageInfo {
        &self.page.info
    }

    /// How many deals the whole list holds.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<i64> {
        Ok(self.stats(ctx).await?.count)
    }

    /// Count and exact totals of the whole list (not just this page), per currency.
    async fn summary(&self, ctx: &Context<'_>) -> AppResult<DealSummary> {
        Ok(summary_of(&*self.stats(ctx).await?))
    }
}

impl DealConnection {
    async fn stats(&self, ctx: &Context<'_>) -> AppResult<Arc<DealStats>> {
        match &self.stats {
            ListStats::Known(stats) => Ok(stats.clone()),
            ListStats::Load(key) => Ok(Arc::new(
                ctx.loaders()?
                    .load_one(key.clone())
                    .await?
                    .unwrap_or_default(),
            )),
        }
    }
}

/// The summary of a deal list (or of a group, see [`super::groups`]) from its stats.
pub fn summary_of(stats: &DealStats) -> DealSummary {
    let hundred = Decimal::ONE_HUNDRED;
    let extreme = |pick: fn((i64, i64)) -> i64| -> Vec<Money> {
        stats
            .currencies
            .iter()
            .filter_map(|c| Some(Money::scaled(Scaled(pick(c.extremes?)), &c.currency)))
            .collect()
    };
    DealSummary {
        count: stats.count,
        average_value: stats
            .currencies
            .iter()
            .filter(|c| c.count > 0)
            .map(|c| {
                // In ten-thousandths: the mean of integers, rounded half to even.
                let mean = (Decimal::from(c.value) / Decimal::from(c.count)).round();
                Money::scaled(Scaled(mean.to_i64().unwrap_or_default()), &c.currency)
            })
            .collect(),
        min_value: extreme(|(least, _)| least),
        max_value: extreme(|(_, greatest)| greatest),
        total_value: stats
            .currencies
            .iter()
            .map(|c| Money::scaled(Scaled(c.value), &c.currency))
            .collect(),
        weighted_value: stats
            .currencies
            .iter()
            .map(|c| {
                Money::new(
                    Scaled(c.value_times_probability).to_decimal() / hundred,
                    &c.currency,
                )
            })
            .collect(),
    }
}

/// Resolves a `deals` field (see [`crate::graphql::list_fields`]): of the organisation
/// (`parent` None) or of one parent row.
pub async fn resolve_deals(
    ctx: &Context<'_>,
    parent: Option<(DealParent, Uuid)>,
    args: DealListArgs,
) -> AppResult<DealConnection> {
    match parent {
        None => DealConnection::root(ctx, args).await,
        Some((parent, id)) => DealConnection::nested(ctx, parent, id, args).await,
    }
}
