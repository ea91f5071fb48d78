//! Families: fragment fan-out, aliases, nesting, directives, tokens, operations, cycles.

use super::refused;
use crate::helpers::spawn_app;
use serde_json::json;

#[tokio::test]
async fn exponential_fragment_fan_out_is_refused_before_validation() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let mut query = String::from("{ ...F0 }\n");
    for i in 0..27 {
        query.push_str(&format!(
            "fragment F{i} on Query {{ ...F{n} ...F{n} }}\n",
            n = i + 1
        ));
    }
    query.push_str("fragment F27 on Query { viewer { scope } }\n");
    assert!(
        query.len() < 1600,
        "a small document: {} bytes",
        query.len()
    );
    let body = refused(&app, &org, &query, json!({}), "LIMIT_EXCEEDED").await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("fragments are expanded"), "{message}");
}

#[tokio::test]
async fn a_thousand_aliases_are_refused() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let aliases: String = (0..1000)
        .map(|i| format!("a{i}: deals(first: 500) {{ nodes {{ title }} }} "))
        .collect();
    let body = refused(
        &app,
        &org,
        &format!("{{ {aliases} }}"),
        json!({}),
        "LIMIT_EXCEEDED",
    )
    .await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("aliases"), "{message}");
}

#[tokio::test]
async fn deep_nesting_is_refused_before_parsing() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    // Too deep for the selection limit: tests/api/limits.rs. Far too deep for the parser's
    // stack: refused by the lexer before parsing.
    let query = format!("{}{}", "{ a ".repeat(50_000), "}".repeat(50_000));
    refused(&app, &org, &query, json!({}), "LIMIT_EXCEEDED").await;
    let query = format!(
        "{{ deals(filter: {}1{}) {{ totalCount }} }}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    refused(&app, &org, &query, json!({}), "LIMIT_EXCEEDED").await;
}

#[tokio::test]
async fn piles_of_directives_are_refused() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let directives = "@include(if: true) ".repeat(100);
    let query = format!("{{ viewer {directives} {{ scope }} }}");
    refused(&app, &org, &query, json!({}), "LIMIT_EXCEEDED").await;
    let query = format!("query Q {directives} {{ viewer {{ scope }} }}");
    refused(&app, &org, &query, json!({}), "LIMIT_EXCEEDED").await;
}

#[tokio::test]
async fn too_many_tokens_or_operations_are_refused() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let query = format!("{{ viewer {{ {} }} }}", "scope ".repeat(20_000));
    refused(&app, &org, &query, json!({}), "LIMIT_EXCEEDED").await;
    let operations: String = (0..30)
        .map(|i| format!("query Q{i} {{ viewer {{ scope }} }} "))
        .collect();
    let (_, body) = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("X-API-KEY", &org.key)
        .json(&json!({ "query": operations, "operationName": "Q1" }))
        .send()
        .await
        .map(|r| (r.status(), r))
        .expect("request");
    let body: serde_json::Value = body.json().await.expect("json");
    assert_eq!(
        crate::helpers::error_code(&body),
        Some("LIMIT_EXCEEDED"),
        "{body}"
    );
}

#[tokio::test]
async fn fragment_cycles_stay_refused() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let query = "{ ...A } fragment A on Query { viewer { ...B } } fragment B on Viewer { scope ...C } fragment C on Viewer { ...B }";
    refused(&app, &org, query, json!({}), "GRAPHQL_VALIDATION_FAILED").await;
    refused(
        &app,
        &org,
        "{ ...A } fragment A on Query { ...A }",
        json!({}),
        "GRAPHQL_VALIDATION_FAILED",
    )
    .await;
}
