//! The rules of the deal lifecycle, callable without GraphQL: create, update, move between
//! stages, close won or lost, reopen.
//!
//! Concurrency: every write is an `UPDATE … WHERE id = ? AND version = ?` that raises the
//! version, in a transaction whose first statement is that write (so SQLite takes its write
//! lock at once and PostgreSQL locks the row). With `expectedVersion`, a stale version is
//! CONFLICT; without it, a write that lost a race is planned again on the fresh row, so no
//! update is ever lost and a move's history always starts from the stage it really left.

use super::events::{self, DealEventType};
use super::products::service::{LineInput, insert_new_lines, price_of, recompute_value};
use crate::auth::Viewer;
use crate::clock;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::validate;
use entity::enums::{ActivityStatus, ActivityType, DealStatus, Priority};
use entity::{
    Scaled, activity, company, contact, deal, deal_product, deal_tag, pipeline, stage,
    stage_change, user,
};
use sea_orm::prelude::*;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveValue::Set, Condition, ConnectionTrait, DatabaseTransaction, QueryOrder};
use serde_json::{Value as Json, json};

/// How often a write that lost a race is planned again before giving up with CONFLICT.
const MAX_ATTEMPTS: usize = 20;

/// A new deal, validated.
pub struct NewDeal {
    /// Title.
    pub title: String,
    /// Value.
    pub value: Scaled,
    /// ISO 4217 code; the organisation's default when None.
    pub currency: Option<String>,
    /// Pipeline; the stage's, or the first pipeline, when None.
    pub pipeline_id: Option<Uuid>,
    /// Stage; the pipeline's first stage when None.
    pub stage_id: Option<Uuid>,
    /// Contact.
    pub contact_id: Option<Uuid>,
    /// Company.
    pub company_id: Option<Uuid>,
    /// Owner; the key's user when None.
    pub owner_id: Option<Uuid>,
    /// Expected close date.
    pub expected_close_date: Option<Date>,
    /// Priority; MEDIUM when None.
    pub priority: Option<Priority>,
    /// Source.
    pub source: Option<String>,
    /// Tags, validated.
    pub tags: Vec<String>,
    /// Custom fields, validated.
    pub custom_fields: serde_json::Value,
    /// Product lines, validated; the value is then their total.
    pub lines: Vec<LineInput>,
    /// What an import from another CRM sets.
    pub imported: Imported,
}

/// Most product lines a deal may be created with.
pub const MAX_LINES_AT_CREATE: usize = 100;

/// What a deal imported from another CRM brings (Pipedrive's `status`, `add_time`,
/// `won_time`/`lost_time`/`close_time`, `stage_change_time`), checked to make one story: it
/// was created, entered its stage, and closed — in that order, none of it in the future.
pub struct Imported {
    /// OPEN, WON or LOST.
    pub status: DealStatus,
    /// When it was created; now when None.
    pub created_at: Option<DateTimeUtc>,
    /// When it entered its stage; its creation when None.
    pub stage_changed_at: Option<DateTimeUtc>,
    /// When a WON or LOST deal closed; now when None.
    pub closed_at: Option<DateTimeUtc>,
    /// Why a LOST deal was lost.
    pub lost_reason: Option<String>,
}

impl Default for Imported {
    /// A deal created now, open.
    fn default() -> Self {
        Self {
            status: DealStatus::Open,
            created_at: None,
            stage_changed_at: None,
            closed_at: None,
            lost_reason: None,
        }
    }
}

