//! Duplicating a deal and merging one deal into another, compared field by field with
//! snapshots of the deals before and after (Pipedrive's duplicate and merge).

use crate::helpers::{TestApp, TestOrg, error_code, gid, move_deal, ok, pipeline, spawn_app};
use serde_json::{Value, json};

/// Everything a deal shows of itself and of what hangs from it.
const SNAPSHOT: &str = "query($d: ID!) { deal(id: $d) {
    id title value { amount currency } status stage { id } pipeline { id } contact { id }
    company { id } owner { id } expectedCloseDate priority source tags customFields lostReason
    closedAt deletedAt version
    products { nodes { id name sku position quantity unitPrice { amount currency } discountType
               discount taxPercentage taxMethod } }
    followers { id }
    participants { nodes { contact { id } } }
    activities(first: 500) { nodes { id subject } }
    tasks { nodes { id title } }
    stageHistory { nodes { id fromStage { id } toStage { id } } } } }";

async fn snapshot(app: &TestApp, org: &TestOrg, deal: &str) -> Value {
    let data = ok(app, &org.key, SNAPSHOT, json!({ "d": deal })).await;
    data["deal"].clone()
}

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

/// The id of what `mutation` (of field `field`, input `$i`) created.
async fn created_id(
    app: &TestApp,
    org: &TestOrg,
    field: &str,
    mutation: &str,
    input: Value,
) -> String {
    let data = ok(app, &org.key, mutation, json!({ "i": input })).await;
    data[field]
        .as_object()
        .and_then(|payload| payload.values().next())
        .and_then(|object| object["id"].as_str())
        .unwrap_or_default()
        .to_owned()
}

async fn contact(app: &TestApp, org: &TestOrg, name: &str) -> String {
    let data = ok(
        app,
        &org.key,
        "mutation($n: String!) { createContact(input: { firstName: $n, lastName: \"X\" }) { contact { id } } }",
        json!({ "n": name }),
    )
    .await;
    data["createContact"]["contact"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn user(app: &TestApp, org: &TestOrg, email: &str) -> String {
    let data = ok(
        app,
        &org.key,
        "mutation($e: String!) { createUser(input: { name: $e, email: $e }) { user { id } } }",
        json!({ "e": email }),
    )
    .await;
    data["createUser"]["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn line(app: &TestApp, org: &TestOrg, deal: &str, name: &str, price: &str) {
    ok(
        app,
        &org.key,
        "mutation($d: ID!, $n: String!, $p: Decimal!) { addDealProduct(input: { dealId: $d,
            name: $n, quantity: \"2\", unitPrice: $p, discount: \"10\", taxPercentage: \"7\" }) { deal { id } } }",
        json!({ "d": deal, "n": name, "p": price }),
    )
    .await;
}

async fn around(app: &TestApp, org: &TestOrg, deal: &str, follower: &str, note: &str) {
    ok(
        app,
        &org.key,
        "mutation($d: ID!, $u: ID!, $s: String!) {
            followDeal(input: { dealId: $d, userId: $u }) { deal { id } }
            logActivity(input: { dealId: $d, type: CALL, subject: $s }) { deal { id } }
            createTask(input: { dealId: $d, title: $s }) { task { id } } }",
        json!({ "d": deal, "u": follower, "s": note }),
    )
    .await;
}

fn ids_of(list: &Value, path: &[&str]) -> Vec<Value> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|item| path.iter().fold(item, |v, key| &v[*key]).clone())
        .collect()
}

/// A product line without its id and position: what a copy or a move keeps.
fn line_content(line: &Value) -> Value {
    let mut line = line.clone();
    if let Some(object) = line.as_object_mut() {
        object.remove("id");
        object.remove("position");
    }
    line
}

