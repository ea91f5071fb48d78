//! The `dealEvents` subscription: the organisation's deal events as they commit, filtered, and
//! with `after` first the ones the client missed.
//!
//! A subscription keeps a position in the log (the last sequence it has passed on or skipped)
//! and only ever moves it forward by one event at a time, so whatever mix of replay and live
//! events it sees, it delivers each matching event once and in order: events from the hub's
//! broadcast that are already behind it are dropped; one that is ahead of the next expected
//! number (a gap) or a broadcast it fell behind on makes it read the log from its position
//! instead ([`super::live`]). The deal an event carries is read when the event is delivered
//! (the deal as it is then; null once it is gone).

use super::feed::{check_not_expired, last_sequence};
use super::live::{EventHub, SharedEvent, read_after};
use super::record::DealEventType;
use super::token::sequence_of;
use super::types::DealEvent;
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id, global_id};
use async_graphql::{Context, ID, InputObject, Subscription};
use futures_util::Stream;
use sea_orm::DatabaseConnection;
use sea_orm::prelude::Uuid;
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

/// Most stages a filter may name.
pub const MAX_STAGE_IDS: usize = 100;
/// Most deals a filter may name.
pub const MAX_DEAL_IDS: usize = 500;
/// Events read from the log per statement while catching up.
const CATCH_UP_BATCH: u64 = 100;
/// How long a subscription waits on the broadcast before it reads the log itself: an event
/// committed while the organisation's tail was starting (after the subscription caught up,
/// before the tail fixed where it starts) is never broadcast, and would otherwise wait for
/// a later event to reveal the gap.
const QUIET_READ: std::time::Duration = std::time::Duration::from_secs(5);

/// Which events a `dealEvents` subscription receives; every condition given must hold.
#[derive(InputObject, Default)]
pub struct DealEventFilter {
    /// Events of deals in this pipeline, including the move that takes a deal out of it.
    pub pipeline_id: Option<ID>,
    /// Events of deals in these stages (at most 100), including moves into and out of them.
    pub stage_ids: Option<Vec<ID>>,
    /// Events of deals this user owns, including the change that gives the deal to someone
    /// else.
    pub owner_id: Option<ID>,
    /// Events of these deals (at most 500).
    pub deal_ids: Option<Vec<ID>>,
    /// Events of these types.
    pub types: Option<Vec<DealEventType>>,
}

/// At most `max` ids of the argument `field`, each read by `read`.
fn read_ids<T: Eq + std::hash::Hash>(
    ids: Option<Vec<ID>>,
    max: usize,
    field: &str,
    read: impl Fn(&ID) -> AppResult<T>,
) -> AppResult<Option<HashSet<T>>> {
    match ids {
        Some(ids) if ids.len() > max => {
            Err(AppError::bad_input(field, format!("at most {max} ids")))
        }
        Some(ids) => ids.iter().map(read).collect::<AppResult<_>>().map(Some),
        None => Ok(None),
    }
}

/// A [`DealEventFilter`] with its ids read.
#[derive(Default)]
struct Matcher {
    pipeline: Option<String>,
    stages: Option<HashSet<String>>,
    owner: Option<String>,
    deals: Option<HashSet<Uuid>>,
    types: Option<HashSet<DealEventType>>,
}

impl Matcher {
    fn of(filter: DealEventFilter) -> AppResult<Self> {
        let global = |id: &ID, kind: NodeKind, field: &str| -> AppResult<String> {
            Ok(global_id(kind, expect_id(id, kind, field)?).0)
        };
        let stages = read_ids(filter.stage_ids, MAX_STAGE_IDS, "filter.stageIds", |id| {
            global(id, NodeKind::Stage, "filter.stageIds")
        })?;
        let deals = read_ids(filter.deal_ids, MAX_DEAL_IDS, "filter.dealIds", |id| {
            expect_id(id, NodeKind::Deal, "filter.dealIds")
        })?;
        Ok(Self {
            pipeline: filter
                .pipeline_id
                .map(|id| global(&id, NodeKind::Pipeline, "filter.pipelineId"))
                .transpose()?,
            stages,
            owner: filter
                .owner_id
                .map(|id| global(&id, NodeKind::User, "filter.ownerId"))
                .transpose()?,
            deals,
            types: filter.types.map(|types| types.into_iter().collect()),
        })
    }

    /// Whether `event` passes: each condition holds for the deal after the change or, for a
    /// field the event changed, before it.
    fn matches(&self, event: &entity::deal_event::Model) -> bool {
        let before = |field: &str| -> Option<String> {
            event
                .changes
                .as_array()?
                .iter()
                .find(|change| change["field"] == field)
                .and_then(|change| change["old"].as_str().map(str::to_owned))
        };
        let now_or_before =
            |field: &str, kind: NodeKind, now: Option<Uuid>, wanted: &dyn Fn(&str) -> bool| {
                now.is_some_and(|id| wanted(&global_id(kind, id).0))
                    || before(field).is_some_and(|id| wanted(&id))
            };
        if let Some(types) = &self.types {
            let known = DealEventType::from_name(&event.event_type);
            if !known.is_some_and(|t| types.contains(&t)) {
                return false;
            }
        }
        if let Some(deals) = &self.deals
            && !deals.contains(&event.deal_id)
        {
            return false;
        }
        if let Some(pipeline) = &self.pipeline {
            let wanted = |id: &str| id == pipeline;
            if !now_or_before("pipelineId", NodeKind::Pipeline, event.pipeline_id, &wanted) {
                return false;
            }
        }
        if let Some(stages) = &self.stages {
            let wanted = |id: &str| stages.contains(id);
            if !now_or_before("stageId", NodeKind::Stage, event.stage_id, &wanted) {
                return false;
            }
        }
        if let Some(owner) = &self.owner {
            let wanted = |id: &str| id == owner;
            if !now_or_before("ownerId", NodeKind::User, event.owner_id, &wanted) {
                return false;
            }
        }
        true
    }
}

