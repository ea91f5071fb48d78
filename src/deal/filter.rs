//! `DealFilter`: every list filter of the five seeds, turned into one SQL condition.
//!
//! Ranges named `…After`/`…Since`/`…Min` include their bound; `…Before`/`…Until` exclude it
//! (Pipedrive's `updated_since`/`updated_until`), and `…Max` includes it. Ids of another
//! organisation match nothing, exactly like ids that do not exist.

use super::custom_filter::CustomFieldCondition;
use super::order::deal_column as col;
use super::types::{DealStatus, Priority};
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::scalars::{Date, DateTime, Decimal};
use crate::graphql::text_search::{contains, term};
use async_graphql::{ID, InputObject};
use chrono::TimeDelta;
use entity::{Scaled, company, contact, deal, deal_tag, enums, pipeline, stage};
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, Query};
use sea_orm::{ColumnTrait, DbBackend, IdenStatic};

/// Most ids `ids` may hold.
const MAX_IDS: usize = 100;
/// Most tags `tags` may hold.
const MAX_TAGS: usize = 50;
/// Most conditions `customFields` may hold.
const MAX_CUSTOM_FIELD_CONDITIONS: usize = 10;
/// Most values `status` or `priority` may hold.
const MAX_ENUM_VALUES: usize = 10;
/// Deepest nesting of `and` / `or` / `not`.
pub const MAX_FILTER_DEPTH: usize = 4;
/// Most filters one filter may hold, itself and every nested one counted.
pub const MAX_FILTER_TERMS: usize = 50;

/// Which deals a list holds. Every field is optional and they combine with AND; `and`, `or`
/// and `not` compose filters (nested at most 4 deep, 50 filters in all). Deleted and
/// archived deals are left in or out by the outermost filter only.
#[derive(InputObject, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DealFilter {
    /// Only these deals (at most 100).
    pub ids: Option<Vec<ID>>,
    /// Only deals with one of these statuses (at most 10 values).
    pub status: Option<Vec<DealStatus>>,
    /// Only deals with none of these statuses (at most 10 values).
    pub status_not_in: Option<Vec<DealStatus>>,
    /// Include soft-deleted deals (left out by default).
    pub include_deleted: Option<bool>,
    /// Include archived deals (left out by default).
    pub include_archived: Option<bool>,
    /// Only archived deals.
    pub archived_only: Option<bool>,
    /// Only soft-deleted deals (Pipedrive's `status=deleted`), archived or not.
    pub deleted_only: Option<bool>,
    /// Only deals in this pipeline.
    pub pipeline_id: Option<ID>,
    /// Only deals in this stage.
    pub stage_id: Option<ID>,
    /// Only deals owned by this user.
    pub owner_id: Option<ID>,
    /// Only deals with this contact [person].
    pub contact_id: Option<ID>,
    /// Only deals with this company [org].
    pub company_id: Option<ID>,
    /// Only deals worth at least this much (in their own currency).
    pub value_min: Option<Decimal>,
    /// Only deals worth at most this much (in their own currency).
    pub value_max: Option<Decimal>,
    /// Only deals created at or after this instant.
    pub created_after: Option<DateTime>,
    /// Only deals created before this instant.
    pub created_before: Option<DateTime>,
    /// Only deals changed at or after this instant (Pipedrive's `updated_since`).
    pub updated_since: Option<DateTime>,
    /// Only deals changed before this instant (Pipedrive's `updated_until`).
    pub updated_until: Option<DateTime>,
    /// Only deals expected to close on or after this date.
    pub expected_close_after: Option<Date>,
    /// Only deals expected to close before this date.
    pub expected_close_before: Option<Date>,
    /// Only deals closed at or after this instant.
    pub closed_after: Option<DateTime>,
    /// Only deals closed before this instant.
    pub closed_before: Option<DateTime>,
    /// Only deals with no activity for more than this many days (Rex); a deal with no
    /// activity at all counts from its creation.
    pub days_since_activity_gt: Option<i32>,
    /// Only deals that entered their stage more than this many days ago.
    pub days_in_stage_gt: Option<i32>,
    /// Only deals with at least one of these tags (at most 50).
    pub tags: Option<Vec<String>>,
    /// Only deals with one of these priorities (at most 10 values).
    pub priority: Option<Vec<Priority>>,
    /// Only deals from one of these sources (Rex's `source`, exact, at most 50 values).
    pub sources: Option<Vec<String>>,
    /// true: only deals without a source; false: only deals with one.
    pub source_is_null: Option<bool>,
    /// true: only stalled deals — open, in a pipeline with `stalledAfterDays`, and without
    /// activity for more than that many days (Rex's `stalled` status); false: only deals that
    /// are not stalled.
    pub is_stalled: Option<bool>,
    /// Only deals created through a key of this user.
    pub created_by_id: Option<ID>,
    /// Only deals with none of these priorities (at most 10 values).
    pub priority_not_in: Option<Vec<Priority>>,
    /// true: only deals without a contact; false: only deals with one.
    pub contact_id_is_null: Option<bool>,
    /// true: only deals without a company; false: only deals with one.
    pub company_id_is_null: Option<bool>,
    /// true: only deals without an expected close date; false: only deals with one.
    pub expected_close_date_is_null: Option<bool>,
    /// Only deals every one of these filters selects.
    pub and: Option<Vec<DealFilter>>,
    /// Only deals at least one of these filters selects.
    pub or: Option<Vec<DealFilter>>,
    /// Only deals this filter does not select.
    pub not: Option<Box<DealFilter>>,
    /// Only deals whose custom fields meet every one of these conditions (at most 10).
    pub custom_fields: Option<Vec<CustomFieldCondition>>,
    /// Case-insensitive text in the title, the contact's name or the company's name (at most
    /// 200 characters).
    pub search: Option<String>,
}

