//! Families: cross-tenant ids, and the small holes found by hand (unfollowDeal with another
//! organisation's user, concurrent users with one email).

use super::{assert_alive, refused, row_counts};
use crate::fixtures;
use crate::helpers::{error_code, gid, spawn_app};
use serde_json::json;

#[tokio::test]
async fn another_organisations_ids_answer_like_missing_ones() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let other = app.create_org("Other").await;
    let mine = fixtures::build(&app, &org, 2).await;
    let theirs = fixtures::build(&app, &other, 2).await;
    let deal = gid("deal", mine.deals[0].id);
    let foreign_user = gid("user", other.user_id);
    let before = row_counts(&app).await;
    for mutation in ["followDeal", "unfollowDeal"] {
        let query = format!(
            "mutation($i: FollowDealInput!) {{ {mutation}(input: $i) {{ deal {{ id }} }} }}"
        );
        let body = refused(
            &app,
            &org,
            &query,
            json!({ "i": { "dealId": deal, "userId": foreign_user } }),
            "NOT_FOUND",
        )
        .await;
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("user")),
            "{body}"
        );
        let missing = gid("user", sea_orm::prelude::Uuid::now_v7());
        let body = app
            .gql(
                &org.key,
                &query,
                json!({ "i": { "dealId": deal, "userId": missing } }),
            )
            .await;
        assert_eq!(
            error_code(&body),
            Some("NOT_FOUND"),
            "a missing user answers the same: {body}"
        );
    }
    let foreign_deal = gid("deal", theirs.deals[0].id);
    let read = app
        .gql(
            &org.key,
            "query($id: ID!) { deal(id: $id) { id } node(id: $id) { id } }",
            json!({ "id": foreign_deal }),
        )
        .await;
    assert_eq!(
        read["data"],
        json!({ "deal": null, "node": null }),
        "{read}"
    );
    let update = "mutation($i: UpdateDealInput!) { updateDeal(input: $i) { deal { id } } }";
    refused(
        &app,
        &org,
        update,
        json!({ "i": { "id": foreign_deal, "title": "mine now" } }),
        "NOT_FOUND",
    )
    .await;
    assert_eq!(row_counts(&app).await, before, "nothing was written");
    assert_alive(&app, &other).await;
}

#[tokio::test]
async fn concurrent_users_with_one_email_are_one_user_and_conflicts() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let create = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }";
    let calls = (0..10).map(|i| {
        let (app, key) = (&app, org.key.clone());
        async move {
            let input =
                json!({ "i": { "name": format!("Twin {i}"), "email": "Twin@Acme.example" } });
            app.gql(&key, create, input).await
        }
    });
    let bodies = futures_util::future::join_all(calls).await;
    let created = bodies.iter().filter(|b| b["errors"].is_null()).count();
    let conflicts = bodies
        .iter()
        .filter(|b| error_code(b) == Some("CONFLICT"))
        .count();
    assert_eq!((created, conflicts), (1, 9), "{bodies:?}");
    let users = app
        .gql(
            &org.key,
            "{ users(filter: { search: \"twin@acme\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(users["data"]["users"]["totalCount"], 1, "{users}");
}
