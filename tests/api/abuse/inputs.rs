//! Families: long and huge inputs, NUL bytes, variables, bad scalars, bad cursors, bad ids.
//! Every bad input is BAD_USER_INPUT naming its field, never INTERNAL_SERVER_ERROR.

use super::{bad_input, refused, row_counts};
use crate::fixtures;
use crate::helpers::{error_code, gid, spawn_app};
use sea_orm::prelude::Uuid;
use serde_json::json;

const FILTERED: &str = "query($f: DealFilter) { deals(filter: $f) { totalCount } }";
const CREATE: &str =
    "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id } } }";

#[tokio::test]
async fn long_and_huge_inputs_are_bad_input() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let megabyte = "%_".repeat(500_000);
    bad_input(
        &app,
        &org,
        FILTERED,
        json!({ "f": { "search": megabyte } }),
        "$f.search",
    )
    .await;
    bad_input(
        &app,
        &org,
        FILTERED,
        json!({ "f": { "search": "a".repeat(201) } }),
        "filter.search",
    )
    .await;
    let inline = format!(
        "{{ deals(filter: {{ search: \"{}\" }}) {{ totalCount }} }}",
        "x".repeat(70_000)
    );
    bad_input(&app, &org, &inline, json!({}), "deals.filter.search").await;
    for list in ["contacts", "companies", "users"] {
        let query = format!(
            "{{ {list}(filter: {{ search: \"{}\" }}) {{ totalCount }} }}",
            "y".repeat(201)
        );
        bad_input(&app, &org, &query, json!({}), "filter.search").await;
    }
    let order: Vec<_> = (0..10_000).map(|_| json!({ "field": "TITLE" })).collect();
    let query = "query($o: [DealOrder!]) { deals(orderBy: $o) { totalCount } }";
    bad_input(&app, &org, query, json!({ "o": order }), "$o").await;
    let order: Vec<_> = (0..9).map(|_| json!({ "field": "TITLE" })).collect();
    bad_input(&app, &org, query, json!({ "o": order }), "orderBy").await;
    bad_input(
        &app,
        &org,
        FILTERED,
        json!({ "f": { "status": vec!["OPEN"; 11] } }),
        "filter.status",
    )
    .await;
    bad_input(
        &app,
        &org,
        FILTERED,
        json!({ "f": { "tags": vec!["t"; 51] } }),
        "filter.tags",
    )
    .await;
    let values: Vec<_> = (0..999).map(|i| json!({ "k": i, "v": [i, i] })).collect();
    let body = super::refused(
        &app,
        &org,
        FILTERED,
        json!({ "f": {}, "extra": values, "more": values, "again": values }),
        "BAD_USER_INPUT",
    )
    .await;
    let field = body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_default();
    assert!(
        field.starts_with('$'),
        "the variable where the count ran over: {field}"
    );
}

#[tokio::test]
async fn composed_filters_are_bounded_in_depth_and_size() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    // Nested far beyond the filter's own depth limit: refused before anything reads it
    // (reading it would exhaust the stack), naming the variable's path.
    let mut deep = json!({ "status": ["OPEN"] });
    for _ in 0..60 {
        deep = json!({ "and": [deep] });
    }
    let body = refused(&app, &org, FILTERED, json!({ "f": deep }), "BAD_USER_INPUT").await;
    let field = body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_default();
    assert!(field.starts_with("$f.and.and"), "{field}");
    let mut deep = json!({ "status": ["OPEN"] });
    for _ in 0..6 {
        deep = json!({ "and": [deep] });
    }
    bad_input(&app, &org, FILTERED, json!({ "f": deep }), "filter").await;
    let wide: Vec<_> = (0..900)
        .map(|_| json!({ "not": { "status": ["WON"] } }))
        .collect();
    bad_input(
        &app,
        &org,
        FILTERED,
        json!({ "f": { "or": wide } }),
        "filter",
    )
    .await;
    for condition in [
        json!({ "key": "k".repeat(65), "op": "EXISTS" }),
        json!({ "key": "k", "op": "EQ", "value": "v".repeat(201) }),
        json!({ "key": "'); DROP TABLE deal; --", "op": "EQ", "value": "1" }),
    ] {
        let filter = json!({ "customFields": [condition] });
        bad_input(
            &app,
            &org,
            FILTERED,
            json!({ "f": filter }),
            "filter.customFields",
        )
        .await;
    }
    let nested_search = json!({ "or": [{ "search": "a".repeat(201) }] });
    bad_input(
        &app,
        &org,
        FILTERED,
        json!({ "f": nested_search }),
        "filter.search",
    )
    .await;
}

