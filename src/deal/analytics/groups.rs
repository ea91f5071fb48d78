//! `dealGroups(filter, by)`: a deal list grouped by up to three keys (stage, pipeline, owner,
//! company, status, priority, currency, tag, or one period: the month or quarter a date falls
//! in, UTC), each group with the summary a list has — one statement however many groups,
//! exact integer sums on both databases. "Value by owner by stage" is `by: [OWNER, STAGE]`;
//! "won value by month" is `filter: { status: [WON] }, by: [CLOSED_MONTH]`.

use crate::company::{Company, CompanyId};
use crate::deal::connection::summary_of;
use crate::deal::filter::DealFilter;
use crate::deal::list::DealStats;
use crate::deal::order::deal_column;
use crate::deal::types::{DealStatus, Priority};
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::pipeline::{Pipeline, PipelineId, Stage, StageId};
use crate::user::{User, UserId};
use async_graphql::{Context, Enum, Object};
use entity::{deal, deal_tag, enums};
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order};
use sea_orm::{ConnectionTrait, DbBackend, IdenStatic};

/// Most keys one grouping may have.
pub const MAX_GROUP_KEYS: usize = 3;
/// Most groups one answer may hold; more is LIMIT_EXCEEDED (narrow the filter or group by
/// fewer keys).
pub const MAX_GROUPS: usize = 1_000;
/// Most rows (a group per currency) the statement may bring.
const MAX_ROWS: usize = 4 * MAX_GROUPS;

/// What deals can be grouped by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DealGroupKey {
    /// The deal's stage.
    Stage,
    /// The deal's pipeline.
    Pipeline,
    /// The deal's owner (a group for deals without one).
    Owner,
    /// The deal's company (a group for deals without one).
    Company,
    /// Open, won or lost.
    Status,
    /// The deal's priority.
    Priority,
    /// The deal's currency.
    Currency,
    /// Each of the deal's tags (a deal with two tags is in two groups; one group for deals
    /// without tags).
    Tag,
    /// The month the deal was created in (`period` "2026-03").
    CreatedMonth,
    /// The quarter the deal was created in (`period` "2026-Q1").
    CreatedQuarter,
    /// The month the deal was won or lost in (a group for open deals).
    ClosedMonth,
    /// The quarter the deal was won or lost in (a group for open deals).
    ClosedQuarter,
    /// The month the deal is expected to close in (a group for deals without a date).
    ExpectedCloseMonth,
    /// The quarter the deal is expected to close in (a group for deals without a date).
    ExpectedCloseQuarter,
}

impl DealGroupKey {
    /// The column the key groups on, as `g_<key>`.
    fn alias(self) -> &'static str {
        match self {
            Self::Stage => "g_stage",
            Self::Pipeline => "g_pipeline",
            Self::Owner => "g_owner",
            Self::Company => "g_company",
            Self::Status => "g_status",
            Self::Priority => "g_priority",
            Self::Currency => "g_currency",
            Self::Tag => "g_tag",
            _ => "g_period",
        }
    }

    /// The date column and whether quarters (not months) are asked, for a period key.
    fn period(self) -> Option<(deal::Column, bool)> {
        match self {
            Self::CreatedMonth => Some((deal::Column::CreatedAt, false)),
            Self::CreatedQuarter => Some((deal::Column::CreatedAt, true)),
            Self::ClosedMonth => Some((deal::Column::ClosedAt, false)),
            Self::ClosedQuarter => Some((deal::Column::ClosedAt, true)),
            Self::ExpectedCloseMonth => Some((deal::Column::ExpectedCloseDate, false)),
            Self::ExpectedCloseQuarter => Some((deal::Column::ExpectedCloseDate, true)),
            _ => None,
        }
    }

    fn expr(self, backend: DbBackend) -> Expr {
        if let Some((column, quarters)) = self.period() {
            return period_expr(backend, column, quarters);
        }
        match self {
            Self::Stage => deal_column(deal::Column::StageId),
            Self::Pipeline => deal_column(deal::Column::PipelineId),
            Self::Owner => deal_column(deal::Column::OwnerId),
            Self::Company => deal_column(deal::Column::CompanyId),
            Self::Status => deal_column(deal::Column::Status),
            Self::Priority => deal_column(deal::Column::Priority),
            Self::Currency => deal_column(deal::Column::Currency),
            Self::Tag => Expr::col((Alias::new("tagged"), deal_tag::Column::Tag)),
            _ => Expr::val(""),
        }
    }
}

