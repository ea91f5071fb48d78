//! Deleting, restoring, archiving (one deal or many), followers, activities and tasks.

use crate::fixtures;
use crate::helpers::{TestApp, TestOrg, error_code, gid, spawn_app};
use serde_json::{Value, json};

async fn new_deal(app: &TestApp, org: &TestOrg, title: &str) -> String {
    let body = app
        .gql(
            &org.key,
            "mutation($t: String!) { createDeal(input: { title: $t }) { deal { id } } }",
            json!({ "t": title }),
        )
        .await;
    body["data"]["createDeal"]["deal"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

async fn mark(app: &TestApp, org: &TestOrg, mutation: &str, id: &str) -> Value {
    let query = format!(
        "mutation($id: ID!) {{ {mutation}(input: {{ dealId: $id }}) {{ deal {{ id deletedAt archivedAt }} }} }}"
    );
    app.gql(&org.key, &query, json!({ "id": id })).await
}

async fn listed(app: &TestApp, org: &TestOrg, filter: Value) -> Vec<String> {
    let body = app
        .gql(
            &org.key,
            "query($f: DealFilter) { deals(filter: $f) { nodes { id } } }",
            json!({ "f": filter }),
        )
        .await;
    body["data"]["deals"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| n["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn deleted_and_archived_deals_leave_lists_and_come_back() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    fixtures::build(&app, &org, 0).await;
    let a = new_deal(&app, &org, "A").await;
    let b = new_deal(&app, &org, "B").await;

    let body = mark(&app, &org, "deleteDeal", &a).await;
    assert!(
        body["data"]["deleteDeal"]["deal"]["deletedAt"].is_string(),
        "{body}"
    );
    assert_eq!(listed(&app, &org, json!({})).await, vec![b.clone()]);
    assert_eq!(
        listed(&app, &org, json!({ "includeDeleted": true }))
            .await
            .len(),
        2
    );
    assert_eq!(
        error_code(&mark(&app, &org, "deleteDeal", &a).await),
        Some("CONFLICT")
    );
    let body = app
        .gql(
            &org.key,
            "mutation($id: ID!) { updateDeal(input: { id: $id, title: \"x\" }) { deal { id } } }",
            json!({ "id": a }),
        )
        .await;
    assert_eq!(
        error_code(&body),
        Some("CONFLICT"),
        "a deleted deal refuses changes"
    );
    assert!(
        mark(&app, &org, "restoreDeal", &a).await["data"]["restoreDeal"]["deal"]["deletedAt"]
            .is_null()
    );
    assert_eq!(
        error_code(&mark(&app, &org, "restoreDeal", &a).await),
        Some("CONFLICT")
    );

    assert!(
        mark(&app, &org, "archiveDeal", &b).await["data"]["archiveDeal"]["deal"]["archivedAt"]
            .is_string()
    );
    assert_eq!(listed(&app, &org, json!({})).await, vec![a.clone()]);
    assert_eq!(
        listed(&app, &org, json!({ "archivedOnly": true })).await,
        vec![b.clone()]
    );
    assert_eq!(
        error_code(&mark(&app, &org, "archiveDeal", &b).await),
        Some("CONFLICT")
    );
    assert!(
        mark(&app, &org, "unarchiveDeal", &b).await["data"]["unarchiveDeal"]["deal"]["archivedAt"]
            .is_null()
    );
    assert_eq!(listed(&app, &org, json!({})).await.len(), 2);

    let other = app.create_org("Globex").await;
    assert_eq!(
        error_code(&mark(&app, &other, "deleteDeal", &a).await),
        Some("NOT_FOUND"),
        "another tenant's deal"
    );
}

#[tokio::test]
async fn bulk_delete_is_all_or_nothing() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    fixtures::build(&app, &org, 0).await;
    let other = app.create_org("Globex").await;
    fixtures::build(&app, &other, 0).await;
    let ours = [
        new_deal(&app, &org, "A").await,
        new_deal(&app, &org, "B").await,
        new_deal(&app, &org, "C").await,
    ];
    let theirs = new_deal(&app, &other, "X").await;
    let bulk = "mutation($ids: [ID!]!) { deleteDeals(input: { ids: $ids }) { deletedIds } }";

    let body = app
        .gql(
            &org.key,
            bulk,
            json!({ "ids": [&ours[0], &ours[1], &theirs] }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    assert_eq!(
        listed(&app, &org, json!({})).await.len(),
        3,
        "nothing was deleted"
    );
    assert_eq!(listed(&app, &other, json!({})).await, vec![theirs.clone()]);

    let body = app
        .gql(&org.key, bulk, json!({ "ids": [&ours[0], &ours[1]] }))
        .await;
    let mut deleted: Vec<String> = body["data"]["deleteDeals"]["deletedIds"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect();
    deleted.sort();
    let mut expected = vec![ours[0].clone(), ours[1].clone()];
    expected.sort();
    assert_eq!(deleted, expected);
    // The change feed: three CREATED (nothing from the refused call), then one DELETED per
    // deal, numbered on without a gap.
    let feed = app
        .gql(
            &org.key,
            "{ dealChanges(first: 50) { events { sequence type dealId } } }",
            json!({}),
        )
        .await;
    let events = feed["data"]["dealChanges"]["events"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{feed}"));
    let sequences: Vec<i64> = events
        .iter()
        .filter_map(|e| e["sequence"].as_str()?.parse().ok())
        .collect();
    let first = sequences.first().copied().unwrap_or_default();
    assert_eq!(sequences, (first..first + 5).collect::<Vec<_>>(), "{feed}");
    let types: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(
        types,
        ["CREATED", "CREATED", "CREATED", "DELETED", "DELETED"]
    );
    let mut deleted_events: Vec<String> = events[3..]
        .iter()
        .filter_map(|e| Some(e["dealId"].as_str()?.to_owned()))
        .collect();
    deleted_events.sort();
    assert_eq!(deleted_events, expected);
    assert_eq!(listed(&app, &org, json!({})).await, vec![ours[2].clone()]);

    let body = app
        .gql(&org.key, bulk, json!({ "ids": [&ours[1], &ours[2]] }))
        .await;
    assert_eq!(
        error_code(&body),
        Some("NOT_FOUND"),
        "one is deleted already"
    );
    assert_eq!(listed(&app, &org, json!({})).await, vec![ours[2].clone()]);
    let many: Vec<String> = (0..101).map(|_| ours[2].clone()).collect();
    assert_eq!(
        error_code(&app.gql(&org.key, bulk, json!({ "ids": many })).await),
        Some("BAD_USER_INPUT")
    );
}

#[tokio::test]
async fn followers_activities_and_tasks() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 0).await;
    let other = app.create_org("Globex").await;
    let deal = new_deal(&app, &org, "A").await;

    let follow = "mutation($d: ID!, $u: ID) { followDeal(input: { dealId: $d, userId: $u }) { deal { followers { id } } } }";
    let unfollow = "mutation($d: ID!, $u: ID) { unfollowDeal(input: { dealId: $d, userId: $u }) { deal { followers { id } } } }";
    app.gql(&org.key, follow, json!({ "d": deal })).await;
    let body = app
        .gql(
            &org.key,
            follow,
            json!({ "d": deal, "u": gid("user", w.owners[1]) }),
        )
        .await;
    let body2 = app.gql(&org.key, follow, json!({ "d": deal })).await;
    assert_eq!(
        body["data"]["followDeal"]["deal"]["followers"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{body}"
    );
    assert_eq!(
        body2["data"]["followDeal"]["deal"]["followers"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "idempotent"
    );
    let body = app.gql(&org.key, unfollow, json!({ "d": deal })).await;
    assert_eq!(
        body["data"]["unfollowDeal"]["deal"]["followers"],
        json!([{ "id": gid("user", w.owners[1]) }])
    );
    let body = app
        .gql(
            &org.key,
            follow,
            json!({ "d": deal, "u": gid("user", other.user_id) }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));

    let log = "mutation($input: LogActivityInput!) { logActivity(input: $input) { activity { type subject status occurredAt } deal { lastActivityAt version } } }";
    let body = app.gql(&org.key, log, json!({ "input": { "dealId": deal, "type": "CALL", "subject": "Intro", "occurredAt": "2030-01-02T03:04:05Z" } })).await;
    assert_eq!(
        body["data"]["logActivity"]["activity"]["status"], "COMPLETED",
        "{body}"
    );
    assert_eq!(
        body["data"]["logActivity"]["deal"]["lastActivityAt"],
        "2030-01-02T03:04:05Z"
    );
    let body = app.gql(&org.key, log, json!({ "input": { "dealId": deal, "type": "NOTE", "subject": "Older", "occurredAt": "2020-01-01T00:00:00Z" } })).await;
    assert_eq!(
        body["data"]["logActivity"]["deal"]["lastActivityAt"], "2030-01-02T03:04:05Z",
        "never moves back"
    );
    for input in [
        json!({ "dealId": deal, "type": "STATUS_CHANGE", "subject": "x" }),
        json!({ "dealId": deal, "type": "CALL", "subject": " " }),
    ] {
        assert_eq!(
            error_code(&app.gql(&org.key, log, json!({ "input": input })).await),
            Some("BAD_USER_INPUT")
        );
    }

    let create = "mutation($input: CreateTaskInput!) { createTask(input: $input) { task { id title priority status dueAt completedAt assignee { id } } } }";
    let body = app.gql(&org.key, create, json!({ "input": { "dealId": deal, "title": "Send proposal", "dueAt": "2030-01-05T00:00:00Z", "assigneeId": gid("user", org.user_id) } })).await;
    let task = body["data"]["createTask"]["task"].clone();
    assert_eq!(task["priority"], "MEDIUM", "{body}");
    assert_eq!(task["status"], "OPEN");
    let update = "mutation($input: UpdateTaskInput!) { updateTask(input: $input) { task { title priority dueAt assignee { id } status } } }";
    let body = app.gql(&org.key, update, json!({ "input": { "id": task["id"], "priority": "HIGH", "dueAt": null, "assigneeId": null } })).await;
    assert_eq!(
        body["data"]["updateTask"]["task"],
        json!({ "title": "Send proposal", "priority": "HIGH", "dueAt": null, "assignee": null, "status": "OPEN" })
    );
    let body = app.gql(&org.key, "mutation($id: ID!) { completeTask(input: { id: $id }) { task { status completedAt } } }", json!({ "id": task["id"] })).await;
    assert_eq!(body["data"]["completeTask"]["task"]["status"], "COMPLETED");
    assert!(body["data"]["completeTask"]["task"]["completedAt"].is_string());
    let body = app
        .gql(
            &other.key,
            "mutation($id: ID!) { completeTask(input: { id: $id }) { task { status } } }",
            json!({ "id": task["id"] }),
        )
        .await;
    assert_eq!(
        error_code(&body),
        Some("NOT_FOUND"),
        "another tenant's task"
    );
    let body = app.gql(&org.key, create, json!({ "input": { "dealId": deal, "title": "x", "assigneeId": gid("user", other.user_id) } })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(
            &org.key,
            "query($id: ID!) { deal(id: $id) { tasks { totalCount } activities { totalCount } } }",
            json!({ "id": deal }),
        )
        .await;
    assert_eq!(
        body["data"]["deal"],
        json!({ "tasks": { "totalCount": 1 }, "activities": { "totalCount": 2 } })
    );
}