/// Where one subscription is in the log, and what it has yet to look at.
struct Follower {
    db: DatabaseConnection,
    organization_id: Uuid,
    /// The last sequence passed on or skipped.
    position: i64,
    /// Whether the log may hold events after `position` that the broadcast will not bring.
    behind: bool,
    pending: VecDeque<SharedEvent>,
    live: Receiver<SharedEvent>,
    matcher: Matcher,
}

impl Follower {
    /// The next event that passes the filter; None when the hub has stopped (never while
    /// the subscription lives), an error when the log cannot be read.
    async fn next(&mut self) -> Option<AppResult<SharedEvent>> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                if event.sequence != self.position + 1 {
                    // Not the next one: read the log from the position instead.
                    self.pending.clear();
                    self.behind = true;
                    continue;
                }
                self.position = event.sequence;
                if self.matcher.matches(&event) {
                    return Some(Ok(event));
                }
                continue;
            }
            if self.behind {
                let batch = match read_after(
                    &self.db,
                    self.organization_id,
                    self.position,
                    CATCH_UP_BATCH,
                )
                .await
                {
                    Ok(batch) => batch,
                    Err(err) => return Some(Err(err.into())),
                };
                self.behind = batch.len() as u64 == CATCH_UP_BATCH;
                self.pending.extend(batch.into_iter().map(Arc::new));
                continue;
            }
            match tokio::time::timeout(QUIET_READ, self.live.recv()).await {
                Err(_quiet) => self.behind = true,
                Ok(Ok(event)) if event.sequence <= self.position => {}
                Ok(Ok(event)) => self.pending.push_back(event),
                Ok(Err(RecvError::Lagged(_))) => self.behind = true,
                Ok(Err(RecvError::Closed)) => return None,
            }
        }
    }
}

/// Every root subscription field.
#[derive(Default)]
pub struct DealSubscription;

#[Subscription]
impl DealSubscription {
    /// Your organisation's deal events as they are committed, oldest first, each once: what
    /// happened, what changed, who did it, and the deal as it is when the event is sent.
    ///
    /// With `after` (the `token` of the last event you received, or a `dealChanges` token),
    /// the events you missed come first, then live ones, without gap or repeat; a token older
    /// than the event log keeps is SYNC_TOKEN_EXPIRED. Without it, events start now. Over
    /// the websocket only (`/graphql/ws`); a read-only key may subscribe.
    async fn deal_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which events to send; all of them when absent.")] filter: Option<
            DealEventFilter,
        >,
        #[graphql(
            desc = "The `token` of the last event you received (or a `dealChanges` token): \
                    what came after it is sent first."
        )]
        after: Option<String>,
    ) -> Result<impl Stream<Item = AppResult<DealEvent>> + use<>, AppError> {
        let hub = ctx.data_opt::<Arc<EventHub>>().ok_or_else(|| {
            AppError::bad_request(400, "subscriptions are served over the websocket only")
        })?;
        let db = ctx.db()?.clone();
        let organization_id = ctx.viewer()?.organization_id;
        let matcher = Matcher::of(filter.unwrap_or_default())?;
        let resume_after = after
            .map(|token| sequence_of(&token, "after"))
            .transpose()?;
        if let Some(sequence) = resume_after {
            check_not_expired(&db, organization_id, sequence).await?;
        }
        // Listen first, then fix the position: nothing committed in between is missed.
        let live = hub.subscribe(organization_id);
        let position = match resume_after {
            Some(sequence) => sequence,
            None => last_sequence(&db, organization_id).await?,
        };
        let follower = Follower {
            db,
            organization_id,
            position,
            behind: true,
            pending: VecDeque::new(),
            live,
            matcher,
        };
        Ok(futures_util::stream::unfold(
            Some(follower),
            |follower| async move {
                let mut follower = follower?;
                match follower.next().await? {
                    Ok(event) => Some((Ok(DealEvent((*event).clone())), Some(follower))),
                    // An error ends the subscription after it is sent.
                    Err(err) => Some((Err(err), None)),
                }
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value as Json, json};

    fn event(stage: Uuid, changes: Json) -> entity::deal_event::Model {
        entity::deal_event::Model {
            id: Uuid::now_v7(),
            organization_id: Uuid::now_v7(),
            sequence: 1,
            deal_id: Uuid::now_v7(),
            event_type: "MOVED".into(),
            changes,
            user_id: None,
            api_key_id: None,
            occurred_at: chrono::Utc::now(),
            pipeline_id: None,
            stage_id: Some(stage),
            owner_id: None,
        }
    }

    #[test]
    fn a_stage_filter_matches_the_stage_a_deal_left_and_the_one_it_entered() {
        let (from, to, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let moved = event(
            to,
            json!([{ "field": "stageId", "old": global_id(NodeKind::Stage, from).0,
                     "new": global_id(NodeKind::Stage, to).0 }]),
        );
        let on = |stage: Uuid| Matcher {
            stages: Some(HashSet::from([global_id(NodeKind::Stage, stage).0])),
            ..Matcher::default()
        };
        assert!(on(from).matches(&moved));
        assert!(on(to).matches(&moved));
        assert!(!on(other).matches(&moved));
    }
}
