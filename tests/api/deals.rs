//! The deal list: keyset pagination under every ordering, every filter, exact summaries,
//! batched relations and tenant isolation.

use crate::fixtures::{self, World};
use crate::helpers::{TestApp, TestOrg, error_code, gid, spawn_app};
use chrono::{Duration, NaiveDate};
use dealgate::clock;
use entity::deal;
use entity::enums::{DealStatus, Priority};
use rust_decimal::Decimal;
use sea_orm::prelude::Uuid;
use serde_json::{Value, json};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

const FIELDS: [&str; 11] = [
    "ID",
    "TITLE",
    "VALUE",
    "CREATED_AT",
    "UPDATED_AT",
    "EXPECTED_CLOSE_DATE",
    "STAGE_CHANGED_AT",
    "LAST_ACTIVITY_AT",
    "STAGE_POSITION",
    "OWNER_NAME",
    "PRIORITY",
];

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Text(String),
    Int(i64),
    Date(NaiveDate),
    Time(chrono::DateTime<chrono::Utc>),
    Id(Uuid),
}

fn key(world: &World, field: &str, d: &deal::Model) -> Option<Key> {
    match field {
        "STAGE_POSITION" => world
            .stages
            .iter()
            .find(|s| s.id == d.stage_id)
            .map(|s| Key::Int(i64::from(s.position))),
        "OWNER_NAME" => d
            .owner_id
            .and_then(|owner| world.owner_names.get(&owner).cloned())
            .map(Key::Text),
        "PRIORITY" => Some(Key::Int(match d.priority {
            Priority::Low => 1,
            Priority::Medium => 2,
            Priority::High => 3,
        })),
        "ID" => Some(Key::Id(d.id)),
        "TITLE" => Some(Key::Text(d.title.clone())),
        "VALUE" => Some(Key::Int(d.value.0)),
        "CREATED_AT" => Some(Key::Time(d.created_at)),
        "UPDATED_AT" => Some(Key::Time(d.updated_at)),
        "EXPECTED_CLOSE_DATE" => d.expected_close_date.map(Key::Date),
        "STAGE_CHANGED_AT" => Some(Key::Time(d.stage_changed_at)),
        "LAST_ACTIVITY_AT" => d.last_activity_at.map(Key::Time),
        _ => None,
    }
}

/// The order a plain `ORDER BY field dir NULLS LAST, id` gives.
fn expected_order(world: &World, field: &str, descending: bool) -> Vec<String> {
    let mut deals: Vec<&deal::Model> = world.listed().collect();
    deals.sort_by(|a, b| {
        let by_key = match (key(world, field, a), key(world, field, b)) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) if descending => y.cmp(&x),
            (Some(x), Some(y)) => x.cmp(&y),
        };
        by_key.then(a.id.cmp(&b.id))
    });
    deals.into_iter().map(|d| gid("deal", d.id)).collect()
}

const PAGE: &str =
    "query($order: [DealOrder!], $first: Int, $after: String, $last: Int, $before: String) {
  deals(orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
  }
}";

fn page_ids(body: &Value) -> Vec<String> {
    body["data"]["deals"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges: {body}"))
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn walk(app: &TestApp, key: &str, order: &Value, forward: bool) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let vars = if forward {
            json!({ "order": order, "first": 7, "after": cursor })
        } else {
            json!({ "order": order, "last": 7, "before": cursor })
        };
        let body = app.gql(key, PAGE, vars).await;
        let info = &body["data"]["deals"]["pageInfo"];
        let ids = page_ids(&body);
        let edges = body["data"]["deals"]["edges"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            info["startCursor"],
            edges.first().map_or(Value::Null, |e| e["cursor"].clone())
        );
        assert_eq!(
            info["endCursor"],
            edges.last().map_or(Value::Null, |e| e["cursor"].clone())
        );
        if forward {
            assert_eq!(info["hasPreviousPage"], cursor.is_some(), "{order}: {info}");
            seen.extend(ids);
            if info["hasNextPage"] != true {
                return seen;
            }
            assert_eq!(edges.len(), 7, "a page before the last one is full");
            cursor = info["endCursor"].as_str().map(str::to_owned);
        } else {
            assert_eq!(info["hasNextPage"], cursor.is_some(), "{order}: {info}");
            seen.splice(0..0, ids);
            if info["hasPreviousPage"] != true {
                return seen;
            }
            assert_eq!(edges.len(), 7, "a page before the last one is full");
            cursor = info["startCursor"].as_str().map(str::to_owned);
        }
    }
    panic!("the walk did not end");
}

#[tokio::test]
async fn every_ordering_pages_forward_and_backward_through_every_deal_once() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let world = fixtures::build(&app, &org, 60).await;
    for field in FIELDS {
        for (direction, descending) in [("ASC", false), ("DESC", true)] {
            let order = json!([{ "field": field, "direction": direction }]);
            let expected = expected_order(&world, field, descending);
            assert_eq!(
                walk(&app, &org.key, &order, true).await,
                expected,
                "{field} {direction} forward"
            );
            assert_eq!(
                walk(&app, &org.key, &order, false).await,
                expected,
                "{field} {direction} backward"
            );
        }
    }
    // Several keys: value descending, then title ascending, then id.
    let order = json!([{ "field": "VALUE", "direction": "DESC" }, { "field": "TITLE" }]);
    let mut deals: Vec<&deal::Model> = world.listed().collect();
    deals.sort_by(|a, b| {
        b.value
            .cmp(&a.value)
            .then(a.title.cmp(&b.title))
            .then(a.id.cmp(&b.id))
    });
    let expected: Vec<String> = deals.iter().map(|d| gid("deal", d.id)).collect();
    assert_eq!(walk(&app, &org.key, &order, true).await, expected);
    assert_eq!(walk(&app, &org.key, &order, false).await, expected);
}

