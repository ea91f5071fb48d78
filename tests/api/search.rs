//! `searchDeals`: words found in every field, kept current by every write that changes them,
//! ranked title first, paged without losing or repeating a result, scoped to the
//! organisation — against deals whose words the test chose.

use crate::helpers::{TestApp, TestOrg, spawn_app};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const SEARCH: &str = "query($t: String!, $fields: [DealSearchField!], $exact: Boolean,
                             $f: DealFilter, $first: Int, $after: String) {
  searchDeals(term: $t, fields: $fields, exactMatch: $exact, filter: $f, first: $first,
              after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor score matchedFields node { id title } }
  }
}";

async fn mutate(app: &TestApp, org: &TestOrg, mutation: &str, input: Value) -> Value {
    let query = format!(
        "mutation($i: {}Input!) {{ {}(input: $i) {{ __typename }} }}",
        {
            let mut name = mutation.to_owned();
            name[..1].make_ascii_uppercase();
            name
        },
        mutation
    );
    let body = app.gql(&org.key, &query, json!({ "i": input })).await;
    assert!(body["errors"].is_null(), "{mutation}: {body}");
    body
}

/// A pipeline for the organisation's deals.
async fn pipeline(app: &TestApp, org: &TestOrg) {
    let body = app
        .gql(
            &org.key,
            "mutation { createPipeline(input: { name: \"Sales\", \
             stages: [{ name: \"New\", probability: 10 }] }) { pipeline { id } } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
}

async fn create_deal(app: &TestApp, org: &TestOrg, input: Value) -> String {
    let body = app
        .gql(
            &org.key,
            "mutation($i: CreateDealInput!) { createDeal(input: $i) { deal { id } } }",
            json!({ "i": input }),
        )
        .await;
    body["data"]["createDeal"]["deal"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("create a deal: {body}"))
        .to_owned()
}

async fn create(app: &TestApp, org: &TestOrg, what: &str, input: Value) -> String {
    let query = format!(
        "mutation($i: Create{what}Input!) {{ create{what}(input: $i) {{ {} {{ id }} }} }}",
        what.to_lowercase()
    );
    let body = app.gql(&org.key, &query, json!({ "i": input })).await;
    body["data"][format!("create{what}")][what.to_lowercase()]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("create a {what}: {body}"))
        .to_owned()
}

async fn search(app: &TestApp, org: &TestOrg, variables: Value) -> Value {
    let body = app.gql(&org.key, SEARCH, variables).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["searchDeals"].clone()
}