fn scaled(value: &Decimal, field: &str) -> AppResult<Scaled> {
    Scaled::from_decimal(value.0).map_err(|e| AppError::bad_input(field, e.to_string()))
}

fn days_ago(days: i32, field: &str) -> AppResult<chrono::DateTime<chrono::Utc>> {
    if days < 0 {
        return Err(AppError::bad_input(
            field,
            format!("{field} must not be negative"),
        ));
    }
    Ok(crate::clock::now() - TimeDelta::days(i64::from(days)))
}

/// The table of maintained per-stage totals of live deals (see the migration
/// `m20261121_000005_deal_stage_totals`), and its columns.
pub const STAGE_TOTALS: &str = "deal_stage_total";

impl DealFilter {
    /// The condition over [`STAGE_TOTALS`] (joined to `stage`) that selects what this filter
    /// selects, when the totals can answer it: only live deals (the default), narrowed by no
    /// more than status, stage and pipeline. None when the deals themselves must be counted.
    pub fn stage_totals_condition(&self, organization_id: Uuid) -> AppResult<Option<Condition>> {
        let answerable = DealFilter {
            status: self.status.clone(),
            stage_id: self.stage_id.clone(),
            pipeline_id: self.pipeline_id.clone(),
            ..Default::default()
        };
        if *self != answerable {
            return Ok(None);
        }
        let totals = |column: &'static str| Expr::col((STAGE_TOTALS, column));
        let mut all = Condition::all().add(totals("organization_id").eq(organization_id));
        if let Some(statuses) = &self.status {
            all = all.add(totals("status").is_in(status_values(statuses)?));
        }
        if let Some(id) = &self.stage_id {
            all = all.add(totals("stage_id").eq(expect_id(id, NodeKind::Stage, "filter.stageId")?));
        }
        if let Some(id) = &self.pipeline_id {
            let pipeline = expect_id(id, NodeKind::Pipeline, "filter.pipelineId")?;
            all = all.add(Expr::col((stage::Entity, stage::Column::PipelineId)).eq(pipeline));
        }
        Ok(Some(all))
    }