impl Imported {
    /// Checks the fields of an imported deal (named under `at`).
    pub fn checked(
        at: &str,
        status: Option<DealStatus>,
        created_at: Option<DateTimeUtc>,
        stage_changed_at: Option<DateTimeUtc>,
        closed_at: Option<DateTimeUtc>,
        lost_reason: Option<String>,
    ) -> AppResult<Self> {
        let field = |name: &str| format!("{at}.{name}");
        let status = status.unwrap_or(DealStatus::Open);
        let now = clock::now();
        for (name, time) in [
            ("createdAt", created_at),
            ("stageChangedAt", stage_changed_at),
            ("closedAt", closed_at),
        ] {
            if time.is_some_and(|time| time > now) {
                return Err(AppError::bad_input(field(name), "it is in the future"));
            }
        }
        let created = created_at.unwrap_or(now);
        for (name, time) in [
            ("stageChangedAt", stage_changed_at),
            ("closedAt", closed_at),
        ] {
            if time.is_some_and(|time| time < created) {
                return Err(AppError::bad_input(
                    field(name),
                    "it is before the deal was created",
                ));
            }
        }
        match status {
            DealStatus::Open if closed_at.is_some() => Err(AppError::bad_input(
                field("closedAt"),
                "only a WON or LOST deal has closedAt",
            )),
            DealStatus::Lost if lost_reason.is_none() => Err(AppError::bad_input(
                field("lostReason"),
                "a lost deal needs a lostReason",
            )),
            DealStatus::Open | DealStatus::Won if lost_reason.is_some() => Err(
                AppError::bad_input(field("lostReason"), "only a lost deal has a lostReason"),
            ),
            _ => Ok(Self {
                status,
                created_at,
                stage_changed_at,
                closed_at,
                lost_reason,
            }),
        }
    }
}

/// Changes to a deal: None leaves a field as it is; `Some(None)` clears a nullable one.
#[derive(Default)]
pub struct DealChanges {
    /// New title.
    pub title: Option<String>,
    /// New value.
    pub value: Option<Scaled>,
    /// New currency.
    pub currency: Option<String>,
    /// New contact.
    pub contact_id: Option<Option<Uuid>>,
    /// New company.
    pub company_id: Option<Option<Uuid>>,
    /// New owner.
    pub owner_id: Option<Option<Uuid>>,
    /// New expected close date.
    pub expected_close_date: Option<Option<Date>>,
    /// New priority.
    pub priority: Option<Priority>,
    /// New source.
    pub source: Option<Option<String>>,
    /// New tags (replacing all).
    pub tags: Option<Vec<String>>,
    /// New custom fields (replacing all).
    pub custom_fields: Option<serde_json::Value>,
}

/// How a deal is closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseResult {
    /// Won.
    Won,
    /// Lost.
    Lost,
}

/// The deal `id` of `organization_id`; NOT_FOUND for a missing one or another tenant's.
pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    id: Uuid,
) -> AppResult<deal::Model> {
    deal::Entity::find_by_id(id)
        .filter(deal::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("deal".into()))
}

/// Checks that row `id` of `E` exists (and is not deleted) in the organisation.
pub async fn must_exist<E>(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    id: Uuid,
    what: &str,
    org_column: E::Column,
    deleted: Option<E::Column>,
) -> AppResult<E::Model>
where
    E: EntityTrait,
    E::Model: Sync,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    let mut condition = Condition::all().add(org_column.eq(organization_id));
    if let Some(deleted) = deleted {
        condition = condition.add(deleted.is_null());
    }
    E::find_by_id(id)
        .filter(condition)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(what.into()))
}

async fn check_people(
    db: &impl ConnectionTrait,
    org: Uuid,
    contact_id: Option<Uuid>,
    company_id: Option<Uuid>,
    owner_id: Option<Uuid>,
) -> AppResult<()> {
    if let Some(id) = contact_id {
        must_exist::<contact::Entity>(
            db,
            org,
            id,
            "contact",
            contact::Column::OrganizationId,
            Some(contact::Column::DeletedAt),
        )
        .await?;
    }
    if let Some(id) = company_id {
        must_exist::<company::Entity>(
            db,
            org,
            id,
            "company",
            company::Column::OrganizationId,
            Some(company::Column::DeletedAt),
        )
        .await?;
    }
    if let Some(id) = owner_id {
        must_exist::<user::Entity>(db, org, id, "user", user::Column::OrganizationId, None).await?;
    }
    Ok(())
}

