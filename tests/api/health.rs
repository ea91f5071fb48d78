//! Liveness and readiness probes.

use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_and_readyz_answer() {
    let app = spawn_app().await;
    for (path, body) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert_eq!(response.text().await.expect("body"), body);
    }
}

#[tokio::test]
async fn readyz_fails_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.db.clone().close().await.expect("close pool");
    let response = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 503);
}

#[tokio::test]
async fn graphiql_is_served_to_browsers() {
    let app = spawn_app().await;
    for path in ["/graphiql", "/graphql"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .header("accept", "text/html")
            .send()
            .await
            .expect("request");
        assert_eq!(response.status().as_u16(), 200);
        assert!(
            response.text().await.expect("body").contains("graphiql"),
            "{path}"
        );
    }
}