    /// The SQL condition of this filter for `organization_id`'s deals: the organisation,
    /// the deleted/archived scope, and what the filter and its nested filters select.
    pub fn condition(&self, organization_id: Uuid, backend: DbBackend) -> AppResult<Condition> {
        let mut all = Condition::all().add(col(deal::Column::OrganizationId).eq(organization_id));
        let deleted_only = self.deleted_only == Some(true);
        if deleted_only {
            all = all.add(col(deal::Column::DeletedAt).is_not_null());
        } else if self.include_deleted != Some(true) {
            all = all.add(col(deal::Column::DeletedAt).is_null());
        }
        if self.archived_only == Some(true) {
            all = all.add(col(deal::Column::ArchivedAt).is_not_null());
        } else if self.include_archived != Some(true) && !deleted_only {
            all = all.add(col(deal::Column::ArchivedAt).is_null());
        }
        self.check_shape(0, &mut 0)?;
        Ok(all.add(self.criteria(organization_id, backend)?))
    }

    /// BAD_USER_INPUT when nested filters go deeper than [`MAX_FILTER_DEPTH`], number more
    /// than [`MAX_FILTER_TERMS`], or set the deleted/archived scope.
    fn check_shape(&self, depth: usize, terms: &mut usize) -> AppResult<()> {
        *terms += 1;
        if *terms > MAX_FILTER_TERMS {
            return Err(AppError::bad_input(
                "filter",
                format!("a filter may hold at most {MAX_FILTER_TERMS} filters in all"),
            ));
        }
        let nested = self.and.iter().flatten().chain(self.or.iter().flatten());
        let nested: Vec<&DealFilter> = nested.chain(self.not.as_deref()).collect();
        if !nested.is_empty() && depth >= MAX_FILTER_DEPTH {
            return Err(AppError::bad_input(
                "filter",
                format!("and / or / not nest at most {MAX_FILTER_DEPTH} deep"),
            ));
        }
        for inner in nested {
            if inner.include_deleted.is_some()
                || inner.include_archived.is_some()
                || inner.archived_only.is_some()
                || inner.deleted_only.is_some()
            {
                return Err(AppError::bad_input(
                    "filter",
                    "includeDeleted, includeArchived, archivedOnly and deletedOnly belong to the \
                     outermost filter",
                ));
            }
            inner.check_shape(depth + 1, terms)?;
        }
        Ok(())
    }