#[tokio::test]
async fn page_arguments_are_checked() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    fixtures::build(&app, &org, 10).await;
    let cases = [
        json!({ "first": 501 }),
        json!({ "last": 501 }),
        json!({ "first": -1 }),
        json!({ "first": 2, "last": 2 }),
        json!({ "first": 2, "after": "not-a-cursor" }),
    ];
    for vars in cases {
        let body = app.gql(&org.key, PAGE, vars.clone()).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{vars}: {body}");
    }
    let body = app.gql(&org.key, PAGE, json!({ "first": 500 })).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(
        page_ids(&app.gql(&org.key, PAGE, json!({})).await).len(),
        10
    );

    // A cursor is bound to the ordering it was made under.
    let body = app
        .gql(
            &org.key,
            PAGE,
            json!({ "first": 2, "order": [{ "field": "VALUE" }] }),
        )
        .await;
    let cursor = body["data"]["deals"]["pageInfo"]["endCursor"].clone();
    let body = app
        .gql(
            &org.key,
            PAGE,
            json!({ "first": 2, "after": cursor, "order": [{ "field": "TITLE" }] }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}

fn decimal(value: &Value) -> Decimal {
    Decimal::from_str(value.as_str().unwrap_or_default())
        .unwrap_or_else(|_| panic!("decimal: {value}"))
}

/// The ids of the deals of `w` that `keep` keeps: what a filter is expected to list.
fn kept(w: &World, keep: &dyn Fn(&deal::Model) -> bool) -> BTreeSet<String> {
    w.deals
        .iter()
        .filter(|d| keep(d))
        .map(|d| gid("deal", d.id))
        .collect()
}

async fn listed_ids(app: &TestApp, org: &TestOrg, filter: Value) -> BTreeSet<String> {
    let body = app
        .gql(
            &org.key,
            "query($f: DealFilter) { deals(filter: $f, first: 500) { totalCount nodes { id } } }",
            json!({ "f": filter }),
        )
        .await;
    assert!(body["errors"].is_null(), "{filter}: {body}");
    let nodes = body["data"]["deals"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(body["data"]["deals"]["totalCount"], nodes.len(), "{filter}");
    nodes
        .iter()
        .map(|n| n["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn every_filter_selects_what_it_says() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 80).await;
    let now = clock::now();
    let base = w.deals.iter().map(|d| d.created_at).min().unwrap_or(now);
    let iso = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339();
    let open = |d: &deal::Model| d.deleted_at.is_none() && d.archived_at.is_none();
    let stage = &w.stages[1];
    let ids = [
        gid("deal", w.deals[1].id),
        gid("deal", w.deals[2].id),
        gid("deal", w.deals[12].id),
    ];
    let contains = |text: &str, needle: &str| text.to_lowercase().contains(needle);
    let contact_name = |d: &deal::Model| {
        w.contacts
            .iter()
            .find(|c| Some(c.id) == d.contact_id)
            .map(|c| format!("{} {}", c.first_name, c.last_name))
            .unwrap_or_default()
    };
    let company_name = |d: &deal::Model| {
        w.companies
            .iter()
            .find(|c| Some(c.id) == d.company_id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let days_ago = |n: i64| now - Duration::days(n);

    type Keep<'a> = Box<dyn Fn(&deal::Model) -> bool + 'a>;
    let cases: Vec<(Value, Keep)> = vec![
        (json!({}), Box::new(open)),
        (
            json!({ "ids": ids }),
            Box::new(|d: &deal::Model| open(d) && ids.contains(&gid("deal", d.id))),
        ),
        (
            json!({ "status": ["WON", "LOST"] }),
            Box::new(|d: &deal::Model| open(d) && d.status != DealStatus::Open),
        ),
        (
            json!({ "includeDeleted": true }),
            Box::new(|d: &deal::Model| d.archived_at.is_none()),
        ),
        (
            json!({ "includeArchived": true }),
            Box::new(|d: &deal::Model| d.deleted_at.is_none()),
        ),
        (
            json!({ "archivedOnly": true }),
            Box::new(|d: &deal::Model| d.deleted_at.is_none() && d.archived_at.is_some()),
        ),
        (
            json!({ "pipelineId": gid("pipeline", w.pipelines[1].id) }),
            Box::new(|d: &deal::Model| open(d) && d.pipeline_id == w.pipelines[1].id),
        ),
        (
            json!({ "stageId": gid("stage", stage.id) }),
            Box::new(|d: &deal::Model| open(d) && d.stage_id == stage.id),
        ),
        (
            json!({ "ownerId": gid("user", w.owners[1]) }),
            Box::new(|d: &deal::Model| open(d) && d.owner_id == Some(w.owners[1])),
        ),
        (
            json!({ "contactId": gid("contact", w.contacts[2].id) }),
            Box::new(|d: &deal::Model| open(d) && d.contact_id == Some(w.contacts[2].id)),
        ),
        (
            json!({ "companyId": gid("company", w.companies[0].id) }),
            Box::new(|d: &deal::Model| open(d) && d.company_id == Some(w.companies[0].id)),
        ),
        (
            json!({ "valueMin": "347.25", "valueMax": "595.15" }),
            Box::new(|d: &deal::Model| {
                let v = d.value.to_decimal();
                open(d)
                    && v >= Decimal::from_str("347.25").unwrap_or_default()
                    && v <= Decimal::from_str("595.15").unwrap_or_default()
            }),
        ),
        (
            json!({ "createdAfter": iso(base + Duration::days(5)), "createdBefore": iso(base + Duration::days(12)) }),
            Box::new(|d: &deal::Model| {
                open(d)
                    && d.created_at >= base + Duration::days(5)
                    && d.created_at < base + Duration::days(12)
            }),
        ),
        (
            json!({ "updatedSince": iso(base + Duration::days(9)), "updatedUntil": iso(base + Duration::days(21)) }),
            Box::new(|d: &deal::Model| {
                open(d)
                    && d.updated_at >= base + Duration::days(9)
                    && d.updated_at < base + Duration::days(21)
            }),
        ),
        (
            json!({ "expectedCloseAfter": "2027-02-01", "expectedCloseBefore": "2027-04-01" }),
            Box::new(|d: &deal::Model| {
                let (from, to) = (
                    NaiveDate::from_ymd_opt(2027, 2, 1),
                    NaiveDate::from_ymd_opt(2027, 4, 1),
                );
                open(d)
                    && d.expected_close_date
                        .is_some_and(|e| Some(e) >= from && Some(e) < to)
            }),
        ),
        (
            json!({ "closedAfter": iso(base + Duration::days(2)), "closedBefore": iso(base + Duration::days(6)) }),
            Box::new(|d: &deal::Model| {
                open(d)
                    && d.closed_at.is_some_and(|c| {
                        c >= base + Duration::days(2) && c < base + Duration::days(6)
                    })
            }),
        ),
        (
            json!({ "daysSinceActivityGt": 60 }),
            Box::new(|d: &deal::Model| {
                open(d) && d.last_activity_at.unwrap_or(d.created_at) < days_ago(60)
            }),
        ),
        (
            json!({ "daysInStageGt": 75 }),
            Box::new(|d: &deal::Model| open(d) && d.stage_changed_at < days_ago(75)),
        ),
        (
            json!({ "tags": ["vip", "hot"] }),
            Box::new(|d: &deal::Model| open(d) && w.has_tag(d.id, &["vip", "hot"])),
        ),
        (
            json!({ "priority": ["HIGH", "LOW"] }),
            Box::new(|d: &deal::Model| open(d) && d.priority != Priority::Medium),
        ),
        (
            json!({ "search": "ALPHA" }),
            Box::new(|d: &deal::Model| {
                open(d)
                    && (contains(&d.title, "alpha")
                        || contains(&contact_name(d), "alpha")
                        || contains(&company_name(d), "alpha"))
            }),
        ),
        (
            json!({ "search": "lovelace" }),
            Box::new(|d: &deal::Model| open(d) && contains(&contact_name(d), "lovelace")),
        ),
        (
            json!({ "search": "ada love" }),
            Box::new(|d: &deal::Model| open(d) && contains(&contact_name(d), "ada love")),
        ),
        (
            json!({ "search": "initech" }),
            Box::new(|d: &deal::Model| open(d) && contains(&company_name(d), "initech")),
        ),
        (
            json!({ "search": "100%_" }),
            Box::new(|_: &deal::Model| false),
        ),
    ];
    for (filter, keep) in cases {
        let expected = kept(&w, &keep);
        assert!(
            !expected.is_empty() || filter.get("search").is_some(),
            "a filter test must select something: {filter}"
        );
        assert_eq!(
            listed_ids(&app, &org, filter.clone()).await,
            expected,
            "{filter}"
        );
    }
}

#[tokio::test]
async fn summaries_are_exact_over_thousands_of_deals_in_three_currencies() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 5_000).await;
    let mut totals: BTreeMap<String, (Decimal, Decimal, i64)> = BTreeMap::new();
    for d in w.listed() {
        // Won deals weigh 100 %, lost ones 0 %, open ones their stage's probability.
        let probability = match d.status {
            DealStatus::Won => 100,
            DealStatus::Lost => 0,
            DealStatus::Open => w
                .stages
                .iter()
                .find(|s| s.id == d.stage_id)
                .map_or(0, |s| s.probability),
        };
        let entry = totals.entry(d.currency.clone()).or_default();
        entry.0 += d.value.to_decimal();
        entry.1 += d.value.to_decimal() * Decimal::from(probability) / Decimal::ONE_HUNDRED;
        entry.2 += 1;
    }
    let body = app
        .gql(&org.key, "{ deals(first: 1) { totalCount summary { count totalValue { amount currency } weightedValue { amount currency } } } }", json!({}))
        .await;
    let summary = &body["data"]["deals"]["summary"];
    let count: i64 = totals.values().map(|t| t.2).sum();
    assert_eq!(summary["count"], count);
    assert_eq!(body["data"]["deals"]["totalCount"], count);
    let total: Vec<(String, Decimal)> = summary["totalValue"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["currency"].as_str().unwrap_or_default().to_owned(),
                decimal(&m["amount"]),
            )
        })
        .collect();
    let weighted: Vec<(String, Decimal)> = summary["weightedValue"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["currency"].as_str().unwrap_or_default().to_owned(),
                decimal(&m["amount"]),
            )
        })
        .collect();
    assert_eq!(
        total,
        totals
            .iter()
            .map(|(c, t)| (c.clone(), t.0))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        weighted,
        totals
            .iter()
            .map(|(c, t)| (c.clone(), t.1))
            .collect::<Vec<_>>()
    );
    assert_eq!(totals.len(), 3);
}

