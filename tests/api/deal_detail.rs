//! `deal(id)` with its lists: the deal and a page of each list it selects come in one
//! statement, page exactly as each list does on its own, and show nothing of another
//! organisation.

use crate::fixtures;
use crate::helpers::{TestApp, gid, spawn_app};
use chrono::Duration;
use dealgate::clock;
use entity::enums::{
    ActivityStatus, ActivityType, BillingFrequency, DiscountType, Priority, TaskStatus, TaxMethod,
};
use entity::{Scaled, activity, deal_product, stage_change, task};
use rust_decimal::Decimal;
use sea_orm::prelude::Uuid;
use sea_orm::{ActiveModelTrait, IntoActiveModel};
use serde_json::{Value, json};

fn scaled(value: Decimal) -> Scaled {
    Scaled::from_decimal(value).unwrap_or_default()
}

/// What the test put on one deal, in each list's own order.
struct Lists {
    /// Product line names by position.
    products: Vec<String>,
    /// Stage change ids, oldest first, with the names of their stages.
    history: Vec<(String, Option<String>, String)>,
    /// Activity ids, newest first.
    activities: Vec<String>,
    /// Task ids by due date, undated last.
    tasks: Vec<String>,
}

/// Puts 5 product lines, 3 stage changes, 4 activities and 3 tasks (one undated) on `deal`,
/// inserted out of their lists' order.
async fn fill(app: &TestApp, org: Uuid, user: Uuid, deal: Uuid, w: &fixtures::World) -> Lists {
    let now = clock::now();
    let mut products = Vec::new();
    for position in [3, 0, 4, 1, 2] {
        let name = format!("Line {position}");
        deal_product::Model {
            id: Uuid::now_v7(),
            organization_id: org,
            deal_id: deal,
            position,
            name: name.clone(),
            sku: None,
            quantity: scaled(Decimal::ONE),
            unit_price: scaled(Decimal::new(1250, 2)),
            discount_type: DiscountType::Amount,
            discount: scaled(Decimal::ZERO),
            tax_percentage: scaled(Decimal::ZERO),
            tax_method: TaxMethod::None,
            created_at: now,
            updated_at: now,
            billing_frequency: BillingFrequency::OneTime,
            billing_frequency_cycles: None,
            billing_start_date: None,
            comments: None,
            is_enabled: true,
        }
        .into_active_model()
        .reset_all()
        .insert(&app.db)
        .await
        .expect("product");
        products.push((position, name));
    }
    products.sort();
    // Oldest first: (days ago, from, to); inserted newest first.
    let moves = [(3, None, 0), (2, Some(0), 1), (1, Some(1), 2)];
    let mut history = Vec::new();
    for (days_ago, from, to) in moves.into_iter().rev() {
        let change = stage_change::Model {
            id: Uuid::now_v7(),
            organization_id: org,
            deal_id: deal,
            from_stage_id: from.map(|s: usize| w.stages[s].id),
            to_stage_id: w.stages[to].id,
            changed_at: now - Duration::days(days_ago),
            changed_by_id: None,
            note: None,
        };
        history.push((
            gid("stagechange", change.id),
            from.map(|s| w.stages[s].name.clone()),
            w.stages[to].name.clone(),
        ));
        change
            .into_active_model()
            .reset_all()
            .insert(&app.db)
            .await
            .expect("stage change");
    }
    history.reverse();
    let mut activities = Vec::new();
    for days_ago in [2, 0, 3, 1] {
        let row = activity::Model {
            id: Uuid::now_v7(),
            organization_id: org,
            deal_id: deal,
            user_id: Some(user),
            activity_type: ActivityType::Call,
            status: ActivityStatus::Completed,
            subject: format!("call {days_ago}"),
            note: None,
            occurred_at: now - Duration::days(days_ago),
            created_at: now,
        };
        activities.push((days_ago, gid("activity", row.id)));
        row.into_active_model()
            .reset_all()
            .insert(&app.db)
            .await
            .expect("activity");
    }
    activities.sort();
    let mut tasks = Vec::new();
    for due in [None, Some(4), Some(2)] {
        let row = task::Model {
            id: Uuid::now_v7(),
            organization_id: org,
            deal_id: deal,
            assignee_id: None,
            title: "todo".into(),
            priority: Priority::High,
            status: TaskStatus::Open,
            due_at: due.map(|d| now + Duration::days(d)),
            completed_at: None,
            created_at: now,
            updated_at: now,
        };
        tasks.push((due.unwrap_or(i64::MAX), gid("task", row.id)));
        row.into_active_model()
            .reset_all()
            .insert(&app.db)
            .await
            .expect("task");
    }
    tasks.sort();
    Lists {
        products: products.into_iter().map(|(_, name)| name).collect(),
        history,
        activities: activities.into_iter().map(|(_, id)| id).collect(),
        tasks: tasks.into_iter().map(|(_, id)| id).collect(),
    }
}

