//! Documents validated once: the schema twice, one validating every request strictly and one
//! trusting documents already found valid.
//!
//! async-graphql runs all its validation rules on every request, and they were the largest
//! single cost of a deal with its products and history (8 % of the server's CPU, Q2 of the
//! peer benchmark). Only one rule reads the request's variables (arguments of correct type,
//! with the variables put in); the others depend on the document alone. So a request is
//! executed by the trusting schema ([`ValidationMode::Fast`], which still checks fragment
//! cycles, depth and cache control) when
//!
//! - the same text, operation and set of given variables was executed before by the strict
//!   schema without a single error (so every rule held, and every argument was checked with
//!   the variables it refers to), and
//! - each variable it gives is a valid value of the type the operation declares for it
//!   (checked here, against the schema's own input types and scalar checks).
//!
//! A variable's declared type fits each place it is used (a rule of the document), so a
//! value valid for the one is valid at the others; the one exception, a nullable variable
//! with a default given an explicit null, goes the strict way. Anything else not known to
//! be valid goes the strict way too, so a bad request gets the very errors it always got.
//! Subscriptions are always validated strictly.
//!
//! What is remembered is a text, an operation name and which variables were given: nothing of
//! any organisation, bounded by [`MAX_BYTES`]; a text too long to be remembered parsed
//! ([`MAX_TEXT`]) is validated every time.

use super::{AppSchema, Query, Subscription, schema_builder};
use crate::auth::{WriteGuarded, selected_operation};
use crate::limits::parsed::MAX_TEXT;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{OutputType, Request, Response, SubscriptionType, ValidationMode, Variables};
use async_graphql_value::ConstValue;
use moka::sync::Cache;

/// Most bytes the remembered documents' keys may take.
pub const MAX_BYTES: u64 = 8 * 1024 * 1024;
/// Most variables an operation may declare to be remembered (one bit each).
const MAX_VARIABLES: usize = 64;

/// The schema validating strictly, the one trusting known documents, and what is known.
pub struct Schemas {
    /// The schema validating every request with every rule.
    pub strict: AppSchema,
    trusting: AppSchema,
    input_types: Registry,
    known: Cache<String, ()>,
}

/// What is known of a request's document before it runs.
pub enum Validation {
    /// Valid with these variables: the trusting schema runs it.
    Known,
    /// To be validated strictly, then remembered under this key if it ran without an error.
    Unknown(Option<String>),
}

impl Default for Schemas {
    fn default() -> Self {
        let mut input_types = Registry::default();
        Query::create_type_info(&mut input_types);
        WriteGuarded::<super::Mutation>::create_type_info(&mut input_types);
        Subscription::create_type_info(&mut input_types);
        Self {
            strict: super::schema(),
            trusting: schema_builder()
                .validation_mode(ValidationMode::Fast)
                .finish(),
            input_types,
            known: Cache::builder()
                .max_capacity(MAX_BYTES)
                .weigher(|key: &String, _: &()| u32::try_from(key.len()).unwrap_or(u32::MAX))
                .build(),
        }
    }
}

impl Schemas {
    /// What is known of `request` (whose document the gate parsed).
    pub fn judge(&self, request: &mut Request) -> Validation {
        if request.query.len() > MAX_TEXT || request.parsed_query().is_err() {
            return Validation::Unknown(None);
        }
        // Moved out while the parsed document borrows the request, and put back.
        let query = std::mem::take(&mut request.query);
        let variables = std::mem::take(&mut request.variables);
        let operation_name = request.operation_name.take();
        let validation = match request.parsed_query() {
            Ok(document) => {
                self.judge_document(document, &query, operation_name.as_deref(), &variables)
            }
            Err(_) => Validation::Unknown(None),
        };
        request.query = query;
        request.variables = variables;
        request.operation_name = operation_name;
        validation
    }