/// The stage a new deal starts in: the one given, or the first of the pipeline given, or the
/// first of the organisation's first pipeline (Play2Sell).
async fn starting_stage(
    db: &impl ConnectionTrait,
    org: Uuid,
    pipeline_id: Option<Uuid>,
    stage_id: Option<Uuid>,
) -> AppResult<stage::Model> {
    if let Some(id) = stage_id {
        let stage = must_exist::<stage::Entity>(
            db,
            org,
            id,
            "stage",
            stage::Column::OrganizationId,
            Some(stage::Column::DeletedAt),
        )
        .await?;
        if pipeline_id.is_some_and(|p| p != stage.pipeline_id) {
            return Err(AppError::bad_input(
                "input.stageId",
                "the stage is not in the given pipeline",
            ));
        }
        return Ok(stage);
    }
    let pipeline_id = match pipeline_id {
        Some(id) => {
            must_exist::<pipeline::Entity>(
                db,
                org,
                id,
                "pipeline",
                pipeline::Column::OrganizationId,
                None,
            )
            .await?
            .id
        }
        None => {
            pipeline::Entity::find()
                .filter(pipeline::Column::OrganizationId.eq(org))
                .order_by_asc(pipeline::Column::Position)
                .order_by_asc(pipeline::Column::Id)
                .one(db)
                .await?
                .ok_or_else(|| {
                    AppError::bad_input(
                        "input.pipelineId",
                        "the organisation has no pipeline yet: create one first",
                    )
                })?
                .id
        }
    };
    stage::Entity::find()
        .filter(stage::Column::OrganizationId.eq(org))
        .filter(stage::Column::PipelineId.eq(pipeline_id))
        .filter(stage::Column::DeletedAt.is_null())
        .order_by_asc(stage::Column::Position)
        .order_by_asc(stage::Column::Id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::bad_input("input.pipelineId", "the pipeline has no stages"))
}

