//! Pricing as Pipedrive has it: billing frequencies and disabled lines, discounts of the whole
//! deal, installments that add up to the value, and a final value on a deal with products —
//! every figure computed here by hand from the lines' numbers.

use crate::helpers::{TestApp, TestOrg, error_code, ok, pipeline, spawn_app};
use serde_json::{Value, json};

const DEAL: &str = "query($d: ID!) { deal(id: $d) { value { amount currency } version
    productsTotal { withoutTax { amount } withTax { amount } } discountsTotal { amount }
    valueAdjustment { amount }
    products { nodes { id isEnabled billingFrequency billingFrequencyCycles billingStartDate comments } }
    discounts { totalCount nodes { id description type amount position } }
    installments { totalCount nodes { description amount { amount } billingDate } } } }";

async fn deal(app: &TestApp, org: &TestOrg, id: &str) -> Value {
    ok(app, &org.key, DEAL, json!({ "d": id })).await["deal"].clone()
}

async fn new_deal(app: &TestApp, org: &TestOrg) -> String {
    let data = ok(
        app,
        &org.key,
        "mutation { createDeal(input: { title: \"Priced\", currency: \"EUR\" }) { deal { id } } }",
        json!({}),
    )
    .await;
    data["createDeal"]["deal"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

const ADD_LINE: &str = "mutation($i: AddDealProductInput!) { addDealProduct(input: $i) { product { id } deal { value { amount } } } }";

async fn add_line(app: &TestApp, org: &TestOrg, line: Value) -> Value {
    app.gql(&org.key, ADD_LINE, json!({ "i": line })).await
}

async fn line_id(app: &TestApp, org: &TestOrg, line: Value) -> String {
    let body = add_line(app, org, line).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["addDealProduct"]["product"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

const ADD_DISCOUNT: &str = "mutation($i: AddDealDiscountInput!) { addDealDiscount(input: $i) { discount { id } deal { value { amount } } } }";

async fn add_discount(app: &TestApp, org: &TestOrg, input: Value) -> Value {
    app.gql(&org.key, ADD_DISCOUNT, json!({ "i": input })).await
}

fn amount(deal: &Value, path: &[&str]) -> String {
    path.iter()
        .fold(deal, |v, key| &v[*key])
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn billing_frequencies_disabled_lines_and_deal_discounts_make_the_value() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    pipeline(&app, &org.key, "Sales").await;
    let id = new_deal(&app, &org).await;
    // 2 × 100.00, 10 % off, 20 % tax: 200.00 − 20.00 = 180.00, × 1.2 = 216.00.
    line_id(
        &app,
        &org,
        json!({ "dealId": id, "name": "Licence", "quantity": "2", "unitPrice": "100.00",
                "discount": "10", "taxPercentage": "20" }),
    )
    .await;
    // Monthly for 12 months: one period counts, 50.00.
    line_id(
        &app,
        &org,
        json!({ "dealId": id, "name": "Support", "quantity": "1", "unitPrice": "50.00",
                "billingFrequency": "MONTHLY", "billingFrequencyCycles": 12,
                "billingStartDate": "2027-01-01", "comments": "per seat" }),
    )
    .await;
    // Disabled: counts nowhere.
    let off = line_id(
        &app,
        &org,
        json!({ "dealId": id, "name": "Maybe", "quantity": "1", "unitPrice": "999.00",
                "isEnabled": false }),
    )
    .await;
    let d = deal(&app, &org, &id).await;
    assert_eq!(amount(&d, &["value", "amount"]), "266.00");
    assert_eq!(
        amount(&d, &["productsTotal", "withoutTax", "amount"]),
        "230.00"
    );
    assert_eq!(
        amount(&d, &["productsTotal", "withTax", "amount"]),
        "266.00"
    );
    let support = &d["products"]["nodes"][1];
    assert_eq!(support["billingFrequency"], "MONTHLY");
    assert_eq!(support["billingFrequencyCycles"], 12);
    assert_eq!(support["billingStartDate"], "2027-01-01");
    assert_eq!(support["comments"], "per seat");
    assert_eq!(d["products"]["nodes"][2]["isEnabled"], false);

    // Discounts apply in order to what is left: 10 % of 266.00 = 26.60 → 239.40; then 39.40
    // → 200.00.
    let first = add_discount(
        &app,
        &org,
        json!({ "dealId": id, "description": "Loyalty", "type": "PERCENTAGE", "amount": "10" }),
    )
    .await;
    assert_eq!(
        first["data"]["addDealDiscount"]["deal"]["value"]["amount"], "239.40",
        "{first}"
    );
    let second = add_discount(
        &app,
        &org,
        json!({ "dealId": id, "description": "Round down", "type": "AMOUNT", "amount": "39.40" }),
    )
    .await;
    assert_eq!(
        second["data"]["addDealDiscount"]["deal"]["value"]["amount"], "200.00",
        "{second}"
    );
    let d = deal(&app, &org, &id).await;
    assert_eq!(amount(&d, &["discountsTotal", "amount"]), "66.00");
    assert_eq!(d["discounts"]["totalCount"], 2);
    assert_eq!(d["discounts"]["nodes"][1]["position"], 1);
    // 5 % of 266.00 = 13.30 → 252.70, − 39.40 = 213.30.
    let first_id = first["data"]["addDealDiscount"]["discount"]["id"].clone();
    let data = ok(
        &app,
        &org.key,
        "mutation($id: ID!) { updateDealDiscount(input: { id: $id, amount: \"5\" }) { deal { value { amount } } } }",
        json!({ "id": first_id }),
    )
    .await;
    assert_eq!(
        data["updateDealDiscount"]["deal"]["value"]["amount"],
        "213.30"
    );
    let data = ok(
        &app,
        &org.key,
        "mutation($id: ID!) { removeDealDiscount(input: { id: $id }) { deal { value { amount } } } }",
        json!({ "id": second["data"]["addDealDiscount"]["discount"]["id"] }),
    )
    .await;
    assert_eq!(
        data["removeDealDiscount"]["deal"]["value"]["amount"],
        "252.70"
    );
    // Enabling the third line: 266.00 + 999.00 = 1265.00, 5 % off (63.25) = 1201.75.
    let data = ok(
        &app,
        &org.key,
        "mutation($id: ID!) { updateDealProduct(input: { id: $id, isEnabled: true }) { deal { value { amount } } } }",
        json!({ "id": off }),
    )
    .await;
    assert_eq!(
        data["updateDealProduct"]["deal"]["value"]["amount"],
        "1201.75"
    );
    // Billing rules, each naming its field.
    for (line, field) in [
        (
            json!({ "billingFrequency": "WEEKLY" }),
            "input.billingFrequencyCycles",
        ),
        (
            json!({ "billingFrequencyCycles": 3 }),
            "input.billingFrequencyCycles",
        ),
        (
            json!({ "billingFrequency": "ANNUALLY", "billingFrequencyCycles": 0 }),
            "input.billingFrequencyCycles",
        ),
        (json!({ "comments": "x".repeat(10_001) }), "input.comments"),
    ] {
        let mut input = json!({ "dealId": id, "name": "Bad", "quantity": "1", "unitPrice": "1" });
        if let (Some(input), Some(extra)) = (input.as_object_mut(), line.as_object()) {
            input.extend(extra.clone());
        }
        let body = add_line(&app, &org, input).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    for (input, field) in [
        (
            json!({ "dealId": id, "description": "x", "type": "PERCENTAGE", "amount": "101" }),
            "input.amount",
        ),
        (
            json!({ "dealId": id, "description": "x", "type": "AMOUNT", "amount": "0" }),
            "input.amount",
        ),
        (
            json!({ "dealId": id, "description": "", "type": "AMOUNT", "amount": "1" }),
            "input.description",
        ),
    ] {
        let body = add_discount(&app, &org, input).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    // Each change is an event.
    let data = ok(
        &app,
        &org.key,
        "query($d: ID!) { deal(id: $d) { changelog { nodes { type } } } }",
        json!({ "d": id }),
    )
    .await;
    let types: Vec<&str> = data["deal"]["changelog"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert_eq!(
        &types[..4],
        [
            "PRODUCT_CHANGED",
            "DISCOUNT_REMOVED",
            "DISCOUNT_CHANGED",
            "DISCOUNT_ADDED"
        ]
    );
}

const SET_INSTALLMENTS: &str = "mutation($d: ID!, $i: [InstallmentInput!]!) { setDealInstallments(input: { dealId: $d, installments: $i }) { deal { value { amount } } } }";

#[tokio::test]
async fn installments_add_up_to_the_value_and_hold_it() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    pipeline(&app, &org.key, "Sales").await;
    let id = new_deal(&app, &org).await;
    // No products yet: nothing to bill in installments.
    let plan = json!([
        { "description": "Deposit", "amount": "100.00", "billingDate": "2027-02-01" },
        { "description": "Balance", "amount": "200.00", "billingDate": "2027-01-01" },
    ]);
    let body = app
        .gql(&org.key, SET_INSTALLMENTS, json!({ "d": id, "i": plan }))
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    for _ in 0..3 {
        line_id(
            &app,
            &org,
            json!({ "dealId": id, "name": "Unit", "quantity": "1", "unitPrice": "100.00" }),
        )
        .await;
    }
    let mismatch =
        json!([{ "description": "All", "amount": "299.99", "billingDate": "2027-01-01" }]);
    let body = app
        .gql(
            &org.key,
            SET_INSTALLMENTS,
            json!({ "d": id, "i": mismatch }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.installments"
    );
    ok(
        &app,
        &org.key,
        SET_INSTALLMENTS,
        json!({ "d": id, "i": plan }),
    )
    .await;
    let d = deal(&app, &org, &id).await;
    assert_eq!(d["installments"]["totalCount"], 2);
    // By billing date.
    assert_eq!(
        d["installments"]["nodes"],
        json!([
            { "description": "Balance", "amount": { "amount": "200.00" }, "billingDate": "2027-01-01" },
            { "description": "Deposit", "amount": { "amount": "100.00" }, "billingDate": "2027-02-01" },
        ])
    );
    // While they are set, nothing may move the value away from their sum, nor recur.
    let before = deal(&app, &org, &id).await;
    let body = add_line(
        &app,
        &org,
        json!({ "dealId": id, "name": "More", "quantity": "1", "unitPrice": "5" }),
    )
    .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let body = add_line(
        &app,
        &org,
        json!({ "dealId": id, "name": "Monthly", "quantity": "1", "unitPrice": "0",
                "billingFrequency": "MONTHLY" }),
    )
    .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let body = add_discount(
        &app,
        &org,
        json!({ "dealId": id, "description": "x", "type": "AMOUNT", "amount": "1" }),
    )
    .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    assert_eq!(deal(&app, &org, &id).await, before);
    // Cleared, the deal changes again.
    ok(
        &app,
        &org.key,
        SET_INSTALLMENTS,
        json!({ "d": id, "i": [] }),
    )
    .await;
    let body = add_line(
        &app,
        &org,
        json!({ "dealId": id, "name": "Monthly", "quantity": "1", "unitPrice": "10",
                "billingFrequency": "MONTHLY" }),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(
        body["data"]["addDealProduct"]["deal"]["value"]["amount"],
        "310.00"
    );
    // With a recurring line, no installments.
    let all = json!([{ "description": "All", "amount": "310.00", "billingDate": "2027-01-01" }]);
    let body = app
        .gql(&org.key, SET_INSTALLMENTS, json!({ "d": id, "i": all }))
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let many: Vec<Value> = (0..101)
        .map(|_| json!({ "description": "x", "amount": "1", "billingDate": "2027-01-01" }))
        .collect();
    let body = app
        .gql(&org.key, SET_INSTALLMENTS, json!({ "d": id, "i": many }))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}

#[tokio::test]
async fn a_final_value_on_a_deal_with_products_is_an_adjustment_the_quote_shows() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    pipeline(&app, &org.key, "Sales").await;
    let id = new_deal(&app, &org).await;
    // 216.00 with tax (see above), less a 16.00 discount: 200.00.
    line_id(
        &app,
        &org,
        json!({ "dealId": id, "name": "Licence", "quantity": "2", "unitPrice": "100.00",
                "discount": "10", "taxPercentage": "20" }),
    )
    .await;
    add_discount(
        &app,
        &org,
        json!({ "dealId": id, "description": "Launch", "type": "AMOUNT", "amount": "16" }),
    )
    .await;
    assert_eq!(
        amount(&deal(&app, &org, &id).await, &["value", "amount"]),
        "200.00"
    );
    let data = ok(
        &app,
        &org.key,
        "mutation($d: ID!) { closeDeal(input: { dealId: $d, result: WON, finalValue: \"180.00\" }) {
            deal { value { amount } valueAdjustment { amount } }
            sale { quote { totalPrice lines { productName total discount tax kind } } } } }",
        json!({ "d": id }),
    )
    .await;
    let closed = &data["closeDeal"];
    assert_eq!(closed["deal"]["value"]["amount"], "180.00");
    assert_eq!(closed["deal"]["valueAdjustment"]["amount"], "-20.00");
    assert_eq!(closed["sale"]["quote"]["totalPrice"], "180.00");
    assert_eq!(
        closed["sale"]["quote"]["lines"],
        json!([
            { "productName": "Licence", "total": "216.00", "discount": "20.00", "tax": "36.00", "kind": "PRODUCT" },
            { "productName": "Launch", "total": "-16.00", "discount": "0.00", "tax": "0.00", "kind": "DISCOUNT" },
            { "productName": "Final value adjustment", "total": "-20.00", "discount": "0.00", "tax": "0.00", "kind": "ADJUSTMENT" },
        ])
    );
    // Reopened, the products make the value again.
    let data = ok(
        &app,
        &org.key,
        "mutation($d: ID!) { reopenDeal(input: { dealId: $d }) { deal { value { amount } valueAdjustment { amount } } } }",
        json!({ "d": id }),
    )
    .await;
    assert_eq!(data["reopenDeal"]["deal"]["value"]["amount"], "200.00");
    assert_eq!(data["reopenDeal"]["deal"]["valueAdjustment"], Value::Null);
}
