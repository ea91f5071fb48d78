//! The HTTP layer as web and mobile clients meet it: CORS, compression, GraphQL-over-HTTP
//! media types and statuses, JSON errors for every malformed request, request ids, automatic
//! persisted queries, GET caching and Apollo Federation.

use crate::fixtures;
use crate::helpers::{TestApp, error_code, gid, spawn_app, spawn_app_with};
use axum::http::HeaderValue;
use serde_json::{Value, json};
use std::io::Read;

const PAGE_OF_50: &str = "{ deals(first: 50) { nodes { id title value { amount currency } status \
    stage { name probability } company { name } contact { firstName lastName email } owner { name } } } }";

/// POSTs `body` as JSON with extra `headers`; returns the response.
async fn post_with(
    app: &TestApp,
    key: Option<&str>,
    body: &Value,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("request")
}

fn header<'r>(response: &'r reqwest::Response, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

async fn json_of(response: reqwest::Response) -> Value {
    let bytes = response.bytes().await.expect("body");
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
}

fn sha256_hex(text: &str) -> String {
    dealgate::digest::hex_sha256(text)
}

#[tokio::test]
async fn preflights_and_cross_origin_posts_are_allowed_for_configured_origins_only() {
    let app = spawn_app_with(|mut config| {
        config.cors_origins = vec![HeaderValue::from_static("https://app.example.com")];
        config
    })
    .await;
    let org = app.create_org("Acme").await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,x-api-key,x-request-id,traceparent",
            )
            .send()
    };
    let allowed = preflight("https://app.example.com")
        .await
        .expect("preflight");
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        header(&allowed, "access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let allowed_headers = header(&allowed, "access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    for needed in [
        "content-type",
        "x-api-key",
        "authorization",
        "x-request-id",
        "traceparent",
    ] {
        assert!(
            allowed_headers.contains(needed),
            "{needed} in {allowed_headers}"
        );
    }
    assert_eq!(header(&allowed, "access-control-max-age"), Some("7200"));

    let other = preflight("https://evil.example.net")
        .await
        .expect("preflight");
    assert_eq!(header(&other, "access-control-allow-origin"), None);

    let response = post_with(
        &app,
        Some(&org.key),
        &json!({ "query": "{ viewer { organization { name } } }" }),
        &[("origin", "https://app.example.com")],
    )
    .await;
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let exposed = header(&response, "access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
    assert_eq!(
        json_of(response).await["data"]["viewer"]["organization"]["name"],
        "Acme"
    );
}

#[tokio::test]
async fn without_configured_origins_there_is_no_cors_and_options_is_a_json_405() {
    let app = spawn_app().await;
    let response = app
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .expect("preflight");
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(header(&response, "access-control-allow-origin"), None);
    assert_eq!(header(&response, "allow"), Some("GET, POST"));
    assert_eq!(error_code(&json_of(response).await), Some("BAD_REQUEST"));
}

#[tokio::test]
async fn large_responses_are_compressed_with_gzip_or_brotli_small_ones_are_not() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    fixtures::build(&app, &org, 80).await;
    let body = json!({ "query": PAGE_OF_50 });
    let plain = post_with(&app, Some(&org.key), &body, &[]).await;
    assert_eq!(header(&plain, "content-encoding"), None);
    let plain = plain.bytes().await.expect("body");
    let plain_json: Value = serde_json::from_slice(&plain).expect("json");
    assert_eq!(
        plain_json["data"]["deals"]["nodes"]
            .as_array()
            .map(Vec::len),
        Some(50)
    );

    let gzip = post_with(&app, Some(&org.key), &body, &[("accept-encoding", "gzip")]).await;
    assert_eq!(header(&gzip, "content-encoding"), Some("gzip"));
    let compressed = gzip.bytes().await.expect("body");
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut inflated)
        .expect("gunzip");
    assert_eq!(
        serde_json::from_slice::<Value>(&inflated).expect("json")["data"],
        plain_json["data"]
    );
    assert!(
        compressed.len() * 3 < plain.len(),
        "gzip {} of {} bytes",
        compressed.len(),
        plain.len()
    );

    let br = post_with(&app, Some(&org.key), &body, &[("accept-encoding", "br")]).await;
    assert_eq!(header(&br, "content-encoding"), Some("br"));
    let compressed = br.bytes().await.expect("body");
    let mut inflated = Vec::new();
    brotli::Decompressor::new(&compressed[..], 4096)
        .read_to_end(&mut inflated)
        .expect("unbrotli");
    assert_eq!(
        serde_json::from_slice::<Value>(&inflated).expect("json")["data"],
        plain_json["data"]
    );

    let small = post_with(
        &app,
        Some(&org.key),
        &json!({ "query": "{ viewer { scope } }" }),
        &[("accept-encoding", "gzip, br")],
    )
    .await;
    assert_eq!(header(&small, "content-encoding"), None);
}

