//! `DealConnection`: a page of deals with `totalCount` and Pipedrive's `summary` of the
//! whole filtered list.

use super::Deal;
use super::filter::DealFilter;
use super::list::{DealListSpec, DealPage, DealParent, DealStatsOf, DealsOf, fetch_pages};
use super::loader::DealId;
use super::order::DealOrder;
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::money::Money;
use crate::graphql::pagination::{PageArgs, PageInfo};
use async_graphql::{Context, Object, SimpleObject};
use entity::Scaled;
use rust_decimal::Decimal;
use sea_orm::prelude::Uuid;
use std::sync::Arc;

/// A deal with its cursor.
#[derive(SimpleObject)]
pub struct DealEdge {
    /// Where this deal stands in the list; pass it as `after` or `before`.
    pub cursor: String,
    /// The deal.
    pub node: Deal,
}

/// Counts and exact totals of a whole deal list, one `Money` per currency (Pipedrive's
/// summary).
#[derive(SimpleObject)]
pub struct DealSummary {
    /// How many deals the list holds.
    pub count: i64,
    /// Σ value, per currency.
    pub total_value: Vec<Money>,
    /// Σ value × stage probability ÷ 100, per currency.
    pub weighted_value: Vec<Money>,
}

/// A page of deals and the summary of the whole list.
pub struct DealConnection {
    page: DealPage,
    stats: DealStatsOf,
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
    fn into_spec(self) -> AppResult<Arc<DealListSpec>> {
        let order = self.order_by.unwrap_or_default();
        if order.len() > MAX_ORDER_KEYS {
            return Err(AppError::bad_input(
                "orderBy",
                format!("at most {MAX_ORDER_KEYS} sort keys"),
            ));
        }
        Ok(Arc::new(DealListSpec {
            filter: self.filter.unwrap_or_default(),
            order,
            page: self.page,
        }))
    }
}

impl DealConnection {
    /// The organisation's deal list.
    pub async fn root(ctx: &Context<'_>, args: DealListArgs) -> AppResult<Self> {
        let spec = args.into_spec()?;
        let viewer = ctx.viewer()?;
        let mut pages = fetch_pages(ctx.db()?, viewer.organization_id, &spec, None).await?;
        let page = pages.remove(&None).unwrap_or_default();
        let stats = DealStatsOf {
            parent: None,
            filter: Arc::new(spec.filter.clone()),
        };
        Self::with_deals_cached(ctx, page, stats).await
    }

    /// A nested deal list (`stage.deals`, …), loaded in one batch with its siblings.
    pub async fn nested(
        ctx: &Context<'_>,
        parent: DealParent,
        id: Uuid,
        args: DealListArgs,
    ) -> AppResult<Self> {
        let spec = args.into_spec()?;
        let stats = DealStatsOf {
            parent: Some((parent, id)),
            filter: Arc::new(spec.filter.clone()),
        };
        let page = ctx
            .loaders()?
            .load_one(DealsOf { parent, id, spec })
            .await?
            .unwrap_or_default();
        Self::with_deals_cached(ctx, page, stats).await
    }

    /// The connection, with its deals fed to the by-id loader so that rows under them
    /// (product lines, which need the deal's currency) do not load them again.
    async fn with_deals_cached(
        ctx: &Context<'_>,
        page: DealPage,
        stats: DealStatsOf,
    ) -> AppResult<Self> {
        let deals: Vec<(DealId, Deal)> = page
            .edges
            .iter()
            .map(|(_, row)| (DealId(row.id), Deal(row.clone())))
            .collect();
        ctx.loaders()?.feed_many(deals).await;
        Ok(Self { page, stats })
    }
}

/// A page of deals (a Relay connection), with the count and totals of the whole list.
#[Object]
impl DealConnection {
    /// The deals of this page, each with its cursor.
    async fn edges(&self) -> Vec<DealEdge> {
        self.page
            .edges
            .iter()
            .map(|(cursor, row)| DealEdge {
                cursor: cursor.clone(),
                node: Deal(row.clone()),
            })
            .collect()
    }

    /// The deals of this page.
    async fn nodes(&self) -> Vec<Deal> {
        self.page
            .edges
            .iter()
            .map(|(_, row)| Deal(row.clone()))
            .collect()
    }

    /// Where this page stands in the list.
    async fn page_info(&self) -> &PageInfo {
        &self.page.info
    }

    /// How many deals the whole list holds.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<i64> {
        let stats = ctx
            .loaders()?
            .load_one(self.stats.clone())
            .await?
            .unwrap_or_default();
        Ok(stats.currencies.iter().map(|c| c.count).sum())
    }

    /// Count and exact totals of the whole list (not just this page), per currency.
    async fn summary(&self, ctx: &Context<'_>) -> AppResult<DealSummary> {
        let stats = ctx
            .loaders()?
            .load_one(self.stats.clone())
            .await?
            .unwrap_or_default();
        let hundred = Decimal::ONE_HUNDRED;
        Ok(DealSummary {
            count: stats.currencies.iter().map(|c| c.count).sum(),
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
        })
    }
}