fn statements(body: &Value) -> u64 {
    assert!(body["errors"].is_null(), "{body}");
    body["extensions"]["sql"]["statements"]
        .as_u64()
        .unwrap_or(u64::MAX)
}

#[tokio::test]
async fn statement_counts_depend_on_the_query_shape_only() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 120).await;
    let page = "query($n: Int) { deals(first: $n) { nodes { id title value { amount } stage { name } pipeline { name } company { name } contact { name } owner { name } products { nodes { name } } } } }";
    let fifty = app.gql(&org.key, page, json!({ "n": 50 })).await;
    let ten = app.gql(&org.key, page, json!({ "n": 10 })).await;
    assert_eq!(
        fifty["data"]["deals"]["nodes"].as_array().map(Vec::len),
        Some(50)
    );
    assert_eq!(statements(&fifty), statements(&ten));
    assert_eq!(
        statements(&fifty),
        2,
        "deals with their 5 to-one relations, then products"
    );
    // The to-one relations come with the page, and are the deals' own.
    for deal in fifty["data"]["deals"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let id = deal["id"].as_str().unwrap_or_default();
        let listed = w
            .deals
            .iter()
            .find(|d| gid("deal", d.id) == id)
            .expect("a listed deal");
        let stage = w.stages.iter().find(|s| s.id == listed.stage_id);
        assert_eq!(
            deal["stage"]["name"].as_str(),
            stage.map(|s| s.name.as_str())
        );
        assert_eq!(
            deal["company"].is_null(),
            listed.company_id.is_none(),
            "{deal}"
        );
        assert_eq!(
            deal["contact"].is_null(),
            listed.contact_id.is_none(),
            "{deal}"
        );
    }
    let to_ones = "{ deals(first: 50) { edges { node { stage { name } company { name } contact { name } owner { name } } } } }";
    assert_eq!(statements(&app.gql(&org.key, to_ones, json!({})).await), 1);
    // Deals asked only for columns answer their fields in turn (`graphql::serial`): relations
    // that wait on a loader (here the stage's and the company's own deal pages) still wait
    // together, one statement each for the whole page, whatever its size.
    let in_turn = "query($n: Int) { deals(first: $n) { nodes { title stage { name deals(first: 2) { nodes { id } } } company { deals(first: 1) { nodes { id } } } } } }";
    let fifty = app.gql(&org.key, in_turn, json!({ "n": 50 })).await;
    let ten = app.gql(&org.key, in_turn, json!({ "n": 10 })).await;
    assert_eq!(statements(&fifty), statements(&ten));
    assert_eq!(statements(&fifty), 3, "deals, stage pages, company pages");
    for deal in fifty["data"]["deals"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let pages = deal["stage"]["deals"]["nodes"].as_array().map(Vec::len);
        assert!(matches!(pages, Some(1..=2)), "{deal}");
        if !deal["company"].is_null() {
            let pages = deal["company"]["deals"]["nodes"].as_array().map(Vec::len);
            assert_eq!(pages, Some(1), "{deal}");
        }
    }

    let board = "query($p: ID!) { pipeline(id: $p) { stages { name deals(first: 20, filter: { status: [OPEN] }) { totalCount summary { count totalValue { amount currency } } nodes { title company { name } contact { name } } } } } }";
    let boards = "{ pipelines { nodes { stages { name deals(first: 20, filter: { status: [OPEN] }) { totalCount summary { count totalValue { amount currency } } nodes { title company { name } contact { name } } } } } } }";
    let one = app
        .gql(
            &org.key,
            board,
            json!({ "p": gid("pipeline", w.pipelines[0].id) }),
        )
        .await;
    let both = app.gql(&org.key, boards, json!({})).await;
    assert_eq!(statements(&one), statements(&both), "3 stages or 6");
    assert_eq!(
        statements(&one),
        4,
        "pipeline, stages, deal pages with companies and contacts, summaries"
    );
    let stages_board = "query($p: ID!) { stages(pipelineId: $p) { name deals(first: 20, filter: { status: [OPEN] }) { totalCount nodes { title company { name } } } } }";
    let stages = app
        .gql(
            &org.key,
            stages_board,
            json!({ "p": gid("pipeline", w.pipelines[0].id) }),
        )
        .await;
    assert_eq!(statements(&stages), 3, "stages, deal pages, counts");

    // The board's numbers are right, not just cheap: with the summary and with the count alone.
    let boards = [
        &one["data"]["pipeline"]["stages"],
        &stages["data"]["stages"],
    ];
    for stage in boards
        .into_iter()
        .flat_map(|stages| stages.as_array().into_iter().flatten())
    {
        let s = w
            .stages
            .iter()
            .find(|s| s.name == stage["name"].as_str().unwrap_or_default())
            .map(|s| s.id);
        let expected = w
            .listed()
            .filter(|d| Some(d.stage_id) == s && d.status == DealStatus::Open)
            .count();
        assert_eq!(stage["deals"]["totalCount"], expected);
        let titles: Vec<&str> = stage["deals"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["title"].as_str())
            .collect();
        let mut first_open: Vec<&deal::Model> = w
            .listed()
            .filter(|d| Some(d.stage_id) == s && d.status == DealStatus::Open)
            .collect();
        first_open.sort_by_key(|d| d.id);
        let expected_titles: Vec<&str> = first_open
            .iter()
            .take(20)
            .map(|d| d.title.as_str())
            .collect();
        assert_eq!(
            titles, expected_titles,
            "the stage's first 20 open deals by id"
        );
    }
}

