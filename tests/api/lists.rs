//! Per-deal lists (products with exact totals, stage history, activities, tasks, followers)
//! and the contact, company and user lists.

use crate::fixtures;
use crate::helpers::{gid, spawn_app};
use chrono::Duration;
use dealgate::clock;
use entity::enums::{ActivityStatus, ActivityType, DiscountType, Priority, TaskStatus, TaxMethod};
use entity::{Scaled, activity, deal_follower, deal_product, stage_change, task};
use rust_decimal::Decimal;
use sea_orm::prelude::Uuid;
use sea_orm::{ActiveModelTrait, IntoActiveModel};
use serde_json::{Value, json};
use std::str::FromStr;

fn dec(text: &str) -> Scaled {
    Scaled::from_decimal(Decimal::from_str(text).unwrap_or_default()).unwrap_or_default()
}

fn ids(list: &Value) -> Vec<String> {
    list["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| n["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_deal_shows_its_products_history_activities_tasks_and_followers() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 4).await;
    let deal = &w.deals[1];
    let now = clock::now();
    let product = |position: i32,
                   quantity: &str,
                   price: &str,
                   discount_type,
                   discount: &str,
                   tax: &str,
                   tax_method| deal_product::Model {
        id: Uuid::now_v7(),
        organization_id: org.id,
        deal_id: deal.id,
        position,
        name: format!("Line {position}"),
        sku: None,
        quantity: dec(quantity),
        unit_price: dec(price),
        discount_type,
        discount: dec(discount),
        tax_percentage: dec(tax),
        tax_method,
        created_at: now,
        updated_at: now,
        billing_frequency: entity::enums::BillingFrequency::OneTime,
        billing_frequency_cycles: None,
        billing_start_date: None,
        comments: None,
        is_enabled: true,
    };
    // AchieveApex's example, then an inclusive-tax line and a fixed discount.
    let lines = [
        product(
            0,
            "2",
            "10000.00",
            DiscountType::Percentage,
            "10",
            "7",
            TaxMethod::Exclusive,
        ),
        product(
            1,
            "1",
            "107.00",
            DiscountType::Amount,
            "0",
            "7",
            TaxMethod::Inclusive,
        ),
        product(
            2,
            "1.5",
            "20.00",
            DiscountType::Amount,
            "5",
            "0",
            TaxMethod::None,
        ),
    ];
    for line in lines.iter().rev() {
        line.clone()
            .into_active_model()
            .reset_all()
            .insert(&app.db)
            .await
            .expect("product");
    }
    let stages = [w.stages[0].id, w.stages[1].id, w.stages[2].id];
    let mut history = Vec::new();
    for (i, to) in stages.iter().enumerate() {
        let change = stage_change::Model {
            id: Uuid::now_v7(),
            organization_id: org.id,
            deal_id: deal.id,
            from_stage_id: i.checked_sub(1).map(|p| stages[p]),
            to_stage_id: *to,
            changed_at: now - Duration::days(10 - i as i64),
            changed_by_id: Some(org.user_id),
            note: Some(format!("move {i}")),
        };
        history.push(gid("stagechange", change.id));
        change
            .into_active_model()
            .reset_all()
            .insert(&app.db)
            .await
            .expect("history");
    }
    let mut activities = Vec::new();
    for i in 0..3 {
        let row = activity::Model {
            id: Uuid::now_v7(),
            organization_id: org.id,
            deal_id: deal.id,
            user_id: Some(org.user_id),
            activity_type: ActivityType::Call,
            status: ActivityStatus::Completed,
            subject: format!("call {i}"),
            note: None,
            occurred_at: now - Duration::days(i),
            created_at: now,
        };
        activities.push(gid("activity", row.id));
        row.into_active_model()
            .reset_all()
            .insert(&app.db)
            .await
            .expect("activity");
    }
    let mut tasks = Vec::new();
    for due in [Some(5), None, Some(1)] {
        let row = task::Model {
            id: Uuid::now_v7(),
            organization_id: org.id,
            deal_id: deal.id,
            assignee_id: None,
            title: "todo".into(),
            priority: Priority::High,
            status: TaskStatus::Open,
            due_at: due.map(|d| now + Duration::days(d)),
            completed_at: None,
            created_at: now,
            updated_at: now,
        };
        tasks.push((due, gid("task", row.id)));
        row.into_active_model()
            .reset_all()
            .insert(&app.db)
            .await
            .expect("task");
    }
    deal_follower::Model {
        deal_id: deal.id,
        user_id: org.user_id,
        organization_id: org.id,
        created_at: now,
    }
    .into_active_model()
    .reset_all()
    .insert(&app.db)
    .await
    .expect("follower");

    let query = r#"query($id: ID!) { deal(id: $id) {
        products { totalCount nodes { id name quantity unitPrice { amount currency } totals { withoutTax { amount } withTax { amount } } } }
        productsTotal { withoutTax { amount currency } withTax { amount currency } }
        stageHistory { totalCount nodes { id fromStage { id } toStage { id } note changedBy { id } } }
        activities { totalCount nodes { id } }
        tasks { nodes { id } }
        followers { id }
    } }"#;
    let body = app
        .gql(&org.key, query, json!({ "id": gid("deal", deal.id) }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let d = &body["data"]["deal"];
    let totals: Vec<(String, String)> = d["products"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            (
                n["totals"]["withoutTax"]["amount"]
                    .as_str()
                    .unwrap_or_default()
                    .into(),
                n["totals"]["withTax"]["amount"]
                    .as_str()
                    .unwrap_or_default()
                    .into(),
            )
        })
        .collect();
    assert_eq!(
        totals,
        [
            ("18000.00", "19260.00"),
            ("100.00", "107.00"),
            ("25.00", "25.00")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(d["products"]["totalCount"], 3);
    assert_eq!(d["products"]["nodes"][2]["quantity"], "1.5");
    assert_eq!(
        d["products"]["nodes"][0]["unitPrice"]["currency"],
        deal.currency
    );
    assert_eq!(d["productsTotal"]["withoutTax"]["amount"], "18125.00");
    assert_eq!(d["productsTotal"]["withTax"]["amount"], "19392.00");
    assert_eq!(ids(&d["stageHistory"]), history, "oldest first");
    assert!(d["stageHistory"]["nodes"][0]["fromStage"].is_null());
    assert_eq!(
        d["stageHistory"]["nodes"][2]["fromStage"]["id"],
        gid("stage", stages[1])
    );
    assert_eq!(
        d["stageHistory"]["nodes"][1]["changedBy"]["id"],
        gid("user", org.user_id)
    );
    assert_eq!(ids(&d["activities"]), activities, "newest first");
    assert_eq!(
        ids(&d["tasks"]),
        vec![tasks[2].1.clone(), tasks[0].1.clone(), tasks[1].1.clone()],
        "by due date, undated last"
    );
    assert_eq!(d["followers"], json!([{ "id": gid("user", org.user_id) }]));

    // The lists page like any connection, and their rows are nodes.
    let body = app
        .gql(&org.key, "query($id: ID!) { deal(id: $id) { activities(first: 2) { pageInfo { hasNextPage endCursor } nodes { id } } } }", json!({ "id": gid("deal", deal.id) }))
        .await;
    let page = &body["data"]["deal"]["activities"];
    assert_eq!(ids(page), activities[..2].to_vec());
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let body = app
        .gql(&org.key, "query($id: ID!, $after: String) { deal(id: $id) { activities(first: 2, after: $after) { pageInfo { hasNextPage } nodes { id } } } }", json!({ "id": gid("deal", deal.id), "after": page["pageInfo"]["endCursor"] }))
        .await;
    assert_eq!(
        ids(&body["data"]["deal"]["activities"]),
        activities[2..].to_vec()
    );
    let body = app
        .gql(
            &org.key,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": [&history[0], &activities[0], &tasks[0].1] }),
        )
        .await;
    assert_eq!(
        body["data"]["nodes"]
            .as_array()
            .map(|n| n.iter().filter(|x| x.is_object()).count()),
        Some(3),
        "{body}"
    );

    // Another organisation sees none of it.
    let other = app.create_org("Globex").await;
    let body = app
        .gql(
            &other.key,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": &history[0] }),
        )
        .await;
    assert!(body["data"]["node"].is_null());
}

#[tokio::test]
async fn child_lists_of_many_deals_are_a_fixed_number_of_statements() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    fixtures::build(&app, &org, 60).await;
    let query = "query($n: Int) { deals(first: $n) { nodes { id products { totalCount nodes { name } } stageHistory { nodes { id } } activities { totalCount } tasks { nodes { id } } followers { name } productsTotal { withTax { amount } } } } }";
    let many = app.gql(&org.key, query, json!({ "n": 50 })).await;
    let few = app.gql(&org.key, query, json!({ "n": 5 })).await;
    assert!(many["errors"].is_null(), "{many}");
    assert_eq!(
        many["extensions"]["sql"]["statements"],
        few["extensions"]["sql"]["statements"]
    );
}

#[tokio::test]
async fn contacts_companies_and_users_are_listed_searched_and_paged() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 3).await;

    let body = app.gql(&org.key, "{ contacts { totalCount nodes { name } } companies { totalCount nodes { name } } users { totalCount nodes { name } } }", json!({})).await;
    let names = |list: &Value| -> Vec<String> {
        list["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|n| n["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        names(&body["data"]["contacts"]),
        ["Grace Hopper", "Ada Lovelace", "Alan Turing"],
        "by last name"
    );
    assert_eq!(body["data"]["contacts"]["totalCount"], 3);
    assert_eq!(
        names(&body["data"]["companies"]),
        ["Globex Industries", "Initech"]
    );
    assert_eq!(
        names(&body["data"]["users"]),
        ["Acme Owner", "Second Owner"]
    );

    let body = app.gql(&org.key, r#"{ contacts(filter: { search: "ADA L" }) { totalCount nodes { name } } companies(filter: { search: "tech" }) { nodes { name } } users(filter: { search: "second" }) { nodes { name } } }"#, json!({})).await;
    assert_eq!(names(&body["data"]["contacts"]), ["Ada Lovelace"]);
    assert_eq!(body["data"]["contacts"]["totalCount"], 1);
    assert_eq!(names(&body["data"]["companies"]), ["Initech"]);
    assert_eq!(names(&body["data"]["users"]), ["Second Owner"]);

    let globex = gid("company", w.companies[0].id);
    let body = app
        .gql(
            &org.key,
            "query($c: ID!) { contacts(filter: { companyId: $c }) { nodes { name } } }",
            json!({ "c": globex }),
        )
        .await;
    assert_eq!(
        names(&body["data"]["contacts"]),
        ["Ada Lovelace", "Alan Turing"]
    );

    // company.contacts for every company is one page statement and one count statement.
    let body = app.gql(&org.key, "{ companies { nodes { name contacts(first: 1) { totalCount pageInfo { hasNextPage } nodes { name } } } } }", json!({})).await;
    let companies = body["data"]["companies"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(companies[0]["contacts"]["totalCount"], 2);
    assert_eq!(companies[0]["contacts"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(names(&companies[0]["contacts"]), ["Ada Lovelace"]);
    assert_eq!(companies[1]["contacts"]["totalCount"], 1);
    assert_eq!(
        body["extensions"]["sql"]["statements"], 3,
        "companies, contact pages, contact counts"
    );

    // Paging backward from the end.
    let body = app
        .gql(
            &org.key,
            "{ contacts(last: 2) { pageInfo { hasPreviousPage } nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        names(&body["data"]["contacts"]),
        ["Ada Lovelace", "Alan Turing"]
    );
    assert_eq!(
        body["data"]["contacts"]["pageInfo"]["hasPreviousPage"],
        true
    );
}