#[tokio::test]
async fn the_accept_header_picks_the_media_type_and_the_status_of_request_errors() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let invalid = json!({ "query": "{ viewer { noSuchField } }" });
    let unparsable = json!({ "query": "{ viewer { " });
    let bad_variable = json!({
        "query": "query($n: Int) { deals(first: $n) { nodes { id } } }",
        "variables": { "n": "many" }
    });
    for request in [&invalid, &unparsable, &bad_variable] {
        // application/json: a well-formed request is 200, whatever its GraphQL errors.
        for accept in [None, Some("application/json"), Some("*/*")] {
            let headers: Vec<(&str, &str)> = accept.map(|a| ("accept", a)).into_iter().collect();
            let response = post_with(&app, Some(&org.key), request, &headers).await;
            assert_eq!(response.status().as_u16(), 200, "{accept:?} {request}");
            assert_eq!(header(&response, "content-type"), Some("application/json"));
            let body = json_of(response).await;
            assert!(body.get("data").is_none(), "no data entry: {body}");
            assert!(error_code(&body).is_some(), "{body}");
        }
        // application/graphql-response+json: a request error is 400, without data.
        let response = post_with(
            &app,
            Some(&org.key),
            request,
            &[(
                "accept",
                "application/graphql-response+json, application/json;q=0.9",
            )],
        )
        .await;
        assert_eq!(response.status().as_u16(), 400, "{request}");
        assert_eq!(
            header(&response, "content-type"),
            Some("application/graphql-response+json")
        );
        let body = json_of(response).await;
        assert!(body.get("data").is_none(), "{body}");
    }
    // A field error after execution started stays 200 with data, under either type.
    let response = post_with(
        &app,
        Some(&org.key),
        &json!({ "query": "{ viewer { scope } node(id: \"nonsense\") { id } }" }),
        &[("accept", "application/graphql-response+json")],
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let body = json_of(response).await;
    assert!(body["data"]["viewer"]["scope"].is_string(), "{body}");
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));

    let refused = post_with(
        &app,
        Some(&org.key),
        &json!({ "query": "{ viewer { scope } }" }),
        &[("accept", "text/html")],
    )
    .await;
    assert_eq!(refused.status().as_u16(), 406);
    assert_eq!(error_code(&json_of(refused).await), Some("BAD_REQUEST"));
}