pub(crate) async fn replace_tags(
    txn: &DatabaseTransaction,
    org: Uuid,
    deal_id: Uuid,
    tags: &[String],
) -> AppResult<()> {
    deal_tag::Entity::delete_many()
        .filter(deal_tag::Column::OrganizationId.eq(org))
        .filter(deal_tag::Column::DealId.eq(deal_id))
        .exec(txn)
        .await?;
    let rows = tags.iter().map(|tag| deal_tag::ActiveModel {
        deal_id: Set(deal_id),
        tag: Set(tag.clone()),
        organization_id: Set(org),
    });
    deal_tag::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// A deal's tags, alphabetically.
pub(crate) async fn tags_of(
    txn: &DatabaseTransaction,
    org: Uuid,
    deal_id: Uuid,
) -> AppResult<Vec<String>> {
    let mut tags: Vec<String> = deal_tag::Entity::find()
        .filter(deal_tag::Column::OrganizationId.eq(org))
        .filter(deal_tag::Column::DealId.eq(deal_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|t| t.tag)
        .collect();
    tags.sort();
    Ok(tags)
}

/// Creates a deal, with its first stage-history entry (from nothing to its stage).
pub async fn create(db: &impl Db, viewer: &Viewer, new: NewDeal) -> AppResult<deal::Model> {
    let org = viewer.organization_id;
    let stage = starting_stage(db, org, new.pipeline_id, new.stage_id).await?;
    let owner_id = new.owner_id.or(viewer.user_id);
    check_people(db, org, new.contact_id, new.company_id, new.owner_id).await?;
    let currency = match new.currency {
        Some(currency) => currency,
        None => crate::organization::service::default_currency(db, org).await?,
    };
    let now = clock::now();
    let imported = new.imported;
    let created_at = imported.created_at.unwrap_or(now);
    let stage_changed_at = imported.stage_changed_at.unwrap_or(created_at);
    let closed_at =
        (imported.status != DealStatus::Open).then(|| imported.closed_at.unwrap_or(now));
    let id = Uuid::now_v7();
    let txn = crate::db::begin_write(db).await?;
    let created = deal::ActiveModel {
        id: Set(id),
        organization_id: Set(org),
        title: Set(new.title),
        value: Set(new.value),
        currency: Set(currency),
        status: Set(imported.status),
        pipeline_id: Set(stage.pipeline_id),
        stage_id: Set(stage.id),
        contact_id: Set(new.contact_id),
        company_id: Set(new.company_id),
        owner_id: Set(owner_id),
        expected_close_date: Set(new.expected_close_date),
        priority: Set(new.priority.unwrap_or(Priority::Medium)),
        source: Set(new.source),
        custom_fields: Set(new.custom_fields),
        lost_reason: Set(imported.lost_reason),
        won_at: Set(closed_at.filter(|_| imported.status == DealStatus::Won)),
        lost_at: Set(closed_at.filter(|_| imported.status == DealStatus::Lost)),
        closed_at: Set(closed_at),
        stage_changed_at: Set(stage_changed_at),
        last_activity_at: Set(None),
        archived_at: Set(None),
        deleted_at: Set(None),
        created_at: Set(created_at),
        updated_at: Set(now),
        version: Set(1),
        created_by_id: Set(viewer.user_id),
        value_adjustment: Set(None),
    }
    .insert(&txn)
    .await?;
    let created = if new.lines.is_empty() {
        created
    } else {
        insert_new_lines(&txn, org, id, new.lines).await?;
        recompute_value(&txn, org, id).await?
    };
    history(
        &txn,
        org,
        id,
        None,
        stage.id,
        viewer.user_id,
        None,
        stage_changed_at,
    )
    .await?;
    replace_tags(&txn, org, id, &new.tags).await?;
    if created.status == DealStatus::Won {
        crate::sale::service::record_won(&txn, &created).await?;
    }
    let mut changes = events::deal_changes(None, &created);
    if !new.tags.is_empty() {
        changes.push(events::field("tags", Json::Null, json!(new.tags)));
    }
    events::record(&txn, viewer, id, DealEventType::Created, changes).await?;
    txn.commit().await?;
    Ok(created)
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn history(
    txn: &DatabaseTransaction,
    org: Uuid,
    deal_id: Uuid,
    from: Option<Uuid>,
    to: Uuid,
    by: Option<Uuid>,
    note: Option<String>,
    at: DateTimeUtc,
) -> AppResult<stage_change::Model> {
    Ok(stage_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(org),
        deal_id: Set(deal_id),
        from_stage_id: Set(from),
        to_stage_id: Set(to),
        changed_at: Set(at),
        changed_by_id: Set(by),
        note: Set(note),
    }
    .insert(txn)
    .await?)
}

async fn status_activity(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    deal_id: Uuid,
    subject: String,
    note: Option<String>,
    at: DateTimeUtc,
) -> AppResult<()> {
    activity::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(viewer.organization_id),
        deal_id: Set(deal_id),
        user_id: Set(viewer.user_id),
        activity_type: Set(ActivityType::StatusChange),
        status: Set(ActivityStatus::Completed),
        subject: Set(subject),
        note: Set(note),
        occurred_at: Set(at),
        created_at: Set(at),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// What one write does to a deal, planned from its current row.
struct Plan {
    /// Column changes (version and updated_at are added).
    changes: deal::ActiveModel,
    /// Work to do in the same transaction once the row is updated.
    then: After,
}

/// What follows the row update of a [`Plan`].
enum After {
    Nothing,
    Tags(Vec<String>),
    Move {
        from: Uuid,
        to: Uuid,
        note: Option<String>,
    },
    Status {
        subject: String,
        note: Option<String>,
    },
    Won {
        note: Option<String>,
        final_value: Option<Scaled>,
    },
    Reopened {
        note: Option<String>,
    },
}

/// What a write did.
struct Written {
    deal: deal::Model,
    change: Option<stage_change::Model>,
    sale: Option<entity::sale::Model>,
}

/// Runs `plan` against the current row and applies it under the version check (see the
/// module docs). Returns the updated row and, for a move, its history entry; for a win, the
/// sale.
async fn write(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    expected_version: Option<i32>,
    mut plan: impl FnMut(&deal::Model) -> AppResult<Plan>,
) -> AppResult<Written> {
    write_any(db, viewer, id, expected_version, false, &mut plan).await
}

/// [`write`], also on a deleted deal when `allow_deleted`.
async fn write_any(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    expected_version: Option<i32>,
    allow_deleted: bool,
    plan: &mut impl FnMut(&deal::Model) -> AppResult<Plan>,
) -> AppResult<Written> {
    let org = viewer.organization_id;
    for _ in 0..MAX_ATTEMPTS {
        let current = find(db, org, id).await?;
        if let Some(expected) = expected_version
            && expected != current.version
        {
            return Err(stale(expected, current.version));
        }
        if current.deleted_at.is_some() && !allow_deleted {
            return Err(AppError::Conflict(
                "the deal is deleted: restore it first".into(),
            ));
        }
        let Plan { mut changes, then } = plan(&current)?;
        let now = clock::now();
        changes.version = Set(current.version + 1);
        changes.updated_at = Set(now);
        let txn = crate::db::begin_write(db).await?;
        let updated = deal::Entity::update_many()
            .set(changes)
            .filter(deal::Column::Id.eq(id))
            .filter(deal::Column::OrganizationId.eq(org))
            .filter(deal::Column::Version.eq(current.version))
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            txn.rollback().await?;
            if let Some(expected) = expected_version {
                let now_at = find(db, org, id).await?.version;
                return Err(stale(expected, now_at));
            }
            continue;
        }
        let mut deal = find(&txn, org, id).await?;
        let mut changes = Vec::new();
        let (mut change, mut sale) = (None, None);
        match then {
            After::Nothing => {}
            After::Tags(tags) => {
                let before = tags_of(&txn, org, id).await?;
                replace_tags(&txn, org, id, &tags).await?;
                let mut after = tags.clone();
                after.sort();
                if before != after {
                    changes.push(events::field("tags", json!(before), json!(after)));
                }
            }
            After::Move { from, to, note } => {
                if let Some(note) = &note {
                    changes.push(events::field("note", Json::Null, json!(note)));
                }
                change =
                    Some(history(&txn, org, id, Some(from), to, viewer.user_id, note, now).await?);
            }
            After::Status { subject, note } => {
                status_activity(&txn, viewer, id, subject, note, now).await?;
            }
            After::Won { note, final_value } => {
                status_activity(&txn, viewer, id, "Deal won".into(), note, now).await?;
                if let Some(value) = final_value
                    && let Some(price) = price_of(&txn, org, id).await?
                {
                    // The products make `price.total`; the rest is the adjustment.
                    let adjustment = Scaled::from_decimal(value.to_decimal() - price.total)
                        .map_err(|_| AppError::bad_input("input.finalValue", "out of range"))?;
                    deal::Entity::update_many()
                        .col_expr(deal::Column::ValueAdjustment, Expr::value(adjustment.0))
                        .filter(deal::Column::OrganizationId.eq(org))
                        .filter(deal::Column::Id.eq(id))
                        .exec(&txn)
                        .await?;
                    deal = find(&txn, org, id).await?;
                }
                sale = Some(crate::sale::service::record_won(&txn, &deal).await?);
            }
            After::Reopened { note } => {
                status_activity(&txn, viewer, id, "Deal reopened".into(), note, now).await?;
                // Without the adjustment of a final value, the products make the value again.
                deal = recompute_value(&txn, org, id).await?;
                crate::sale::service::record_reopened(&txn, &deal).await?;
            }
        }
        let mut all_changes = events::deal_changes(Some(&current), &deal);
        all_changes.extend(changes);
        let changes = all_changes;
        let kind = events::kind_of(&current, &deal);
        if kind != DealEventType::Updated || !changes.is_empty() {
            events::record(&txn, viewer, id, kind, changes).await?;
        }
        txn.commit().await?;
        return Ok(Written { deal, change, sale });
    }
    Err(AppError::Conflict(
        "the deal is being changed by others too often; try again".into(),
    ))
}

fn status_name(status: DealStatus) -> &'static str {
    match status {
        DealStatus::Open => "OPEN",
        DealStatus::Won => "WON",
        DealStatus::Lost => "LOST",
    }
}

pub(crate) fn stale(expected: i32, current: i32) -> AppError {
    AppError::Conflict(format!(
        "the deal has changed: expectedVersion is {expected} but the deal is at version {current}"
    ))
}

async fn has_products(db: &impl ConnectionTrait, org: Uuid, deal_id: Uuid) -> AppResult<bool> {
    Ok(deal_product::Entity::find()
        .filter(deal_product::Column::OrganizationId.eq(org))
        .filter(deal_product::Column::DealId.eq(deal_id))
        .one(db)
        .await?
        .is_some())
}

/// Applies `changes` (only the fields given).
pub async fn update(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    changes: DealChanges,
    expected_version: Option<i32>,
) -> AppResult<deal::Model> {
    let org = viewer.organization_id;
    check_people(
        db,
        org,
        changes.contact_id.flatten(),
        changes.company_id.flatten(),
        changes.owner_id.flatten(),
    )
    .await?;
    if changes.value.is_some() && has_products(db, org, id).await? {
        return Err(AppError::bad_input(
            "input.value",
            "the value of a deal with products is the sum of its products",
        ));
    }
    let written = write(db, viewer, id, expected_version, |_| {
        let mut row = deal::ActiveModel {
            ..Default::default()
        };
        if let Some(title) = &changes.title {
            row.title = Set(title.clone());
        }
        if let Some(value) = changes.value {
            row.value = Set(value);
        }
        if let Some(currency) = &changes.currency {
            row.currency = Set(currency.clone());
        }
        if let Some(contact) = changes.contact_id {
            row.contact_id = Set(contact);
        }
        if let Some(company) = changes.company_id {
            row.company_id = Set(company);
        }
        if let Some(owner) = changes.owner_id {
            row.owner_id = Set(owner);
        }
        if let Some(date) = changes.expected_close_date {
            row.expected_close_date = Set(date);
        }
        if let Some(priority) = changes.priority {
            row.priority = Set(priority);
        }
        if let Some(source) = &changes.source {
            row.source = Set(source.clone());
        }
        if let Some(fields) = &changes.custom_fields {
            row.custom_fields = Set(fields.clone());
        }
        let then = changes.tags.clone().map_or(After::Nothing, After::Tags);
        Ok(Plan { changes: row, then })
    })
    .await?;
    Ok(written.deal)
}

/// Moves a deal to `stage_id` (of any pipeline of the organisation), writing its history.
pub async fn move_to_stage(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    stage_id: Uuid,
    note: Option<String>,
    expected_version: Option<i32>,
) -> AppResult<(deal::Model, stage_change::Model)> {
    let stage = must_exist::<stage::Entity>(
        db,
        viewer.organization_id,
        stage_id,
        "stage",
        stage::Column::OrganizationId,
        Some(stage::Column::DeletedAt),
    )
    .await?;
    let written = write(db, viewer, id, expected_version, |current| {
        if current.status != DealStatus::Open {
            return Err(AppError::Conflict(format!(
                "the deal is {}: reopen it before moving it",
                status_name(current.status)
            )));
        }
        if current.stage_id == stage.id {
            return Err(AppError::Conflict(format!(
                "the deal is already in stage \"{}\"",
                stage.name
            )));
        }
        let changes = deal::ActiveModel {
            stage_id: Set(stage.id),
            pipeline_id: Set(stage.pipeline_id),
            stage_changed_at: Set(clock::now()),
            ..Default::default()
        };
        Ok(Plan {
            changes,
            then: After::Move {
                from: current.stage_id,
                to: stage.id,
                note: note.clone(),
            },
        })
    })
    .await?;
    let change = written
        .change
        .ok_or_else(|| AppError::internal("a move without history"))?;
    Ok((written.deal, change))
}

/// Closes an open deal as won (optionally at a final value) or lost (with a reason). A won
/// deal records its sale in the same transaction, and returns it.
#[allow(clippy::too_many_arguments)]
pub async fn close(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    result: CloseResult,
    final_value: Option<Scaled>,
    lost_reason: Option<String>,
    note: Option<String>,
    expected_version: Option<i32>,
) -> AppResult<(deal::Model, Option<entity::sale::Model>)> {
    if result == CloseResult::Lost && lost_reason.is_none() {
        return Err(AppError::bad_input(
            "input.lostReason",
            "a lost deal needs a lostReason",
        ));
    }
    let written = write(db, viewer, id, expected_version, |current| {
        if current.status != DealStatus::Open {
            return Err(AppError::Conflict(format!(
                "the deal is already {}: reopen it first",
                status_name(current.status)
            )));
        }
        let now = clock::now();
        let mut changes = deal::ActiveModel {
            closed_at: Set(Some(now)),
            ..Default::default()
        };
        let then = match result {
            CloseResult::Won => {
                changes.status = Set(DealStatus::Won);
                changes.won_at = Set(Some(now));
                if let Some(value) = final_value {
                    changes.value = Set(value);
                }
                After::Won {
                    note: note.clone(),
                    final_value,
                }
            }
            CloseResult::Lost => {
                changes.status = Set(DealStatus::Lost);
                changes.lost_at = Set(Some(now));
                changes.lost_reason = Set(lost_reason.clone());
                let subject = format!("Deal lost: {}", lost_reason.clone().unwrap_or_default());
                After::Status {
                    subject,
                    note: note.clone(),
                }
            }
        };
        changes.last_activity_at = Set(Some(now));
        Ok(Plan { changes, then })
    })
    .await?;
    Ok((written.deal, written.sale))
}

/// Returns a closed deal to OPEN, clearing its close fields.
pub async fn reopen(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    note: Option<String>,
    expected_version: Option<i32>,
) -> AppResult<deal::Model> {
    let written = write(db, viewer, id, expected_version, |current| {
        if current.status == DealStatus::Open {
            return Err(AppError::Conflict("the deal is open already".into()));
        }
        let now = clock::now();
        let changes = deal::ActiveModel {
            status: Set(DealStatus::Open),
            won_at: Set(None),
            lost_at: Set(None),
            closed_at: Set(None),
            lost_reason: Set(None),
            last_activity_at: Set(Some(now)),
            value_adjustment: Set(None),
            ..Default::default()
        };
        Ok(Plan {
            changes,
            then: After::Reopened { note: note.clone() },
        })
    })
    .await?;
    Ok(written.deal)
}

/// Validates a title.
pub fn title(field: &str, value: &str) -> AppResult<String> {
    validate::text(field, value, validate::MAX_TITLE)
}

/// A change of a deal's deleted or archived mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Soft-delete: the deal leaves every list unless `includeDeleted`.
    Delete,
    /// Undo a soft delete.
    Restore,
    /// Archive (Pipedrive): the deal leaves lists unless `includeArchived`.
    Archive,
    /// Undo an archive.
    Unarchive,
}