#[tokio::test]
async fn another_organisations_ids_select_nothing() {
    let app = spawn_app().await;
    let acme = app.create_org("Acme").await;
    let globex = app.create_org("Globex").await;
    fixtures::build(&app, &acme, 20).await;
    let theirs = fixtures::build(&app, &globex, 20).await;
    let filters = [
        json!({ "ids": [gid("deal", theirs.deals[0].id)] }),
        json!({ "pipelineId": gid("pipeline", theirs.pipelines[0].id) }),
        json!({ "stageId": gid("stage", theirs.stages[0].id) }),
        json!({ "ownerId": gid("user", theirs.owners[0]) }),
        json!({ "contactId": gid("contact", theirs.contacts[0].id) }),
        json!({ "companyId": gid("company", theirs.companies[0].id) }),
    ];
    for filter in filters {
        assert!(
            listed_ids(&app, &acme, filter.clone()).await.is_empty(),
            "{filter}"
        );
    }
    let ids = vec![
        gid("deal", theirs.deals[0].id),
        gid("stage", theirs.stages[0].id),
        gid("pipeline", theirs.pipelines[0].id),
        gid("company", theirs.companies[0].id),
        gid("contact", theirs.contacts[0].id),
    ];
    let body = app
        .gql(
            &acme.key,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        )
        .await;
    assert_eq!(
        body["data"]["nodes"],
        json!([null, null, null, null, null]),
        "{body}"
    );
    let body = app
        .gql(
            &acme.key,
            "query($id: ID!) { deal(id: $id) { id } stages(pipelineId: $id) { id } }",
            json!({ "id": gid("deal", theirs.deals[0].id) }),
        )
        .await;
    assert_eq!(
        error_code(&body),
        Some("BAD_USER_INPUT"),
        "a deal id is not a pipeline id"
    );
    let body = app
        .gql(
            &acme.key,
            "query($id: ID!) { pipeline(id: $id) { id } stages(pipelineId: $id) { id } }",
            json!({ "id": gid("pipeline", theirs.pipelines[0].id) }),
        )
        .await;
    assert_eq!(
        body["data"],
        json!({ "pipeline": null, "stages": [] }),
        "{body}"
    );
    let body = app
        .gql(
            &acme.key,
            "{ pipelines { totalCount nodes { id } } deals { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["pipelines"]["totalCount"], 2);
    assert_eq!(
        body["data"]["pipelines"]["nodes"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        body["data"]["deals"]["totalCount"],
        20 - 1 - 1,
        "only Acme's listed deals"
    );
}

/// A deal closed while it stands in an open stage weighs 100 % once won and 0 % once lost —
/// in its `weightedValue` and in every summary (from the deals and from the per-stage totals).
#[tokio::test]
async fn closed_deals_weigh_all_or_nothing_whatever_their_stage() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let pipeline = app
        .gql(
            &org.key,
            "mutation { createPipeline(input: { name: \"Weights\", stages: [\
             { name: \"Prospecting\", probability: 10 }, { name: \"Proposal\", probability: 40 }] }) \
             { pipeline { id stages { id probability } } } }",
            json!({}),
        )
        .await;
    let stages = &pipeline["data"]["createPipeline"]["pipeline"]["stages"];
    let prospecting = stages[0]["id"].as_str().expect("stage").to_owned();
    let create = "mutation($s: ID!, $t: String!, $v: Decimal!) { createDeal(input: { title: $t, \
        value: $v, currency: \"EUR\", stageId: $s }) { deal { id } } }";
    let mut ids = Vec::new();
    for (title, value) in [
        ("won", "11500.00"),
        ("lost", "3000.00"),
        ("open", "2000.00"),
    ] {
        let body = app
            .gql(
                &org.key,
                create,
                json!({ "s": prospecting, "t": title, "v": value }),
            )
            .await;
        ids.push(
            body["data"]["createDeal"]["deal"]["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let close = "mutation($id: ID!, $r: DealResult!, $why: String) { closeDeal(input: \
        { dealId: $id, result: $r, lostReason: $why }) { deal { status stage { name } weightedValue { amount } } } }";
    let won = app
        .gql(&org.key, close, json!({ "id": ids[0], "r": "WON" }))
        .await;
    let won = &won["data"]["closeDeal"]["deal"];
    assert_eq!(
        won["stage"]["name"], "Prospecting",
        "closing leaves the stage: {won}"
    );
    assert_eq!(
        decimal(&won["weightedValue"]["amount"]),
        Decimal::new(1_150_000, 2)
    );
    let lost = app
        .gql(
            &org.key,
            close,
            json!({ "id": ids[1], "r": "LOST", "why": "price" }),
        )
        .await;
    assert_eq!(
        decimal(&lost["data"]["closeDeal"]["deal"]["weightedValue"]["amount"]),
        Decimal::ZERO
    );

    // 11,500 × 100 % + 3,000 × 0 % + 2,000 × 10 % = 11,700, counted from the deals (root list
    // with a title filter) and from the per-stage totals (the stage's own list).
    let expected = Decimal::new(11_700, 0);
    let summaries = app
        .gql(
            &org.key,
            "query($s: ID!) { deals(filter: { search: \"o\" }) { summary { count weightedValue { amount } } } \
             stage: node(id: $s) { ... on Stage { deals { summary { count weightedValue { amount } } } } } }",
            json!({ "s": prospecting }),
        )
        .await;
    for summary in [
        &summaries["data"]["deals"]["summary"],
        &summaries["data"]["stage"]["deals"]["summary"],
    ] {
        assert_eq!(summary["count"], 3, "{summaries}");
        assert_eq!(
            decimal(&summary["weightedValue"][0]["amount"]),
            expected,
            "{summaries}"
        );
    }
}

/// `Σ/n` of ten-thousandths, rounded half to even, as the summary documents it.
fn mean_half_even(total: i128, count: i128) -> Decimal {
    let (quotient, remainder) = (total.div_euclid(count), total.rem_euclid(count));
    let rounded = match (2 * remainder).cmp(&count) {
        Ordering::Greater => quotient + 1,
        Ordering::Equal => quotient + quotient.rem_euclid(2),
        Ordering::Less => quotient,
    };
    Decimal::new(i64::try_from(rounded).expect("fits"), 4)
}

/// Average, smallest and largest value per currency, over the whole list and per stage (the
/// per-stage lists answer averages from the maintained totals, extremes from the deals).
#[tokio::test]
async fn summaries_give_average_min_and_max_per_currency() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 700).await;
    // currency → (Σ ten-thousandths, count, min, max), for the listed deals and per stage.
    type Sums = (i128, i128, i64, i64);
    type Acc = BTreeMap<String, Sums>;
    let add = |acc: &mut Acc, d: &deal::Model| {
        let v = d.value.0;
        let e = acc
            .entry(d.currency.clone())
            .or_insert((0, 0, i64::MAX, i64::MIN));
        e.0 += i128::from(v);
        e.1 += 1;
        e.2 = e.2.min(v);
        e.3 = e.3.max(v);
    };
    let mut all = Acc::new();
    let mut by_stage: BTreeMap<Uuid, Acc> = BTreeMap::new();
    for d in w.listed() {
        add(&mut all, d);
        add(by_stage.entry(d.stage_id).or_default(), d);
    }
    let expect = |acc: &Acc| -> Value {
        let money = |pick: &dyn Fn(&Sums) -> Decimal| -> Vec<(String, Decimal)> {
            acc.iter()
                .map(|(c, t)| (c.clone(), pick(t).normalize()))
                .collect()
        };
        json!({
            "average": money(&|t| mean_half_even(t.0, t.1)),
            "min": money(&|t| Decimal::new(t.2, 4)),
            "max": money(&|t| Decimal::new(t.3, 4)),
        })
    };
    let got = |summary: &Value| -> Value {
        let money = |field: &str| -> Vec<(String, Decimal)> {
            summary[field]
                .as_array()
                .into_iter()
                .flatten()
                .map(|m| {
                    let currency = m["currency"].as_str().unwrap_or_default().to_owned();
                    (currency, decimal(&m["amount"]).normalize())
                })
                .collect()
        };
        json!({
            "average": money("averageValue"),
            "min": money("minValue"),
            "max": money("maxValue"),
        })
    };
    let fields = "averageValue { amount currency } minValue { amount currency } maxValue { amount currency }";
    let body = app
        .gql(
            &org.key,
            &format!("{{ deals(first: 1) {{ summary {{ {fields} }} }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(
        got(&body["data"]["deals"]["summary"]),
        expect(&all),
        "{body}"
    );

    let query = format!(
        "{{ pipelines {{ nodes {{ stages {{ id extremes: deals(first: 1) {{ summary {{ {fields} }} }} \
         sums: deals(first: 1) {{ summary {{ averageValue {{ amount currency }} }} }} }} }} }} }}"
    );
    let body = app.gql(&org.key, &query, json!({})).await;
    let mut stages_seen = 0;
    for pipeline in body["data"]["pipelines"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for stage in pipeline["stages"].as_array().into_iter().flatten() {
            let id = w
                .stages
                .iter()
                .find(|s| gid("stage", s.id) == stage["id"].as_str().unwrap_or_default())
                .map(|s| s.id)
                .expect("a fixture stage");
            let expected = expect(by_stage.get(&id).unwrap_or(&Acc::new()));
            assert_eq!(got(&stage["extremes"]["summary"]), expected, "{stage}");
            assert_eq!(
                got(&stage["sums"]["summary"])["average"],
                expected["average"],
                "{stage}"
            );
            stages_seen += 1;
        }
    }
    assert_eq!(stages_seen, w.stages.len());
}

/// `and` / `or` / `not`, the `…NotIn` and `…IsNull` forms select what a predicate written here
/// selects; deleted and archived deals stay out unless the outermost filter lets them in.
#[tokio::test]
async fn composed_filters_select_what_they_say() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 90).await;
    let open = |d: &deal::Model| d.deleted_at.is_none() && d.archived_at.is_none();
    let company = w.companies[0].id;
    let five_hundred = Decimal::new(500, 0);
    type Keep<'a> = Box<dyn Fn(&deal::Model) -> bool + 'a>;
    let cases: Vec<(Value, Keep)> = vec![
        (
            json!({ "or": [{ "status": ["WON"] }, { "valueMin": "500" }] }),
            Box::new(|d: &deal::Model| {
                open(d) && (d.status == DealStatus::Won || d.value.to_decimal() >= five_hundred)
            }),
        ),
        (
            json!({ "not": { "companyId": gid("company", company) } }),
            Box::new(|d: &deal::Model| open(d) && d.company_id != Some(company)),
        ),
        (
            json!({ "and": [{ "statusNotIn": ["LOST"] },
                            { "or": [{ "companyIdIsNull": true }, { "contactIdIsNull": true }] }] }),
            Box::new(|d: &deal::Model| {
                open(d)
                    && d.status != DealStatus::Lost
                    && (d.company_id.is_none() || d.contact_id.is_none())
            }),
        ),
        (
            json!({ "not": { "or": [{ "priority": ["HIGH"] }, { "tags": ["vip"] }] } }),
            Box::new(|d: &deal::Model| {
                open(d) && d.priority != Priority::High && !w.has_tag(d.id, &["vip"])
            }),
        ),
        (
            json!({ "priorityNotIn": ["LOW"], "expectedCloseDateIsNull": false }),
            Box::new(|d: &deal::Model| {
                open(d) && d.priority != Priority::Low && d.expected_close_date.is_some()
            }),
        ),
        (
            json!({ "includeDeleted": true, "not": { "status": ["OPEN"] } }),
            Box::new(|d: &deal::Model| d.archived_at.is_none() && d.status != DealStatus::Open),
        ),
        (json!({ "or": [{}, { "status": ["WON"] }] }), Box::new(open)),
        (json!({ "not": {} }), Box::new(|_: &deal::Model| false)),
    ];
    for (filter, keep) in cases {
        let expected = kept(&w, &keep);
        assert_eq!(
            listed_ids(&app, &org, filter.clone()).await,
            expected,
            "{filter}"
        );
    }

    // Limits and scope: BAD_USER_INPUT naming the filter.
    let mut deep = json!({ "status": ["OPEN"] });
    for _ in 0..5 {
        deep = json!({ "not": deep });
    }
    let wide = json!({ "or": (0..60).map(|_| json!({ "status": ["OPEN"] })).collect::<Vec<_>>() });
    let scoped = json!({ "or": [{ "includeDeleted": true }] });
    for filter in [deep, wide, scoped] {
        let (_, body) = app
            .post(
                Some(&org.key),
                "query($f: DealFilter) { deals(filter: $f) { totalCount } }",
                json!({ "f": filter }),
            )
            .await;
        assert_eq!(
            error_code(&body),
            Some("BAD_USER_INPUT"),
            "{filter}: {body}"
        );
        assert_eq!(body["errors"][0]["extensions"]["field"], "filter", "{body}");
    }
}

/// `customFields` conditions compare typed values the same way on both databases: numbers
/// numerically, booleans and text exactly, CONTAINS case-insensitively, EXISTS by key; a field
/// of another type never matches (except NE and EXISTS false).
#[tokio::test]
async fn custom_field_conditions_compare_typed_values() {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let mut w = fixtures::build(&app, &org, 60).await;
    // The fixture's deals hold {"n": <index>}; some get more keys, of several types.
    for (i, d) in w.deals.iter_mut().enumerate() {
        let mut fields = d.custom_fields.clone();
        if i % 3 == 0 {
            fields["region"] = json!(if i % 2 == 0 { "North EMEA" } else { "Americas" });
        }
        if i % 4 == 0 {
            fields["vip"] = json!(i % 8 == 0);
        }
        if i % 5 == 0 {
            fields["score"] = json!(i as f64 / 4.0);
        }
        if i == 7 {
            fields["region"] = json!(42);
        }
        let mut active = d.clone().into_active_model();
        active.custom_fields = Set(fields.clone());
        active.update(&app.db).await.expect("update custom fields");
        d.custom_fields = fields;
    }
    let open = |d: &deal::Model| d.deleted_at.is_none() && d.archived_at.is_none();
    let number = |d: &deal::Model, key: &str| {
        d.custom_fields
            .get(key)
            .and_then(Value::as_f64)
            .filter(|_| d.custom_fields[key].is_number())
    };
    let text = |d: &deal::Model, key: &str| {
        d.custom_fields
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    type Keep<'a> = Box<dyn Fn(&deal::Model) -> bool + 'a>;
    let cases: Vec<(Value, Keep)> = vec![
        (
            json!([{ "key": "n", "op": "GT", "value": "40" }]),
            Box::new(|d: &deal::Model| number(d, "n").is_some_and(|n| n > 40.0)),
        ),
        (
            json!([{ "key": "n", "op": "EQ", "value": "7" }]),
            Box::new(|d: &deal::Model| number(d, "n") == Some(7.0)),
        ),
        (
            json!([{ "key": "score", "op": "LTE", "value": "7.5" }, { "key": "n", "op": "GTE", "value": "10" }]),
            Box::new(|d: &deal::Model| {
                number(d, "score").is_some_and(|s| s <= 7.5)
                    && number(d, "n").is_some_and(|n| n >= 10.0)
            }),
        ),
        (
            json!([{ "key": "region", "op": "CONTAINS", "value": "emea" }]),
            Box::new(|d: &deal::Model| {
                text(d, "region").is_some_and(|r| r.to_lowercase().contains("emea"))
            }),
        ),
        (
            json!([{ "key": "region", "op": "EQ", "value": "Americas" }]),
            Box::new(|d: &deal::Model| text(d, "region").as_deref() == Some("Americas")),
        ),
        (
            json!([{ "key": "region", "op": "NE", "value": "Americas" }]),
            Box::new(|d: &deal::Model| text(d, "region").as_deref() != Some("Americas")),
        ),
        (
            json!([{ "key": "region", "op": "EQ", "value": "42" }]),
            Box::new(|d: &deal::Model| number(d, "region") == Some(42.0)),
        ),
        (
            json!([{ "key": "region", "op": "GT", "value": "0" }]),
            Box::new(|d: &deal::Model| number(d, "region").is_some_and(|n| n > 0.0)),
        ),
        (
            json!([{ "key": "vip", "op": "EQ", "value": "true" }]),
            Box::new(|d: &deal::Model| d.custom_fields.get("vip") == Some(&json!(true))),
        ),
        (
            json!([{ "key": "vip", "op": "EXISTS" }]),
            Box::new(|d: &deal::Model| d.custom_fields.get("vip").is_some()),
        ),
        (
            json!([{ "key": "region", "op": "EXISTS", "value": "false" }]),
            Box::new(|d: &deal::Model| d.custom_fields.get("region").is_none()),
        ),
    ];
    for (conditions, keep) in cases {
        let expected = kept(&w, &|d: &deal::Model| open(d) && keep(d));
        let filter = json!({ "customFields": conditions });
        assert!(
            !expected.is_empty(),
            "a case must select something: {filter}"
        );
        assert_eq!(
            listed_ids(&app, &org, filter.clone()).await,
            expected,
            "{filter}"
        );
    }
    for bad in [
        json!([{ "key": "a.b", "op": "EQ", "value": "1" }]),
        json!([{ "key": "n", "op": "GT", "value": "many" }]),
        json!([{ "key": "n", "op": "EQ" }]),
        json!([{ "key": "n", "op": "EXISTS", "value": "maybe" }]),
        json!(
            (0..11)
                .map(|_| json!({ "key": "n", "op": "EXISTS" }))
                .collect::<Vec<_>>()
        ),
    ] {
        let (_, body) = app
            .post(
                Some(&org.key),
                "query($f: DealFilter) { deals(filter: $f) { totalCount } }",
                json!({ "f": { "customFields": bad } }),
            )
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{bad}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"],
            "filter.customFields"
        );
    }
}

/// Nested lists sort by the related keys too (the per-parent page sorts before any join), and
/// page on with their cursors.
#[tokio::test]
async fn nested_lists_sort_by_owner_name_and_priority() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 60).await;
    let query = "query($after: String) { pipelines { nodes { stages { id \
        deals(first: 4, after: $after, orderBy: [{ field: OWNER_NAME, direction: DESC }, { field: PRIORITY }]) { \
        pageInfo { endCursor } nodes { id owner { name } priority } } } } } }";
    let body = app.gql(&org.key, query, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    let rank = |p: &str| ["LOW", "MEDIUM", "HIGH"].iter().position(|x| *x == p);
    let mut checked = 0;
    for pipeline in body["data"]["pipelines"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for stage in pipeline["stages"].as_array().into_iter().flatten() {
            let stage_id = stage["id"].as_str().unwrap_or_default();
            let mut expected: Vec<&deal::Model> = w
                .listed()
                .filter(|d| gid("stage", d.stage_id) == stage_id)
                .collect();
            let name = |d: &deal::Model| d.owner_id.and_then(|o| w.owner_names.get(&o).cloned());
            let priority = |d: &deal::Model| match d.priority {
                Priority::Low => 0,
                Priority::Medium => 1,
                Priority::High => 2,
            };
            expected.sort_by(|a, b| {
                name(b)
                    .cmp(&name(a))
                    .then(priority(a).cmp(&priority(b)))
                    .then(a.id.cmp(&b.id))
            });
            let got: Vec<String> = stage["deals"]["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| n["id"].as_str().unwrap_or_default().to_owned())
                .collect();
            let want: Vec<String> = expected.iter().take(4).map(|d| gid("deal", d.id)).collect();
            assert_eq!(got, want, "stage {stage_id}");
            for node in stage["deals"]["nodes"].as_array().into_iter().flatten() {
                assert!(rank(node["priority"].as_str().unwrap_or_default()).is_some());
            }
            checked += 1;
        }
    }
    assert_eq!(checked, w.stages.len());
}

/// `dealGroups` answers "value by owner by stage" (and by tag, status and currency) in one
/// statement, each group's count and per-currency totals equal to summing the deals here.
#[tokio::test]
async fn deal_groups_sum_what_they_group() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 300).await;
    // (group keys) → currency → (count, Σ ten-thousandths)
    type Sums = BTreeMap<Vec<String>, BTreeMap<String, (i64, i64)>>;
    let sum = |keys_of: &dyn Fn(&deal::Model) -> Vec<Vec<String>>| -> Sums {
        let mut sums = Sums::new();
        for d in w.listed() {
            for keys in keys_of(d) {
                let e = sums
                    .entry(keys)
                    .or_default()
                    .entry(d.currency.clone())
                    .or_default();
                e.0 += 1;
                e.1 += d.value.0;
            }
        }
        sums
    };
    let got = |groups: &Value, key_of: &dyn Fn(&Value) -> Vec<String>| -> Sums {
        let mut sums = Sums::new();
        for g in groups.as_array().into_iter().flatten() {
            let per_currency = sums.entry(key_of(g)).or_default();
            assert!(per_currency.is_empty(), "one group per key: {g}");
            let total: i64 = g["summary"]["count"].as_i64().unwrap_or_default();
            let mut counted = 0;
            for money in g["summary"]["totalValue"].as_array().into_iter().flatten() {
                let currency = money["currency"].as_str().unwrap_or_default().to_owned();
                let amount = decimal(&money["amount"]) * Decimal::new(10_000, 0);
                let scaled = amount.normalize().to_string().parse::<i64>().unwrap_or(-1);
                per_currency.insert(currency, (0, scaled));
            }
            // The summary counts the whole group, not each currency: compare the group's
            // count (as "*count") and each currency's total.
            for (currency, (count, _)) in per_currency.iter_mut() {
                let averages = g["summary"]["averageValue"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                assert!(averages.iter().any(|m| m["currency"] == currency.as_str()));
                *count = -1;
                counted += 1;
            }
            assert!(counted > 0 && total > 0, "{g}");
            per_currency.insert("*count".into(), (total, 0));
        }
        sums
    };
    let with_total_counts = |mut sums: Sums| -> Sums {
        for per_currency in sums.values_mut() {
            let total: i64 = per_currency.values().map(|(c, _)| *c).sum();
            for (count, _) in per_currency.values_mut() {
                *count = -1;
            }
            per_currency.insert("*count".into(), (total, 0));
        }
        sums
    };

    let query = "query($by: [DealGroupKey!]!) { dealGroups(by: $by) { owner { id } stage { id } \
        tag status currency summary { count totalValue { amount currency } averageValue { currency } } } }";
    let body = app
        .gql(&org.key, query, json!({ "by": ["OWNER", "STAGE"] }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let expected = with_total_counts(sum(&|d| {
        vec![vec![
            d.owner_id.map(|o| gid("user", o)).unwrap_or_default(),
            gid("stage", d.stage_id),
        ]]
    }));
    let actual = got(&body["data"]["dealGroups"], &|g| {
        vec![
            g["owner"]["id"].as_str().unwrap_or_default().to_owned(),
            g["stage"]["id"].as_str().unwrap_or_default().to_owned(),
        ]
    });
    assert_eq!(actual, expected);

    let body = app.gql(&org.key, query, json!({ "by": ["TAG"] })).await;
    let expected = with_total_counts(sum(&|d| {
        let tags: Vec<Vec<String>> = w
            .tags
            .iter()
            .filter(|(deal, _)| *deal == d.id)
            .map(|(_, tag)| vec![tag.clone()])
            .collect();
        if tags.is_empty() {
            vec![vec![String::new()]]
        } else {
            tags
        }
    }));
    let actual = got(&body["data"]["dealGroups"], &|g| {
        vec![g["tag"].as_str().unwrap_or_default().to_owned()]
    });
    assert_eq!(actual, expected);

    let body = app
        .gql(&org.key, query, json!({ "by": ["STATUS", "CURRENCY"] }))
        .await;
    let expected = with_total_counts(sum(&|d| {
        vec![vec![
            format!("{:?}", d.status).to_uppercase(),
            d.currency.clone(),
        ]]
    }));
    let actual = got(&body["data"]["dealGroups"], &|g| {
        vec![
            g["status"].as_str().unwrap_or_default().to_owned(),
            g["currency"].as_str().unwrap_or_default().to_owned(),
        ]
    });
    assert_eq!(actual, expected);

    for by in [
        json!([]),
        json!(["OWNER", "OWNER"]),
        json!(["OWNER", "STAGE", "TAG", "STATUS"]),
    ] {
        let (_, body) = app.post(Some(&org.key), query, json!({ "by": by })).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{by}: {body}");
    }
}

/// Period keys group by the UTC month or quarter of a date; deals without the date form one
/// group with a null period; one period key per grouping.
#[tokio::test]
async fn deal_groups_by_month_and_quarter() {
    use chrono::Datelike;
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 200).await;
    let month = |y: i32, m: u32| format!("{y:04}-{m:02}");
    let quarter = |y: i32, m: u32| format!("{y:04}-Q{}", m.div_ceil(3));
    type Period<'a> = Box<dyn Fn(&deal::Model) -> Option<String> + 'a>;
    let cases: Vec<(&str, Period)> = vec![
        (
            "CREATED_MONTH",
            Box::new(|d: &deal::Model| Some(month(d.created_at.year(), d.created_at.month()))),
        ),
        (
            "CREATED_QUARTER",
            Box::new(|d: &deal::Model| Some(quarter(d.created_at.year(), d.created_at.month()))),
        ),
        (
            "CLOSED_MONTH",
            Box::new(|d: &deal::Model| d.closed_at.map(|t| month(t.year(), t.month()))),
        ),
        (
            "EXPECTED_CLOSE_QUARTER",
            Box::new(|d: &deal::Model| d.expected_close_date.map(|t| quarter(t.year(), t.month()))),
        ),
    ];
    let query = "query($by: [DealGroupKey!]!) { dealGroups(by: $by) { period summary { count } } }";
    for (key, period_of) in cases {
        let mut expected: BTreeMap<Option<String>, i64> = BTreeMap::new();
        for d in w.listed() {
            *expected.entry(period_of(d)).or_default() += 1;
        }
        let body = app.gql(&org.key, query, json!({ "by": [key] })).await;
        assert!(body["errors"].is_null(), "{key}: {body}");
        let groups = body["data"]["dealGroups"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let actual: BTreeMap<Option<String>, i64> = groups
            .iter()
            .map(|g| {
                (
                    g["period"].as_str().map(str::to_owned),
                    g["summary"]["count"].as_i64().unwrap_or(-1),
                )
            })
            .collect();
        assert_eq!(actual.len(), groups.len(), "one group per period: {key}");
        assert_eq!(actual, expected, "{key}");
        assert!(expected.len() > 1, "{key} must make several groups");
    }
    let (_, body) = app
        .post(
            Some(&org.key),
            query,
            json!({ "by": ["CREATED_MONTH", "CLOSED_QUARTER"] }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}