    /// What this filter selects besides the organisation and the deleted/archived scope.
    fn criteria(&self, organization_id: Uuid, backend: DbBackend) -> AppResult<Condition> {
        let mut all = Condition::all();
        if let Some(ids) = &self.ids {
            if ids.len() > MAX_IDS {
                return Err(AppError::bad_input("filter.ids", "at most 100 ids"));
            }
            let ids = ids
                .iter()
                .map(|id| expect_id(id, NodeKind::Deal, "filter.ids"))
                .collect::<AppResult<Vec<_>>>()?;
            all = all.add(col(deal::Column::Id).is_in(ids));
        }
        if let Some(statuses) = &self.status {
            all = all.add(col(deal::Column::Status).is_in(status_values(statuses)?));
        }
        if let Some(statuses) = &self.status_not_in {
            all = all.add(col(deal::Column::Status).is_not_in(status_values(statuses)?));
        }
        let nullable = [
            (self.contact_id_is_null, deal::Column::ContactId),
            (self.company_id_is_null, deal::Column::CompanyId),
            (
                self.expected_close_date_is_null,
                deal::Column::ExpectedCloseDate,
            ),
            (self.source_is_null, deal::Column::Source),
        ];
        for (is_null, column) in nullable {
            match is_null {
                Some(true) => all = all.add(col(column).is_null()),
                Some(false) => all = all.add(col(column).is_not_null()),
                None => {}
            }
        }
        let references = [
            (
                &self.pipeline_id,
                NodeKind::Pipeline,
                deal::Column::PipelineId,
                "filter.pipelineId",
            ),
            (
                &self.stage_id,
                NodeKind::Stage,
                deal::Column::StageId,
                "filter.stageId",
            ),
            (
                &self.owner_id,
                NodeKind::User,
                deal::Column::OwnerId,
                "filter.ownerId",
            ),
            (
                &self.contact_id,
                NodeKind::Contact,
                deal::Column::ContactId,
                "filter.contactId",
            ),
            (
                &self.company_id,
                NodeKind::Company,
                deal::Column::CompanyId,
                "filter.companyId",
            ),
            (
                &self.created_by_id,
                NodeKind::User,
                deal::Column::CreatedById,
                "filter.createdById",
            ),
        ];
        for (id, kind, column, field) in references {
            if let Some(id) = id {
                all = all.add(col(column).eq(expect_id(id, kind, field)?));
            }
        }
        if let Some(min) = &self.value_min {
            all = all.add(col(deal::Column::Value).gte(scaled(min, "filter.valueMin")?.0));
        }
        if let Some(max) = &self.value_max {
            all = all.add(col(deal::Column::Value).lte(scaled(max, "filter.valueMax")?.0));
        }
        let instants = [
            (&self.created_after, deal::Column::CreatedAt, true),
            (&self.created_before, deal::Column::CreatedAt, false),
            (&self.updated_since, deal::Column::UpdatedAt, true),
            (&self.updated_until, deal::Column::UpdatedAt, false),
            (&self.closed_after, deal::Column::ClosedAt, true),
            (&self.closed_before, deal::Column::ClosedAt, false),
        ];
        for (bound, column, inclusive_lower) in instants {
            if let Some(DateTime(at)) = bound {
                all = all.add(if inclusive_lower {
                    col(column).gte(*at)
                } else {
                    col(column).lt(*at)
                });
            }
        }
        if let Some(Date(day)) = self.expected_close_after {
            all = all.add(col(deal::Column::ExpectedCloseDate).gte(day));
        }
        if let Some(Date(day)) = self.expected_close_before {
            all = all.add(col(deal::Column::ExpectedCloseDate).lt(day));
        }
        if let Some(days) = self.days_since_activity_gt {
            let cutoff = days_ago(days, "filter.daysSinceActivityGt")?;
            let last = Func::coalesce([
                col(deal::Column::LastActivityAt),
                col(deal::Column::CreatedAt),
            ]);
            all = all.add(Expr::expr(last).lt(cutoff));
        }
        if let Some(days) = self.days_in_stage_gt {
            let cutoff = days_ago(days, "filter.daysInStageGt")?;
            all = all.add(col(deal::Column::StageChangedAt).lt(cutoff));
        }
        if let Some(tags) = &self.tags {
            if tags.len() > MAX_TAGS {
                return Err(AppError::bad_input("filter.tags", "at most 50 tags"));
            }
            let tagged = Query::select()
                .column(deal_tag::Column::DealId)
                .from(deal_tag::Entity)
                .and_where(deal_tag::Column::OrganizationId.eq(organization_id))
                .and_where(deal_tag::Column::Tag.is_in(tags.iter().cloned()))
                .to_owned();
            all = all.add(col(deal::Column::Id).in_subquery(tagged));
        }
        if let Some(priorities) = &self.priority {
            all = all.add(col(deal::Column::Priority).is_in(priority_values(priorities)?));
        }
        if let Some(sources) = &self.sources {
            if sources.len() > MAX_TAGS {
                return Err(AppError::bad_input("filter.sources", "at most 50 sources"));
            }
            all = all.add(col(deal::Column::Source).is_in(sources.iter().cloned()));
        }
        if let Some(stalled) = self.is_stalled {
            let condition = stalled_condition(organization_id, backend);
            all = all.add(if stalled {
                condition
            } else {
                Condition::all().add(Expr::expr(condition).not())
            });
        }
        if let Some(priorities) = &self.priority_not_in {
            all = all.add(col(deal::Column::Priority).is_not_in(priority_values(priorities)?));
        }
        if let Some(term) = term(&self.search)? {
            all = all.add(search_condition(organization_id, term));
        }
        if let Some(conditions) = &self.custom_fields {
            if conditions.len() > MAX_CUSTOM_FIELD_CONDITIONS {
                return Err(AppError::bad_input(
                    "filter.customFields",
                    format!("at most {MAX_CUSTOM_FIELD_CONDITIONS} custom field conditions"),
                ));
            }
            for condition in conditions {
                all = all.add(condition.condition(backend)?);
            }
        }
        // An empty filter selects every deal: `and: [{}]` adds nothing, `or: [{}, …]` is
        // true, `not: {}` and `or: []` select nothing.
        let nothing = || Condition::all().add(Expr::val(1).eq(0));
        for inner in self.and.iter().flatten() {
            all = all.add(inner.criteria(organization_id, backend)?);
        }
        if let Some(any) = &self.or {
            let mut either = Condition::any();
            let mut always = false;
            for inner in any {
                let criteria = inner.criteria(organization_id, backend)?;
                always |= criteria.is_empty();
                either = either.add(criteria);
            }
            if any.is_empty() {
                all = all.add(nothing());
            } else if !always {
                all = all.add(either);
            }
        }
        if let Some(inner) = &self.not {
            let criteria = inner.criteria(organization_id, backend)?;
            // NOT of an unknown (a NULL compared) would be unknown too and drop the deal:
            // a deal without a company is one `not: { companyId: X }` keeps.
            let known = Expr::expr(Func::coalesce([
                Expr::from(criteria.clone()),
                Expr::val(false),
            ]));
            all = all.add(if criteria.is_empty() {
                nothing()
            } else {
                Condition::all().add(known.not())
            });
        }
        Ok(all)
    }
}

