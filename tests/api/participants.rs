//! Participants of a deal (Pipedrive): adding and removing them, listing them as a
//! connection, `contact.deals(includeParticipating:)`, their events, and tenancy.

use crate::helpers::{TestApp, error_code, ok, pipeline, spawn_app};
use serde_json::{Value, json};

const ADD: &str = "mutation($d: ID!, $c: ID!) { addDealParticipant(input: { dealId: $d, contactId: $c }) { deal { id } } }";
const REMOVE: &str = "mutation($d: ID!, $c: ID!) { removeDealParticipant(input: { dealId: $d, contactId: $c }) { deal { id } } }";

async fn contact(app: &TestApp, key: &str, name: &str) -> String {
    let data = ok(
        app,
        key,
        "mutation($n: String!) { createContact(input: { firstName: $n, lastName: \"Test\" }) { contact { id } } }",
        json!({ "n": name }),
    )
    .await;
    data["createContact"]["contact"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn deal_with(app: &TestApp, key: &str, title: &str, contact: Option<&str>) -> String {
    let data = ok(
        app,
        key,
        "mutation($i: CreateDealInput!) { createDeal(input: $i) { deal { id } } }",
        json!({ "i": { "title": title, "contactId": contact } }),
    )
    .await;
    data["createDeal"]["deal"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|node| node["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The deal's participants' contact ids, in order, and the list's total.
async fn participants(app: &TestApp, key: &str, deal: &str) -> (Vec<String>, i64) {
    let data = ok(
        app,
        key,
        "query($d: ID!) { deal(id: $d) { participants { totalCount nodes { id contact { id } addedAt addedBy { id } } } } }",
        json!({ "d": deal }),
    )
    .await;
    let list = &data["deal"]["participants"];
    let contacts = list["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| n["contact"]["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    (contacts, list["totalCount"].as_i64().unwrap_or(-1))
}

#[tokio::test]
async fn participants_are_added_once_listed_in_order_and_removed() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let key = &org.key;
    pipeline(&app, key, "Sales").await;
    let (main, second, third) = (
        contact(&app, key, "Main").await,
        contact(&app, key, "Second").await,
        contact(&app, key, "Third").await,
    );
    let deal = deal_with(&app, key, "Big one", Some(&main)).await;
    ok(&app, key, ADD, json!({ "d": deal, "c": second })).await;
    ok(&app, key, ADD, json!({ "d": deal, "c": third })).await;
    // Twice is once.
    ok(&app, key, ADD, json!({ "d": deal, "c": second })).await;
    assert_eq!(
        participants(&app, key, &deal).await,
        (vec![second.clone(), third.clone()], 2)
    );
    // The main contact is not a participant.
    let body = app.gql(key, ADD, json!({ "d": deal, "c": main })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.contactId");

    // Paged by cursor, one at a time, in the order they were added.
    let data = ok(
        &app,
        key,
        "query($d: ID!) { deal(id: $d) { participants(first: 1) { pageInfo { hasNextPage endCursor } nodes { id addedBy { id } contact { id } } } } }",
        json!({ "d": deal }),
    )
    .await;
    let page = &data["deal"]["participants"];
    assert_eq!(page["nodes"][0]["contact"]["id"], second.as_str());
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        page["nodes"][0]["addedBy"]["id"],
        crate::helpers::gid("user", org.user_id)
    );
    let participant = page["nodes"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let data = ok(
        &app,
        key,
        "query($d: ID!, $a: String) { deal(id: $d) { participants(first: 1, after: $a) { pageInfo { hasNextPage } nodes { contact { id } } } } }",
        json!({ "d": deal, "a": page["pageInfo"]["endCursor"] }),
    )
    .await;
    let page = &data["deal"]["participants"];
    assert_eq!(page["nodes"][0]["contact"]["id"], third.as_str());
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
    // A participation is a node.
    let data = ok(
        &app,
        key,
        "query($id: ID!) { node(id: $id) { ... on DealParticipant { contact { id } } } }",
        json!({ "id": participant }),
    )
    .await;
    assert_eq!(data["node"]["contact"]["id"], second.as_str());

    ok(&app, key, REMOVE, json!({ "d": deal, "c": second })).await;
    ok(&app, key, REMOVE, json!({ "d": deal, "c": second })).await;
    assert_eq!(
        participants(&app, key, &deal).await,
        (vec![third.clone()], 1)
    );
    // Each change that happened is one event, newest first.
    let data = ok(
        &app,
        key,
        "query($d: ID!) { deal(id: $d) { changelog { nodes { type changes { field oldValue newValue } } } } }",
        json!({ "d": deal }),
    )
    .await;
    let events: Vec<(String, Value, Value)> = data["deal"]["changelog"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["type"] != "CREATED")
        .map(|e| {
            (
                e["type"].as_str().unwrap_or_default().to_owned(),
                e["changes"][0]["oldValue"].clone(),
                e["changes"][0]["newValue"].clone(),
            )
        })
        .collect();
    assert_eq!(
        events,
        vec![
            ("PARTICIPANT_REMOVED".to_owned(), json!(second), Value::Null),
            ("PARTICIPANT_ADDED".to_owned(), Value::Null, json!(third)),
            ("PARTICIPANT_ADDED".to_owned(), Value::Null, json!(second)),
        ]
    );
    // A deleted deal takes no participants.
    ok(
        &app,
        key,
        "mutation($d: ID!) { deleteDeal(input: { dealId: $d }) { deal { id } } }",
        json!({ "d": deal }),
    )
    .await;
    let body = app.gql(key, ADD, json!({ "d": deal, "c": second })).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
}

#[tokio::test]
async fn a_contact_lists_the_deals_it_takes_part_in_when_asked() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let key = &org.key;
    pipeline(&app, key, "Sales").await;
    let (ada, bob, cy) = (
        contact(&app, key, "Ada").await,
        contact(&app, key, "Bob").await,
        contact(&app, key, "Cy").await,
    );
    // Ada leads A and takes part in B; Bob leads B and takes part in A and C; Cy takes part in
    // nothing and leads C.
    let a = deal_with(&app, key, "A", Some(&ada)).await;
    let b = deal_with(&app, key, "B", Some(&bob)).await;
    let c = deal_with(&app, key, "C", Some(&cy)).await;
    for (deal, who) in [(&b, &ada), (&a, &bob), (&c, &bob)] {
        ok(&app, key, ADD, json!({ "d": deal, "c": who })).await;
    }
    let expected = [
        (&ada, vec![a.clone()], vec![a.clone(), b.clone()]),
        (&bob, vec![b.clone()], vec![a.clone(), b.clone(), c.clone()]),
        (&cy, vec![c.clone()], vec![c.clone()]),
    ];
    // All three contacts in one request: each list is one statement for every contact.
    let (_, body) = app
        .post(
            Some(key),
            "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Contact { id
                own: deals { totalCount nodes { id } }
                all: deals(includeParticipating: true) { totalCount summary { count } nodes { id } } } } }",
            json!({ "ids": [ada, bob, cy] }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    for (i, (contact, own, all)) in expected.iter().enumerate() {
        let node = &body["data"]["nodes"][i];
        assert_eq!(node["id"], contact.as_str());
        assert_eq!(&ids(&node["own"]["nodes"]), own, "{node}");
        assert_eq!(node["own"]["totalCount"], own.len());
        assert_eq!(&ids(&node["all"]["nodes"]), all, "{node}");
        assert_eq!(node["all"]["totalCount"], all.len());
        assert_eq!(node["all"]["summary"]["count"], all.len());
    }
    let statements = body["extensions"]["sql"]["statements"]
        .as_u64()
        .unwrap_or(99);
    // The contacts; each list's page and count (the summary shares the count's statement
    // shape but not its grouping: at most one more).
    assert!(statements <= 6, "{statements} statements");
    // Paging through Bob's deals one at a time finds each once.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = ok(
            &app,
            key,
            "query($id: ID!, $a: String) { node(id: $id) { ... on Contact { deals(includeParticipating: true, first: 1, after: $a) { pageInfo { hasNextPage endCursor } nodes { id } } } } }",
            json!({ "id": bob, "a": after }),
        )
        .await;
        let page = &data["node"]["deals"];
        seen.extend(ids(&page["nodes"]));
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, vec![a, b, c]);
}

#[tokio::test]
async fn another_organisations_deals_and_contacts_take_no_part() {
    let app = spawn_app().await;
    let acme = app.create_org("Acme").await;
    let other = app.create_org("Other").await;
    pipeline(&app, &acme.key, "Sales").await;
    pipeline(&app, &other.key, "Sales").await;
    let ours = deal_with(&app, &acme.key, "Ours", None).await;
    let our_contact = contact(&app, &acme.key, "Ada").await;
    let their_contact = contact(&app, &other.key, "Eve").await;
    let theirs = deal_with(&app, &other.key, "Theirs", None).await;
    let body = app
        .gql(&acme.key, ADD, json!({ "d": ours, "c": their_contact }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let body = app
        .gql(&acme.key, ADD, json!({ "d": theirs, "c": our_contact }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let body = app
        .gql(&acme.key, REMOVE, json!({ "d": theirs, "c": our_contact }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    assert_eq!(participants(&app, &acme.key, &ours).await, (vec![], 0));
}
