//! `dealsTimeline` (Pipedrive's `GET /deals/timeline`): the deals `filter` selects, put in
//! consecutive periods — days, Monday weeks, months or quarters of a time zone — by one of
//! their dates, each period with its deals (a connection) and exact per-currency totals, split
//! open / won / lost. The totals of every period are one grouped statement, the deal pages of
//! every period one more (a per-period `LIMIT`), however many periods.

use crate::deal::connection::{DealConnection, DealListArgs, DealSummary, look_ahead, summary_of};
use crate::deal::filter::DealFilter;
use crate::deal::list::{
    CurrencyTotals, DealListSpec, DealPage, DealStats, PagedUnder, fetch_pages_under,
};
use crate::deal::order::{DealOrder, deal_column};
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::loader::DbLoader;
use crate::graphql::pagination::{PageArgs, Partition};
use crate::graphql::scalars::{Date, DateTime};
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum, Object};
use chrono::{Datelike, Months, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use entity::deal;
use entity::enums::DealStatus;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order};
use sea_orm::{ConnectionTrait, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Most periods one timeline may have (a year of days).
pub const MAX_PERIODS: usize = 366;
/// Longest `timeZone` name accepted.
const MAX_TIME_ZONE_LENGTH: usize = 64;

/// How long each period of a timeline is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimelineInterval {
    /// A day, from midnight to midnight in the time zone.
    Day,
    /// A week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
    /// A calendar quarter (January, April, July, October).
    Quarter,
}

/// The date of a deal that places it on a timeline.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimelineField {
    /// When the deal was created.
    Created,
    /// When the deal was won (open and lost deals are on no period).
    Won,
    /// When the deal was lost (open and won deals are on no period).
    Lost,
    /// When the deal was won or lost (open deals are on no period).
    Closed,
    /// The day the deal is expected to close (a date, the same in every time zone).
    ExpectedClose,
    /// When the deal last moved to another stage (or was created).
    StageChanged,
}

impl TimelineField {
    fn column(self) -> deal::Column {
        match self {
            Self::Created => deal::Column::CreatedAt,
            Self::Won => deal::Column::WonAt,
            Self::Lost => deal::Column::LostAt,
            Self::Closed => deal::Column::ClosedAt,
            Self::ExpectedClose => deal::Column::ExpectedCloseDate,
            Self::StageChanged => deal::Column::StageChangedAt,
        }
    }
}

/// Where a period starts: an instant for the fields that are instants, a day for the
/// expected close date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Bound {
    Instant(chrono::DateTime<Utc>),
    Day(NaiveDate),
}

impl Bound {
    fn value(self) -> Value {
        match self {
            Self::Instant(at) => at.into(),
            Self::Day(day) => day.into(),
        }
    }
}

/// The shape of a timeline: which deals, on which date, and where its periods start (one
/// more bound than periods: the last is where the last period ends).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TimelineShape {
    filter: DealFilter,
    field: TimelineField,
    bounds: Vec<Bound>,
}

impl TimelineShape {
    /// `CASE period WHEN 0 THEN bounds[0 + shift] … END`: the bound at `period + shift`.
    fn bound_at(&self, period: Expr, shift: usize) -> Expr {
        let mut case = Expr::case(period.clone().eq(0), self.bounds[shift].value());
        for (n, bound) in self.bounds.iter().enumerate().skip(shift + 1) {
            case = case.case(period.clone().eq((n - shift) as i64), bound.value());
        }
        case.into()
    }

    /// `CASE WHEN date < bounds[1] THEN 0 … END`: the period of a deal already known to be
    /// on the timeline.
    fn period_expr(&self) -> Expr {
        let date = deal_column(self.field.column());
        let last = self.bounds.len() - 2;
        let mut case = Expr::case(date.clone().lt(self.bounds[1].value()), 0);
        for (n, bound) in self
            .bounds
            .iter()
            .enumerate()
            .skip(2)
            .take(last.saturating_sub(1))
        {
            case = case.case(date.clone().lt(bound.value()), (n - 1) as i64);
        }
        case.finally(last as i64).into()
    }
}

/// The days periods start on: `amount + 1` of them, the first moved back to the start of
/// its period (Monday, the first of the month or quarter).
fn period_days(
    start: NaiveDate,
    interval: TimelineInterval,
    amount: usize,
) -> Option<Vec<NaiveDate>> {
    let first = match interval {
        TimelineInterval::Day => start,
        TimelineInterval::Week => start.checked_sub_days(chrono::Days::new(u64::from(
            start.weekday().num_days_from_monday(),
        )))?,
        TimelineInterval::Month => start.with_day(1)?,
        TimelineInterval::Quarter => {
            NaiveDate::from_ymd_opt(start.year(), (start.month0() / 3) * 3 + 1, 1)?
        }
    };
    let mut days = vec![first];
    for _ in 0..amount {
        let last = *days.last()?;
        days.push(match interval {
            TimelineInterval::Day => last.checked_add_days(chrono::Days::new(1))?,
            TimelineInterval::Week => last.checked_add_days(chrono::Days::new(7))?,
            TimelineInterval::Month => last.checked_add_months(Months::new(1))?,
            TimelineInterval::Quarter => last.checked_add_months(Months::new(3))?,
        });
    }
    Some(days)
}

