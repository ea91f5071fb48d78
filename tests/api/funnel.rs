//! `dealFunnel`: stage history written here with known times, the funnel's figures computed
//! here from it with plain loops, compared with the server's.

use crate::fixtures::{self, World};
use crate::helpers::{TestApp, TestOrg, error_code, gid, spawn_app};
use chrono::{DateTime, Duration, Utc};
use entity::enums::DealStatus;
use entity::{deal, stage_change};
use sea_orm::prelude::Uuid;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const FUNNEL: &str = "query($p: ID!, $after: DateTime, $before: DateTime, $f: DealFilter) {
  dealFunnel(pipelineId: $p, enteredAfter: $after, enteredBefore: $before, filter: $f) {
    pipeline { id }
    stages { stage { id } entered movedOn won lost conversionRate winRate finishedStays
             averageDaysInStage medianDaysInStage }
  }
}";

/// A deal's history: (stage index in the world, days after `t0`) in order, and how it ended.
struct Story {
    moves: Vec<(usize, f64)>,
    closed: Option<(DealStatus, f64)>,
}

fn story(moves: &[(usize, f64)], closed: Option<(DealStatus, f64)>) -> Story {
    Story {
        moves: moves.to_vec(),
        closed,
    }
}

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z")
        .expect("instant")
        .with_timezone(&Utc)
}

fn at(days: f64) -> DateTime<Utc> {
    t0() + Duration::seconds((days * 86_400.0).round() as i64)
}

/// Writes each story onto a deal of the world: its changes, its stage and how it closed.
async fn tell(app: &TestApp, org: &TestOrg, w: &World, stories: &[Story]) -> Vec<deal::Model> {
    let mut deals = Vec::new();
    for (deal, story) in w.deals.iter().zip(stories) {
        let mut from = None;
        for (stage, day) in &story.moves {
            let to = w.stages[*stage].id;
            stage_change::Entity::insert(
                stage_change::Model {
                    id: Uuid::now_v7(),
                    organization_id: org.id,
                    deal_id: deal.id,
                    from_stage_id: from,
                    to_stage_id: to,
                    changed_at: at(*day),
                    changed_by_id: None,
                    note: None,
                }
                .into_active_model(),
            )
            .exec_without_returning(&app.db)
            .await
            .expect("insert a stage change");
            from = Some(to);
        }
        let (last_stage, last_day) = *story.moves.last().expect("a move");
        let mut active = deal.clone().into_active_model();
        active.stage_id = Set(w.stages[last_stage].id);
        active.pipeline_id = Set(w.stages[last_stage].pipeline_id);
        active.stage_changed_at = Set(at(last_day));
        active.archived_at = Set(None);
        active.deleted_at = Set(None);
        let (status, closed_at) = match story.closed {
            Some((status, day)) => (status, Some(at(day))),
            None => (DealStatus::Open, None),
        };
        active.status = Set(status);
        active.closed_at = Set(closed_at);
        active.won_at = Set(closed_at.filter(|_| status == DealStatus::Won));
        active.lost_at = Set(closed_at.filter(|_| status == DealStatus::Lost));
        deals.push(active.update(&app.db).await.expect("update the deal"));
    }
    deals
}

/// The funnel figures of each stage of pipeline 0 (stages 0–2), computed from the stories.
#[derive(Debug, Default, PartialEq)]
struct Expected {
    entered: BTreeSet<usize>,
    moved_on: BTreeSet<usize>,
    won: BTreeSet<usize>,
    lost: BTreeSet<usize>,
    stays: Vec<f64>,
}

fn expected(
    stories: &[Story],
    keep: &dyn Fn(usize) -> bool,
    range: (f64, f64),
) -> BTreeMap<usize, Expected> {
    let pipeline_of = |stage: usize| stage / 3;
    let mut figures: BTreeMap<usize, Expected> = (0..3).map(|s| (s, Expected::default())).collect();
    for (d, story) in stories.iter().enumerate().filter(|(d, _)| keep(*d)) {
        for (i, (stage, day)) in story.moves.iter().enumerate() {
            if pipeline_of(*stage) != 0 || *day < range.0 || *day >= range.1 {
                continue;
            }
            let e = figures.get_mut(stage).expect("stage of pipeline 0");
            e.entered.insert(d);
            let later_further = story.moves[i + 1..]
                .iter()
                .any(|(s, _)| pipeline_of(*s) == 0 && s > stage);
            if later_further {
                e.moved_on.insert(d);
            }
            match story.closed {
                Some((DealStatus::Won, _)) => {
                    e.won.insert(d);
                }
                Some((DealStatus::Lost, _)) => {
                    e.lost.insert(d);
                }
                _ => {}
            }
            let left = match story.moves.get(i + 1) {
                Some((_, next)) => Some(*next),
                None => story
                    .closed
                    .map(|(_, day)| day)
                    .filter(|close| close >= day),
            };
            if let Some(left) = left {
                e.stays.push(left - day);
            }
        }
    }
    figures
}

