//! What a dashboard asks of the deals beyond a list: `dealGroups` (group-by with summaries),
//! `dealsTimeline` (periods of a date, each with its deals and totals) and `dealFunnel`
//! (stage-to-stage conversion and time in stage, from the stage history). Each answers in a
//! number of statements fixed by the request's shape, however many groups, periods or stages.

pub mod funnel;
pub mod groups;
pub mod timeline;

use crate::db::scaled_sum;
use crate::deal::list::{CurrencyTotals, weight_percent};
use crate::deal::order::deal_column;
use crate::error::AppResult;
use entity::{deal, stage};
use sea_orm::QueryResult;
use sea_orm::sea_query::{
    Asterisk, Condition, Expr, ExprTrait, Func, JoinType, Query, SelectStatement,
};

/// The deals `condition` selects with their stages, summed per currency (and per whatever the
/// caller groups by too): `deals`, `currency`, `total`, `weighted`, `least`, `greatest`.
/// Unordered: the caller orders by its keys, then by currency.
fn currency_totals(condition: Condition) -> SelectStatement {
    let value = || deal_column(deal::Column::Value);
    let weight = weight_percent(
        deal_column(deal::Column::Status),
        Expr::col((stage::Entity, stage::Column::Probability)),
    );
    Query::select()
        .from(deal::Entity)
        .join(
            JoinType::InnerJoin,
            stage::Entity,
            Expr::col((stage::Entity, stage::Column::Id))
                .equals((deal::Entity, deal::Column::StageId)),
        )
        .cond_where(condition)
        .expr_as(Func::count(Expr::col(Asterisk)).cast_as("BIGINT"), "deals")
        .expr_as(deal_column(deal::Column::Currency), "currency")
        .expr_as(scaled_sum(value()), "total")
        .expr_as(scaled_sum(value().mul(weight)), "weighted")
        .expr_as(Func::min(value()).cast_as("BIGINT"), "least")
        .expr_as(Func::max(value()).cast_as("BIGINT"), "greatest")
        .group_by_col((deal::Entity, deal::Column::Currency))
        .to_owned()
}

/// One row of [`currency_totals`].
fn currency_totals_of(row: &QueryResult) -> AppResult<CurrencyTotals> {
    Ok(CurrencyTotals {
        currency: row.try_get("", "currency")?,
        count: row.try_get("", "deals")?,
        value: row.try_get("", "total")?,
        value_times_probability: row.try_get("", "weighted")?,
        extremes: Some((row.try_get("", "least")?, row.try_get("", "greatest")?)),
    })
}