#[tokio::test]
async fn malformed_requests_get_json_errors_with_codes() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let url = format!("{}/graphql", app.address);
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (
            app.client
                .post(&url)
                .header("x-api-key", &org.key)
                .body("{\"query\": \"{ viewer { scope } }\"}"),
            415,
            "BAD_REQUEST",
        ),
        (
            app.client
                .post(&url)
                .header("x-api-key", &org.key)
                .header("content-type", "application/json")
                .body("{\"query\": "),
            400,
            "BAD_REQUEST",
        ),
        (
            app.client.put(&url).header("x-api-key", &org.key),
            405,
            "BAD_REQUEST",
        ),
        (
            app.client.get(format!("{}/no/such/path", app.address)),
            404,
            "NOT_FOUND",
        ),
    ];
    for (request, status, code) in cases {
        let response = request.send().await.expect("request");
        assert_eq!(response.status().as_u16(), status);
        let content_type = header(&response, "content-type")
            .unwrap_or_default()
            .to_owned();
        let body = json_of(response).await;
        assert!(content_type.contains("json"), "{content_type}");
        assert_eq!(error_code(&body), Some(code), "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            !message.contains("Error(") && !message.contains("InvalidRequest"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id_which_errors_repeat() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let given = post_with(
        &app,
        Some(&org.key),
        &json!({ "query": "{ viewer { noSuchField } }" }),
        &[("x-request-id", "client-chosen-42")],
    )
    .await;
    assert_eq!(header(&given, "x-request-id"), Some("client-chosen-42"));
    let body = json_of(given).await;
    assert_eq!(
        body["errors"][0]["extensions"]["requestId"],
        "client-chosen-42"
    );

    let unauthenticated = post_with(
        &app,
        None,
        &json!({ "query": "{ viewer { scope } }" }),
        &[("x-request-id", "bad id with spaces")],
    )
    .await;
    assert_eq!(unauthenticated.status().as_u16(), 401);
    let generated = header(&unauthenticated, "x-request-id")
        .expect("an id")
        .to_owned();
    assert_eq!(generated.len(), 32, "{generated}");
    assert!(generated.bytes().all(|b| b.is_ascii_hexdigit()));
    let body = json_of(unauthenticated).await;
    assert_eq!(
        body["errors"][0]["extensions"]["requestId"],
        generated.as_str()
    );

    let fine = post_with(
        &app,
        Some(&org.key),
        &json!({ "query": "{ viewer { scope } }" }),
        &[],
    )
    .await;
    let other = header(&fine, "x-request-id").expect("an id").to_owned();
    assert_ne!(other, generated);
}

#[tokio::test]
async fn automatic_persisted_queries_follow_apollos_contract_over_post_and_get() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let query = "{ viewer { organization { name } } }";
    let hash = sha256_hex(query);
    let extension = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });

    // Unknown hash: PersistedQueryNotFound, HTTP 200, so Apollo's link retries with the text.
    let response = post_with(
        &app,
        Some(&org.key),
        &json!({ "extensions": extension }),
        &[],
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let body = json_of(response).await;
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_FOUND"));

    // An anonymous caller learns nothing and stores nothing.
    let anonymous = post_with(
        &app,
        None,
        &json!({ "query": query, "extensions": extension }),
        &[],
    )
    .await;
    assert_eq!(anonymous.status().as_u16(), 401);

    // Text and hash: runs, and is remembered.
    let body = json_of(
        post_with(
            &app,
            Some(&org.key),
            &json!({ "query": query, "extensions": extension }),
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(body["data"]["viewer"]["organization"]["name"], "Acme");

    // Hash only, over POST and over GET.
    let body = json_of(
        post_with(
            &app,
            Some(&org.key),
            &json!({ "extensions": extension }),
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(
        body["data"]["viewer"]["organization"]["name"], "Acme",
        "{body}"
    );
    let get = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("extensions", extension.to_string())])
        .header("x-api-key", &org.key)
        .send()
        .await
        .expect("GET");
    assert_eq!(get.status().as_u16(), 200);
    let body = json_of(get).await;
    assert_eq!(
        body["data"]["viewer"]["organization"]["name"], "Acme",
        "{body}"
    );

    // Another organisation's key runs the same stored text as itself.
    let other = app.create_org("Other").await;
    let body = json_of(
        post_with(
            &app,
            Some(&other.key),
            &json!({ "extensions": extension }),
            &[],
        )
        .await,
    )
    .await;
    assert_eq!(body["data"]["viewer"]["organization"]["name"], "Other");

    // A hash that is not the text's, a version other than 1, a malformed extension.
    for (extensions, expected) in [
        (
            json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256_hex("{ other }") } }),
            "does not match",
        ),
        (
            json!({ "persistedQuery": { "version": 2, "sha256Hash": hash } }),
            "version 1",
        ),
        (json!({ "persistedQuery": "yes" }), "sha256Hash"),
    ] {
        let response = post_with(
            &app,
            Some(&org.key),
            &json!({ "query": query, "extensions": extensions }),
            &[],
        )
        .await;
        assert_eq!(response.status().as_u16(), 400);
        let body = json_of(response).await;
        assert_eq!(error_code(&body), Some("BAD_REQUEST"));
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{message}");
    }
}

