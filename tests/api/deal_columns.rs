//! Deal pages read only the columns their selection needs: every field of `Deal` and of its
//! relations, selected alone (or through fragments and edges) on root and nested lists,
//! answers exactly what the deal read by id answers. The fields come from the schema itself, so a new field
//! is checked without editing this test.

use crate::fixtures;
use crate::helpers::{gid, ok, spawn_app};
use entity::{Scaled, pipeline};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Map, Value, json};

/// A field's type, unwrapped from lists and non-nulls: (kind, name).
fn named_type(type_ref: &Value) -> (String, String) {
    let mut t = type_ref;
    while t["name"].is_null() {
        t = &t["ofType"];
    }
    (
        t["kind"].as_str().unwrap_or_default().to_owned(),
        t["name"].as_str().unwrap_or_default().to_owned(),
    )
}

const TYPES: &str = "{ __schema { types { name fields { name
    args { name type { kind } }
    type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

/// Each field of `Deal` without required arguments, as a selection: a scalar by its name; an
/// object with its `__typename` and its scalar fields (lists under it asked for one row).
async fn deal_field_selections(
    app: &crate::helpers::TestApp,
    key: &str,
) -> Vec<(String, String, Vec<String>)> {
    let schema = ok(app, key, TYPES, json!({})).await;
    let types: Map<String, Value> = schema["__schema"]["types"]
        .as_array()
        .expect("types")
        .iter()
        .map(|t| (t["name"].as_str().unwrap_or_default().to_owned(), t.clone()))
        .collect();
    let required = |field: &Value| {
        field["args"]
            .as_array()
            .is_some_and(|args| args.iter().any(|a| a["type"]["kind"] == "NON_NULL"))
    };
    let with_first = |field: &Value| {
        field["args"]
            .as_array()
            .is_some_and(|args| args.iter().any(|a| a["name"] == "first"))
    };
    let mut selections = Vec::new();
    for field in types["Deal"]["fields"].as_array().expect("Deal's fields") {
        if required(field) {
            continue;
        }
        let name = field["name"].as_str().expect("name").to_owned();
        let (kind, type_name) = named_type(&field["type"]);
        let call = if with_first(field) {
            format!("{name}(first: 2)")
        } else {
            name.clone()
        };
        let mut fields_inside = Vec::new();
        let selection = if kind == "OBJECT" || kind == "INTERFACE" {
            let scalars: Vec<&str> = types[&type_name]["fields"]
                .as_array()
                .expect("object fields")
                .iter()
                .filter(|f| !required(f))
                .filter(|f| matches!(named_type(&f["type"]).0.as_str(), "SCALAR" | "ENUM"))
                .filter_map(|f| f["name"].as_str())
                .collect();
            fields_inside = scalars.iter().map(|f| f.to_string()).collect();
            format!("{call} {{ __typename {} }}", scalars.join(" "))
        } else {
            call
        };
        selections.push((name, selection, fields_inside));
    }
    selections
}

/// The deals of a `nodes` list by id.
fn by_id(nodes: &Value) -> Map<String, Value> {
    nodes
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| (n["id"].as_str().expect("id").to_owned(), n.clone()))
        .collect()
}