#[tokio::test]
async fn a_duplicate_copies_the_deal_and_what_it_owns_not_its_history() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let (_, stages) = pipeline(&app, &org.key, "Sales").await;
    let ada = contact(&app, &org, "Ada").await;
    let bob = contact(&app, &org, "Bob").await;
    let helper = user(&app, &org, "helper@example.com").await;
    let me = gid("user", org.user_id);
    let original = create(
        &app,
        &org,
        json!({ "title": "Acme renewal", "stageId": stages[0], "contactId": ada,
                "expectedCloseDate": "2027-03-01", "priority": "HIGH", "source": "Referral",
                "tags": ["vip", "hot"], "customFields": { "seats": 40, "region": "EU" } }),
    )
    .await;
    line(&app, &org, &original, "Licence", "1000.00").await;
    line(&app, &org, &original, "Support", "250.50").await;
    around(&app, &org, &original, &me, "Kick-off").await;
    around(&app, &org, &original, &helper, "Demo").await;
    ok(
        &app,
        &org.key,
        "mutation($d: ID!, $c: ID!) { addDealParticipant(input: { dealId: $d, contactId: $c }) { deal { id } } }",
        json!({ "d": original, "c": bob }),
    )
    .await;
    move_deal(&app, &org.key, &original, &stages[1]).await;
    let before = snapshot(&app, &org, &original).await;

    let copy = created_id(
        &app,
        &org,
        "duplicateDeal",
        "mutation($i: DuplicateDealInput!) { duplicateDeal(input: $i) { deal { id } } }",
        json!({ "dealId": original }),
    )
    .await;
    assert_ne!(copy, original);
    // The original is as it was.
    assert_eq!(snapshot(&app, &org, &original).await, before);
    let after = snapshot(&app, &org, &copy).await;
    assert_eq!(after["title"], "Acme renewal (copy)");
    for field in [
        "value",
        "status",
        "stage",
        "pipeline",
        "contact",
        "company",
        "owner",
        "expectedCloseDate",
        "priority",
        "source",
        "tags",
        "customFields",
        "followers",
        "participants",
    ] {
        assert_eq!(after[field], before[field], "{field}");
    }
    assert_eq!(after["status"], "OPEN");
    assert_eq!(after["version"], 1);
    let lines = |deal: &Value| -> Vec<Value> {
        deal["products"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(line_content)
            .collect()
    };
    assert_eq!(lines(&after), lines(&before));
    assert_eq!(lines(&after).len(), 2);
    let line_ids = |deal: &Value| ids_of(&deal["products"]["nodes"], &["id"]);
    assert!(
        line_ids(&after)
            .iter()
            .all(|id| !line_ids(&before).contains(id))
    );
    // Not its history, activities or tasks: the copy's history is its own first entry.
    assert_eq!(after["activities"]["nodes"], json!([]));
    assert_eq!(after["tasks"]["nodes"], json!([]));
    assert_eq!(
        ids_of(&after["stageHistory"]["nodes"], &["toStage", "id"]),
        vec![before["stage"]["id"].clone()]
    );
    let data = ok(
        &app,
        &org.key,
        "query($d: ID!) { deal(id: $d) { createdBy { id } changelog { nodes { type changes { field newValue } } } } }",
        json!({ "d": copy }),
    )
    .await;
    assert_eq!(data["deal"]["createdBy"]["id"], me.as_str());
    let events = &data["deal"]["changelog"]["nodes"];
    assert_eq!(events.as_array().map(Vec::len), Some(1), "{events}");
    assert_eq!(events[0]["type"], "CREATED");
    let changes = events[0]["changes"].as_array().cloned().unwrap_or_default();
    assert!(
        changes
            .iter()
            .any(|c| c["field"] == "duplicatedFromId" && c["newValue"] == original.as_str()),
        "{changes:?}"
    );

    // A won deal's copy is a new open deal.
    ok(
        &app,
        &org.key,
        "mutation($d: ID!) { closeDeal(input: { dealId: $d, result: WON }) { deal { id } } }",
        json!({ "d": original }),
    )
    .await;
    let copy = created_id(
        &app,
        &org,
        "duplicateDeal",
        "mutation($i: DuplicateDealInput!) { duplicateDeal(input: $i) { deal { id } } }",
        json!({ "dealId": original }),
    )
    .await;
    let won_copy = snapshot(&app, &org, &copy).await;
    assert_eq!(won_copy["status"], "OPEN");
    assert_eq!(won_copy["closedAt"], Value::Null);
}