/// Sets or clears the deleted or archived mark of a deal.
pub async fn mark(db: &impl Db, viewer: &Viewer, id: Uuid, mark: Mark) -> AppResult<deal::Model> {
    let mut plan = |current: &deal::Model| {
        let now = Some(clock::now());
        let (conflict, changes) = match mark {
            Mark::Delete => (
                current.deleted_at.is_some().then_some("deleted already"),
                deal::ActiveModel {
                    deleted_at: Set(now),
                    ..Default::default()
                },
            ),
            Mark::Restore => (
                current.deleted_at.is_none().then_some("not deleted"),
                deal::ActiveModel {
                    deleted_at: Set(None),
                    ..Default::default()
                },
            ),
            Mark::Archive => (
                current.archived_at.is_some().then_some("archived already"),
                deal::ActiveModel {
                    archived_at: Set(now),
                    ..Default::default()
                },
            ),
            Mark::Unarchive => (
                current.archived_at.is_none().then_some("not archived"),
                deal::ActiveModel {
                    archived_at: Set(None),
                    ..Default::default()
                },
            ),
        };
        if let Some(state) = conflict {
            return Err(AppError::Conflict(format!("the deal is {state}")));
        }
        Ok(Plan {
            changes,
            then: After::Nothing,
        })
    };
    let allow_deleted = mark == Mark::Restore;
    Ok(write_any(db, viewer, id, None, allow_deleted, &mut plan)
        .await?
        .deal)
}

