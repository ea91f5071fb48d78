//! Sales (HyperRep): invariants under every mutation, the list's order, dates and cursors,
//! the sale a won deal becomes, batching and tenant isolation.

use crate::fixtures::{self, World};
use crate::helpers::{TestApp, TestOrg, error_code, gid, spawn_app};
use chrono::{TimeZone, Utc};
use entity::sale;
use rust_decimal::Decimal;
use sea_orm::prelude::Uuid;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};
use std::str::FromStr;

const SALE: &str = "id owner { id } company { id } contacts { contact { id } isPrimary } primaryContact { id }
  quote { currency totalPrice lines { productName quantity unitPrice total } } notes conversationIds
  currentStatus { label status } statusHistory { label status changedAt } deal { id } lastActivityAt";

async fn create_sale(app: &TestApp, org: &TestOrg, input: Value) -> Value {
    let query = format!(
        "mutation($input: CreateSaleInput!) {{ createSale(input: $input) {{ sale {{ {SALE} }} }} }}"
    );
    app.gql(&org.key, &query, json!({ "input": input })).await
}

async fn setup() -> (TestApp, TestOrg, World) {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let world = fixtures::build(&app, &org, 0).await;
    (app, org, world)
}

fn dec(value: &Value) -> Decimal {
    Decimal::from_str(value.as_str().unwrap_or_default())
        .unwrap_or_else(|_| panic!("decimal: {value}"))
}

fn assert_invariants(sale: &Value) {
    let contacts = sale["contacts"].as_array().cloned().unwrap_or_default();
    let primaries = contacts.iter().filter(|c| c["isPrimary"] == true).count();
    assert!(contacts.is_empty() || primaries == 1, "one primary: {sale}");
    let history = sale["statusHistory"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        history[0],
        json!({ "label": "Qualified", "status": null, "changedAt": history[0]["changedAt"] })
    );
    let times: Vec<&str> = history
        .iter()
        .map(|e| e["changedAt"].as_str().unwrap_or_default())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "ascending history");
    let last = history.last().cloned().unwrap_or_default();
    assert_eq!(sale["currentStatus"]["label"], last["label"]);
    assert_eq!(sale["currentStatus"]["status"], last["status"]);
    let total: Decimal = sale["quote"]["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| dec(&l["total"]))
        .sum();
    assert_eq!(
        dec(&sale["quote"]["totalPrice"]),
        total,
        "totalPrice = Σ lines"
    );
}

