//! `dealFunnel`: how the deals `filter` selects moved through one pipeline, read from their
//! stage history. For each stage: the deals that entered it in a date range, how many of them
//! later reached a further stage of the pipeline, how many were won or lost, and how long
//! their stays in the stage lasted (average and median days). One statement for the stages,
//! one (window functions over the history, the same on both databases) for the figures.

use crate::deal::filter::DealFilter;
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::scalars::DateTime;
use crate::pipeline::{Pipeline, PipelineId, Stage};
use async_graphql::{Context, Object};
use entity::enums::DealStatus;
use entity::{deal, stage, stage_change};
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{
    Alias, CommonTableExpression, Expr, ExprTrait, Func, JoinType, Query, SelectStatement,
    WithClause,
};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
};
use std::collections::HashMap;

/// What the funnel of one stage counts.
#[derive(Clone, Debug, Default, PartialEq)]
struct StageFigures {
    entered: i64,
    moved_on: i64,
    won: i64,
    lost: i64,
    stays: i64,
    average_days: Option<f64>,
    median_days: Option<f64>,
}

/// One stage of a funnel.
pub struct FunnelStage {
    stage: stage::Model,
    figures: StageFigures,
}

/// One stage of a deal funnel: the deals that entered it in the funnel's range and what
/// became of them. A deal that entered the stage more than once counts once.
#[Object]
impl FunnelStage {
    /// The stage.
    async fn stage(&self) -> Stage {
        Stage(self.stage.clone())
    }

    /// Deals that entered the stage in the range.
    async fn entered(&self) -> i64 {
        self.figures.entered
    }

    /// Of those, the deals that later reached a further stage of the pipeline (a higher
    /// position; skipping stages counts, moving back does not).
    async fn moved_on(&self) -> i64 {
        self.figures.moved_on
    }

    /// Of those, the deals won (by now).
    async fn won(&self) -> i64 {
        self.figures.won
    }

    /// Of those, the deals lost (by now).
    async fn lost(&self) -> i64 {
        self.figures.lost
    }

    /// `movedOn ÷ entered`, from 0 to 1: the stage-to-stage conversion; null when no deal
    /// entered.
    async fn conversion_rate(&self) -> Option<f64> {
        ratio(self.figures.moved_on, self.figures.entered)
    }

    /// `won ÷ entered`, from 0 to 1: the conversion to won; null when no deal entered.
    async fn win_rate(&self) -> Option<f64> {
        ratio(self.figures.won, self.figures.entered)
    }

    /// Stays that began in the range and have ended — the deal moved to another stage or
    /// was won or lost — which the day figures are taken from. A deal still in the stage
    /// has no length of stay yet.
    async fn finished_stays(&self) -> i64 {
        self.figures.stays
    }

    /// Mean length of the finished stays, in days (fractions of a day included); null when
    /// none.
    async fn average_days_in_stage(&self) -> Option<f64> {
        self.figures.average_days
    }

    /// Median length of the finished stays, in days (the mean of the two middle stays when
    /// their number is even); null when none.
    async fn median_days_in_stage(&self) -> Option<f64> {
        self.figures.median_days
    }
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// How the deals of a pipeline moved through its stages.
pub struct DealFunnel {
    pipeline_id: Uuid,
    stages: Vec<FunnelStage>,
}

/// How the deals of one pipeline moved through its stages over a range of dates, from their
/// stage history.
#[Object]
impl DealFunnel {
    /// The pipeline.
    async fn pipeline(&self, ctx: &Context<'_>) -> AppResult<Option<Pipeline>> {
        ctx.loaders()?.load_one(PipelineId(self.pipeline_id)).await
    }