fn median(stays: &[f64]) -> Option<f64> {
    let mut sorted = stays.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

fn close(actual: &Value, expected: Option<f64>, what: &str) {
    match expected {
        None => assert!(actual.is_null(), "{what}: {actual}"),
        Some(e) => {
            let a = actual.as_f64().unwrap_or(f64::NAN);
            assert!((a - e).abs() < 1e-6, "{what}: {a} ≠ {e}");
        }
    }
}

fn assert_funnel(body: &Value, w: &World, figures: &BTreeMap<usize, Expected>) {
    assert!(body["errors"].is_null(), "{body}");
    let stages = body["data"]["dealFunnel"]["stages"]
        .as_array()
        .expect("stages");
    assert_eq!(stages.len(), 3);
    for (stage, got) in stages.iter().enumerate() {
        let e = &figures[&stage];
        assert_eq!(got["stage"]["id"], gid("stage", w.stages[stage].id));
        assert_eq!(got["entered"], e.entered.len(), "stage {stage}");
        assert_eq!(got["movedOn"], e.moved_on.len(), "stage {stage}");
        assert_eq!(got["won"], e.won.len(), "stage {stage}");
        assert_eq!(got["lost"], e.lost.len(), "stage {stage}");
        assert_eq!(got["finishedStays"], e.stays.len(), "stage {stage}");
        let rate =
            |part: usize| (!e.entered.is_empty()).then(|| part as f64 / e.entered.len() as f64);
        close(&got["conversionRate"], rate(e.moved_on.len()), "conversion");
        close(&got["winRate"], rate(e.won.len()), "win rate");
        let mean =
            (!e.stays.is_empty()).then(|| e.stays.iter().sum::<f64>() / e.stays.len() as f64);
        close(&got["averageDaysInStage"], mean, "average");
        close(&got["medianDaysInStage"], median(&e.stays), "median");
    }
}

fn stories() -> Vec<Story> {
    use DealStatus::{Lost, Won};
    vec![
        story(&[(0, 0.0), (1, 2.0), (2, 5.5)], Some((Won, 6.0))),
        story(&[(0, 1.0), (1, 4.0)], None),
        story(&[(0, 1.0)], Some((Lost, 3.25))),
        // Skips a stage, then moves back.
        story(&[(0, 0.0), (2, 1.0), (1, 2.0)], None),
        // Entered the first stage before the range.
        story(&[(0, -10.0), (1, 1.0)], None),
        // Leaves for the other pipeline.
        story(&[(0, 2.0), (3, 3.0)], None),
        // Enters the first stage twice.
        story(&[(0, 3.0), (1, 4.0), (0, 5.0), (1, 6.5)], None),
        // Enters after the range.
        story(&[(0, 40.0), (1, 41.0)], Some((Won, 42.0))),
    ]
}

#[tokio::test]
async fn funnels_count_entries_moves_outcomes_and_days_per_stage() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 8).await;
    let stories = stories();
    let deals = tell(&app, &org, &w, &stories).await;
    let pipeline = gid("pipeline", w.pipelines[0].id);
    let range =
        json!({ "p": pipeline, "after": at(0.0).to_rfc3339(), "before": at(30.0).to_rfc3339() });
    let body = app.gql(&org.key, FUNNEL, range.clone()).await;
    let figures = expected(&stories, &|_| true, (0.0, 30.0));
    // The first stage, by hand: six deals entered it in the range (not the one before, not the
    // one after), seven stays ended (one deal twice), median 1 day.
    assert_eq!(figures[&0].entered.len(), 6);
    assert_eq!(figures[&0].stays.len(), 7);
    assert_funnel(&body, &w, &figures);
    assert_eq!(body["data"]["dealFunnel"]["pipeline"]["id"], pipeline);
    assert!(
        body["extensions"]["sql"]["statements"]
            .as_u64()
            .unwrap_or(9)
            <= 3,
        "{body}"
    );

    // Without a range every entry counts.
    let body = app.gql(&org.key, FUNNEL, json!({ "p": pipeline })).await;
    assert_funnel(
        &body,
        &w,
        &expected(&stories, &|_| true, (f64::MIN, f64::MAX)),
    );

    // A filter narrows the deals: one owner's.
    let owner = deals[0].owner_id.expect("an owner");
    let body = app
        .gql(
            &org.key,
            FUNNEL,
            json!({ "p": pipeline, "after": at(0.0).to_rfc3339(), "before": at(30.0).to_rfc3339(),
                    "f": { "ownerId": gid("user", owner) } }),
        )
        .await;
    let keep = |d: usize| deals[d].owner_id == Some(owner);
    assert!((0..8).any(|d| !keep(d)), "the filter must leave deals out");
    assert_funnel(&body, &w, &expected(&stories, &keep, (0.0, 30.0)));
}

#[tokio::test]
async fn funnels_of_other_organisations_and_bad_arguments() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let other = app.create_org("Other").await;
    let w = fixtures::build(&app, &org, 8).await;
    tell(&app, &org, &w, &stories()).await;
    let pipeline = gid("pipeline", w.pipelines[0].id);
    // Another organisation's pipeline is null, its history unseen.
    let body = app.gql(&other.key, FUNNEL, json!({ "p": pipeline })).await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(body["data"]["dealFunnel"].is_null(), "{body}");
    // A stage id is not a pipeline id; a range that ends before it starts is refused.
    let cases = [
        (json!({ "p": gid("stage", w.stages[0].id) }), "pipelineId"),
        (
            json!({ "p": pipeline, "after": at(2.0).to_rfc3339(), "before": at(1.0).to_rfc3339() }),
            "enteredBefore",
        ),
    ];
    for (variables, field) in cases {
        let (_, body) = app.post(Some(&org.key), FUNNEL, variables).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
}