#[tokio::test]
async fn sale_mutations_keep_every_invariant() {
    let (app, org, w) = setup().await;
    let c = |n: usize| gid("contact", w.contacts[n].id);
    let body = create_sale(&app, &org, json!({
        "companyId": gid("company", w.companies[0].id),
        "contacts": [{ "contactId": c(0) }, { "contactId": c(1), "isPrimary": true }],
        "lines": [{ "productName": "Seats", "quantity": "3", "unitPrice": "19.99" }, { "productName": "Setup", "quantity": "1", "unitPrice": "0.005" }],
        "notes": "first", "conversationIds": ["conv-1"]
    })).await;
    let sale = body["data"]["createSale"]["sale"].clone();
    assert!(body["errors"].is_null(), "{body}");
    assert_invariants(&sale);
    assert_eq!(
        sale["owner"]["id"],
        gid("user", org.user_id),
        "the key's user by default"
    );
    assert_eq!(sale["primaryContact"]["id"], c(1));
    assert_eq!(sale["contacts"][0]["contact"]["id"], c(1), "primary first");
    assert_eq!(
        sale["quote"],
        json!({ "currency": "EUR", "totalPrice": "59.98", "lines": [
        { "productName": "Seats", "quantity": "3", "unitPrice": "19.99", "total": "59.97" },
        { "productName": "Setup", "quantity": "1", "unitPrice": "0.005", "total": "0.01" }] })
    );
    assert_eq!(
        sale["currentStatus"],
        json!({ "label": "Qualified", "status": null })
    );
    assert_eq!(sale["conversationIds"], json!(["conv-1"]));
    let id = sale["id"].clone();

    // Failures change nothing.
    let before = sale::Entity::find().count(&app.db).await.expect("count");
    for (input, code) in [
        (
            json!({ "contacts": [{ "contactId": c(0), "isPrimary": true }, { "contactId": c(1), "isPrimary": true }] }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "contacts": [{ "contactId": c(0) }] }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "contacts": [{ "contactId": c(0), "isPrimary": true }, { "contactId": c(0) }] }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "lines": [{ "productName": "x", "quantity": "0", "unitPrice": "1" }] }),
            "BAD_USER_INPUT",
        ),
        (json!({ "currency": "XYZ" }), "BAD_USER_INPUT"),
        (
            json!({ "contacts": [{ "contactId": gid("contact", Uuid::now_v7()), "isPrimary": true }] }),
            "NOT_FOUND",
        ),
    ] {
        assert_eq!(
            error_code(&create_sale(&app, &org, input.clone()).await),
            Some(code),
            "{input}"
        );
    }
    assert_eq!(
        sale::Entity::find().count(&app.db).await.expect("count"),
        before
    );

    let record = format!(
        "mutation($input: RecordSaleStatusInput!) {{ recordSaleStatus(input: $input) {{ sale {{ {SALE} }} }} }}"
    );
    let body = app
        .gql(
            &org.key,
            &record,
            json!({ "input": { "saleId": id, "label": "Quote sent", "status": "quote_sent" } }),
        )
        .await;
    let after_status = body["data"]["recordSaleStatus"]["sale"].clone();
    assert_invariants(&after_status);
    assert_eq!(
        after_status["currentStatus"],
        json!({ "label": "Quote sent", "status": "quote_sent" })
    );
    assert!(after_status["lastActivityAt"].as_str() >= sale["lastActivityAt"].as_str());

    let set = format!(
        "mutation($input: SetSaleContactsInput!) {{ setSaleContacts(input: $input) {{ sale {{ {SALE} }} }} }}"
    );
    let body = app.gql(&org.key, &set, json!({ "input": { "saleId": id, "contacts": [{ "contactId": c(2), "isPrimary": true }] } })).await;
    assert_eq!(
        body["data"]["setSaleContacts"]["sale"]["primaryContact"]["id"],
        c(2)
    );
    assert_invariants(&body["data"]["setSaleContacts"]["sale"]);
    let body = app.gql(&org.key, &set, json!({ "input": { "saleId": id, "contacts": [{ "contactId": c(0) }, { "contactId": c(1) }] } })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let body = app
        .gql(
            &org.key,
            &set,
            json!({ "input": { "saleId": id, "contacts": [] } }),
        )
        .await;
    assert_eq!(
        body["data"]["setSaleContacts"]["sale"]["contacts"],
        json!([])
    );

    let update = format!(
        "mutation($input: UpdateSaleInput!) {{ updateSale(input: $input) {{ sale {{ {SALE} }} }} }}"
    );
    let body = app.gql(&org.key, &update, json!({ "input": { "id": id, "notes": null, "lines": [{ "productName": "A", "quantity": "0.5", "unitPrice": "33.33" }, { "productName": "B", "quantity": "2", "unitPrice": "0.125" }] } })).await;
    let updated = body["data"]["updateSale"]["sale"].clone();
    assert!(updated["notes"].is_null(), "{body}");
    assert_eq!(updated["quote"]["totalPrice"], "16.92", "16.67 + 0.25");
    assert_invariants(&updated);
    assert_eq!(
        updated["currentStatus"]["status"], "quote_sent",
        "history untouched"
    );
}