/// Most deals `delete_many` takes at once.
pub const MAX_BULK: usize = 100;

/// Soft-deletes deals in bulk, all or nothing: every id must name a deal of the
/// organisation that is not deleted yet, or nothing changes.
pub async fn delete_many(db: &impl Db, viewer: &Viewer, ids: &[Uuid]) -> AppResult<Vec<Uuid>> {
    if ids.is_empty() || ids.len() > MAX_BULK {
        return Err(AppError::bad_input(
            "input.ids",
            format!("give 1 to {MAX_BULK} deal ids"),
        ));
    }
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    let now = clock::now();
    let txn = crate::db::begin_write(db).await?;
    let updated = deal::Entity::update_many()
        .col_expr(deal::Column::DeletedAt, Expr::value(now))
        .col_expr(deal::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            deal::Column::Version,
            Expr::col(deal::Column::Version).add(1),
        )
        .filter(deal::Column::OrganizationId.eq(viewer.organization_id))
        .filter(deal::Column::Id.is_in(unique.iter().copied()))
        .filter(deal::Column::DeletedAt.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected != unique.len() as u64 {
        txn.rollback().await?;
        let missing = unique.len() as u64 - updated.rows_affected;
        return Err(AppError::NotFound(format!(
            "{missing} of the {} deals",
            unique.len()
        )));
    }
    let deleted_at = events::field(
        "deletedAt",
        Json::Null,
        async_graphql::ScalarType::to_value(&crate::graphql::scalars::DateTime(now))
            .into_json()
            .unwrap_or(Json::Null),
    );
    let changes = vec![deleted_at];
    events::record_each(&txn, viewer, &unique, DealEventType::Deleted, changes).await?;
    txn.commit().await?;
    Ok(unique)
}
