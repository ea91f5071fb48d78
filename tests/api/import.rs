//! `dealgate import`, run as the binary against the test's database: deals from a JSON-lines
//! and a CSV file, with products and history, rejected rows listed with their reasons, and
//! the result read back through the API.

use crate::helpers::{TestApp, ok, pipeline, spawn_app};
use entity::enums::ApiKeyScope;
use serde_json::{Value, json};

/// Runs `dealgate import FILE` with `key`; its exit status and standard output. (The
/// command talks to the database itself, so waiting for it here blocks nothing it needs.)
async fn import(app: &TestApp, key: &str, file: &std::path::Path) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_dealgate"))
        .arg("import")
        .arg(file)
        .env("DATABASE_URL", &app.database_url)
        .env("DEALGATE_API_KEY", key)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run dealgate import");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

async fn deals(app: &TestApp, key: &str) -> Vec<Value> {
    let data = ok(
        app,
        key,
        "{ deals(first: 100, orderBy: [{ field: TITLE }]) { nodes { title status createdAt closedAt
            lostReason value { amount } stage { id } products { nodes { name } }
            sale { quote { totalPrice } } } } }",
        json!({}),
    )
    .await;
    data["deals"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn deals_are_imported_from_json_lines_and_bad_rows_are_listed() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let (_, stages) = pipeline(&app, &org.key, "Sales").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("deals.jsonl");
    let rows = [
        json!({ "title": "Alpha", "stageId": stages[2], "status": "WON",
                "createdAt": "2025-01-10T09:00:00Z", "closedAt": "2025-03-01T12:00:00Z",
                "products": [{ "name": "Licence", "quantity": "3", "unitPrice": "100.00" }] })
        .to_string(),
        json!({ "title": "Beta", "status": "LOST", "lostReason": "Budget",
                "createdAt": "2025-04-01T00:00:00Z", "closedAt": "2025-04-20T00:00:00Z" })
        .to_string(),
        String::new(),
        json!({ "title": "Gamma", "status": "LOST" }).to_string(),
        "{ not json".to_owned(),
        json!({ "title": "Delta", "value": "-5" }).to_string(),
    ];
    std::fs::write(&file, rows.join("\n")).expect("write the file");
    let (succeeded, output) = import(&app, &org.key, &file).await;
    assert!(succeeded, "{output}");
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines[0], "imported 2 deals, rejected 3 rows", "{output}");
    assert!(
        lines[1].starts_with("row 4: BAD_USER_INPUT: lostReason:"),
        "{output}"
    );
    assert!(lines[2].starts_with("row 5: not a JSON object"), "{output}");
    assert!(
        lines[3].starts_with("row 6: BAD_USER_INPUT: value:"),
        "{output}"
    );
    let imported = deals(&app, &org.key).await;
    assert_eq!(imported.len(), 2);
    let alpha = &imported[0];
    assert_eq!(alpha["title"], "Alpha");
    assert_eq!(alpha["status"], "WON");
    assert_eq!(alpha["createdAt"], "2025-01-10T09:00:00Z");
    assert_eq!(alpha["closedAt"], "2025-03-01T12:00:00Z");
    assert_eq!(alpha["value"]["amount"], "300.00");
    assert_eq!(alpha["stage"]["id"], stages[2].as_str());
    assert_eq!(alpha["sale"]["quote"]["totalPrice"], "300.00");
    assert_eq!(imported[1]["lostReason"], "Budget");

    // A read-only key imports nothing.
    let reader = app.create_key(org.id, None, ApiKeyScope::Read).await;
    let (succeeded, _) = import(&app, &reader, &file).await;
    assert!(!succeeded);
    assert_eq!(deals(&app, &org.key).await.len(), 2);
}

#[tokio::test]
async fn csv_rows_sharing_a_ref_are_one_deal_with_their_product_lines() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    pipeline(&app, &org.key, "Sales").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("deals.csv");
    std::fs::write(
        &file,
        "ref,title,currency,tags,product.name,product.quantity,product.unitPrice,product.taxPercentage\n\
         a1,Acme renewal,EUR,hot;vip,Licence,2,100.00,10\n\
         a1,,,,Support,1,49.99,0\n\
         b2,Beta,USD,,,,,\n\
         c3,,,,,,,\n",
    )
    .expect("write the file");
    let (succeeded, output) = import(&app, &org.key, &file).await;
    assert!(succeeded, "{output}");
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines[0], "imported 2 deals, rejected 1 rows", "{output}");
    assert!(lines[1].starts_with("row 5: "), "{output}");
    let imported = deals(&app, &org.key).await;
    let acme = &imported[0];
    assert_eq!(acme["title"], "Acme renewal");
    // 2 × 100.00 with 10 % tax = 220.00, plus 49.99.
    assert_eq!(acme["value"]["amount"], "269.99");
    assert_eq!(
        acme["products"]["nodes"],
        json!([{ "name": "Licence" }, { "name": "Support" }])
    );
    assert_eq!(imported[1]["title"], "Beta");
}