#[tokio::test]
async fn the_list_is_newest_first_with_inclusive_dates_and_stable_cursors() {
    let (app, org, w) = setup().await;
    let mut ids = Vec::new();
    for day in 1..=6 {
        let body = create_sale(&app, &org, json!({ "ownerId": gid("user", w.owners[day % 2]), "companyId": gid("company", w.companies[day % 2].id),
            "contacts": [{ "contactId": gid("contact", w.contacts[day % 3].id), "isPrimary": true }] })).await;
        let id = body["data"]["createSale"]["sale"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let uuid = Uuid::try_parse(id.trim_start_matches("sale_")).expect("uuid");
        let at = Utc
            .with_ymd_and_hms(2026, 3, day as u32, 12, 0, 0)
            .single()
            .expect("date");
        sale::Entity::update_many()
            .col_expr(sale::Column::LastActivityAt, Expr::value(at))
            .filter(sale::Column::Id.eq(uuid))
            .exec(&app.db)
            .await
            .expect("set date");
        ids.push(id);
    }
    let list = "query($f: SaleFilter, $after: String) { sales(filter: $f, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }";
    let names = |body: &Value| -> Vec<String> {
        body["data"]["sales"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|n| n["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };

    let first = app.gql(&org.key, list, json!({})).await;
    assert_eq!(
        names(&first),
        vec![ids[5].clone(), ids[4].clone()],
        "lastActivityAt descending"
    );
    assert_eq!(
        first["data"]["sales"]["totalCount"], 6,
        "no dates, nothing excluded"
    );
    // New sales arrive at the top; the next page continues where the cursor stood.
    create_sale(&app, &org, json!({})).await;
    let second = app
        .gql(
            &org.key,
            list,
            json!({ "after": first["data"]["sales"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(names(&second), vec![ids[3].clone(), ids[2].clone()]);

    let body = app
        .gql(
            &org.key,
            list,
            json!({ "f": { "startDate": "2026-03-02", "endDate": "2026-03-04" } }),
        )
        .await;
    assert_eq!(
        body["data"]["sales"]["totalCount"], 3,
        "both ends inclusive"
    );
    assert_eq!(names(&body), vec![ids[3].clone(), ids[2].clone()]);
    let body = app
        .gql(
            &org.key,
            list,
            json!({ "f": { "ownerId": gid("user", w.owners[1]), "endDate": "2026-03-06" } }),
        )
        .await;
    assert_eq!(body["data"]["sales"]["totalCount"], 3);
    let body = app
        .gql(
            &org.key,
            list,
            json!({ "f": { "contactId": gid("contact", w.contacts[0].id) } }),
        )
        .await;
    assert_eq!(body["data"]["sales"]["totalCount"], 2);
    let body = app.gql(&org.key, list, json!({ "f": { "companyId": gid("company", w.companies[0].id), "status": "accepted" } })).await;
    assert_eq!(body["data"]["sales"]["totalCount"], 0);
    app.gql(&org.key, "mutation($id: ID!) { recordSaleStatus(input: { saleId: $id, label: \"Accepted\", status: \"accepted\" }) { sale { id } } }", json!({ "id": ids[1] })).await;
    let body = app
        .gql(&org.key, list, json!({ "f": { "status": "accepted" } }))
        .await;
    assert_eq!(
        names(&body),
        vec![ids[1].clone()],
        "the current status only"
    );
}

#[tokio::test]
async fn a_won_deal_becomes_a_sale_and_reopening_keeps_it() {
    let (app, org, w) = setup().await;
    let body = app.gql(&org.key, "mutation($c: ID!, $o: ID!) { createDeal(input: { title: \"Big\", contactId: $c, companyId: $o }) { deal { id } } }",
        json!({ "c": gid("contact", w.contacts[1].id), "o": gid("company", w.companies[0].id) })).await;
    let deal = body["data"]["createDeal"]["deal"]["id"].clone();
    for (qty, price, discount, tax) in [
        ("2", "10000.00", "10", "7"),
        ("1", "99.99", "0", "19"),
        ("3.5", "12.00", "5", "0"),
    ] {
        let body = app.gql(&org.key, "mutation($input: AddDealProductInput!) { addDealProduct(input: $input) { deal { id } } }",
            json!({ "input": { "dealId": deal, "name": format!("P{qty}"), "quantity": qty, "unitPrice": price, "discount": discount, "taxPercentage": tax } })).await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let close = format!(
        "mutation($id: ID!) {{ closeDeal(input: {{ dealId: $id, result: WON }}) {{ deal {{ createdAt closedAt productsTotal {{ withTax {{ amount }} }} }} sale {{ {SALE} }} }} }}"
    );
    let body = app.gql(&org.key, &close, json!({ "id": deal })).await;
    let closed = body["data"]["closeDeal"].clone();
    let sale = closed["sale"].clone();
    assert_invariants(&sale);
    assert_eq!(
        sale["quote"]["totalPrice"], closed["deal"]["productsTotal"]["withTax"]["amount"],
        "{body}"
    );
    assert_eq!(sale["quote"]["lines"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        sale["primaryContact"]["id"],
        gid("contact", w.contacts[1].id)
    );
    assert_eq!(sale["company"]["id"], gid("company", w.companies[0].id));
    assert_eq!(sale["owner"]["id"], gid("user", org.user_id));
    assert_eq!(sale["deal"]["id"], deal);
    let history = sale["statusHistory"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(history.len(), 2);
    assert_eq!(
        history[0]["changedAt"], closed["deal"]["createdAt"],
        "Qualified at the deal's creation"
    );
    assert_eq!(
        history[1],
        json!({ "label": "Accepted", "status": "accepted", "changedAt": closed["deal"]["closedAt"] })
    );

    let body = app.gql(&org.key, "mutation($id: ID!) { reopenDeal(input: { dealId: $id }) { deal { status sale { id currentStatus { label status } statusHistory { status } } } } }", json!({ "id": deal })).await;
    let reopened = &body["data"]["reopenDeal"]["deal"];
    assert_eq!(reopened["sale"]["id"], sale["id"], "the sale stays");
    assert_eq!(
        reopened["sale"]["currentStatus"],
        json!({ "label": "Reopened", "status": "reopened" })
    );
    let body = app.gql(&org.key, &close, json!({ "id": deal })).await;
    let again = &body["data"]["closeDeal"]["sale"];
    assert_eq!(again["id"], sale["id"], "winning again reuses the sale");
    assert_eq!(again["statusHistory"].as_array().map(Vec::len), Some(4));
    assert_invariants(again);

    // A deal without products quotes one line of its title and value.
    let body = app.gql(&org.key, "mutation { createDeal(input: { title: \"Simple\", value: \"1500.5\" }) { deal { id } } }", json!({})).await;
    let simple = body["data"]["createDeal"]["deal"]["id"].clone();
    let body = app.gql(&org.key, &close, json!({ "id": simple })).await;
    assert_eq!(
        body["data"]["closeDeal"]["sale"]["quote"]["lines"],
        json!([{ "productName": "Simple", "quantity": "1", "unitPrice": "1500.50", "total": "1500.50" }])
    );
    let body = app
        .gql(
            &org.key,
            "mutation($id: ID!) { closeDeal(input: { dealId: $id, result: WON }) { sale { id } } }",
            json!({ "id": simple }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
}

#[tokio::test]
async fn nested_sale_lists_and_relations_are_batched_and_isolated() {
    let (app, org, w) = setup().await;
    for n in 0..30 {
        let body = create_sale(&app, &org, json!({ "ownerId": gid("user", w.owners[n % 2]), "companyId": gid("company", w.companies[n % 2].id),
            "contacts": [{ "contactId": gid("contact", w.contacts[n % 3].id), "isPrimary": true }, { "contactId": gid("contact", w.contacts[(n + 1) % 3].id) }],
            "lines": [{ "productName": "x", "quantity": "1", "unitPrice": "10" }] })).await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let page = "query($n: Int) { sales(first: $n) { nodes { owner { name } company { name } contacts { isPrimary contact { name } } quote { totalPrice lines { total } } statusHistory { label } currentStatus { label } } } }";
    let many = app.gql(&org.key, page, json!({ "n": 30 })).await;
    let few = app.gql(&org.key, page, json!({ "n": 3 })).await;
    assert!(many["errors"].is_null(), "{many}");
    assert_eq!(
        many["extensions"]["sql"]["statements"],
        few["extensions"]["sql"]["statements"]
    );
    assert!(
        many["extensions"]["sql"]["statements"]
            .as_u64()
            .unwrap_or(99)
            <= 7
    );

    let nested = "{ users { nodes { sales(first: 2) { totalCount nodes { id } } } } companies { nodes { sales { totalCount } } } contacts { nodes { sales(first: 1) { totalCount pageInfo { hasNextPage } } } } }";
    let body = app.gql(&org.key, nested, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    let counts = |list: &str| -> Vec<i64> {
        body["data"][list]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|n| n["sales"]["totalCount"].as_i64().unwrap_or(-1))
            .collect()
    };
    assert_eq!(counts("users").iter().sum::<i64>(), 30);
    assert_eq!(counts("companies").iter().sum::<i64>(), 30);
    assert_eq!(
        counts("contacts").iter().sum::<i64>(),
        60,
        "two contacts per sale"
    );
    assert_eq!(
        body["extensions"]["sql"]["statements"], 9,
        "3 lists + a page and a count statement per relation"
    );

    let other = app.create_org("Globex").await;
    let theirs = fixtures::build(&app, &other, 0).await;
    let first = app
        .gql(&org.key, "{ sales(first: 1) { nodes { id } } }", json!({}))
        .await;
    let sale_id = first["data"]["sales"]["nodes"][0]["id"].clone();
    let body = app
        .gql(
            &other.key,
            "query($id: ID!) { node(id: $id) { id } sale(id: $id) { id } sales { totalCount } }",
            json!({ "id": sale_id }),
        )
        .await;
    assert_eq!(
        body["data"],
        json!({ "node": null, "sale": null, "sales": { "totalCount": 0 } })
    );
    let body = app.gql(&other.key, "mutation($id: ID!) { recordSaleStatus(input: { saleId: $id, label: \"x\" }) { sale { id } } }", json!({ "id": sale_id })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = create_sale(&app, &other, json!({ "contacts": [{ "contactId": gid("contact", w.contacts[0].id), "isPrimary": true }] })).await;
    assert_eq!(
        error_code(&body),
        Some("NOT_FOUND"),
        "a contact of another tenant cannot be linked"
    );
    let body = create_sale(&app, &other, json!({ "ownerId": gid("user", org.user_id) })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "nor an agent");
    let body = create_sale(&app, &other, json!({ "contacts": [{ "contactId": gid("contact", theirs.contacts[0].id), "isPrimary": true }] })).await;
    assert!(body["errors"].is_null(), "their own contact works: {body}");
}