#[tokio::test]
async fn every_deal_field_answers_the_same_alone_as_among_all() {
    let app = spawn_app().await;
    let org = app.create_org("Columns").await;
    let world = fixtures::build(&app, &org, 30).await;
    // Values the fixture leaves the same on every deal, made to differ.
    for (n, model) in world.deals.iter().enumerate().filter(|(n, _)| n % 3 == 1) {
        let mut active = model.clone().into_active_model();
        active.version = Set(2 + n as i32);
        active.created_by_id = Set(Some(org.user_id));
        active.value_adjustment = Set(Some(Scaled(n as i64 * 10_000 - 70_000)));
        active.update(&app.db).await.expect("update deal");
    }
    let sales = pipeline::Entity::find_by_id(world.pipelines[0].id)
        .one(&app.db)
        .await
        .expect("read pipeline")
        .expect("pipeline");
    let mut active = sales.into_active_model();
    active.stalled_after_days = Set(Some(20));
    active.update(&app.db).await.expect("update pipeline");
    let listed = world.listed().count();

    let fields = deal_field_selections(&app, &org.key).await;
    assert!(fields.len() > 40, "Deal has {} fields", fields.len());
    let everything: Vec<&str> = fields.iter().map(|(_, s, _)| s.as_str()).collect();
    // The reference: each deal by id (`nodes`), which loads whole rows and relations.
    let ids: Vec<String> = world.listed().map(|d| gid("deal", d.id)).collect();
    let all = ok(
        &app,
        &org.key,
        &format!(
            "query($ids: [ID!]!) {{ nodes(ids: $ids) {{ id ... on Deal {{ {} }} }} }}",
            everything.join(" ")
        ),
        json!({ "ids": ids }),
    )
    .await;
    let all = by_id(&all["nodes"]);
    assert_eq!(all.len(), listed);
    let stage = world.stages[0].id;
    let stage_id = format!("stage_{}", stage.simple());

    // Each field alone, and each field of an object alone inside it (`stage { name }`).
    let mut cases: Vec<(String, String, Option<String>)> = Vec::new();
    for (name, selection, inside) in &fields {
        cases.push((name.clone(), selection.clone(), None));
        for field in inside {
            cases.push((
                name.clone(),
                format!("{name} {{ {field} }}"),
                Some(field.clone()),
            ));
        }
    }
    assert!(
        cases
            .iter()
            .any(|(n, _, f)| n == "contact" && f.as_deref() == Some("firstName"))
    );
    let value = |deal: &Value, name: &str, inside: &Option<String>| match inside {
        Some(field) if !deal[name].is_null() => deal[name][field].clone(),
        _ => deal[name].clone(),
    };
    for (name, selection, inside) in &cases {
        let alone = ok(
            &app,
            &org.key,
            &format!(
                "query($stage: ID!) {{
                    deals(first: 40) {{ nodes {{ id {selection} }} }}
                    edges: deals(first: 40) {{ edges {{ node {{ id ...Picked }} }} }}
                    node(id: $stage) {{ ... on Stage {{ deals(first: 40) {{ nodes {{ id {selection} }} }} }} }}
                }}
                fragment Picked on Deal {{ {selection} }}"
            ),
            json!({ "stage": stage_id }),
        )
        .await;
        let root = by_id(&alone["deals"]["nodes"]);
        assert_eq!(root.len(), listed, "{selection}");
        for (id, deal) in &root {
            assert_eq!(
                value(deal, name, inside),
                value(&all[id], name, inside),
                "deals.nodes.{selection} of {id}"
            );
        }
        let edges: Vec<Value> = alone["edges"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"].clone())
            .collect();
        for (id, deal) in by_id(&Value::Array(edges)) {
            assert_eq!(
                value(&deal, name, inside),
                value(&all[&id], name, inside),
                "edges.node.{selection} of {id}"
            );
        }
        let nested = by_id(&alone["node"]["deals"]["nodes"]);
        assert!(!nested.is_empty());
        for (id, deal) in &nested {
            assert_eq!(
                value(deal, name, inside),
                value(&all[id], name, inside),
                "stage.deals.{selection} of {id}"
            );
        }
    }
}

/// One request selecting a deal's relations through several fields with different selections
/// (`stage { name }` beside a fragment's `stage { id name }`, `stage { position }` in another
/// list, the fragment spread again under a stage with `stage { probability }` beside it): each
/// field answers its own selection on every deal, checked against the fixture's rows. The
/// columns a relation field needs are worked out once per field of the document; a mix-up
/// between fields would answer blanks or another field's columns.
#[tokio::test]
async fn relation_fields_selected_differently_in_one_request_each_answer_their_own() {
    let app = spawn_app().await;
    let org = app.create_org("Relation fields").await;
    let world = fixtures::build(&app, &org, 30).await;
    let stage = world.stages[0].id;
    let answer = ok(
        &app,
        &org.key,
        "query($stage: ID!) {
            a: deals(first: 40) { nodes { id stage { name } ...Shared } }
            b: deals(first: 40) { nodes { id stage { position } owner { name } } }
            node(id: $stage) { ... on Stage {
                deals(first: 40) { nodes { id ...Shared stage { probability } } }
            } }
        }
        fragment Shared on Deal {
            stage { id name } company { name } contact { firstName email }
        }",
        json!({ "stage": gid("stage", stage) }),
    )
    .await;
    let deal_of = |id: &str| {
        world
            .deals
            .iter()
            .find(|d| gid("deal", d.id) == id)
            .expect("a fixture deal")
    };
    let stage_of = |deal: &entity::deal::Model| {
        world
            .stages
            .iter()
            .find(|s| s.id == deal.stage_id)
            .expect("its stage")
    };
    let shared = |node: &Value, deal: &entity::deal::Model| {
        let company = deal.company_id.map(|id| {
            &world
                .companies
                .iter()
                .find(|c| c.id == id)
                .expect("company")
                .name
        });
        assert_eq!(
            node["company"]["name"].as_str(),
            company.map(String::as_str)
        );
        let contact = deal
            .contact_id
            .map(|id| world.contacts.iter().find(|c| c.id == id).expect("contact"));
        assert_eq!(
            node["contact"]["firstName"].as_str(),
            contact.map(|c| c.first_name.as_str())
        );
        assert_eq!(
            node["contact"]["email"].as_str(),
            contact.and_then(|c| c.email.as_deref())
        );
        assert_eq!(node["stage"]["id"], gid("stage", deal.stage_id));
        assert_eq!(node["stage"]["name"], stage_of(deal).name);
    };
    let a = answer["a"]["nodes"].as_array().expect("a");
    assert_eq!(a.len(), world.listed().count());
    for node in a {
        let deal = deal_of(node["id"].as_str().expect("id"));
        shared(node, deal);
        assert_eq!(node["stage"].as_object().map(Map::len), Some(2), "{node}");
    }
    let b = answer["b"]["nodes"].as_array().expect("b");
    assert_eq!(b.len(), a.len());
    for node in b {
        let deal = deal_of(node["id"].as_str().expect("id"));
        assert_eq!(
            node["stage"],
            json!({ "position": stage_of(deal).position })
        );
        let owner = deal.owner_id.map(|id| world.owner_names[&id].as_str());
        assert_eq!(node["owner"]["name"].as_str(), owner, "{node}");
    }
    let nested = answer["node"]["deals"]["nodes"].as_array().expect("nested");
    assert_eq!(
        nested.len(),
        world.listed().filter(|d| d.stage_id == stage).count()
    );
    assert!(!nested.is_empty());
    for node in nested {
        let deal = deal_of(node["id"].as_str().expect("id"));
        shared(node, deal);
        assert_eq!(node["stage"]["probability"], stage_of(deal).probability);
    }
}