#[tokio::test]
async fn nul_bytes_are_refused_everywhere_and_write_nothing() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    fixtures::build(&app, &org, 0).await;
    let before = row_counts(&app).await;
    bad_input(
        &app,
        &org,
        CREATE,
        json!({ "input": { "title": "a\u{0}b" } }),
        "$input.title",
    )
    .await;
    bad_input(
        &app,
        &org,
        "mutation { createDeal(input: { title: \"a\\u0000b\" }) { deal { id } } }",
        json!({}),
        "createDeal.input.title",
    )
    .await;
    bad_input(
        &app,
        &org,
        FILTERED,
        json!({ "f": { "search": "\u{0}" } }),
        "$f.search",
    )
    .await;
    let custom = json!({ "input": { "title": "ok", "customFields": { "k\u{0}": 1 } } });
    let body = super::refused(
        &app,
        &org,
        "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id } } }",
        custom,
        "BAD_USER_INPUT",
    )
    .await;
    assert!(
        body["errors"][0]["extensions"]["field"]
            .as_str()
            .is_some_and(|f| f.starts_with("$input.customFields")),
        "{body}"
    );
    assert_eq!(row_counts(&app).await, before);
}

#[tokio::test]
async fn variables_that_are_missing_or_of_the_wrong_shape_are_bad_input() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let query = "query($n: Int!) { deals(first: $n) { totalCount } }";
    bad_input(&app, &org, query, json!({}), "$n").await;
    bad_input(&app, &org, query, json!({ "n": null }), "$n").await;
    bad_input(&app, &org, FILTERED, json!({ "f": "abc" }), "deals.filter").await;
    bad_input(
        &app,
        &org,
        FILTERED,
        json!({ "f": { "status": ["NOPE"] } }),
        "deals.filter",
    )
    .await;
    bad_input(
        &app,
        &org,
        FILTERED,
        json!({ "f": { "daysInStageGt": 4_294_967_296_i64 } }),
        "deals.filter",
    )
    .await;
}

#[tokio::test]
async fn bad_scalars_are_bad_input() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    for value in ["NaN", "Infinity", "-Infinity", "1e30", "12abc"] {
        bad_input(
            &app,
            &org,
            FILTERED,
            json!({ "f": { "valueMin": value } }),
            "deals.filter",
        )
        .await;
    }
    for inline in ["1e30", "\"NaN\"", "\"Infinity\""] {
        let query = format!("{{ deals(filter: {{ valueMin: {inline} }}) {{ totalCount }} }}");
        bad_input(&app, &org, &query, json!({}), "deals.filter").await;
    }
    for (field, value) in [
        ("createdAfter", "10000-01-01T00:00:00Z"),
        ("createdAfter", "0000-01-01T00:00:00Z"),
        ("createdAfter", "yesterday"),
        ("expectedCloseAfter", "+10000-01-01"),
        ("expectedCloseAfter", "0000-12-31"),
        ("expectedCloseAfter", "2026-13-01"),
    ] {
        bad_input(
            &app,
            &org,
            FILTERED,
            json!({ "f": { field: value } }),
            "deals.filter",
        )
        .await;
    }
    let ok = app.gql(&org.key, FILTERED, json!({ "f": { "expectedCloseAfter": "9999-12-31", "createdAfter": "0001-01-01T00:00:00Z" } })).await;
    assert!(ok["errors"].is_null(), "{ok}");
}

#[tokio::test]
async fn an_amount_discount_beyond_the_line_is_bad_input() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let world = fixtures::build(&app, &org, 1).await;
    let add = "mutation($input: AddDealProductInput!) { addDealProduct(input: $input) { product { id } } }";
    let input = json!({ "input": { "dealId": gid("deal", world.deals[0].id), "name": "Line", "quantity": "2",
        "unitPrice": "50", "discountType": "AMOUNT", "discount": "100.01" } });
    let before = row_counts(&app).await;
    bad_input(&app, &org, add, input, "input.discount").await;
    assert_eq!(row_counts(&app).await, before);
}

