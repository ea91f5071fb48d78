//! Product lines through mutations: exact totals for a table of cases computed here
//! independently, and the deal's value kept equal to its lines' total with tax.

use crate::fixtures;
use crate::helpers::{TestApp, TestOrg, error_code, spawn_app};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value, json};
use std::str::FromStr;

const ADD: &str = "mutation($input: AddDealProductInput!) { addDealProduct(input: $input) {
  product { id totals { withoutTax { amount } withTax { amount } } }
  deal { value { amount } version productsTotal { withoutTax { amount } withTax { amount } } } } }";

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_else(|_| panic!("decimal {text}"))
}

/// The expected totals, written out again here rather than calling the server's code.
fn expected(
    quantity: &str,
    price: &str,
    kind: &str,
    discount: &str,
    tax: &str,
    method: &str,
) -> (Decimal, Decimal) {
    let gross = d(quantity) * d(price);
    let off = if kind == "PERCENTAGE" {
        gross * d(discount) / d("100")
    } else {
        d(discount).min(gross)
    };
    let net = gross - off;
    let factor = d("1") + d(tax) / d("100");
    let (without, with) = match method {
        "EXCLUSIVE" => (net, net * factor),
        "INCLUSIVE" => (net / factor, net),
        _ => (net, net),
    };
    let cents = |x: Decimal| x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    (cents(without), cents(with))
}

