//! The committed `schema.graphql` matches the code, and everything in it is documented.

use crate::helpers::spawn_app;
use serde_json::{Value, json};

#[test]
fn committed_sdl_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let fresh = dealgate::graphql::sdl();
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed != fresh {
        std::fs::write(path, &fresh).expect("write schema.graphql");
        panic!("schema.graphql was out of date; it has been regenerated: review and commit it");
    }
}

const INTROSPECTION: &str = r#"{ __schema { types {
    name kind description
    fields(includeDeprecated: true) { name description args { name description } }
    inputFields { name description }
    enumValues(includeDeprecated: true) { name description }
} } }"#;

fn undocumented(description: &Value) -> bool {
    description.as_str().is_none_or(|d| d.trim().is_empty())
}

#[tokio::test]
async fn every_type_field_argument_and_value_is_documented() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let body = app.gql(&org.key, INTROSPECTION, json!({})).await;
    let types = body["data"]["__schema"]["types"].as_array().expect("types");
    let builtin = ["String", "Int", "Float", "Boolean", "ID"];
    let mut missing = Vec::new();
    for ty in types {
        let name = ty["name"].as_str().unwrap_or_default();
        if name.starts_with("__") || builtin.contains(&name) {
            continue;
        }
        if undocumented(&ty["description"]) {
            missing.push(name.to_owned());
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            if undocumented(&field["description"]) {
                missing.push(format!("{name}.{}", field["name"]));
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if undocumented(&arg["description"]) {
                    missing.push(format!("{name}.{}({})", field["name"], arg["name"]));
                }
            }
        }
        for list in ["inputFields", "enumValues"] {
            for item in ty[list].as_array().into_iter().flatten() {
                if undocumented(&item["description"]) {
                    missing.push(format!("{name}.{}", item["name"]));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:?}");
}