/// Deals and relations read with the page resolve their fields one after another
/// (`graphql::serial`); a selection of plain fields is resolved there field by field, anything
/// else (a fragment, a name selected twice, more than 32 fields) by async-graphql. All answer
/// every field under its response key, in the order selected, `__typename` included, checked
/// against the fixture.
#[tokio::test]
async fn deals_resolved_in_turn_answer_aliases_typenames_and_fragments_in_order() {
    let app = spawn_app().await;
    let org = app.create_org("In turn").await;
    let world = fixtures::build(&app, &org, 6).await;
    let aliases: String = (0..40).map(|n| format!("a{n}: title ")).collect();
    let query = "{
            many: deals(first: 10) { nodes { id ALIASES } }
            plain: deals(first: 10) { nodes {
                __typename t: title id kind: __typename stage { n: name __typename id }
            } }
            fragments: deals(first: 10) { nodes {
                title ...Ids title stage { ... on Stage { name } id }
            } }
        }
        fragment Ids on Deal { id __typename }"
        .replace("ALIASES", &aliases);
    // The body as sent, to see the order of each object's keys.
    let text = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("X-API-KEY", &org.key)
        .json(&json!({ "query": &query }))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("a body");
    let answer: Value = serde_json::from_str(&text).expect("JSON");
    assert!(answer["errors"].is_null(), "{answer}");
    let answer = &answer["data"];
    let stage_name = |deal: &entity::deal::Model| {
        world
            .stages
            .iter()
            .find(|s| s.id == deal.stage_id)
            .map(|s| s.name.clone())
            .expect("its stage")
    };
    let plain = answer["plain"]["nodes"].as_array().expect("plain");
    assert_eq!(plain.len(), world.listed().count());
    for node in plain {
        let deal = world
            .deals
            .iter()
            .find(|d| node["id"] == gid("deal", d.id))
            .expect("a fixture deal");
        let in_order = format!(
            r#"{{"__typename":"Deal","t":{},"id":{},"kind":"Deal","stage":{{"n":{},"__typename":"Stage","id":{}}}}}"#,
            node["t"], node["id"], node["stage"]["n"], node["stage"]["id"]
        );
        assert!(text.contains(&in_order), "{in_order} in {text}");
        assert_eq!(node["__typename"], "Deal");
        assert_eq!(node["kind"], "Deal");
        assert_eq!(node["t"], deal.title.as_str());
        assert_eq!(
            node["stage"],
            json!({ "n": stage_name(deal), "__typename": "Stage", "id": gid("stage", deal.stage_id) })
        );
    }
    let many = answer["many"]["nodes"].as_array().expect("many");
    assert_eq!(many.len(), plain.len());
    for (node, same) in many.iter().zip(plain) {
        assert_eq!(node["id"], same["id"], "the same order");
        for n in 0..40 {
            assert_eq!(node[format!("a{n}")], same["t"], "a{n}");
        }
    }
    let fragments = answer["fragments"]["nodes"].as_array().expect("fragments");
    assert_eq!(fragments.len(), plain.len());
    for (node, same) in fragments.iter().zip(plain) {
        assert_eq!(node["id"], same["id"], "the same order");
        assert_eq!(node["title"], same["t"]);
        assert_eq!(node["__typename"], "Deal");
        assert_eq!(node["stage"]["name"], same["stage"]["n"]);
        assert_eq!(node["stage"]["id"], same["stage"]["id"]);
        assert_eq!(node.as_object().map(Map::len), Some(4), "{node}");
    }
}