/// The first instant of `day` in `zone`: its midnight, or where a clock change that skips
/// midnight lands.
fn day_starts_at(day: NaiveDate, zone: Tz) -> chrono::DateTime<Utc> {
    let mut local = day.and_time(NaiveTime::MIN);
    for _ in 0..(24 * 4) {
        if let Some(at) = zone.from_local_datetime(&local).earliest() {
            return at.with_timezone(&Utc);
        }
        local += TimeDelta::minutes(15);
    }
    day.and_time(NaiveTime::MIN).and_utc()
}

/// One period of a timeline.
pub struct DealPeriod {
    shape: Arc<TimelineShape>,
    index: i64,
    starts: NaiveDate,
    next: NaiveDate,
    zone: Tz,
    all: Arc<DealStats>,
    by_status: [DealStats; 3],
}

/// One period of a deal timeline: its deals and their totals, split open / won / lost.
#[Object]
impl DealPeriod {
    /// The period's first day, in the timeline's time zone.
    async fn start_date(&self) -> Date {
        Date(self.starts)
    }

    /// The period's last day, in the timeline's time zone.
    async fn end_date(&self) -> Date {
        Date(self.next.pred_opt().unwrap_or(self.next))
    }

    /// The instant the period starts: midnight of `startDate` in the time zone.
    async fn starts_at(&self) -> DateTime {
        DateTime(day_starts_at(self.starts, self.zone))
    }

    /// The instant the period ends (exclusive), where the next one starts.
    async fn ends_at(&self) -> DateTime {
        DateTime(day_starts_at(self.next, self.zone))
    }

    /// Count and exact per-currency totals of the period's deals.
    async fn summary(&self) -> DealSummary {
        summary_of(&self.all)
    }

    /// The same, of the period's open deals.
    async fn open(&self) -> DealSummary {
        summary_of(&self.by_status[0])
    }

    /// The same, of the period's won deals.
    async fn won(&self) -> DealSummary {
        summary_of(&self.by_status[1])
    }

    /// The same, of the period's lost deals.
    async fn lost(&self) -> DealSummary {
        summary_of(&self.by_status[2])
    }

    /// The period's deals, ordered (by id when no order is given) and paged by cursor; its
    /// `totalCount` and `summary` are the period's. The pages of every period load together
    /// in one statement.
    async fn deals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Sort keys, applied in order (at most 8); id breaks ties.")]
        order_by: Option<Vec<DealOrder>>,
        #[graphql(desc = "Page forward: this many deals (at most 500; 50 by default).")]
        first: Option<i32>,
        #[graphql(desc = "Page forward: start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page backward: this many deals (at most 500).")] last: Option<i32>,
        #[graphql(desc = "Page backward: end before this cursor.")] before: Option<String>,
    ) -> AppResult<DealConnection> {
        let (includes, _) = look_ahead(ctx);
        let args = DealListArgs {
            filter: Some(self.shape.filter.clone()),
            order_by,
            page: PageArgs {
                first,
                after,
                last,
                before,
            },
        };
        let key = PeriodDeals {
            shape: self.shape.clone(),
            spec: args.into_spec(includes)?,
            period: self.index,
        };
        let page = ctx.loaders()?.load_one(key).await?.unwrap_or_default();
        DealConnection::with_known_stats(ctx, page, self.all.clone()).await
    }
}

/// Key: one period's page of deals.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PeriodDeals {
    shape: Arc<TimelineShape>,
    spec: Arc<DealListSpec>,
    period: i64,
}

impl Loader<PeriodDeals> for DbLoader {
    type Value = DealPage;
    type Error = AppError;

    async fn load(&self, keys: &[PeriodDeals]) -> AppResult<HashMap<PeriodDeals, DealPage>> {
        let mut batches: HashMap<(Arc<TimelineShape>, Arc<DealListSpec>), Vec<i64>> =
            HashMap::new();
        for key in keys {
            batches
                .entry((key.shape.clone(), key.spec.clone()))
                .or_default()
                .push(key.period);
        }
        let mut loaded = HashMap::new();
        for ((shape, spec), periods) in batches {
            let date = deal_column(shape.field.column());
            let partition = Partition {
                belongs: Box::new(|period| {
                    date.clone()
                        .gte(shape.bound_at(period.clone(), 0))
                        .and(date.clone().lt(shape.bound_at(period, 1)))
                }),
                parents: periods.iter().map(|p| (*p).into()).collect(),
            };
            let under = PagedUnder {
                partition,
                keys: &periods,
            };
            let mut pages =
                fetch_pages_under(&self.db, self.organization_id, &spec, Some(under)).await?;
            for period in periods {
                let page = pages.remove(&Some(period)).unwrap_or_default();
                let key = PeriodDeals {
                    shape: shape.clone(),
                    spec: spec.clone(),
                    period,
                };
                loaded.insert(key, page);
            }
        }
        Ok(loaded)
    }
}