/// The month (`2026-03`) or quarter (`2026-Q1`) `column` falls in, in UTC, as text.
fn period_expr(backend: DbBackend, column: deal::Column, quarters: bool) -> Expr {
    let name = format!("\"deal\".\"{}\"", column.as_str());
    let sql = match backend {
        DbBackend::Postgres => {
            // Instants are read in UTC; a date is its own day.
            let utc = if matches!(column, deal::Column::ExpectedCloseDate) {
                name
            } else {
                format!("({name} AT TIME ZONE 'UTC')")
            };
            if quarters {
                format!("to_char({utc}, 'YYYY-\"Q\"Q')")
            } else {
                format!("to_char({utc}, 'YYYY-MM')")
            }
        }
        // Stored as ISO 8601 text in UTC.
        _ if quarters => format!(
            "(strftime('%Y', {name}) || '-Q' || ((CAST(strftime('%m', {name}) AS INTEGER) + 2) / 3))"
        ),
        _ => format!("strftime('%Y-%m', {name})"),
    };
    Expr::cust(sql)
}

/// The keys of one group; a key not grouped on is null.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct GroupKeys {
    stage: Option<Uuid>,
    pipeline: Option<Uuid>,
    owner: Option<Uuid>,
    company: Option<Uuid>,
    status: Option<enums::DealStatus>,
    priority: Option<enums::Priority>,
    currency: Option<String>,
    tag: Option<String>,
    period: Option<String>,
}

/// Deals sharing the same keys, with their count and per-currency totals.
pub struct DealGroup {
    keys: GroupKeys,
    stats: DealStats,
}

/// Deals sharing the same keys, with their count and per-currency totals.
#[Object]
impl DealGroup {
    /// The stage, when grouped by STAGE.
    async fn stage(&self, ctx: &Context<'_>) -> AppResult<Option<Stage>> {
        match self.keys.stage {
            Some(id) => ctx.loaders()?.load_one(StageId(id)).await,
            None => Ok(None),
        }
    }

    /// The pipeline, when grouped by PIPELINE.
    async fn pipeline(&self, ctx: &Context<'_>) -> AppResult<Option<Pipeline>> {
        match self.keys.pipeline {
            Some(id) => ctx.loaders()?.load_one(PipelineId(id)).await,
            None => Ok(None),
        }
    }

    /// The owner, when grouped by OWNER (null also for the deals without one).
    async fn owner(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        match self.keys.owner {
            Some(id) => ctx.loaders()?.load_one(UserId(id)).await,
            None => Ok(None),
        }
    }

    /// The company, when grouped by COMPANY (null also for the deals without one).
    async fn company(&self, ctx: &Context<'_>) -> AppResult<Option<Company>> {
        match self.keys.company {
            Some(id) => ctx.loaders()?.load_one(CompanyId(id)).await,
            None => Ok(None),
        }
    }

    /// The status, when grouped by STATUS.
    async fn status(&self) -> Option<DealStatus> {
        self.keys.status.map(Into::into)
    }

    /// The priority, when grouped by PRIORITY.
    async fn priority(&self) -> Option<Priority> {
        self.keys.priority.map(Into::into)
    }

    /// The currency, when grouped by CURRENCY.
    async fn currency(&self) -> Option<&str> {
        self.keys.currency.as_deref()
    }

    /// The tag, when grouped by TAG (null for the deals without tags).
    async fn tag(&self) -> Option<&str> {
        self.keys.tag.as_deref()
    }

    /// The month (`2026-03`) or quarter (`2026-Q1`), UTC, when grouped by a period (null for
    /// the deals without that date).
    async fn period(&self) -> Option<&str> {
        self.keys.period.as_deref()
    }