    /// Its stages in board order, each with its figures.
    async fn stages(&self) -> &[FunnelStage] {
        &self.stages
    }
}

/// What `dealFunnel` was asked.
pub struct FunnelArgs {
    /// The pipeline.
    pub pipeline_id: Uuid,
    /// Entries at or after this instant.
    pub entered_after: Option<DateTime>,
    /// Entries before this instant.
    pub entered_before: Option<DateTime>,
    /// Which deals.
    pub filter: Option<DealFilter>,
}

/// The funnel of a pipeline of the viewer's organisation (None when it has no such
/// pipeline).
pub async fn deal_funnel(ctx: &Context<'_>, args: FunnelArgs) -> AppResult<Option<DealFunnel>> {
    if let (Some(DateTime(after)), Some(DateTime(before))) =
        (&args.entered_after, &args.entered_before)
        && after > before
    {
        return Err(AppError::bad_input(
            "enteredBefore",
            "the range ends before it starts",
        ));
    }
    let db = ctx.reads()?;
    let organization_id = ctx.viewer()?.organization_id;
    let backend = db.get_database_backend();
    // The filter is checked whether or not the pipeline has stages.
    let condition = args
        .filter
        .unwrap_or_default()
        .condition(organization_id, backend)?;
    let stages = stage::Entity::find()
        .filter(stage::Column::OrganizationId.eq(organization_id))
        .filter(stage::Column::PipelineId.eq(args.pipeline_id))
        .filter(stage::Column::DeletedAt.is_null())
        .order_by_asc(stage::Column::Position)
        .order_by_asc(stage::Column::Id)
        .all(db)
        .await?;
    if stages.is_empty() {
        let pipeline = ctx
            .loaders()?
            .load_one(PipelineId(args.pipeline_id))
            .await?;
        return Ok(pipeline.map(|_| DealFunnel {
            pipeline_id: args.pipeline_id,
            stages: Vec::new(),
        }));
    }
    let deals = Query::select()
        .column((deal::Entity, deal::Column::Id))
        .from(deal::Entity)
        .cond_where(condition)
        .to_owned();
    let range = |column: Expr| {
        let mut all = sea_orm::Condition::all();
        if let Some(DateTime(after)) = &args.entered_after {
            all = all.add(column.clone().gte(*after));
        }
        if let Some(DateTime(before)) = &args.entered_before {
            all = all.add(column.lt(*before));
        }
        all
    };
    let ranged = args.entered_after.is_some() || args.entered_before.is_some();
    let statement = figures_statement(
        organization_id,
        args.pipeline_id,
        deals,
        &range,
        ranged,
        backend,
    );
    let mut figures: HashMap<Uuid, StageFigures> = HashMap::new();
    for row in db
        .query_all_raw(crate::db::statement::build(&statement, backend))
        .await?
    {
        figures.insert(
            row.try_get("", "stage_id")?,
            StageFigures {
                entered: row.try_get("", "entered")?,
                moved_on: row.try_get("", "moved_on")?,
                won: row.try_get("", "won")?,
                lost: row.try_get("", "lost")?,
                stays: row.try_get("", "stays")?,
                average_days: row.try_get("", "average_days")?,
                median_days: row.try_get("", "median_days")?,
            },
        );
    }
    Ok(Some(DealFunnel {
        pipeline_id: args.pipeline_id,
        stages: stages
            .into_iter()
            .map(|stage| FunnelStage {
                figures: figures.remove(&stage.id).unwrap_or_default(),
                stage,
            })
            .collect(),
    }))
}

/// The figures of every stage of `pipeline` in one statement:
///
/// - `moves`: every stage change of the selected deals (that entered the pipeline in the range,
///   when there is one), with when the deal left that stage (its next change, in any
///   pipeline) and the furthest position it reached later in the pipeline (window functions);
/// - `stays`: the entries into the pipeline's stages in the range, with the deal's status
///   and the length of the stay in days (until the next change, else until the deal closed;
///   none while it is still there);
/// - `ranked` / `medians`: each stage's finished stays in order of length, and the middle
///   one (or two);
/// - the answer: per stage, distinct deals entered, moved on, won, lost; stays; mean and
///   median days.
fn figures_statement(
    organization_id: Uuid,
    pipeline_id: Uuid,
    deals: SelectStatement,
    range: &dyn Fn(Expr) -> sea_orm::Condition,
    ranged: bool,
    backend: DbBackend,
) -> sea_orm::sea_query::WithQuery {
    let change = |column: stage_change::Column| Expr::col((stage_change::Entity, column));
    let entered_pipeline = Query::select()
        .column((stage_change::Entity, stage_change::Column::DealId))
        .from(stage_change::Entity)
        .join(
            JoinType::InnerJoin,
            stage::Entity,
            Expr::col((stage::Entity, stage::Column::Id))
                .equals((stage_change::Entity, stage_change::Column::ToStageId)),
        )
        .and_where(change(stage_change::Column::OrganizationId).eq(organization_id))
        .and_where(Expr::col((stage::Entity, stage::Column::PipelineId)).eq(pipeline_id))
        .cond_where(range(change(stage_change::Column::ChangedAt)))
        .to_owned();
    let in_order = r#"PARTITION BY "stage_change"."deal_id" ORDER BY "stage_change"."changed_at", "stage_change"."id""#;
    let mut moves = Query::select()
        .from(stage_change::Entity)
        .join(
            JoinType::InnerJoin,
            stage::Entity,
            Expr::col((stage::Entity, stage::Column::Id))
                .equals((stage_change::Entity, stage_change::Column::ToStageId))
                .and(
                    Expr::col((stage::Entity, stage::Column::OrganizationId))
                        .equals((stage_change::Entity, stage_change::Column::OrganizationId)),
                ),
        )
        .expr_as(change(stage_change::Column::DealId), "deal_id")
        .expr_as(change(stage_change::Column::ToStageId), "stage_id")
        .expr_as(Expr::col((stage::Entity, stage::Column::PipelineId)), "pipeline_id")
        .expr_as(Expr::col((stage::Entity, stage::Column::Position)), "position")
        .expr_as(change(stage_change::Column::ChangedAt), "entered_at")
        .expr_as(
            Expr::cust(format!(r#"LEAD("stage_change"."changed_at") OVER ({in_order})"#)),
            "left_at",
        )
        .expr_as(
            // One window (the same partition and order as LEAD's): one sort of the history.
            Expr::cust_with_values(
                format!(
                    r#"MAX(CASE WHEN "stage"."pipeline_id" = {} THEN "stage"."position" END) OVER ({in_order} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)"#,
                    match backend {
                        DbBackend::Postgres => "$1",
                        _ => "?",
                    }
                ),
                [pipeline_id],
            ),
            "furthest_after",
        )
        .and_where(change(stage_change::Column::OrganizationId).eq(organization_id))
        .and_where(change(stage_change::Column::DealId).in_subquery(deals))
        .to_owned();
    if ranged {
        // Only the deals that entered the pipeline in the range. (Without a range it would
        // be every deal of the pipeline, and PostgreSQL misjudges the two semi-joins.)
        moves.and_where(change(stage_change::Column::DealId).in_subquery(entered_pipeline));
    }

    let left = r#"COALESCE("moves"."left_at", CASE WHEN "deal"."closed_at" >= "moves"."entered_at" THEN "deal"."closed_at" END)"#;
    let days = match backend {
        DbBackend::Postgres => format!(
            r#"CAST(EXTRACT(EPOCH FROM ({left} - "moves"."entered_at")) / 86400.0 AS DOUBLE PRECISION)"#
        ),
        _ => format!(r#"(julianday({left}) - julianday("moves"."entered_at"))"#),
    };
    let moved = |name: &str| Expr::col((Alias::new("moves"), Alias::new(name)));
    let stays = Query::select()
        .from(Alias::new("moves"))
        .join(
            JoinType::InnerJoin,
            deal::Entity,
            Expr::col((deal::Entity, deal::Column::Id))
                .equals((Alias::new("moves"), Alias::new("deal_id"))),
        )
        .expr_as(moved("stage_id"), "stage_id")
        .expr_as(moved("deal_id"), "deal_id")
        .expr_as(moved("position"), "position")
        .expr_as(moved("furthest_after"), "furthest_after")
        .expr_as(Expr::col((deal::Entity, deal::Column::Status)), "status")
        .expr_as(Expr::cust(days), "days")
        .and_where(Expr::col((deal::Entity, deal::Column::OrganizationId)).eq(organization_id))
        .and_where(moved("pipeline_id").eq(pipeline_id))
        .cond_where(range(moved("entered_at")))
        .to_owned();

    let ranked = Query::select()
        .from(Alias::new("stays"))
        .column(Alias::new("stage_id"))
        .column(Alias::new("days"))
        .expr_as(
            Expr::cust(r#"ROW_NUMBER() OVER (PARTITION BY "stage_id" ORDER BY "days")"#),
            "place",
        )
        .expr_as(
            Expr::cust(r#"COUNT(*) OVER (PARTITION BY "stage_id")"#),
            "finished",
        )
        .and_where(Expr::col(Alias::new("days")).is_not_null())
        .to_owned();
    let medians = Query::select()
        .from(Alias::new("ranked"))
        .column(Alias::new("stage_id"))
        .expr_as(Func::avg(Expr::col(Alias::new("days"))), "median_days")
        .and_where(Expr::cust(
            r#""place" IN (("finished" + 1) / 2, ("finished" + 2) / 2)"#,
        ))
        .group_by_col(Alias::new("stage_id"))
        .to_owned();

    let stay = |name: &str| Expr::col((Alias::new("stays"), Alias::new(name)));
    let deal_when = |condition: Expr| -> Expr {
        Expr::expr(Func::count_distinct(Expr::expr(
            Expr::case(condition, stay("deal_id")).finally(Expr::null()),
        )))
        .cast_as("BIGINT")
    };
    let answer = Query::select()
        .from(Alias::new("stays"))
        .join(
            JoinType::LeftJoin,
            Alias::new("medians"),
            Expr::col((Alias::new("medians"), Alias::new("stage_id")))
                .equals((Alias::new("stays"), Alias::new("stage_id"))),
        )
        .expr_as(stay("stage_id"), "stage_id")
        .expr_as(
            Expr::expr(Func::count_distinct(stay("deal_id"))).cast_as("BIGINT"),
            "entered",
        )
        .expr_as(
            deal_when(stay("furthest_after").gt(stay("position"))),
            "moved_on",
        )
        .expr_as(
            deal_when(stay("status").eq(DealStatus::Won.to_value())),
            "won",
        )
        .expr_as(
            deal_when(stay("status").eq(DealStatus::Lost.to_value())),
            "lost",
        )
        .expr_as(
            Expr::expr(Func::count(stay("days"))).cast_as("BIGINT"),
            "stays",
        )
        .expr_as(Func::avg(stay("days")), "average_days")
        .expr_as(
            Func::max(Expr::col((
                Alias::new("medians"),
                Alias::new("median_days"),
            ))),
            "median_days",
        )
        .group_by_col((Alias::new("stays"), Alias::new("stage_id")))
        .to_owned();

    let cte = |name: &str, query: SelectStatement| {
        CommonTableExpression::new()
            .query(query)
            .table_name(Alias::new(name))
            .to_owned()
    };
    WithClause::new()
        .cte(cte("moves", moves))
        .cte(cte("stays", stays))
        .cte(cte("ranked", ranked))
        .cte(cte("medians", medians))
        .to_owned()
        .query(answer)
}