#[tokio::test]
async fn bad_cursors_and_ids_are_bad_input() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    fixtures::build(&app, &org, 3).await;
    let query = "query($c: String) { deals(first: 1, after: $c) { nodes { id } } }";
    for cursor in ["xyz".to_owned(), "e30".to_owned(), "A".repeat(2_000)] {
        bad_input(&app, &org, query, json!({ "c": cursor }), "after").await;
    }
    let page = app
        .gql(
            &org.key,
            "{ deals(first: 1) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let cursor = page["data"]["deals"]["pageInfo"]["endCursor"].clone();
    let other_order = "query($c: String) { deals(first: 1, after: $c, orderBy: [{ field: VALUE }]) { nodes { id } } }";
    bad_input(&app, &org, other_order, json!({ "c": cursor }), "after").await;
    for id in [
        "nope",
        "deal_zz",
        "user_0193",
        &format!("deal_{}", "f".repeat(5_000)),
    ] {
        bad_input(
            &app,
            &org,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
            "id",
        )
        .await;
    }
    let user = format!("user_{}", sea_orm::prelude::Uuid::now_v7().simple());
    bad_input(
        &app,
        &org,
        "query($id: ID!) { deal(id: $id) { id } }",
        json!({ "id": user }),
        "id",
    )
    .await;
}

#[tokio::test]
async fn bad_timeline_and_funnel_arguments_are_bad_input() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let cases = [
        (json!({ "amount": 0 }), "amount"),
        (json!({ "amount": 367 }), "amount"),
        (json!({ "amount": -1 }), "amount"),
        (json!({ "zone": "Mars/Olympus_Mons" }), "timeZone"),
        (json!({ "zone": "x".repeat(65) }), "timeZone"),
        (json!({ "zone": "Europe/Berlin\u{0}" }), "$zone"),
        (
            json!({ "start": "9999-12-01", "interval": "QUARTER" }),
            "startDate",
        ),
        (
            json!({ "filter": { "search": "a".repeat(201) } }),
            "filter.search",
        ),
    ];
    for (overrides, field) in cases {
        let mut variables = json!({ "start": "2026-01-01", "interval": "MONTH", "amount": 3,
                                    "field": "CREATED" });
        for (name, value) in overrides.as_object().into_iter().flatten() {
            variables[name] = value.clone();
        }
        bad_input(&app, &org, crate::timeline::TIMELINE, variables, field).await;
    }
    let funnel = "query($p: ID!, $after: DateTime, $before: DateTime, $f: DealFilter) { \
        dealFunnel(pipelineId: $p, enteredAfter: $after, enteredBefore: $before, filter: $f) { \
        stages { entered } } }";
    let pipeline = gid("pipeline", sea_orm::prelude::Uuid::nil());
    let cases = [
        (json!({ "p": "p".repeat(100_000) }), "$p"),
        (json!({ "p": "p".repeat(1_000) }), "pipelineId"),
        (json!({ "p": "deal_x" }), "pipelineId"),
        (
            json!({ "p": pipeline, "after": "2026-02-01T00:00:00Z",
                 "before": "2026-01-01T00:00:00Z" }),
            "enteredBefore",
        ),
        (
            json!({ "p": pipeline, "f": { "search": "a".repeat(201) } }),
            "filter.search",
        ),
    ];
    for (variables, field) in cases {
        bad_input(&app, &org, funnel, variables, field).await;
    }
}