/// The found deals' ids, in order.
fn found(result: &Value) -> Vec<String> {
    result["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["node"]["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn matched(result: &Value, id: &str) -> Vec<String> {
    result["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["node"]["id"] == id)
        .map(|e| {
            e["matchedFields"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| f.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn set(ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).clone()).collect()
}

#[tokio::test]
async fn words_are_found_in_every_field_and_kept_current_by_writes() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let other = app.create_org("Other").await;
    pipeline(&app, &org).await;
    pipeline(&app, &other).await;
    // One deal per field holding "zephyr", and deals that must not be found.
    let title = create_deal(&app, &org, json!({ "title": "Zephyr platform rollout" })).await;
    let notes = create_deal(&app, &org, json!({ "title": "Quarterly review" })).await;
    mutate(
        &app,
        &org,
        "logActivity",
        json!({ "dealId": notes, "type": "NOTE", "subject": "Call recap",
                "note": "They compare us with zephyr; follow up Monday." }),
    )
    .await;
    let custom = create_deal(
        &app,
        &org,
        json!({ "title": "Seats upgrade", "customFields": { "codename": "Zephyrus", "seats": 12 } }),
    )
    .await;
    let product = create_deal(&app, &org, json!({ "title": "Cloud bundle" })).await;
    mutate(
        &app,
        &org,
        "addDealProduct",
        json!({ "dealId": product, "name": "Zephyr Cloud", "sku": "ZC-1",
                "quantity": "1", "unitPrice": "10" }),
    )
    .await;
    let company_id = create(&app, &org, "Company", json!({ "name": "Zephyr Holdings" })).await;
    let company = create_deal(
        &app,
        &org,
        json!({ "title": "Renewal", "companyId": company_id }),
    )
    .await;
    let contact_id = create(
        &app,
        &org,
        "Contact",
        json!({ "firstName": "Ada", "lastName": "Zephyrova", "email": "ada@example.com" }),
    )
    .await;
    let contact = create_deal(
        &app,
        &org,
        json!({ "title": "Pilot", "contactId": contact_id }),
    )
    .await;
    let unrelated = create_deal(&app, &org, json!({ "title": "Zebra fleet" })).await;
    let deleted = create_deal(&app, &org, json!({ "title": "Zephyr, but deleted" })).await;
    let body = app
        .gql(
            &org.key,
            "mutation($i: DealIdInput!) { deleteDeal(input: $i) { __typename } }",
            json!({ "i": { "dealId": deleted } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    create_deal(
        &app,
        &other,
        json!({ "title": "Zephyr of another organisation" }),
    )
    .await;

    let everything = [&title, &notes, &custom, &product, &company, &contact];
    let result = search(&app, &org, json!({ "t": "zephyr" })).await;
    let ids = found(&result);
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        ids.len(),
        "no repeats"
    );
    assert_eq!(
        ids.iter().cloned().collect::<BTreeSet<_>>(),
        set(&everything)
    );
    assert_eq!(result["totalCount"], 6);
    assert_eq!(
        ids.first(),
        Some(&title),
        "a title match ranks first: {result}"
    );
    assert_eq!(
        ids.last(),
        Some(&notes),
        "a notes match ranks last: {result}"
    );
    let scores: Vec<f64> = result["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["score"].as_f64().unwrap_or(f64::NAN))
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
    for (id, field) in [
        (&title, "TITLE"),
        (&notes, "NOTES"),
        (&custom, "CUSTOM_FIELDS"),
        (&product, "PRODUCT"),
        (&company, "COMPANY"),
        (&contact, "CONTACT"),
    ] {
        assert_eq!(matched(&result, id), [field], "{field}");
    }
    assert!(!ids.contains(&unrelated) && !ids.contains(&deleted));

    // Only some fields; whole words only; every word; a filter; the deleted deal on request.
    let only_notes = search(&app, &org, json!({ "t": "zephyr", "fields": ["NOTES"] })).await;
    assert_eq!(found(&only_notes), vec![notes.clone()]);
    let exact = search(&app, &org, json!({ "t": "Zephyr", "exact": true })).await;
    assert_eq!(
        found(&exact).iter().cloned().collect::<BTreeSet<_>>(),
        set(&[&title, &notes, &product, &company]),
        "Zephyrus and Zephyrova are other words"
    );
    let phrase = search(&app, &org, json!({ "t": "zephyr cloud", "exact": true })).await;
    assert_eq!(found(&phrase), vec![product.clone()]);
    let two_words = search(&app, &org, json!({ "t": "zeph roll" })).await;
    assert_eq!(found(&two_words), vec![title.clone()]);
    let by_email = search(&app, &org, json!({ "t": "example.com" })).await;
    assert_eq!(
        found(&by_email),
        vec![contact.clone()],
        "punctuation splits words"
    );
    let by_number = search(
        &app,
        &org,
        json!({ "t": "12", "fields": ["CUSTOM_FIELDS"] }),
    )
    .await;
    assert_eq!(found(&by_number), vec![custom.clone()]);
    let with_deleted = search(
        &app,
        &org,
        json!({ "t": "zephyr", "f": { "includeDeleted": true }, "fields": ["TITLE"] }),
    )
    .await;
    assert_eq!(
        found(&with_deleted)
            .iter()
            .cloned()
            .collect::<BTreeSet<_>>(),
        set(&[&title, &deleted])
    );
    let theirs = search(&app, &other, json!({ "t": "zephyr" })).await;
    assert_eq!(theirs["totalCount"], 1);
    assert!(found(&theirs).iter().all(|id| !everything.contains(&id)));

    // Writes keep the words current: a new title, a renamed company, a removed product.
    mutate(
        &app,
        &org,
        "updateDeal",
        json!({ "id": unrelated, "title": "Zephyr fleet" }),
    )
    .await;
    mutate(
        &app,
        &org,
        "updateCompany",
        json!({ "id": company_id, "name": "Northwind" }),
    )
    .await;
    let after = search(&app, &org, json!({ "t": "zephyr" })).await;
    let ids = found(&after);
    assert!(ids.contains(&unrelated), "renamed deal found: {after}");
    assert!(
        !ids.contains(&company),
        "renamed company no longer matches: {after}"
    );
    let northwind = search(&app, &org, json!({ "t": "northw" })).await;
    assert_eq!(found(&northwind), vec![company.clone()]);
    let zebra = search(&app, &org, json!({ "t": "zebra" })).await;
    assert!(found(&zebra).is_empty(), "the old title is gone: {zebra}");
}

#[tokio::test]
async fn results_page_by_score_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    pipeline(&app, &org).await;
    let mut ids = BTreeSet::new();
    for n in 0..13 {
        // Different lengths and repetitions give different scores, and some ties.
        let title = format!(
            "{} gizmo {}",
            "gizmo ".repeat(n % 3),
            "filler ".repeat(n % 4)
        );
        ids.insert(create_deal(&app, &org, json!({ "title": title })).await);
    }
    let mut seen = Vec::new();
    let mut scores = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = search(
            &app,
            &org,
            json!({ "t": "gizmo", "first": 4, "after": after }),
        )
        .await;
        for edge in page["edges"].as_array().into_iter().flatten() {
            seen.push(edge["node"]["id"].as_str().unwrap_or_default().to_owned());
            scores.push(edge["score"].as_f64().unwrap_or(f64::NAN));
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        assert!(seen.len() < 20, "paging must end");
    }
    assert_eq!(seen.len(), 13, "{seen:?}");
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), ids);
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(
        scores.windows(2).any(|w| w[0] > w[1]),
        "the titles must score differently: {scores:?}"
    );
    let one_page = search(&app, &org, json!({ "t": "gizmo", "first": 13 })).await;
    assert_eq!(found(&one_page), seen, "paging reads the same order");
}