/// The stored values of `filter.status` (at most 10).
fn status_values(statuses: &[DealStatus]) -> AppResult<Vec<enums::DealStatus>> {
    if statuses.len() > MAX_ENUM_VALUES {
        return Err(AppError::bad_input("filter.status", "at most 10 statuses"));
    }
    Ok(statuses.iter().map(|s| (*s).into()).collect())
}

/// The stored values of `filter.priority` (at most 10).
fn priority_values(priorities: &[Priority]) -> AppResult<Vec<enums::Priority>> {
    if priorities.len() > MAX_ENUM_VALUES {
        return Err(AppError::bad_input(
            "filter.priority",
            "at most 10 priorities",
        ));
    }
    Ok(priorities.iter().map(|p| (*p).into()).collect())
}

/// The deal is stalled (Rex): open, in a pipeline that sets `stalled_after_days`, and its
/// last activity (its creation when it has none) more than that many days ago. Never NULL,
/// so `isStalled: false` keeps every deal this leaves out.
fn stalled_condition(organization_id: Uuid, backend: DbBackend) -> Condition {
    let now = crate::clock::now();
    let last = r#"COALESCE("deal"."last_activity_at", "deal"."created_at")"#;
    let days = r#""pipeline"."stalled_after_days""#;
    let older = match backend {
        DbBackend::Postgres => Expr::cust_with_values(
            format!("{last} < $1 - make_interval(days => {days})"),
            [now],
        ),
        _ => Expr::cust_with_values(format!("julianday({last}) < julianday(?) - {days}"), [now]),
    };
    let stalling = Query::select()
        .expr(Expr::val(1))
        .from(pipeline::Entity)
        .and_where(
            Expr::col((pipeline::Entity, pipeline::Column::Id))
                .equals((deal::Entity, deal::Column::PipelineId)),
        )
        .and_where(pipeline::Column::OrganizationId.eq(organization_id))
        .and_where(pipeline::Column::StalledAfterDays.is_not_null())
        .and_where(older)
        .to_owned();
    Condition::all()
        .add(col(deal::Column::Status).eq(enums::DealStatus::Open))
        .add(Expr::exists(stalling))
}

/// Title, contact name (first, last or both) or company name contains `term`.
fn search_condition(organization_id: Uuid, term: &str) -> Condition {
    let full_name = Expr::cust(format!(
        "{first} || ' ' || {last}",
        first = contact::Column::FirstName.as_str(),
        last = contact::Column::LastName.as_str()
    ));
    let contacts = Query::select()
        .column(contact::Column::Id)
        .from(contact::Entity)
        .and_where(contact::Column::OrganizationId.eq(organization_id))
        .and_where(contains(full_name, term))
        .to_owned();
    let companies = Query::select()
        .column(company::Column::Id)
        .from(company::Entity)
        .and_where(company::Column::OrganizationId.eq(organization_id))
        .and_where(contains(Expr::col(company::Column::Name), term))
        .to_owned();
    Condition::any()
        .add(contains(col(deal::Column::Title), term))
        .add(col(deal::Column::ContactId).in_subquery(contacts))
        .add(col(deal::Column::CompanyId).in_subquery(companies))
}
