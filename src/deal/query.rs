//! Root fields: `deals`, `deal`, `searchDeals`, `dealGroups`, `dealsTimeline` and
//! `dealFunnel`.

use super::Deal;
use super::analytics::funnel::{DealFunnel, FunnelArgs, deal_funnel};
use super::analytics::groups::{DealGroup, DealGroupKey, deal_groups};
use super::analytics::timeline::{
    DealPeriod, TimelineArgs, TimelineField, TimelineInterval, deals_timeline,
};
use super::detail::deal_with_lists;
use super::events::feed::{DealChangeFeed, deal_changes};
use super::filter::DealFilter;
use super::search::{DealSearchConnection, DealSearchField, SearchArgs, search_deals};
use crate::error::AppResult;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::list_fields::object_with_lists;
use crate::graphql::scalars::{Date, DateTime};
use async_graphql::{Context, ID};

/// Root fields of deals.
#[derive(Default)]
pub struct DealQuery;

object_with_lists!(
    DealQuery;
    deals: |_: &DealQuery| None,
    ;
    /// The deal with this id (even when archived or deleted), or null when it is not in your
    /// organisation.
    async fn deal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The deal's id.")] id: ID,
    ) -> AppResult<Option<Deal>> {
        let id = expect_id(&id, NodeKind::Deal, "id")?;
        deal_with_lists(ctx, id).await
    }

    /// Changes of your organisation's deals after `since`, oldest first, deletions included:
    /// what an offline-first client needs to keep its copy exact. Keep `nextToken` and pass it
    /// as `since` next time; events may come again after a lost reply (apply them idempotently).
    async fn deal_changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `nextToken` of your last call; from the first event when absent.")]
        since: Option<String>,
        #[graphql(desc = "At most this many events (at most 500; 100 by default).")] first: Option<
            i32,
        >,
    ) -> AppResult<DealChangeFeed> {
        deal_changes(ctx, since, first).await
    }

    /// Deals whose words match `term`, best first (Pipedrive's deal search): each word of the
    /// term as the start of a word (`ren` finds "Renewal"), or the exact phrase with
    /// `exactMatch`, in the title, notes (activities' subjects and notes), custom-field values,
    /// contact, company or products; each result with its score and the fields that matched.
    /// Title matches rank above contact and company, above products and custom fields, above
    /// notes. Deleted and archived deals are left out unless the filter asks for them.
    #[allow(clippy::too_many_arguments)]
    async fn search_deals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to look for: 2–200 characters (1 with `exactMatch`), at most \
                          16 words; letters and digits count, anything else separates words.")]
        term: String,
        #[graphql(desc = "Where to look (all fields when absent).")] fields: Option<
            Vec<DealSearchField>,
        >,
        #[graphql(desc = "Match the term as a phrase of whole words instead of word \
                          beginnings (false when absent).")]
        exact_match: Option<bool>,
        #[graphql(desc = "Which deals, as for `deals`.")] filter: Option<DealFilter>,
        #[graphql(desc = "This many results (at most 500; 50 by default).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
    ) -> AppResult<DealSearchConnection> {
        let args = SearchArgs {
            term,
            fields,
            exact_match: exact_match.unwrap_or(false),
            filter,
            first,
            after,
        };
        search_deals(ctx, args).await
    }

    /// The deals `filter` selects, grouped by 1–3 keys (e.g. `[OWNER, STAGE]`: value by owner
    /// by stage), each group with its count and exact per-currency summary; in key order,
    /// groups without a key value last; at most 1,000 groups.
    async fn deal_groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which deals, as for `deals`.")] filter: Option<DealFilter>,
        #[graphql(desc = "What to group by, outermost first (1–3 keys, each once).")] by: Vec<
            DealGroupKey,
        >,
    ) -> AppResult<Vec<DealGroup>> {
        deal_groups(ctx, filter, by).await
    }

    /// The deals `filter` selects, on `amount` consecutive periods (days, weeks from Monday,
    /// months or quarters) by one of their dates (Pipedrive's deal timeline): each period with
    /// its deals and exact per-currency totals, split open / won / lost. Periods are the days
    /// of `timeZone` (UTC unless given); deals whose date is not on the timeline are left out.
    #[allow(clippy::too_many_arguments)]
    async fn deals_timeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A day of the first period; moved back to the period's start (the \
                          Monday of its week, the first of its month or quarter).")]
        start_date: Date,
        #[graphql(desc = "How long each period is.")] interval: TimelineInterval,
        #[graphql(desc = "How many periods (1–366).")] amount: i32,
        #[graphql(desc = "Which date of a deal places it on the timeline.")] field: TimelineField,
        #[graphql(desc = "Which deals, as for `deals`.")] filter: Option<DealFilter>,
        #[graphql(desc = "IANA time zone whose days the periods are (`Europe/Berlin`); UTC \
                          when absent. Ignored for EXPECTED_CLOSE, which is a date.")]
        time_zone: Option<String>,
    ) -> AppResult<Vec<DealPeriod>> {
        let args = TimelineArgs {
            start_date,
            interval,
            amount,
            field,
            filter,
            time_zone,
        };
        deals_timeline(ctx, args).await
    }

    /// How the deals `filter` selects moved through a pipeline's stages, from their stage
    /// history: per stage, the deals that entered it in the range, how many moved on to a
    /// further stage, were won or lost, the stage-to-stage and win rates, and the average and
    /// median days their finished stays lasted. Null when the pipeline is not in your
    /// organisation.
    async fn deal_funnel(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pipeline.")] pipeline_id: ID,
        #[graphql(desc = "Count entries into a stage at or after this instant.")]
        entered_after: Option<DateTime>,
        #[graphql(desc = "Count entries into a stage before this instant.")]
        entered_before: Option<DateTime>,
        #[graphql(desc = "Which deals, as for `deals`.")] filter: Option<DealFilter>,
    ) -> AppResult<Option<DealFunnel>> {
        let args = FunnelArgs {
            pipeline_id: expect_id(&pipeline_id, NodeKind::Pipeline, "pipelineId")?,
            entered_after,
            entered_before,
            filter,
        };
        deal_funnel(ctx, args).await
    }
);