#[tokio::test]
async fn a_merge_moves_everything_into_the_survivor_and_deletes_the_other() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let (_, stages) = pipeline(&app, &org.key, "Sales").await;
    let (xena, yuri, zoe) = (
        contact(&app, &org, "Xena").await,
        contact(&app, &org, "Yuri").await,
        contact(&app, &org, "Zoe").await,
    );
    let company = created_id(
        &app,
        &org,
        "createCompany",
        "mutation($i: CreateCompanyInput!) { createCompany(input: $i) { company { id } } }",
        json!({ "name": "Kappa" }),
    )
    .await;
    let me = gid("user", org.user_id);
    let helper = user(&app, &org, "helper@example.com").await;
    let survivor = create(
        &app,
        &org,
        json!({ "title": "Survivor", "stageId": stages[0], "contactId": xena,
                "tags": ["hot"], "customFields": { "seats": 50, "region": "EU" } }),
    )
    .await;
    line(&app, &org, &survivor, "Licence", "100.00").await;
    around(&app, &org, &survivor, &me, "A call").await;
    let merged = create(
        &app,
        &org,
        json!({ "title": "Merged", "stageId": stages[0], "contactId": yuri, "companyId": company,
                "source": "Fair", "expectedCloseDate": "2027-01-15",
                "tags": ["vip", "hot"], "customFields": { "industry": "Retail", "seats": 10 } }),
    )
    .await;
    line(&app, &org, &merged, "Support", "40.00").await;
    line(&app, &org, &merged, "Training", "12.34").await;
    around(&app, &org, &merged, &me, "B call").await;
    around(&app, &org, &merged, &helper, "B meeting").await;
    ok(
        &app,
        &org.key,
        "mutation($d: ID!, $c: ID!) { addDealParticipant(input: { dealId: $d, contactId: $c }) { deal { id } } }",
        json!({ "d": merged, "c": zoe }),
    )
    .await;
    move_deal(&app, &org.key, &merged, &stages[2]).await;
    let a = snapshot(&app, &org, &survivor).await;
    let b = snapshot(&app, &org, &merged).await;

    // Refusals change nothing: itself, stale versions.
    let merge = "mutation($i: MergeDealsInput!) { mergeDeals(input: $i) { deal { id } } }";
    for (input, code) in [
        (
            json!({ "dealId": survivor, "intoDealId": survivor }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "dealId": merged, "intoDealId": survivor, "expectedVersion": 1 }),
            "CONFLICT",
        ),
        (
            json!({ "dealId": merged, "intoDealId": survivor, "intoExpectedVersion": 1 }),
            "CONFLICT",
        ),
    ] {
        let body = app.gql(&org.key, merge, json!({ "i": input })).await;
        assert_eq!(error_code(&body), Some(code), "{body}");
    }
    assert_eq!(snapshot(&app, &org, &survivor).await, a);
    assert_eq!(snapshot(&app, &org, &merged).await, b);

    let data = ok(
        &app,
        &org.key,
        merge,
        json!({ "i": { "dealId": merged, "intoDealId": survivor,
                       "expectedVersion": b["version"], "intoExpectedVersion": a["version"] } }),
    )
    .await;
    assert_eq!(data["mergeDeals"]["deal"]["id"], survivor.as_str());
    let after = snapshot(&app, &org, &survivor).await;
    let gone = snapshot(&app, &org, &merged).await;

    // The survivor keeps its own values and fills its blanks from the merged deal.
    for field in [
        "title", "stage", "pipeline", "contact", "status", "priority", "owner",
    ] {
        assert_eq!(after[field], a[field], "{field}");
    }
    assert_eq!(after["company"]["id"], company.as_str());
    assert_eq!(after["source"], "Fair");
    assert_eq!(after["expectedCloseDate"], "2027-01-15");
    assert_eq!(
        after["customFields"],
        json!({ "seats": 50, "region": "EU", "industry": "Retail" })
    );
    assert_eq!(after["tags"], json!(["hot", "vip"]));
    // Lines: the survivor's, then the merged deal's in their order; the value is their total:
    // 2 × price, 10 % off, 7 % tax, each rounded to cents.
    let lines = |deal: &Value| -> Vec<Value> {
        deal["products"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(line_content)
            .collect()
    };
    let mut expected_lines = lines(&a);
    expected_lines.extend(lines(&b));
    assert_eq!(lines(&after), expected_lines);
    let positions = ids_of(&after["products"]["nodes"], &["position"]);
    assert_eq!(positions, vec![json!(0), json!(1), json!(2)]);
    let total: f64 = [100.00, 40.00, 12.34]
        .iter()
        .map(|price| ((2.0 * price * 0.9 * 1.07) * 100.0_f64).round() / 100.0)
        .sum();
    assert_eq!(after["value"]["amount"], format!("{total:.2}"));
    // Followers, participants (with the merged deal's main contact), activities, tasks and
    // history all moved.
    let mut followers = ids_of(&after["followers"], &["id"]);
    followers.sort_by_key(|v| v.to_string());
    let mut expected = vec![json!(me), json!(helper)];
    expected.sort_by_key(|v| v.to_string());
    assert_eq!(followers, expected);
    assert_eq!(
        ids_of(&after["participants"]["nodes"], &["contact", "id"]),
        vec![json!(zoe), json!(yuri)]
    );
    let set = |deal: &Value, list: &str| -> Vec<String> {
        let mut ids: Vec<String> = ids_of(&deal[list]["nodes"], &["id"])
            .into_iter()
            .map(|v| v.to_string())
            .collect();
        ids.sort();
        ids
    };
    for list in ["activities", "tasks", "stageHistory"] {
        let mut expected = set(&a, list);
        expected.extend(set(&b, list));
        expected.sort();
        assert_eq!(set(&after, list), expected, "{list}");
    }
    // The merged deal is deleted and empty.
    assert!(gone["deletedAt"].is_string(), "{gone}");
    for list in [
        "products",
        "participants",
        "activities",
        "tasks",
        "stageHistory",
    ] {
        assert_eq!(gone[list]["nodes"], json!([]), "{list}");
    }
    assert_eq!(gone["followers"], json!([]));
    assert_eq!(gone["tags"], json!([]));
    // Events on both sides.
    let changelog = "query($d: ID!) { deal(id: $d) { changelog(first: 1) { nodes { type changes { field newValue } } } } }";
    let data = ok(&app, &org.key, changelog, json!({ "d": survivor })).await;
    let event = &data["deal"]["changelog"]["nodes"][0];
    assert_eq!(event["type"], "MERGED");
    assert!(
        event["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["field"] == "mergedDealId" && c["newValue"] == merged.as_str()),
        "{event}"
    );
    let data = ok(&app, &org.key, changelog, json!({ "d": merged })).await;
    let event = &data["deal"]["changelog"]["nodes"][0];
    assert_eq!(event["type"], "DELETED");
    assert!(
        event["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["field"] == "mergedIntoId" && c["newValue"] == survivor.as_str()),
        "{event}"
    );
    // A deleted deal merges no more.
    let body = app
        .gql(
            &org.key,
            merge,
            json!({ "i": { "dealId": merged, "intoDealId": survivor } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
}

#[tokio::test]
async fn products_in_another_currency_do_not_merge_and_other_tenants_deals_are_missing() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let other = app.create_org("Other").await;
    pipeline(&app, &org.key, "Sales").await;
    pipeline(&app, &other.key, "Sales").await;
    let euros = create(&app, &org, json!({ "title": "EUR", "currency": "EUR" })).await;
    let dollars = create(&app, &org, json!({ "title": "USD", "currency": "USD" })).await;
    line(&app, &org, &dollars, "Licence", "10.00").await;
    let theirs = create(&app, &other, json!({ "title": "Theirs" })).await;
    let merge = "mutation($i: MergeDealsInput!) { mergeDeals(input: $i) { deal { id } } }";
    let body = app
        .gql(
            &org.key,
            merge,
            json!({ "i": { "dealId": dollars, "intoDealId": euros } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    for input in [
        json!({ "dealId": theirs, "intoDealId": euros }),
        json!({ "dealId": euros, "intoDealId": theirs }),
    ] {
        let body = app.gql(&org.key, merge, json!({ "i": input })).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    }
    let body = app
        .gql(
            &org.key,
            "mutation($d: ID!) { duplicateDeal(input: { dealId: $d }) { deal { id } } }",
            json!({ "d": theirs }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    // The other organisation's deal is untouched.
    let data = ok(
        &app,
        &other.key,
        "query($d: ID!) { deal(id: $d) { deletedAt version } }",
        json!({ "d": theirs }),
    )
    .await;
    assert_eq!(data["deal"], json!({ "deletedAt": null, "version": 1 }));
}