async fn new_deal(app: &TestApp, org: &TestOrg) -> String {
    let body = app
        .gql(
            &org.key,
            "mutation { createDeal(input: { title: \"Quote\", value: \"999\" }) { deal { id } } }",
            json!({}),
        )
        .await;
    body["data"]["createDeal"]["deal"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn amount(value: &Value) -> Decimal {
    d(value.as_str().unwrap_or_else(|| panic!("amount: {value}")))
}

#[tokio::test]
async fn line_totals_match_an_independent_computation() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    fixtures::build(&app, &org, 0).await;
    let cases = [
        ("2", "10000.00", "PERCENTAGE", "10", "7", "EXCLUSIVE"),
        ("1", "107.00", "AMOUNT", "0", "7", "INCLUSIVE"),
        ("1.5", "20.00", "AMOUNT", "5", "0", "NONE"),
        ("3", "19.99", "PERCENTAGE", "0", "19", "EXCLUSIVE"),
        ("3", "19.99", "PERCENTAGE", "0", "19", "INCLUSIVE"),
        ("0.3333", "3.00", "PERCENTAGE", "0", "0", "NONE"),
        ("7", "0.10", "PERCENTAGE", "33.3333", "20", "EXCLUSIVE"),
        ("12.5", "8.40", "AMOUNT", "12.34", "21", "EXCLUSIVE"),
        ("1", "100", "PERCENTAGE", "100", "10", "EXCLUSIVE"),
        (
            "2.75",
            "1234.5678",
            "PERCENTAGE",
            "12.5",
            "8.25",
            "EXCLUSIVE",
        ),
        (
            "2.75",
            "1234.5678",
            "PERCENTAGE",
            "12.5",
            "8.25",
            "INCLUSIVE",
        ),
        ("2.75", "1234.5678", "PERCENTAGE", "12.5", "8.25", "NONE"),
        ("1", "0.05", "PERCENTAGE", "50", "0", "NONE"),
        ("1", "0.015", "PERCENTAGE", "0", "0", "NONE"),
        ("1", "0.025", "PERCENTAGE", "0", "0", "EXCLUSIVE"),
        ("9999", "9999.99", "PERCENTAGE", "1", "25", "EXCLUSIVE"),
        ("4", "25", "AMOUNT", "0.01", "7.5", "INCLUSIVE"),
        ("0.5", "0.99", "PERCENTAGE", "15", "5", "EXCLUSIVE"),
        ("10", "3.33", "AMOUNT", "3.33", "16", "INCLUSIVE"),
        ("1", "1", "PERCENTAGE", "0", "100", "EXCLUSIVE"),
        ("1", "2", "PERCENTAGE", "0", "100", "INCLUSIVE"),
    ];
    let deal = new_deal(&app, &org).await;
    let (mut sum_without, mut sum_with) = (Decimal::ZERO, Decimal::ZERO);
    for (quantity, price, kind, discount, tax, method) in cases {
        let input = json!({ "dealId": deal, "name": "Line", "quantity": quantity, "unitPrice": price,
            "discountType": kind, "discount": discount, "taxPercentage": tax, "taxMethod": method });
        let body = app.gql(&org.key, ADD, json!({ "input": input })).await;
        assert!(body["errors"].is_null(), "{input}: {body}");
        let totals = &body["data"]["addDealProduct"]["product"]["totals"];
        let (without, with) = expected(quantity, price, kind, discount, tax, method);
        assert_eq!(
            (
                amount(&totals["withoutTax"]["amount"]),
                amount(&totals["withTax"]["amount"])
            ),
            (without, with),
            "{input}"
        );
        sum_without += without;
        sum_with += with;
        let deal = &body["data"]["addDealProduct"]["deal"];
        assert_eq!(
            amount(&deal["value"]["amount"]),
            sum_with,
            "the deal's value is its lines' total with tax"
        );
        assert_eq!(
            amount(&deal["productsTotal"]["withoutTax"]["amount"]),
            sum_without
        );
    }
}

#[tokio::test]
async fn changing_and_removing_lines_keeps_the_value_in_step() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    fixtures::build(&app, &org, 0).await;
    let deal = new_deal(&app, &org).await;
    let add = |quantity: &str| json!({ "input": { "dealId": deal, "name": "Seat", "quantity": quantity, "unitPrice": "100", "taxPercentage": "10" } });
    let first = app.gql(&org.key, ADD, add("1")).await;
    let second = app.gql(&org.key, ADD, add("2")).await;
    assert_eq!(
        second["data"]["addDealProduct"]["deal"]["value"]["amount"], "330.00",
        "{second}"
    );
    let line = second["data"]["addDealProduct"]["product"]["id"].clone();

    let update = "mutation($input: UpdateDealProductInput!) { updateDealProduct(input: $input) { product { quantity discount } deal { value { amount } } } }";
    let body = app
        .gql(
            &org.key,
            update,
            json!({ "input": { "id": line, "quantity": "3", "discount": "50" } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateDealProduct"]["product"],
        json!({ "quantity": "3", "discount": "50" })
    );
    assert_eq!(
        body["data"]["updateDealProduct"]["deal"]["value"]["amount"], "275.00",
        "110 + 150 × 1.1"
    );

    // Errors change nothing.
    for (input, field) in [
        (json!({ "id": line, "discount": "101" }), "input.discount"),
        (
            json!({ "id": line, "discountType": "AMOUNT", "discount": "300.01" }),
            "input.discount",
        ),
        (json!({ "id": line, "quantity": "0" }), "input.quantity"),
        (json!({ "id": line, "unitPrice": "-5" }), "input.unitPrice"),
        (
            json!({ "id": line, "taxPercentage": "120" }),
            "input.taxPercentage",
        ),
    ] {
        let body = app.gql(&org.key, update, json!({ "input": input })).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{input}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field);
    }
    let body = app
        .gql(
            &org.key,
            update,
            json!({ "input": { "id": line, "name": "x", "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    let body = app
        .gql(
            &org.key,
            "query($id: ID!) { deal(id: $id) { value { amount } products { totalCount } } }",
            json!({ "id": deal }),
        )
        .await;
    assert_eq!(
        body["data"]["deal"],
        json!({ "value": { "amount": "275.00" }, "products": { "totalCount": 2 } })
    );

    let body = app
        .gql(
            &org.key,
            "mutation($id: ID!) { updateDeal(input: { id: $id, value: \"1\" }) { deal { id } } }",
            json!({ "id": deal }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "input.value",
        "a deal with products has no value of its own"
    );

    let remove = "mutation($id: ID!) { removeDealProduct(input: { id: $id }) { deal { value { amount } products { totalCount } } } }";
    let body = app.gql(&org.key, remove, json!({ "id": line })).await;
    assert_eq!(
        body["data"]["removeDealProduct"]["deal"]["value"]["amount"],
        "110.00"
    );
    let body = app
        .gql(
            &org.key,
            remove,
            json!({ "id": first["data"]["addDealProduct"]["product"]["id"] }),
        )
        .await;
    assert_eq!(
        body["data"]["removeDealProduct"]["deal"],
        json!({ "value": { "amount": "110.00" }, "products": { "totalCount": 0 } }),
        "the value stays when the last line goes"
    );
    let body = app.gql(&org.key, remove, json!({ "id": line })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));

    let other = app.create_org("Globex").await;
    let body = app.gql(&other.key, ADD, add("1")).await;
    assert_eq!(
        error_code(&body),
        Some("NOT_FOUND"),
        "another tenant's deal"
    );
}