fn strings(nodes: &Value, field: &str) -> Vec<String> {
    nodes
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| n[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Stage changes as answered: (id, fromStage's name, toStage's name).
fn history(nodes: &Value) -> Vec<(String, Option<String>, String)> {
    nodes
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            (
                n["id"].as_str().unwrap_or_default().to_owned(),
                n["fromStage"]["name"].as_str().map(str::to_owned),
                n["toStage"]["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The cursors of every row of the deal's `list`, in order.
async fn cursors(app: &TestApp, key: &str, deal: &str, list: &str) -> Vec<String> {
    let query =
        format!("query($id: ID!) {{ deal(id: $id) {{ {list} {{ edges {{ cursor }} }} }} }}");
    let body = app.gql(key, &query, json!({ "id": deal })).await;
    body["data"]["deal"][list]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["cursor"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_deal_with_its_lists_is_one_statement() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 3).await;
    let deal = &w.deals[0];
    let lists = fill(&app, org.id, org.user_id, deal.id, &w).await;
    // Q2 of the peer benchmark: the deal, its products, its history with both stages.
    let query = "query($id: ID!) { deal(id: $id) { id title value { amount currency }
        products(first: 50) { nodes { name unitPrice { amount currency } } }
        stageHistory(first: 50) { nodes { id changedAt fromStage { name } toStage { name } } } } }";
    let body = app
        .gql(&org.key, query, json!({ "id": gid("deal", deal.id) }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let d = &body["data"]["deal"];
    assert_eq!(d["id"], gid("deal", deal.id));
    assert_eq!(d["title"], deal.title.as_str());
    assert_eq!(d["value"]["currency"], deal.currency.as_str());
    assert_eq!(strings(&d["products"]["nodes"], "name"), lists.products);
    assert_eq!(d["products"]["nodes"][0]["unitPrice"]["amount"], "12.50");
    assert_eq!(
        history(&d["stageHistory"]["nodes"]),
        lists.history,
        "oldest first, both stages"
    );
    assert_eq!(
        body["extensions"]["sql"]["statements"], 1,
        "the deal, its products and its history with the stages joined"
    );

    // A deal whose lists are empty: still one statement, empty pages.
    let empty = &w.deals[1];
    let body = app
        .gql(&org.key, query, json!({ "id": gid("deal", empty.id) }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["deal"]["id"], gid("deal", empty.id));
    assert_eq!(body["data"]["deal"]["products"]["nodes"], json!([]));
    assert_eq!(body["data"]["deal"]["stageHistory"]["nodes"], json!([]));
    assert_eq!(body["extensions"]["sql"]["statements"], 1);
}

/// Every page a client can ask, read with the deal and read on its own (the list selected
/// twice under two aliases is loaded by its own field), and checked against what was inserted.
#[tokio::test]
async fn lists_read_with_the_deal_page_as_they_do_alone() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 2).await;
    let deal = &w.deals[0];
    let lists = fill(&app, org.id, org.user_id, deal.id, &w).await;
    let id = gid("deal", deal.id);
    for (list, field, expected) in [
        ("products", "name", &lists.products),
        ("activities", "id", &lists.activities),
        ("tasks", "id", &lists.tasks),
        (
            "stageHistory",
            "id",
            &lists.history.iter().map(|h| h.0.clone()).collect(),
        ),
    ] {
        let cursor = cursors(&app, &org.key, &id, list).await;
        assert_eq!(cursor.len(), expected.len(), "{list}");
        let n = expected.len();
        // (arguments, rows, hasNextPage where the page's reading direction decides it)
        let pages: [(String, Vec<String>, Option<bool>); 5] = [
            ("first: 2".into(), expected[..2].to_vec(), Some(true)),
            (
                format!("first: 2, after: \"{}\"", cursor[1]),
                expected[2..4.min(n)].to_vec(),
                Some(n > 4),
            ),
            ("last: 2".into(), expected[n - 2..].to_vec(), None),
            (
                format!("last: 1, before: \"{}\"", cursor[n - 1]),
                expected[n - 2..n - 1].to_vec(),
                None,
            ),
            ("first: 500".into(), expected.clone(), Some(false)),
        ];
        for (args, rows, next) in pages {
            let selection = format!(
                "({args}) {{ pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} nodes {{ {field} }} }}"
            );
            let together =
                format!("query($id: ID!) {{ deal(id: $id) {{ id {list}{selection} }} }}");
            let alone = format!(
                "query($id: ID!) {{ deal(id: $id) {{ id a: {list}{selection} b: {list}{selection} }} }}"
            );
            let body = app.gql(&org.key, &together, json!({ "id": id })).await;
            assert!(body["errors"].is_null(), "{list}({args}): {body}");
            let page = &body["data"]["deal"][list];
            assert_eq!(strings(&page["nodes"], field), rows, "{list}({args})");
            if let Some(next) = next {
                assert_eq!(page["pageInfo"]["hasNextPage"], next, "{list}({args})");
            }
            assert_eq!(body["extensions"]["sql"]["statements"], 1, "{list}({args})");
            let body = app.gql(&org.key, &alone, json!({ "id": id })).await;
            assert!(body["errors"].is_null(), "{list}({args}) alone: {body}");
            assert_eq!(body["data"]["deal"]["a"], *page, "{list}({args}) alone");
            assert_eq!(body["data"]["deal"]["b"], *page, "{list}({args}) alone");
            assert_eq!(
                body["extensions"]["sql"]["statements"], 2,
                "{list}({args}) alone: the deal, then its list"
            );
        }
    }
}

#[tokio::test]
async fn a_page_that_is_not_valid_is_refused_by_its_list_not_the_deal() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 1).await;
    let deal = &w.deals[0];
    let lists = fill(&app, org.id, org.user_id, deal.id, &w).await;
    for args in [
        "first: 501",
        "first: -1",
        "first: 1, last: 1",
        "after: \"not a cursor\"",
    ] {
        let query = format!(
            "query($id: ID!) {{ deal(id: $id) {{ title products({args}) {{ nodes {{ name }} }} stageHistory(first: 1) {{ nodes {{ toStage {{ name }} }} }} }} }}"
        );
        let body = app
            .gql(&org.key, &query, json!({ "id": gid("deal", deal.id) }))
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{args}: {body}"
        );
        assert_eq!(
            body["errors"][0]["path"],
            json!(["deal", "products"]),
            "{args}"
        );
        assert_eq!(body["data"]["deal"]["title"], deal.title.as_str(), "{args}");
        assert_eq!(
            body["data"]["deal"]["stageHistory"]["nodes"][0]["toStage"]["name"],
            lists.history[0].2.as_str(),
            "{args}"
        );
    }
}

#[tokio::test]
async fn another_organisations_deal_shows_none_of_its_lists() {
    let app = spawn_app().await;
    let acme = app.create_org("Acme").await;
    let w = fixtures::build(&app, &acme, 1).await;
    let deal = &w.deals[0];
    fill(&app, acme.id, acme.user_id, deal.id, &w).await;
    let globex = app.create_org("Globex").await;
    let own = fixtures::build(&app, &globex, 1).await.deals[0].id;
    let query = "query($id: ID!) { deal(id: $id) { id products { nodes { name } }
        stageHistory { nodes { id toStage { name } } } activities { nodes { id } } } }";
    for id in [deal.id, Uuid::now_v7()] {
        let body = app
            .gql(&globex.key, query, json!({ "id": gid("deal", id) }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        assert!(body["data"]["deal"].is_null(), "{body}");
    }
    // Its own organisation sees it all.
    let body = app
        .gql(&acme.key, query, json!({ "id": gid("deal", deal.id) }))
        .await;
    assert_eq!(
        body["data"]["deal"]["products"]["nodes"]
            .as_array()
            .map(Vec::len),
        Some(5)
    );
    // The same statement shape again, for Globex's own deal: its organisation and deal, not
    // those of the request before (the statement's text is built once per shape).
    let body = app
        .gql(&globex.key, query, json!({ "id": gid("deal", own) }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["deal"]["id"], gid("deal", own));
    assert_eq!(body["data"]["deal"]["products"]["nodes"], json!([]));
    assert_eq!(body["data"]["deal"]["stageHistory"]["nodes"], json!([]));
}

/// Product lines and stage changes selecting only their own fields (columns, money in the deal's
/// currency, the stages read with the page) resolve each row's fields in turn; under a page of
/// deals, where the deals' currencies are not yet loaded, each row still answers its own
/// deal's lines and stages, and the lists of all deals load together.
#[tokio::test]
async fn lists_under_a_page_of_deals_answer_each_deal_its_own_rows() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 3).await;
    let filled = [&w.deals[0], &w.deals[1]];
    let mut lists = Vec::new();
    for deal in filled {
        lists.push(fill(&app, org.id, org.user_id, deal.id, &w).await);
    }
    let query = "{ deals(first: 50) { nodes { id
        products(first: 50) { nodes { name unitPrice { amount currency } totals { withTax { amount } } } }
        stageHistory(first: 50) { nodes { id fromStage { name } toStage { name } } } } } }";
    let body = app.gql(&org.key, query, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    let nodes = body["data"]["deals"]["nodes"].as_array().expect("deals");
    for (deal, lists) in filled.iter().zip(&lists) {
        let node = nodes
            .iter()
            .find(|n| n["id"] == gid("deal", deal.id))
            .expect("the deal listed");
        let lines = &node["products"]["nodes"];
        assert_eq!(strings(lines, "name"), lists.products);
        for line in lines.as_array().expect("lines") {
            assert_eq!(line["unitPrice"]["amount"], "12.50");
            assert_eq!(line["unitPrice"]["currency"], deal.currency.as_str());
            assert_eq!(line["totals"]["withTax"]["amount"], "12.50");
        }
        assert_eq!(history(&node["stageHistory"]["nodes"]), lists.history);
    }
    assert_eq!(
        body["extensions"]["sql"]["statements"], 3,
        "the deals, all their product lines, all their stage history with its stages"
    );
}
