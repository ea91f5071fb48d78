//! Writing the event log: one `deal_event` per change, in the transaction of the change, with
//! the organisation's next sequence number (see the migration: the counter row serialises
//! the organisation's writers, so numbers have no gaps and commit in order).

use crate::auth::Viewer;
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::scalars::Decimal;
use async_graphql::ScalarType;
use async_graphql::resolver_utils::EnumType;
use entity::{Scaled, deal, deal_event};
use sea_orm::ActiveEnum;
use sea_orm::ConnectionTrait;
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use serde_json::{Value as Json, json};

/// What happened to a deal.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DealEventType {
    /// The deal was created.
    Created,
    /// Fields of the deal changed (each in `changes`).
    Updated,
    /// The deal moved to another stage.
    Moved,
    /// The deal was won.
    Won,
    /// The deal was lost.
    Lost,
    /// A won or lost deal was reopened.
    Reopened,
    /// The deal was archived.
    Archived,
    /// The deal was unarchived.
    Unarchived,
    /// The deal was deleted (soft: it can be restored).
    Deleted,
    /// The deal was restored.
    Restored,
    /// A product line was added.
    ProductAdded,
    /// A product line changed.
    ProductChanged,
    /// A product line was removed.
    ProductRemoved,
    /// A user started following the deal.
    FollowerAdded,
    /// A user stopped following the deal.
    FollowerRemoved,
    /// An activity was logged on the deal.
    ActivityLogged,
    /// A task was added to the deal.
    TaskAdded,
    /// A task of the deal changed (or was completed).
    TaskChanged,
    /// A contact was added to the deal's participants.
    ParticipantAdded,
    /// A contact was removed from the deal's participants.
    ParticipantRemoved,
    /// Another deal was merged into this one (`mergedDealId`); that deal's DELETED event
    /// names this one as `mergedIntoId`.
    Merged,
    /// A discount of the whole deal was added.
    DiscountAdded,
    /// A discount of the whole deal changed.
    DiscountChanged,
    /// A discount of the whole deal was removed.
    DiscountRemoved,
    /// The deal's installments were set (or cleared).
    InstallmentsSet,
}

impl DealEventType {
    /// The name stored in `deal_event.event_type`: the GraphQL enum value (`PRODUCT_ADDED`).
    pub fn name(self) -> &'static str {
        Self::items()
            .iter()
            .find(|item| item.value == self)
            .map_or("UPDATED", |item| item.name)
    }

    /// The type named `name` (None for a name this version does not know).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::items()
            .iter()
            .find(|item| item.name == name)
            .map(|item| item.value)
    }
}

/// One changed field: its GraphQL name, and its value before and after (null: none).
pub fn field(name: &str, old: Json, new: Json) -> Json {
    json!({ "field": name, "old": old, "new": new })
}

/// Appends an event to the log in `txn` and returns its sequence number.
pub async fn record(
    txn: &impl ConnectionTrait,
    viewer: &Viewer,
    deal_id: Uuid,
    event_type: DealEventType,
    changes: Vec<Json>,
) -> AppResult<i64> {
    let sequence = reserve(txn, viewer.organization_id, 1).await?;
    insert(txn, viewer, &[(sequence, deal_id)], event_type, &changes).await?;
    Ok(sequence)
}

/// Appends the same event (type and changes) for each of `deal_ids`, with consecutive
/// sequence numbers in their order: one statement to number them and one per thousand deals
/// to write them, however many deals a bulk change touches.
pub async fn record_each(
    txn: &impl ConnectionTrait,
    viewer: &Viewer,
    deal_ids: &[Uuid],
    event_type: DealEventType,
    changes: Vec<Json>,
) -> AppResult<()> {
    if deal_ids.is_empty() {
        return Ok(());
    }
    let count = deal_ids.len() as i64;
    let last = reserve(txn, viewer.organization_id, count).await?;
    let numbered: Vec<(i64, Uuid)> = (last - count + 1..).zip(deal_ids.iter().copied()).collect();
    // 12 values a row: a thousand rows stay under SQLite's 32,766 bound parameters.
    for chunk in numbered.chunks(1000) {
        insert(txn, viewer, chunk, event_type, &changes).await?;
    }
    Ok(())
}

/// Takes the organisation's next `count` sequence numbers and returns the last of them.
async fn reserve(txn: &impl ConnectionTrait, org: Uuid, count: i64) -> AppResult<i64> {
    let next = Query::insert()
        .into_table("deal_event_sequence")
        .columns(["organization_id", "last_sequence"])
        .values_panic([org.into(), count.into()])
        .on_conflict(
            OnConflict::column("organization_id")
                .value(
                    "last_sequence",
                    Expr::col(("deal_event_sequence", "last_sequence")).add(count),
                )
                .to_owned(),
        )
        .returning_col("last_sequence")
        .to_owned();
    let backend = txn.get_database_backend();
    txn.query_one_raw(crate::db::statement::build(&next, backend))
        .await?
        .map(|row| row.try_get("", "last_sequence"))
        .transpose()?
        .ok_or_else(|| AppError::internal("the event counter returned no number"))
}

