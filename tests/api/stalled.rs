//! Rex's `stalled` deals (per pipeline), Pipedrive's deleted-only listing, filters on the
//! source, and who created a deal.

use crate::helpers::{TestApp, TestOrg, error_code, gid, ok, pipeline, spawn_app};
use chrono::{DateTime, TimeDelta, Utc};
use entity::deal;
use sea_orm::prelude::Uuid;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};
use std::collections::BTreeSet;

async fn create(app: &TestApp, org: &TestOrg, input: Value) -> String {
    let data = ok(
        app,
        &org.key,
        "mutation($i: CreateDealInput!) { createDeal(input: $i) { deal { id } } }",
        json!({ "i": input }),
    )
    .await;
    data["createDeal"]["deal"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn uuid_of(id: &str) -> Uuid {
    id.rsplit_once('_')
        .and_then(|(_, hex)| Uuid::try_parse(hex).ok())
        .unwrap_or_default()
}

/// Sets a deal's creation and last activity directly, as time would have.
async fn age(app: &TestApp, id: &str, created: DateTime<Utc>, activity: Option<DateTime<Utc>>) {
    deal::ActiveModel {
        id: Set(uuid_of(id)),
        created_at: Set(created),
        last_activity_at: Set(activity),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .expect("age the deal");
}

async fn listed(app: &TestApp, org: &TestOrg, filter: Value) -> BTreeSet<String> {
    let data = ok(
        app,
        &org.key,
        "query($f: DealFilter) { deals(first: 500, filter: $f) { totalCount nodes { id } } }",
        json!({ "f": filter }),
    )
    .await;
    let ids: BTreeSet<String> = data["deals"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| d["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(data["deals"]["totalCount"], ids.len());
    ids
}

#[tokio::test]
async fn deals_stall_after_their_pipelines_days_without_activity() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let (stalling, stages) = pipeline(&app, &org.key, "Sales").await;
    let (_, calm_stages) = pipeline(&app, &org.key, "Renewals").await;
    let data = ok(
        &app,
        &org.key,
        "mutation($p: ID!) { updatePipeline(input: { id: $p, stalledAfterDays: 10 }) { pipeline { stalledAfterDays } } }",
        json!({ "p": stalling }),
    )
    .await;
    assert_eq!(data["updatePipeline"]["pipeline"]["stalledAfterDays"], 10);
    let now = Utc::now();
    let days = |n: i64| now - TimeDelta::days(n);
    // (title, stage, created, last activity, won?): stalled means open, in "Sales", and the
    // last activity (else the creation) more than 10 days ago.
    let cases = [
        (
            "quiet for 20 days",
            &stages[0],
            days(40),
            Some(days(20)),
            false,
            true,
        ),
        (
            "active 5 days ago",
            &stages[0],
            days(40),
            Some(days(5)),
            false,
            false,
        ),
        (
            "never active, created 30 days ago",
            &stages[1],
            days(30),
            None,
            false,
            true,
        ),
        (
            "never active, created 3 days ago",
            &stages[1],
            days(3),
            None,
            false,
            false,
        ),
        (
            "won, quiet for 20 days",
            &stages[2],
            days(40),
            Some(days(20)),
            true,
            false,
        ),
        (
            "in a pipeline that never stalls",
            &calm_stages[0],
            days(90),
            None,
            false,
            false,
        ),
    ];
    let mut stalled = BTreeSet::new();
    let mut fresh = BTreeSet::new();
    for (title, stage, created, activity, won, is_stalled) in cases {
        let id = create(&app, &org, json!({ "title": title, "stageId": stage })).await;
        if won {
            ok(
                &app,
                &org.key,
                "mutation($d: ID!) { closeDeal(input: { dealId: $d, result: WON }) { deal { id } } }",
                json!({ "d": id }),
            )
            .await;
        }
        age(&app, &id, created, activity).await;
        let data = ok(
            &app,
            &org.key,
            "query($d: ID!) { deal(id: $d) { isStalled } }",
            json!({ "d": id }),
        )
        .await;
        assert_eq!(data["deal"]["isStalled"], is_stalled, "{title}");
        if is_stalled {
            stalled.insert(id);
        } else {
            fresh.insert(id);
        }
    }
    assert_eq!(
        listed(&app, &org, json!({ "isStalled": true })).await,
        stalled
    );
    assert_eq!(
        listed(&app, &org, json!({ "isStalled": false })).await,
        fresh
    );
    assert_eq!(
        listed(&app, &org, json!({ "not": { "isStalled": true } })).await,
        fresh
    );
    // Clearing the setting: nothing stalls.
    ok(
        &app,
        &org.key,
        "mutation($p: ID!) { updatePipeline(input: { id: $p, stalledAfterDays: null }) { pipeline { id } } }",
        json!({ "p": stalling }),
    )
    .await;
    assert!(
        listed(&app, &org, json!({ "isStalled": true }))
            .await
            .is_empty()
    );
    for days in [0, -1, 3651] {
        let body = app
            .gql(
                &org.key,
                "mutation($p: ID!, $n: Int) { updatePipeline(input: { id: $p, stalledAfterDays: $n }) { pipeline { id } } }",
                json!({ "p": stalling, "n": days }),
            )
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"],
            "input.stalledAfterDays"
        );
    }
}

#[tokio::test]
async fn deleted_only_sources_and_creators_filter_deals() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    pipeline(&app, &org.key, "Sales").await;
    let web = create(&app, &org, json!({ "title": "Web", "source": "Website" })).await;
    let fair = create(&app, &org, json!({ "title": "Fair", "source": "Fair" })).await;
    let unknown = create(&app, &org, json!({ "title": "Unknown" })).await;
    let archived = create(&app, &org, json!({ "title": "Archived", "source": "Fair" })).await;
    let gone = create(&app, &org, json!({ "title": "Gone", "source": "Website" })).await;
    let gone_archived = create(&app, &org, json!({ "title": "Gone archived" })).await;
    for (mutation, id) in [
        ("archiveDeal", &archived),
        ("deleteDeal", &gone),
        ("archiveDeal", &gone_archived),
        ("deleteDeal", &gone_archived),
    ] {
        ok(
            &app,
            &org.key,
            &format!(
                "mutation($d: ID!) {{ {mutation}(input: {{ dealId: $d }}) {{ deal {{ id }} }} }}"
            ),
            json!({ "d": id }),
        )
        .await;
    }
    let set = |ids: &[&String]| ids.iter().map(|id| (*id).clone()).collect::<BTreeSet<_>>();
    assert_eq!(
        listed(&app, &org, json!({ "deletedOnly": true })).await,
        set(&[&gone, &gone_archived])
    );
    assert_eq!(
        listed(
            &app,
            &org,
            json!({ "deletedOnly": true, "sources": ["Website"] })
        )
        .await,
        set(&[&gone])
    );
    assert_eq!(
        listed(&app, &org, json!({ "sources": ["Website", "Fair"] })).await,
        set(&[&web, &fair])
    );
    assert_eq!(
        listed(&app, &org, json!({ "sourceIsNull": true })).await,
        set(&[&unknown])
    );
    assert_eq!(
        listed(
            &app,
            &org,
            json!({ "sourceIsNull": false, "includeArchived": true })
        )
        .await,
        set(&[&web, &fair, &archived])
    );
    let body = app
        .gql(
            &org.key,
            "{ deals(filter: { or: [{ deletedOnly: true }] }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");

    // The key's user created every deal; a key of another user creates as that user.
    let me = gid("user", org.user_id);
    assert_eq!(
        listed(&app, &org, json!({ "createdById": me })).await,
        set(&[&web, &fair, &unknown])
    );
    let data = ok(
        &app,
        &org.key,
        "mutation { createUser(input: { name: \"Bea\", email: \"bea@example.com\" }) { user { id } } }",
        json!({}),
    )
    .await;
    let bea = data["createUser"]["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let bea_key = app
        .create_key(
            org.id,
            Some(uuid_of(&bea)),
            entity::enums::ApiKeyScope::ReadWrite,
        )
        .await;
    let bea_org = TestOrg {
        id: org.id,
        user_id: uuid_of(&bea),
        key: bea_key,
    };
    let hers = create(&app, &bea_org, json!({ "title": "Bea's" })).await;
    let data = ok(
        &app,
        &org.key,
        "query($d: ID!) { deal(id: $d) { createdBy { id name } } }",
        json!({ "d": hers }),
    )
    .await;
    assert_eq!(
        data["deal"]["createdBy"],
        json!({ "id": bea, "name": "Bea" })
    );
    assert_eq!(
        listed(&app, &org, json!({ "createdById": bea })).await,
        set(&[&hers])
    );
    // Deals written without an API key's user (the demo, imports before this field) have none.
    let row = deal::Entity::find_by_id(uuid_of(&web))
        .one(&app.db)
        .await
        .expect("read")
        .expect("the deal");
    assert_eq!(row.created_by_id, Some(org.user_id));
}