    /// What is known of `query` (parsed as `document`) run as `operation_name` with
    /// `variables`.
    fn judge_document(
        &self,
        document: &ExecutableDocument,
        query: &str,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> Validation {
        let Some(operation) = selected_operation(document, operation_name) else {
            return Validation::Unknown(None);
        };
        let definitions = &operation.variable_definitions;
        if definitions.len() > MAX_VARIABLES {
            return Validation::Unknown(None);
        }
        let mut given = 0u64;
        let mut values_valid = true;
        for (index, definition) in definitions.iter().enumerate() {
            let definition = &definition.node;
            let Some(value) = variables.get(&definition.name.node) else {
                continue;
            };
            given |= 1 << index;
            values_valid = values_valid
                && !(*value == ConstValue::Null && definition.default_value.is_some())
                && self.valid(&definition.var_type.node.to_string(), value);
        }
        let key = format!(
            "{given:x}\0{}\0{}",
            operation_name.unwrap_or_default(),
            query
        );
        if values_valid && self.known.contains_key(&key) {
            Validation::Known
        } else {
            Validation::Unknown(Some(key))
        }
    }

    /// The schema that runs a request judged `validation`.
    pub fn for_request(&self, validation: &Validation) -> &AppSchema {
        match validation {
            Validation::Known => &self.trusting,
            Validation::Unknown(_) => &self.strict,
        }
    }

    /// Remembers the document of a request judged `validation` when the strict schema
    /// answered it without an error.
    pub fn learn(&self, validation: Validation, response: &Response) {
        if let Validation::Unknown(Some(key)) = validation
            && response.errors.is_empty()
        {
            self.known.insert(key, ());
        }
    }

    /// Whether `value` is surely a valid value of the input type `type_name` (`[ID!]!`):
    /// false when it is not, or when this cannot tell.
    fn valid(&self, type_name: &str, value: &ConstValue) -> bool {
        match MetaTypeName::create(type_name) {
            MetaTypeName::NonNull(inner) => *value != ConstValue::Null && self.valid(inner, value),
            MetaTypeName::List(item) => match value {
                ConstValue::List(items) => items.iter().all(|value| self.valid(item, value)),
                ConstValue::Null => true,
                value => self.valid(item, value),
            },
            MetaTypeName::Named(_) if *value == ConstValue::Null => true,
            MetaTypeName::Named(name) => match self.input_types.types.get(name) {
                Some(MetaType::Scalar { is_valid, .. }) => {
                    is_valid.as_ref().is_none_or(|f| f(value))
                }
                Some(MetaType::Enum { enum_values, .. }) => match value {
                    ConstValue::Enum(name) => enum_values.contains_key(name.as_str()),
                    ConstValue::String(name) => enum_values.contains_key(name.as_str()),
                    _ => false,
                },
                Some(MetaType::InputObject {
                    input_fields,
                    oneof,
                    ..
                }) => {
                    let ConstValue::Object(values) = value else {
                        return false;
                    };
                    let one_given =
                        values.len() == 1 && values.values().all(|v| *v != ConstValue::Null);
                    (!*oneof || one_given)
                        && values
                            .keys()
                            .all(|name| input_fields.contains_key(name.as_str()))
                        && input_fields.values().all(|field| {
                            match values.get(field.name.as_str()) {
                                Some(value) => self.valid(&field.ty, value),
                                None => {
                                    !MetaTypeName::create(&field.ty).is_non_null()
                                        || field.default_value.is_some()
                                }
                            }
                        })
                }
                _ => false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::ServerError;
    use serde_json::{Value, json};

    const PAGE: &str = "query Page($first: Int, $filter: DealFilter) \
                        { deals(first: $first, filter: $filter) { nodes { id } } }";

    fn judged(schemas: &Schemas, query: &str, variables: Value) -> Validation {
        let mut request = Request::new(query).variables(Variables::from_json(variables));
        schemas.judge(&mut request)
    }

    fn known(schemas: &Schemas, query: &str, variables: Value) -> bool {
        matches!(judged(schemas, query, variables), Validation::Known)
    }

    fn ran_cleanly(schemas: &Schemas, query: &str, variables: Value) {
        let validation = judged(schemas, query, variables);
        schemas.learn(validation, &Response::new(async_graphql::Value::Null));
    }

    #[test]
    fn a_document_is_known_once_it_ran_cleanly_with_the_same_variables_given() {
        let schemas = Schemas::default();
        let valid = json!({ "first": 5, "filter": { "status": ["OPEN"], "valueMin": "10" } });
        assert!(!known(&schemas, PAGE, valid.clone()));
        ran_cleanly(&schemas, PAGE, valid.clone());
        assert!(known(&schemas, PAGE, valid.clone()));
        let other_values =
            json!({ "first": 50, "filter": { "stageId": "stage_1", "tags": ["a"] } });
        assert!(known(&schemas, PAGE, other_values));
        assert!(
            !known(&schemas, PAGE, json!({ "first": 5 })),
            "another set of variables"
        );
        assert!(
            !known(&schemas, &format!("{PAGE} "), valid.clone()),
            "another text"
        );
        let mut named = Request::new(PAGE)
            .variables(Variables::from_json(valid))
            .operation_name("Other");
        assert!(matches!(
            schemas.judge(&mut named),
            Validation::Unknown(None)
        ));
    }

    #[test]
    fn an_answer_with_an_error_teaches_nothing() {
        let schemas = Schemas::default();
        let variables = json!({ "first": 5 });
        let validation = judged(&schemas, PAGE, variables.clone());
        let failed = Response::from_errors(vec![ServerError::new("refused", None)]);
        schemas.learn(validation, &failed);
        assert!(!known(&schemas, PAGE, variables));
    }

    #[test]
    fn values_not_surely_valid_go_the_strict_way() {
        let schemas = Schemas::default();
        ran_cleanly(&schemas, PAGE, json!({ "first": 5, "filter": {} }));
        assert!(known(
            &schemas,
            PAGE,
            json!({ "first": null, "filter": null })
        ));
        for filter in [
            json!({ "status": ["OPENED"] }),
            json!({ "status": "OPEN" }),
            json!({ "status": [null] }),
            json!({ "nope": 1 }),
            json!({ "valueMin": true }),
            json!({ "stageId": { "a": 1 } }),
            json!({ "ids": [[1]] }),
            json!("OPEN"),
        ] {
            let variables = json!({ "first": 5, "filter": filter });
            let judged = judged(&schemas, PAGE, variables.clone());
            let single_status = filter == json!({ "status": "OPEN" });
            // A single item stands for a list of one (GraphQL's input coercion).
            assert_eq!(
                matches!(judged, Validation::Known),
                single_status,
                "{variables}"
            );
        }
        for first in [json!("five"), json!(2.5), json!(true)] {
            let variables = json!({ "first": first, "filter": {} });
            assert!(!known(&schemas, PAGE, variables.clone()), "{variables}");
        }
    }

    #[test]
    fn a_null_for_a_defaulted_variable_goes_the_strict_way() {
        let schemas = Schemas::default();
        let query = "query One($id: ID = \"deal_1\") { deal(id: $id) { id } }";
        ran_cleanly(&schemas, query, json!({ "id": "deal_2" }));
        assert!(known(&schemas, query, json!({ "id": "deal_3" })));
        assert!(!known(&schemas, query, json!({ "id": null })));
    }
}