    /// Count and exact totals of the group's deals, per currency.
    async fn summary(&self) -> crate::deal::connection::DealSummary {
        summary_of(&self.stats)
    }
}

/// The groups of `filter`'s deals by `by`, in key order (nulls last).
pub async fn deal_groups(
    ctx: &Context<'_>,
    filter: Option<DealFilter>,
    by: Vec<DealGroupKey>,
) -> AppResult<Vec<DealGroup>> {
    if by.is_empty() || by.len() > MAX_GROUP_KEYS {
        return Err(AppError::bad_input(
            "by",
            format!("group by 1 to {MAX_GROUP_KEYS} keys"),
        ));
    }
    if by.iter().any(|k| by.iter().filter(|x| *x == k).count() > 1) {
        return Err(AppError::bad_input("by", "each key at most once"));
    }
    if by.iter().filter(|k| k.period().is_some()).count() > 1 {
        return Err(AppError::bad_input("by", "at most one period key"));
    }
    let db = ctx.reads()?;
    let viewer = ctx.viewer()?;
    let filter = filter.unwrap_or_default();
    let condition = filter.condition(viewer.organization_id, db.get_database_backend())?;
    let mut select = super::currency_totals(condition);
    if by.contains(&DealGroupKey::Tag) {
        select.join_as(
            JoinType::LeftJoin,
            deal_tag::Entity,
            Alias::new("tagged"),
            Expr::col((Alias::new("tagged"), deal_tag::Column::DealId))
                .equals((deal::Entity, deal::Column::Id))
                .and(
                    Expr::col((Alias::new("tagged"), deal_tag::Column::OrganizationId))
                        .equals((deal::Entity, deal::Column::OrganizationId)),
                ),
        );
    }
    let backend = db.get_database_backend();
    for key in &by {
        let expr = key.expr(backend);
        select
            .expr_as(expr.clone(), key.alias())
            .add_group_by([expr.clone()])
            .order_by_expr_with_nulls(expr, Order::Asc, sea_orm::sea_query::NullOrdering::Last);
    }
    select
        .order_by((deal::Entity, deal::Column::Currency), Order::Asc)
        .limit(MAX_ROWS as u64 + 1);
    let rows = db
        .query_all_raw(crate::db::statement::build(&select, backend))
        .await?;
    let too_many = || {
        AppError::LimitExceeded(format!(
            "more than {MAX_GROUPS} groups: narrow the filter or group by fewer keys"
        ))
    };
    if rows.len() > MAX_ROWS {
        return Err(too_many());
    }
    let mut groups: Vec<DealGroup> = Vec::new();
    for row in rows {
        let mut keys = GroupKeys::default();
        for key in &by {
            let alias = key.alias();
            match key {
                DealGroupKey::Stage => keys.stage = row.try_get("", alias)?,
                DealGroupKey::Pipeline => keys.pipeline = row.try_get("", alias)?,
                DealGroupKey::Owner => keys.owner = row.try_get("", alias)?,
                DealGroupKey::Company => keys.company = row.try_get("", alias)?,
                DealGroupKey::Status => keys.status = row.try_get("", alias)?,
                DealGroupKey::Priority => keys.priority = row.try_get("", alias)?,
                DealGroupKey::Currency => keys.currency = row.try_get("", alias)?,
                DealGroupKey::Tag => keys.tag = row.try_get("", alias)?,
                _ => keys.period = row.try_get("", alias)?,
            }
        }
        let totals = super::currency_totals_of(&row)?;
        let count = totals.count;
        match groups.last_mut() {
            Some(last) if last.keys == keys => {
                last.stats.count += count;
                last.stats.currencies.push(totals);
            }
            _ => {
                if groups.len() == MAX_GROUPS {
                    return Err(too_many());
                }
                groups.push(DealGroup {
                    keys,
                    stats: DealStats {
                        count,
                        currencies: vec![totals],
                    },
                });
            }
        }
    }
    Ok(groups)
}