#[tokio::test]
async fn get_answers_are_revalidated_with_an_etag_post_answers_are_not_stored() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let world = fixtures::build(&app, &org, 1).await;
    let deal = gid("deal", world.deals[0].id);
    let url = format!("{}/graphql", app.address);
    let query = format!("{{ node(id: \"{deal}\") {{ ... on Deal {{ title }} }} }}");
    let get = || {
        app.client
            .get(&url)
            .query(&[("query", query.as_str())])
            .header("x-api-key", &org.key)
    };
    let first = get().send().await.expect("GET");
    assert_eq!(first.status().as_u16(), 200);
    assert_eq!(header(&first, "cache-control"), Some("private, no-cache"));
    let etag = header(&first, "etag").expect("an etag").to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    let again = get()
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("GET");
    assert_eq!(again.status().as_u16(), 304);
    assert!(again.bytes().await.expect("body").is_empty());

    let renamed = app
        .gql(
            &org.key,
            "mutation($id: ID!) { updateDeal(input: { id: $id, title: \"Renamed\" }) { deal { title } } }",
            json!({ "id": deal }),
        )
        .await;
    assert_eq!(
        renamed["data"]["updateDeal"]["deal"]["title"], "Renamed",
        "{renamed}"
    );
    let changed = get()
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("GET");
    assert_eq!(changed.status().as_u16(), 200);
    assert_eq!(json_of(changed).await["data"]["node"]["title"], "Renamed");

    let post = post_with(
        &app,
        Some(&org.key),
        &json!({ "query": "{ viewer { scope } }" }),
        &[],
    )
    .await;
    assert_eq!(header(&post, "cache-control"), Some("no-store"));
    assert_eq!(header(&post, "etag"), None);
}

#[tokio::test]
async fn federation_resolves_entities_within_the_callers_organisation() {
    let app = spawn_app().await;
    let acme = app.create_org("Acme").await;
    let other = app.create_org("Other").await;
    let acme_world = fixtures::build(&app, &acme, 3).await;
    let other_world = fixtures::build(&app, &other, 3).await;
    let ours = &acme_world.deals[0];
    let theirs = &other_world.deals[0];

    let body = app.gql(&acme.key, "{ _service { sdl } }", json!({})).await;
    let sdl = body["data"]["_service"]["sdl"].as_str().expect("sdl");
    assert!(sdl.contains("specs.apollo.dev/federation/v2"), "{sdl}");
    for entity in [
        "Deal", "Company", "Contact", "User", "Pipeline", "Stage", "Sale",
    ] {
        assert!(
            sdl.contains(&format!(
                "type {entity} implements Node @key(fields: \"id\")"
            )) || sdl.contains(&format!("type {entity} @key(fields: \"id\")")),
            "{entity} has no @key"
        );
    }

    let query = "query($r: [_Any!]!) { _entities(representations: $r) { \
        ... on Deal { id title } ... on Stage { id name } ... on User { id name } } }";
    let representations = json!([
        { "__typename": "Deal", "id": gid("deal", ours.id) },
        { "__typename": "Deal", "id": gid("deal", theirs.id) },
        { "__typename": "Stage", "id": gid("stage", acme_world.stages[0].id) },
        { "__typename": "User", "id": gid("user", acme.user_id) },
    ]);
    let body = app
        .gql(&acme.key, query, json!({ "r": representations }))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let entities = &body["data"]["_entities"];
    assert_eq!(entities[0]["title"], ours.title.as_str());
    assert!(
        entities[1].is_null(),
        "another organisation's deal: {}",
        entities[1]
    );
    assert_eq!(entities[2]["name"], acme_world.stages[0].name.as_str());
    assert_eq!(entities[3]["id"], gid("user", acme.user_id));

    let body = app
        .gql(
            &acme.key,
            query,
            json!({ "r": [{ "__typename": "Deal", "id": gid("stage", acme_world.stages[0].id) }] }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
}

#[tokio::test]
async fn the_database_connection_can_require_tls() {
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        // SQLite has no connection to encrypt; the PostgreSQL run of the suite covers this.
        return;
    };
    if url.is_empty() {
        return;
    }
    use sea_orm::{ConnectionTrait, Statement};
    let separator = if url.contains('?') { '&' } else { '?' };
    let required = format!("{url}{separator}sslmode=require");
    let db = dealgate::db::connect_url(&required, 1, None)
        .await
        .expect("sslmode=require connects to the local PostgreSQL (ssl = on)");
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        ))
        .await
        .expect("query")
        .expect("a row");
    assert!(
        row.try_get::<bool>("", "ssl").expect("ssl"),
        "the connection is encrypted"
    );
    // The local server's certificate is self-signed: verifying it must fail, not pass quietly.
    let verified = format!("{url}{separator}sslmode=verify-full");
    assert!(dealgate::db::connect_url(&verified, 1, None).await.is_err());
}