/// Writes one event row per `(sequence, deal)`, all of one type with the same changes.
async fn insert(
    txn: &impl ConnectionTrait,
    viewer: &Viewer,
    rows: &[(i64, Uuid)],
    event_type: DealEventType,
    changes: &[Json],
) -> AppResult<()> {
    // The deal's pipeline, stage and owner as they are now, in this transaction (after the
    // change): what subscriptions filter on.
    let of_deal = |deal_id: Uuid, column: deal::Column| {
        let select = Query::select()
            .column(column)
            .from(deal::Entity)
            .and_where(Expr::col(deal::Column::Id).eq(deal_id))
            .to_owned();
        Expr::SubQuery(None, Box::new(select.into()))
    };
    let now = clock::now();
    let mut insert = Query::insert()
        .into_table(deal_event::Entity)
        .columns([
            deal_event::Column::Id,
            deal_event::Column::OrganizationId,
            deal_event::Column::Sequence,
            deal_event::Column::DealId,
            deal_event::Column::EventType,
            deal_event::Column::Changes,
            deal_event::Column::UserId,
            deal_event::Column::ApiKeyId,
            deal_event::Column::OccurredAt,
            deal_event::Column::PipelineId,
            deal_event::Column::StageId,
            deal_event::Column::OwnerId,
        ])
        .to_owned();
    for &(sequence, deal_id) in rows {
        insert.values_panic([
            Uuid::now_v7().into(),
            viewer.organization_id.into(),
            sequence.into(),
            deal_id.into(),
            event_type.name().into(),
            Json::Array(changes.to_vec()).into(),
            viewer.user_id.into(),
            Some(viewer.api_key_id).into(),
            now.into(),
            of_deal(deal_id, deal::Column::PipelineId),
            of_deal(deal_id, deal::Column::StageId),
            of_deal(deal_id, deal::Column::OwnerId),
        ]);
    }
    txn.execute(&insert).await?;
    Ok(())
}

/// The fields of a deal that differ between `before` (None: it did not exist) and `after`,
/// with values as the API shows them (ids global, money as decimal text, instants RFC 3339).
pub fn deal_changes(before: Option<&deal::Model>, after: &deal::Model) -> Vec<Json> {
    let mut changes = Vec::new();
    let mut compare = |name: &str, of: &dyn Fn(&deal::Model) -> Json| {
        let old = before.map_or(Json::Null, of);
        let new = of(after);
        if old != new {
            changes.push(field(name, old, new));
        }
    };
    let id = |kind: NodeKind, id: Option<Uuid>| -> Json {
        id.map_or(Json::Null, |id| Json::String(global_id(kind, id).0))
    };
    let instant = |at: Option<chrono::DateTime<chrono::Utc>>| -> Json {
        at.map_or(Json::Null, |at| {
            scalar(&crate::graphql::scalars::DateTime(at))
        })
    };
    let text = |t: &Option<String>| t.clone().map_or(Json::Null, Json::String);
    compare("title", &|d| Json::String(d.title.clone()));
    compare("value", &|d| scalar(&Decimal::money(d.value.to_decimal())));
    compare("currency", &|d| Json::String(d.currency.clone()));
    compare("status", &|d| json!(d.status.to_value()));
    compare("pipelineId", &|d| {
        id(NodeKind::Pipeline, Some(d.pipeline_id))
    });
    compare("stageId", &|d| id(NodeKind::Stage, Some(d.stage_id)));
    compare("contactId", &|d| id(NodeKind::Contact, d.contact_id));
    compare("companyId", &|d| id(NodeKind::Company, d.company_id));
    compare("ownerId", &|d| id(NodeKind::User, d.owner_id));
    compare("expectedCloseDate", &|d| {
        d.expected_close_date
            .map_or(Json::Null, |day| Json::String(day.to_string()))
    });
    compare("priority", &|d| json!(d.priority.to_value()));
    compare("source", &|d| text(&d.source));
    compare("customFields", &|d| d.custom_fields.clone());
    compare("lostReason", &|d| text(&d.lost_reason));
    compare("closedAt", &|d| instant(d.closed_at));
    compare("archivedAt", &|d| instant(d.archived_at));
    compare("deletedAt", &|d| instant(d.deleted_at));
    compare("createdById", &|d| id(NodeKind::User, d.created_by_id));
    compare("valueAdjustment", &|d| {
        d.value_adjustment.map_or(Json::Null, money)
    });
    changes
}

/// A scalar as the API sends it.
fn scalar(value: &impl ScalarType) -> Json {
    value.to_value().into_json().unwrap_or(Json::Null)
}

/// Money as the API sends it (`"19260.00"`).
pub fn money(value: Scaled) -> Json {
    scalar(&Decimal::money(value.to_decimal()))
}

/// What a write to a deal row was, from what changed.
pub fn kind_of(before: &deal::Model, after: &deal::Model) -> DealEventType {
    use entity::enums::DealStatus::{Lost, Open, Won};
    match (before, after) {
        (b, a) if b.deleted_at.is_none() && a.deleted_at.is_some() => DealEventType::Deleted,
        (b, a) if b.deleted_at.is_some() && a.deleted_at.is_none() => DealEventType::Restored,
        (b, a) if b.archived_at.is_none() && a.archived_at.is_some() => DealEventType::Archived,
        (b, a) if b.archived_at.is_some() && a.archived_at.is_none() => DealEventType::Unarchived,
        (b, a) if b.status != Won && a.status == Won => DealEventType::Won,
        (b, a) if b.status != Lost && a.status == Lost => DealEventType::Lost,
        (b, a) if b.status != Open && a.status == Open => DealEventType::Reopened,
        (b, a) if b.stage_id != a.stage_id => DealEventType::Moved,
        _ => DealEventType::Updated,
    }
}