#[tokio::test]
async fn bad_search_arguments_are_bad_input() {
    use base64::Engine;
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let query = "query($t: String!, $fields: [DealSearchField!], $exact: Boolean, $first: Int, \
        $after: String) { searchDeals(term: $t, fields: $fields, exactMatch: $exact, \
        first: $first, after: $after) { totalCount edges { node { id } } } }";
    let cursor = |json: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
    let nil = "00000000-0000-0000-0000-000000000000";
    let cases = [
        (json!({ "t": "x".repeat(100_000) }), "$t"),
        (json!({ "t": "x".repeat(201) }), "term"),
        (json!({ "t": "x" }), "term"),
        (json!({ "t": "  !! -- ?? " }), "term"),
        (json!({ "t": "a ".repeat(17) }), "term"),
        (json!({ "t": "ab", "fields": [] }), "fields"),
        (json!({ "t": "ab", "fields": vec!["TITLE"; 7] }), "fields"),
        (json!({ "t": "ab", "first": 501 }), "first"),
        (json!({ "t": "ab", "first": -1 }), "first"),
        (json!({ "t": "ab", "after": "garbage" }), "after"),
        (
            json!({ "t": "ab", "after": cursor(&format!(
                r#"{{"order":"SCORE:DESC","keys":[{{"Float":"NaN"}}],"id":"{nil}"}}"#)) }),
            "after",
        ),
        (
            json!({ "t": "ab", "after": cursor(&format!(
                r#"{{"order":"TITLE:ASC","keys":[{{"Text":"a"}}],"id":"{nil}"}}"#)) }),
            "after",
        ),
    ];
    for (variables, field) in cases {
        bad_input(&app, &org, query, variables, field).await;
    }
    // One letter is enough for an exact word.
    let body = app
        .gql(&org.key, query, json!({ "t": "x", "exact": true }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test]
async fn bad_change_feed_and_changelog_arguments_are_bad_input() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let feed = "query($since: String, $first: Int) { dealChanges(since: $since, first: $first) { \
        nextToken } }";
    let cases = [
        (json!({ "since": "x".repeat(100_000) }), "$since"),
        (json!({ "since": "x".repeat(2_000) }), "since"),
        (json!({ "since": "garbage" }), "since"),
        (json!({ "first": 501 }), "first"),
        (json!({ "first": -1 }), "first"),
    ];
    for (variables, field) in cases {
        bad_input(&app, &org, feed, variables, field).await;
    }
    let w = fixtures::build(&app, &org, 1).await;
    let changelog = "query($id: ID!, $first: Int, $after: String) { deal(id: $id) { \
        changelog(first: $first, after: $after) { totalCount } } }";
    let deal = gid("deal", w.deals[0].id);
    // A nested list's bad argument is a field error: the deal is null, the error coded.
    for (variables, field) in [
        (json!({ "id": deal, "first": 501 }), "first"),
        (json!({ "id": deal, "after": "garbage" }), "after"),
    ] {
        let (_, body) = app.post(Some(&org.key), changelog, variables).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
}

#[tokio::test]
async fn bad_inputs_of_batches_merges_participants_imports_and_keys_are_bad_input() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    fixtures::build(&app, &org, 2).await;
    let before = row_counts(&app).await;
    let deal = gid("deal", Uuid::now_v7());
    let batch = "mutation($i: CreateDealsInput!) { createDeals(input: $i) { writtenCount } }";
    bad_input(
        &app,
        &org,
        batch,
        json!({ "i": { "items": [] } }),
        "input.items",
    )
    .await;
    let many: Vec<_> = (0..101)
        .map(|i| json!({ "title": format!("t{i}") }))
        .collect();
    bad_input(
        &app,
        &org,
        batch,
        json!({ "i": { "items": many } }),
        "input.items",
    )
    .await;
    let updates = "mutation($i: UpdateDealsInput!) { updateDeals(input: $i) { writtenCount } }";
    let many: Vec<_> = (0..101).map(|_| json!({ "id": deal })).collect();
    bad_input(
        &app,
        &org,
        updates,
        json!({ "i": { "items": many } }),
        "input.items",
    )
    .await;
    bad_input(
        &app,
        &org,
        batch,
        json!({ "i": { "items": [{ "title": "x" }], "idempotencyKey": "k".repeat(201) } }),
        "input.idempotencyKey",
    )
    .await;
    let lines: Vec<_> = (0..101)
        .map(|_| json!({ "name": "p", "quantity": "1", "unitPrice": "1" }))
        .collect();
    bad_input(
        &app,
        &org,
        CREATE,
        json!({ "input": { "title": "x", "products": lines } }),
        "input.products",
    )
    .await;
    bad_input(
        &app,
        &org,
        CREATE,
        json!({ "input": { "title": "x", "createdAt": "9999-12-31T00:00:00Z" } }),
        "input.createdAt",
    )
    .await;
    bad_input(
        &app,
        &org,
        CREATE,
        json!({ "input": { "title": "x", "idempotencyKey": "tab\tkey" } }),
        "input.idempotencyKey",
    )
    .await;
    let add = "mutation($d: ID!, $c: ID!) { addDealParticipant(input: { dealId: $d, contactId: $c }) { deal { id } } }";
    bad_input(
        &app,
        &org,
        add,
        json!({ "d": "deal_x", "c": "contact_x" }),
        "input.dealId",
    )
    .await;
    bad_input(
        &app,
        &org,
        add,
        json!({ "d": deal, "c": deal }),
        "input.contactId",
    )
    .await;
    let merge = "mutation($i: MergeDealsInput!) { mergeDeals(input: $i) { deal { id } } }";
    bad_input(
        &app,
        &org,
        merge,
        json!({ "i": { "dealId": "nope", "intoDealId": deal } }),
        "input.dealId",
    )
    .await;
    bad_input(
        &app,
        &org,
        merge,
        json!({ "i": { "dealId": deal, "intoDealId": gid("stage", Uuid::now_v7()) } }),
        "input.intoDealId",
    )
    .await;
    bad_input(
        &app,
        &org,
        "mutation($d: ID!) { duplicateDeal(input: { dealId: $d }) { deal { id } } }",
        json!({ "d": "user_1" }),
        "input.dealId",
    )
    .await;
    bad_input(
        &app,
        &org,
        FILTERED,
        json!({ "f": { "sources": vec!["s"; 51] } }),
        "filter.sources",
    )
    .await;
    bad_input(
        &app,
        &org,
        FILTERED,
        json!({ "f": { "createdById": deal } }),
        "filter.createdById",
    )
    .await;
    // A bad header key is refused like a bad input key.
    let (_, body) = {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("X-API-KEY", &org.key)
            .header("Idempotency-Key", "k".repeat(300))
            .json(&json!({ "query": "mutation { createDeal(input: { title: \"x\" }) { deal { id } } }" }))
            .send()
            .await
            .expect("request");
        (
            response.status(),
            response.json::<serde_json::Value>().await.expect("json"),
        )
    };
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "Idempotency-Key");
    assert_eq!(row_counts(&app).await, before, "a refusal wrote something");
}

#[tokio::test]
async fn bad_inputs_of_discounts_installments_and_billing_are_bad_input() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    fixtures::build(&app, &org, 2).await;
    let before = row_counts(&app).await;
    let deal = gid("deal", Uuid::now_v7());
    let add = "mutation($i: AddDealDiscountInput!) { addDealDiscount(input: $i) { deal { id } } }";
    for (input, field) in [
        (
            json!({ "dealId": "x", "description": "d", "type": "AMOUNT", "amount": "1" }),
            "input.dealId",
        ),
        (
            json!({ "dealId": deal, "description": "d".repeat(256), "type": "AMOUNT", "amount": "1" }),
            "input.description",
        ),
        (
            json!({ "dealId": deal, "description": "d", "type": "AMOUNT", "amount": "-1" }),
            "input.amount",
        ),
        (
            json!({ "dealId": deal, "description": "d", "type": "PERCENTAGE", "amount": "100.01" }),
            "input.amount",
        ),
    ] {
        bad_input(&app, &org, add, json!({ "i": input }), field).await;
    }
    bad_input(
        &app,
        &org,
        "mutation { updateDealDiscount(input: { id: \"deal_1\" }) { deal { id } } }",
        json!({}),
        "input.id",
    )
    .await;
    let set = "mutation($i: SetDealInstallmentsInput!) { setDealInstallments(input: $i) { deal { id } } }";
    let many: Vec<_> = (0..101)
        .map(|_| json!({ "description": "x", "amount": "1", "billingDate": "2027-01-01" }))
        .collect();
    bad_input(
        &app,
        &org,
        set,
        json!({ "i": { "dealId": deal, "installments": many } }),
        "input.installments",
    )
    .await;
    bad_input(
        &app,
        &org,
        set,
        json!({ "i": { "dealId": deal, "installments": [{ "description": "", "amount": "1", "billingDate": "2027-01-01" }] } }),
        "input.installments.0.description",
    )
    .await;
    bad_input(
        &app,
        &org,
        set,
        json!({ "i": { "dealId": deal, "installments": [{ "description": "x", "amount": "0", "billingDate": "2027-01-01" }] } }),
        "input.installments.0.amount",
    )
    .await;
    let line = "mutation($i: AddDealProductInput!) { addDealProduct(input: $i) { deal { id } } }";
    bad_input(
        &app,
        &org,
        line,
        json!({ "i": { "dealId": deal, "name": "n", "quantity": "1", "unitPrice": "1",
                       "billingFrequency": "ANNUALLY", "billingFrequencyCycles": 521 } }),
        "input.billingFrequencyCycles",
    )
    .await;
    assert_eq!(row_counts(&app).await, before, "a refusal wrote something");
}
