//! The maintained per-stage totals that answer a board's counts and sums stay exact while
//! many writes run at once: after a burst of concurrent moves, closes, deletes, archives,
//! restores, value changes and creations, the board read from the totals equals the same
//! board counted from the deals, and both equal the deals as the database holds them.

use crate::fixtures;
use crate::helpers::{TestApp, TestOrg, gid, spawn_app};
use entity::{deal, enums::DealStatus};
use futures_util::future::join_all;
use sea_orm::prelude::Uuid;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, StatementBuilder};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Per stage name: (open deals, Σ value of the open deals as the API prints it per currency).
type Board = BTreeMap<String, (i64, Vec<(String, String)>)>;

async fn board(app: &TestApp, org: &TestOrg, pipeline: Uuid, filter: Value) -> Board {
    let query = "query($p: ID!, $f: DealFilter) { stages(pipelineId: $p) { name deals(first: 1, filter: $f) { totalCount summary { count totalValue { amount currency } weightedValue { amount } } } } }";
    let body = app
        .gql(
            &org.key,
            query,
            json!({ "p": gid("pipeline", pipeline), "f": filter }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let mut board = Board::new();
    for stage in body["data"]["stages"].as_array().into_iter().flatten() {
        let deals = &stage["deals"];
        assert_eq!(deals["totalCount"], deals["summary"]["count"]);
        let totals = deals["summary"]["totalValue"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| {
                (
                    m["currency"].as_str().unwrap_or_default().to_owned(),
                    m["amount"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let name = stage["name"].as_str().unwrap_or_default().to_owned();
        board.insert(name, (deals["totalCount"].as_i64().unwrap_or(-1), totals));
    }
    board
}

#[tokio::test]
async fn board_totals_stay_exact_under_concurrent_writes() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 60).await;
    let pipeline = w.pipelines[0].id;
    let stages: Vec<Uuid> = w
        .stages
        .iter()
        .filter(|s| s.pipeline_id == pipeline)
        .map(|s| s.id)
        .collect();
    let deals: Vec<Uuid> = w
        .deals
        .iter()
        .filter(|d| d.pipeline_id == pipeline)
        .map(|d| d.id)
        .collect();
    assert!(stages.len() >= 2 && deals.len() >= 20, "fixture too small");

    let mut writes = Vec::new();
    for (i, deal) in deals.iter().enumerate() {
        let d = gid("deal", *deal);
        let (query, variables) = match i % 7 {
            0 | 1 => (
                "mutation($d: ID!, $s: ID!) { moveDealToStage(input: { dealId: $d, stageId: $s }) { deal { id } } }",
                json!({ "d": d, "s": gid("stage", stages[i % stages.len()]) }),
            ),
            2 => (
                "mutation($d: ID!) { closeDeal(input: { dealId: $d, result: WON }) { deal { id } } }",
                json!({ "d": d }),
            ),
            3 => (
                "mutation($d: ID!) { deleteDeal(input: { dealId: $d }) { deal { id } } }",
                json!({ "d": d }),
            ),
            4 => (
                "mutation($d: ID!) { archiveDeal(input: { dealId: $d }) { deal { id } } }",
                json!({ "d": d }),
            ),
            5 => (
                "mutation($d: ID!) { updateDeal(input: { id: $d, value: \"1234.5\" }) { deal { id } } }",
                json!({ "d": d }),
            ),
            _ => (
                "mutation($s: ID!) { createDeal(input: { title: \"New\", value: \"10\", stageId: $s }) { deal { id } } }",
                json!({ "s": gid("stage", stages[i % stages.len()]) }),
            ),
        };
        // A deal moved twice at once: the second move of the same deal races the first.
        writes.push(app.gql(&org.key, query, variables.clone()));
        if i % 7 == 0 {
            writes.push(app.gql(&org.key, query, variables));
        }
    }
    for body in join_all(writes).await {
        // A write may be refused (it lost a race, or the deal is closed or gone): with a code
        // of its own, never as an internal error (a deadlock between the totals' rows would
        // be one).
        if !body["errors"].is_null() {
            let code = body["errors"][0]["extensions"]["code"].as_str();
            assert!(code.is_some_and(|c| c != "INTERNAL_SERVER_ERROR"), "{body}");
        }
    }

    let open = json!({ "status": ["OPEN"] });
    let from_totals = board(&app, &org, pipeline, open.clone()).await;
    // `includeDeleted: false` means the same, but is not a filter the totals answer: the
    // deals themselves are counted.
    let counted = board(
        &app,
        &org,
        pipeline,
        json!({ "status": ["OPEN"], "includeDeleted": false }),
    )
    .await;
    assert_eq!(from_totals, counted);

    // And both are what the database holds.
    let rows = deal::Entity::find()
        .filter(deal::Column::OrganizationId.eq(org.id))
        .filter(deal::Column::PipelineId.eq(pipeline))
        .filter(deal::Column::Status.eq(DealStatus::Open))
        .filter(deal::Column::DeletedAt.is_null())
        .filter(deal::Column::ArchivedAt.is_null())
        .all(&app.db)
        .await
        .expect("deals");
    for stage in w.stages.iter().filter(|s| s.pipeline_id == pipeline) {
        let expected = rows.iter().filter(|d| d.stage_id == stage.id).count() as i64;
        assert_eq!(from_totals[&stage.name].0, expected, "{}", stage.name);
    }
    let all_stages = board(&app, &org, pipeline, json!(null)).await;
    let all_counted = board(&app, &org, pipeline, json!({ "includeArchived": false })).await;
    assert_eq!(all_stages, all_counted);

    // The first board really was read from the totals: skew them, and only it moves.
    skew_open_totals(&app, stages[0], 1000).await;
    let skewed = board(&app, &org, pipeline, open).await;
    let name = &w
        .stages
        .iter()
        .find(|s| s.id == stages[0])
        .expect("stage")
        .name;
    assert_eq!(skewed[name].0, from_totals[name].0 + 1000);
    let recounted = board(
        &app,
        &org,
        pipeline,
        json!({ "status": ["OPEN"], "includeDeleted": false }),
    )
    .await;
    assert_eq!(recounted, counted);
}

/// Adds `deals` to the maintained count of `stage`'s open deals, behind the triggers' back.
async fn skew_open_totals(app: &TestApp, stage: Uuid, deals: i64) {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let skew = Query::update()
        .table("deal_stage_total")
        .value("deals", Expr::col("deals").add(deals))
        .and_where(Expr::col("stage_id").eq(stage))
        .and_where(Expr::col("status").eq("OPEN"))
        .to_owned();
    let backend = app.db.get_database_backend();
    app.db
        .execute_raw(StatementBuilder::build(&skew, &backend))
        .await
        .expect("skew the totals");
}
