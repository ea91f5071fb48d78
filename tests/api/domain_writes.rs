//! Mutations on the rest of the domain: companies, contacts, pipelines and stages, users.

use crate::helpers::{TestApp, TestOrg, error_code, gid, spawn_app};
use entity::enums::ApiKeyScope;
use serde_json::{Value, json};

async fn ok(app: &TestApp, org: &TestOrg, query: &str, vars: Value) -> Value {
    let body = app.gql(&org.key, query, vars).await;
    assert!(body["errors"].is_null(), "{query}: {body}");
    body["data"].clone()
}

#[tokio::test]
async fn companies_and_contacts_are_created_changed_and_soft_deleted() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let other = app.create_org("Globex").await;
    let data = ok(&app, &org, r#"mutation { createCompany(input: { name: " Initech ", domain: "initech.example" }) { company { id name domain } } }"#, json!({})).await;
    let company = data["createCompany"]["company"].clone();
    assert_eq!(company["name"], "Initech");
    let data = ok(&app, &org, "mutation($id: ID!) { updateCompany(input: { id: $id, domain: null }) { company { name domain } } }", json!({ "id": company["id"] })).await;
    assert_eq!(
        data["updateCompany"]["company"],
        json!({ "name": "Initech", "domain": null })
    );

    let create_contact = "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id name email company { id } } } }";
    let data = ok(&app, &org, create_contact, json!({ "input": { "firstName": "Peter", "lastName": "Gibbons", "email": "peter@initech.example", "companyId": company["id"] } })).await;
    let contact = data["createContact"]["contact"].clone();
    assert_eq!(contact["company"]["id"], company["id"]);
    for (input, field) in [
        (
            json!({ "firstName": "", "lastName": "x" }),
            Some("input.firstName"),
        ),
        (
            json!({ "firstName": "a", "lastName": "b", "email": "nope" }),
            Some("input.email"),
        ),
    ] {
        let body = app
            .gql(&org.key, create_contact, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
        assert_eq!(body["errors"][0]["extensions"]["field"].as_str(), field);
    }
    let body = app
        .gql(
            &other.key,
            create_contact,
            json!({ "input": { "firstName": "a", "lastName": "b", "companyId": company["id"] } }),
        )
        .await;
    assert_eq!(
        error_code(&body),
        Some("NOT_FOUND"),
        "another tenant's company"
    );

    let data = ok(&app, &org, "mutation($id: ID!) { updateContact(input: { id: $id, email: null, phone: \"+1 555\" }) { contact { name email phone company { id } } } }", json!({ "id": contact["id"] })).await;
    assert_eq!(
        data["updateContact"]["contact"],
        json!({ "name": "Peter Gibbons", "email": null, "phone": "+1 555", "company": { "id": company["id"] } })
    );

    // A deal keeps pointing at a deleted contact and company; lists leave them out.
    let data = ok(&app, &org, "mutation { createPipeline(input: { name: \"Sales\", stages: [{ name: \"New\", probability: 10 }] }) { pipeline { id } } }", json!({})).await;
    assert!(data["createPipeline"]["pipeline"]["id"].is_string());
    let data = ok(&app, &org, "mutation($c: ID!, $o: ID!) { createDeal(input: { title: \"TPS\", contactId: $c, companyId: $o }) { deal { id } } }", json!({ "c": contact["id"], "o": company["id"] })).await;
    let deal = data["createDeal"]["deal"]["id"].clone();
    ok(
        &app,
        &org,
        "mutation($id: ID!) { deleteContact(input: { id: $id }) { contact { deletedAt } } }",
        json!({ "id": contact["id"] }),
    )
    .await;
    ok(
        &app,
        &org,
        "mutation($id: ID!) { deleteCompany(input: { id: $id }) { company { deletedAt } } }",
        json!({ "id": company["id"] }),
    )
    .await;
    let data = ok(&app, &org, "query($id: ID!) { deal(id: $id) { contact { name deletedAt } company { name } } contacts { totalCount } companies { totalCount } }", json!({ "id": deal })).await;
    assert_eq!(data["deal"]["contact"]["name"], "Peter Gibbons");
    assert!(data["deal"]["contact"]["deletedAt"].is_string());
    assert_eq!(data["contacts"]["totalCount"], 0);
    assert_eq!(data["companies"]["totalCount"], 0);
    let body = app
        .gql(
            &org.key,
            "mutation($id: ID!) { deleteCompany(input: { id: $id }) { company { id } } }",
            json!({ "id": company["id"] }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "deleted already");
}

#[tokio::test]
async fn pipelines_and_stages_are_built_reordered_and_stages_deleted_safely() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let data = ok(&app, &org, r#"mutation { createPipeline(input: { name: "Sales", stages: [{ name: "Lead", probability: 10 }, { name: "Proposal", probability: 50 }] }) { pipeline { id name position stages { id name position probability } } } }"#, json!({})).await;
    let pipeline = data["createPipeline"]["pipeline"].clone();
    let stages: Vec<Value> = pipeline["stages"].as_array().cloned().unwrap_or_default();
    assert_eq!(stages.len(), 2);
    assert_eq!(stages[1]["probability"], 50);
    let data = ok(&app, &org, "mutation($p: ID!) { createStage(input: { pipelineId: $p, name: \"Won\", probability: 100 }) { stage { id position } } }", json!({ "p": pipeline["id"] })).await;
    let won = data["createStage"]["stage"].clone();
    assert_eq!(won["position"], 2);
    let data = ok(&app, &org, "mutation($id: ID!) { updateStage(input: { id: $id, name: \"Offer\", probability: 60 }) { stage { name probability } } }", json!({ "id": stages[1]["id"] })).await;
    assert_eq!(
        data["updateStage"]["stage"],
        json!({ "name": "Offer", "probability": 60 })
    );
    let body = app.gql(&org.key, "mutation($id: ID!) { updateStage(input: { id: $id, probability: 101 }) { stage { id } } }", json!({ "id": stages[1]["id"] })).await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.probability"
    );
    ok(&app, &org, "mutation($id: ID!) { renamePipeline(input: { id: $id, name: \"New business\" }) { pipeline { name } } }", json!({ "id": pipeline["id"] })).await;

    let reorder = "mutation($p: ID!, $s: [ID!]!) { reorderStages(input: { pipelineId: $p, stageIds: $s }) { stages { id position } } }";
    let order = json!([won["id"], stages[0]["id"], stages[1]["id"]]);
    let data = ok(
        &app,
        &org,
        reorder,
        json!({ "p": pipeline["id"], "s": order }),
    )
    .await;
    let ids: Vec<Value> = data["reorderStages"]["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["id"].clone())
        .collect();
    assert_eq!(json!(ids), order);
    let body = app
        .gql(
            &org.key,
            reorder,
            json!({ "p": pipeline["id"], "s": [won["id"]] }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.stageIds");

    // Deleting a stage with deals needs somewhere to put them.
    let data = ok(
        &app,
        &org,
        "mutation($s: ID!) { createDeal(input: { title: \"A\", stageId: $s }) { deal { id } } }",
        json!({ "s": stages[0]["id"] }),
    )
    .await;
    let deal = data["createDeal"]["deal"]["id"].clone();
    let delete = "mutation($id: ID!, $to: ID) { deleteStage(input: { id: $id, moveDealsToStageId: $to }) { stage { id deletedAt } } }";
    let body = app
        .gql(&org.key, delete, json!({ "id": stages[0]["id"] }))
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let data = ok(
        &app,
        &org,
        "query($p: ID!) { stages(pipelineId: $p) { id } }",
        json!({ "p": pipeline["id"] }),
    )
    .await;
    assert_eq!(
        data["stages"].as_array().map(Vec::len),
        Some(3),
        "nothing changed"
    );
    let data = ok(
        &app,
        &org,
        delete,
        json!({ "id": stages[0]["id"], "to": stages[1]["id"] }),
    )
    .await;
    assert!(data["deleteStage"]["stage"]["deletedAt"].is_string());
    let data = ok(&app, &org, "query($id: ID!, $p: ID!) { deal(id: $id) { stage { id } version stageHistory { nodes { fromStage { id deletedAt } toStage { id } note } } } stages(pipelineId: $p) { id } }", json!({ "id": deal, "p": pipeline["id"] })).await;
    assert_eq!(data["deal"]["stage"]["id"], stages[1]["id"]);
    assert_eq!(data["deal"]["version"], 2);
    let last = &data["deal"]["stageHistory"]["nodes"][1];
    assert_eq!(
        last["fromStage"]["id"], stages[0]["id"],
        "history still shows the deleted stage"
    );
    assert!(last["fromStage"]["deletedAt"].is_string());
    assert_eq!(data["stages"].as_array().map(Vec::len), Some(2));
    // The move is in the deal's event log like any other.
    let data = ok(
        &app,
        &org,
        "query($id: ID!) { deal(id: $id) { changelog(first: 1) { nodes { type changes { field oldValue newValue } } } } }",
        json!({ "id": deal }),
    )
    .await;
    let event = &data["deal"]["changelog"]["nodes"][0];
    assert_eq!(event["type"], "MOVED", "{event}");
    assert_eq!(
        event["changes"][0],
        json!({ "field": "stageId", "oldValue": stages[0]["id"], "newValue": stages[1]["id"] })
    );
    let body = app.gql(&org.key, "mutation($d: ID!, $s: ID!) { moveDealToStage(input: { dealId: $d, stageId: $s }) { deal { id } } }", json!({ "d": deal, "s": stages[0]["id"] })).await;
    assert_eq!(
        error_code(&body),
        Some("NOT_FOUND"),
        "a deleted stage takes no deals"
    );
    let data = ok(&app, &org, delete, json!({ "id": won["id"] })).await;
    assert!(
        data["deleteStage"]["stage"]["deletedAt"].is_string(),
        "an empty stage needs no target"
    );

    let other = app.create_org("Globex").await;
    let body = app.gql(&other.key, "mutation($id: ID!) { renamePipeline(input: { id: $id, name: \"x\" }) { pipeline { id } } }", json!({ "id": pipeline["id"] })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

#[tokio::test]
async fn users_are_created_changed_and_deactivated_with_their_keys() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let create = "mutation($name: String!, $email: String!) { createUser(input: { name: $name, email: $email }) { user { id email isActive } } }";
    let data = ok(
        &app,
        &org,
        create,
        json!({ "name": "Bea", "email": "Bea@Acme.example" }),
    )
    .await;
    let bea = data["createUser"]["user"].clone();
    assert_eq!(bea["email"], "bea@acme.example");
    let body = app
        .gql(
            &org.key,
            create,
            json!({ "name": "Bea 2", "email": "bea@acme.example" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    let body = app
        .gql(&org.key, create, json!({ "name": "X", "email": "nope" }))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.email");
    let data = ok(&app, &org, "mutation($id: ID!) { updateUser(input: { id: $id, name: \"Beatrice\" }) { user { name email } } }", json!({ "id": bea["id"] })).await;
    assert_eq!(
        data["updateUser"]["user"],
        json!({ "name": "Beatrice", "email": "bea@acme.example" })
    );

    let bea_id = sea_orm::prelude::Uuid::try_parse(
        bea["id"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches("user_"),
    )
    .expect("uuid");
    let beas_key = app
        .create_key(org.id, Some(bea_id), ApiKeyScope::ReadWrite)
        .await;
    assert!(
        app.gql(&beas_key, "{ viewer { user { name } } }", json!({}))
            .await["errors"]
            .is_null()
    );
    let data = ok(
        &app,
        &org,
        "mutation($id: ID!) { deactivateUser(input: { id: $id }) { user { isActive } } }",
        json!({ "id": bea["id"] }),
    )
    .await;
    assert_eq!(data["deactivateUser"]["user"]["isActive"], false);
    let (status, _) = app
        .post(Some(&beas_key), "{ viewer { user { name } } }", json!({}))
        .await;
    assert_eq!(status, 401, "the deactivated user's keys are revoked");
    let body = app
        .gql(
            &org.key,
            "mutation($id: ID!) { deactivateUser(input: { id: $id }) { user { id } } }",
            json!({ "id": gid("user", org.user_id) }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "not yourself");
    let data = ok(
        &app,
        &org,
        "{ users(filter: { isActive: true }) { totalCount } }",
        json!({}),
    )
    .await;
    assert_eq!(data["users"]["totalCount"], 1);
}