/// What `dealsTimeline` was asked.
pub struct TimelineArgs {
    /// `startDate`.
    pub start_date: Date,
    /// `interval`.
    pub interval: TimelineInterval,
    /// `amount`.
    pub amount: i32,
    /// `field`.
    pub field: TimelineField,
    /// `filter`.
    pub filter: Option<DealFilter>,
    /// `timeZone`.
    pub time_zone: Option<String>,
}

/// The periods of a timeline, each with its totals.
pub async fn deals_timeline(ctx: &Context<'_>, args: TimelineArgs) -> AppResult<Vec<DealPeriod>> {
    let amount = usize::try_from(args.amount)
        .ok()
        .filter(|n| (1..=MAX_PERIODS).contains(n))
        .ok_or_else(|| AppError::bad_input("amount", format!("1 to {MAX_PERIODS} periods")))?;
    let zone = match args.time_zone.as_deref() {
        None => Tz::UTC,
        Some(name) if name.len() > MAX_TIME_ZONE_LENGTH => {
            return Err(AppError::bad_input("timeZone", "not a time zone name"));
        }
        Some(name) => name
            .parse::<Tz>()
            .map_err(|_| AppError::bad_input("timeZone", "not an IANA time zone name"))?,
    };
    // Dates are years 0001–9999 on both databases (SQLite compares them as text).
    let days = period_days(args.start_date.0, args.interval, amount)
        .filter(|days| days.last().is_some_and(|day| day.year() <= 9999))
        .ok_or_else(|| AppError::bad_input("startDate", "the periods run past the year 9999"))?;
    let bounds = days
        .iter()
        .map(|day| match args.field {
            TimelineField::ExpectedClose => Bound::Day(*day),
            _ => Bound::Instant(day_starts_at(*day, zone)),
        })
        .collect();
    let shape = Arc::new(TimelineShape {
        filter: args.filter.unwrap_or_default(),
        field: args.field,
        bounds,
    });
    let mut totals = period_totals(ctx, &shape).await?;
    Ok(days
        .windows(2)
        .enumerate()
        .map(|(index, pair)| {
            let by_status = totals.remove(&(index as i64)).unwrap_or_default();
            DealPeriod {
                shape: shape.clone(),
                index: index as i64,
                starts: pair[0],
                next: pair[1],
                zone,
                all: Arc::new(merged(&by_status)),
                by_status,
            }
        })
        .collect())
}

/// Per period, the totals of its open, won and lost deals: one statement.
async fn period_totals(
    ctx: &Context<'_>,
    shape: &TimelineShape,
) -> AppResult<HashMap<i64, [DealStats; 3]>> {
    let db = ctx.reads()?;
    let backend = db.get_database_backend();
    let viewer = ctx.viewer()?;
    let date = deal_column(shape.field.column());
    let (first, last) = (shape.bounds[0], shape.bounds[shape.bounds.len() - 1]);
    let condition = shape
        .filter
        .condition(viewer.organization_id, backend)?
        .add(date.clone().gte(first.value()))
        .add(date.lt(last.value()));
    let period = Alias::new("period");
    let mut select = super::currency_totals(condition);
    select
        .expr_as(shape.period_expr(), period.clone())
        .expr_as(deal_column(deal::Column::Status), "status")
        .group_by_col(period.clone())
        .group_by_col((deal::Entity, deal::Column::Status))
        .order_by((deal::Entity, deal::Column::Currency), Order::Asc);
    let rows = db
        .query_all_raw(crate::db::statement::build(&select, backend))
        .await?;
    let mut totals: HashMap<i64, [DealStats; 3]> = HashMap::new();
    for row in rows {
        let period: i64 = row.try_get("", "period")?;
        let status: DealStatus = row.try_get("", "status")?;
        let split = &mut totals.entry(period).or_default()[match status {
            DealStatus::Open => 0,
            DealStatus::Won => 1,
            DealStatus::Lost => 2,
        }];
        let currency = super::currency_totals_of(&row)?;
        split.count += currency.count;
        split.currencies.push(currency);
    }
    Ok(totals)
}

/// The totals of open, won and lost deals together, per currency alphabetically.
fn merged(splits: &[DealStats; 3]) -> DealStats {
    let mut by_currency: Vec<CurrencyTotals> = Vec::new();
    for totals in splits.iter().flat_map(|split| &split.currencies) {
        match by_currency
            .iter_mut()
            .find(|c| c.currency == totals.currency)
        {
            Some(sum) => {
                sum.count += totals.count;
                sum.value += totals.value;
                sum.value_times_probability += totals.value_times_probability;
                sum.extremes = match (sum.extremes, totals.extremes) {
                    (Some((a, b)), Some((c, d))) => Some((Ord::min(a, c), Ord::max(b, d))),
                    (one, other) => one.or(other),
                };
            }
            None => by_currency.push(totals.clone()),
        }
    }
    by_currency.sort_by(|a, b| a.currency.cmp(&b.currency));
    DealStats {
        count: splits.iter().map(|s| s.count).sum(),
        currencies: by_currency,
    }
}
