//! The cost of an operation, computed from its shape and page sizes before it runs (like
//! GitHub's node limit and Shopify's calculated cost):
//!
//! - a scalar or enum field costs 0, and so does an object that is not a `Node` (`Money`,
//!   `PageInfo`, a summary): it is computed from its parent;
//! - a `Node` object (a deal, a stage, an owner…) costs 1, a connection costs 1 (its page),
//!   and a mutation field costs 10 — a batch mutation (`input.items`) 10 per item, its
//!   `results` counted once per item — each plus what is selected inside it;
//! - inside a connection, `nodes` and `edges` cost their page size (`first` or `last`, 50 when
//!   neither is given, at most 500) times one item, and so do the `events` of `dealChanges`
//!   (100 when `first` is not given); `nodes(ids)` and
//!   `_entities(representations)` cost their number of ids or representations times one
//!   node (a union of `Node` types, like federation's `_Entity`, is a node); `dealGroups`
//!   counts its most groups ([`crate::deal::MAX_GROUPS`]) and `dealsTimeline` its `amount` of
//!   periods; any other list of objects counts as
//!   [`LIST_ESTIMATE`] items.
//!
//! Nested lists multiply: `deals(first: 500) { nodes { owner { deals(first: 500) { nodes
//! { id } } } } }` costs 1 + 500 × (1 + 1 + 1 + 500) = 251,501. Arithmetic saturates, so no
//! document overflows the count. Fragments are costed once per page size they are spread at.

use crate::graphql::pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Value, Variables};
use std::collections::HashMap;

/// Items assumed for a list of objects that is not a paged connection.
pub const LIST_ESTIMATE: u64 = 50;
/// What a mutation field costs besides its payload.
pub const MUTATION_COST: u64 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Scalars and enums.
    Leaf,
    /// Objects and interfaces that are `Node`s: one loaded row each.
    Node,
    /// A Relay connection: one page.
    Connection,
    /// Any other object: computed from its parent.
    Value,
}

#[derive(Debug)]
struct FieldType {
    type_name: String,
    list: bool,
}

#[derive(Debug)]
struct TypeInfo {
    kind: Kind,
    fields: HashMap<String, FieldType>,
}

/// The field types of a schema, read from its SDL once at start.
#[derive(Debug)]
pub struct CostModel {
    types: HashMap<String, TypeInfo>,
}

impl CostModel {
    /// The model of the schema whose SDL is `sdl`.
    pub fn from_sdl(sdl: &str) -> Self {
        let mut types = HashMap::new();
        let mut unions = Vec::new();
        let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
            tracing::error!("the schema's own SDL does not parse: every query will cost 0");
            return Self { types };
        };
        for definition in document.definitions {
            let TypeSystemDefinition::Type(definition) = definition else {
                continue;
            };
            let definition = definition.node;
            let name = definition.name.node.to_string();
            let (kind, fields) = match definition.kind {
                TypeKind::Scalar | TypeKind::Enum(_) => (Kind::Leaf, Vec::new()),
                TypeKind::Object(object) => {
                    let is_node = object.implements.iter().any(|i| i.node == "Node");
                    let is_connection = name.ends_with("Connection")
                        && object.fields.iter().any(|f| f.node.name.node == "pageInfo");
                    let kind = match (is_node, is_connection) {
                        (true, _) => Kind::Node,
                        (false, true) => Kind::Connection,
                        (false, false) => Kind::Value,
                    };
                    (kind, object.fields)
                }
                TypeKind::Interface(interface) => {
                    let kind = if name == "Node" {
                        Kind::Node
                    } else {
                        Kind::Value
                    };
                    (kind, interface.fields)
                }
                TypeKind::Union(union) => {
                    let members: Vec<String> =
                        union.members.iter().map(|m| m.node.to_string()).collect();
                    unions.push((name.clone(), members));
                    (Kind::Value, Vec::new())
                }
                TypeKind::InputObject(_) => (Kind::Value, Vec::new()),
            };
            let fields = fields
                .into_iter()
                .map(|field| {
                    let (type_name, list) = named(&field.node.ty.node);
                    (
                        field.node.name.node.to_string(),
                        FieldType { type_name, list },
                    )
                })
                .collect();
            types.insert(name, TypeInfo { kind, fields });
        }
        for (name, members) in unions {
            let all_nodes = members
                .iter()
                .all(|member| types.get(member).is_some_and(|t| t.kind == Kind::Node));
            if let (true, Some(union)) = (all_nodes, types.get_mut(&name)) {
                union.kind = Kind::Node;
            }
        }
        Self { types }
    }

    /// The cost of `operation` of `document` with `variables`.
    pub fn of(
        &self,
        document: &ExecutableDocument,
        operation: &OperationDefinition,
        variables: &Variables,
    ) -> u64 {
        let root = match operation.ty {
            async_graphql::parser::types::OperationType::Query => "Query",
            async_graphql::parser::types::OperationType::Mutation => "Mutation",
            async_graphql::parser::types::OperationType::Subscription => "Subscription",
        };
        let mut walk = Walk {
            model: self,
            document,
            operation,
            variables,
            memo: HashMap::new(),
            batch: None,
        };
        walk.set(&operation.selection_set.node, root, None)
    }
}

/// The named type under any list and non-null wrappers, and whether there was a list.
fn named(ty: &Type) -> (String, bool) {
    match &ty.base {
        BaseType::Named(name) => (name.to_string(), false),
        BaseType::List(inner) => (named(inner).0, true),
    }
}

struct Walk<'a> {
    model: &'a CostModel,
    document: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    variables: &'a Variables,
    memo: HashMap<(&'a str, Option<u64>), u64>,
    /// The items of the batch mutation being costed, if it is one.
    batch: Option<u64>,
}

impl<'a> Walk<'a> {
    /// The cost of `set` selected on `type_name`; `page` is the page size when `type_name`
    /// is a connection.
    fn set(&mut self, set: &'a SelectionSet, type_name: &str, page: Option<u64>) -> u64 {
        let mut total: u64 = 0;
        for item in &set.items {
            let part = match &item.node {
                Selection::Field(field) => self.field(&field.node, type_name, page),
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    let Some(fragment) = self.document.fragments.get(name) else {
                        continue;
                    };
                    let on = fragment.node.type_condition.node.on.node.as_str();
                    let page = self.page_inside(on, page);
                    if let Some(cost) = self.memo.get(&(name, page)) {
                        *cost
                    } else {
                        let cost = self.set(&fragment.node.selection_set.node, on, page);
                        self.memo.insert((name, page), cost);
                        cost
                    }
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(type_name, |c| c.node.on.node.as_str());
                    let page = self.page_inside(on, page);
                    self.set(&inline.node.selection_set.node, on, page)
                }
            };
            total = total.saturating_add(part);
        }
        total
    }

    /// The page size still in force inside a fragment on `type_name`.
    fn page_inside(&self, type_name: &str, page: Option<u64>) -> Option<u64> {
        let is_connection = self
            .model
            .types
            .get(type_name)
            .is_some_and(|t| t.kind == Kind::Connection);
        page.filter(|_| is_connection)
    }

    fn field(&mut self, field: &'a Field, parent: &str, page: Option<u64>) -> u64 {
        let model = self.model;
        let Some(field_type) = model
            .types
            .get(parent)
            .and_then(|t| t.fields.get(field.name.node.as_str()))
        else {
            return 0; // __typename, introspection, or an unknown field (validation reports it)
        };
        let kind = model
            .types
            .get(&field_type.type_name)
            .map_or(Kind::Leaf, |t| t.kind);
        let children = &field.selection_set.node;
        let batch = (parent == "Mutation")
            .then(|| self.batch_items(field))
            .flatten();
        if batch.is_some() {
            self.batch = batch;
        }
        let mut one = match kind {
            Kind::Leaf => 0,
            Kind::Node => 1u64.saturating_add(self.set(children, &field_type.type_name, None)),
            // The change feed pages its `events` like a connection's nodes.
            Kind::Value if field.name.node == "dealChanges" => {
                let size = match self.argument(field, "first") {
                    Some(_) => self.page_size(field),
                    None => crate::deal::events::feed::DEFAULT_EVENTS,
                };
                self.set(children, &field_type.type_name, Some(size))
            }
            Kind::Value => self.set(children, &field_type.type_name, None),
            Kind::Connection => {
                let size = self.page_size(field);
                1u64.saturating_add(self.set(children, &field_type.type_name, Some(size)))
            }
        };
        if parent == "Mutation" {
            one = one.saturating_add(MUTATION_COST.saturating_mul(batch.unwrap_or(1)));
        }
        if !field_type.list {
            return one;
        }
        let listed = self
            .argument(field, "ids")
            .or_else(|| self.argument(field, "representations"));
        let items = match (page, listed) {
            (Some(size), _) if matches!(field.name.node.as_str(), "nodes" | "edges" | "events") => {
                size
            }
            (_, Some(Value::List(ids))) => ids.len() as u64,
            _ if field.name.node == "dealGroups" => crate::deal::MAX_GROUPS as u64,
            _ if field.name.node == "results" && self.batch.is_some() => {
                self.batch.unwrap_or(LIST_ESTIMATE)
            }
            _ if field.name.node == "dealsTimeline" => match self.argument(field, "amount") {
                Some(Value::Number(n)) => n
                    .as_u64()
                    .map_or(0, |n| n.min(crate::deal::MAX_PERIODS as u64)),
                _ => crate::deal::MAX_PERIODS as u64,
            },
            _ => LIST_ESTIMATE,
        };
        items.saturating_mul(one)
    }

    /// How many items a batch mutation field's `input.items` holds (None: not a batch).
    fn batch_items(&self, field: &Field) -> Option<u64> {
        match self.argument(field, "input")? {
            Value::Object(input) => match input.get("items")? {
                Value::List(items) => Some(items.len() as u64),
                _ => None,
            },
            _ => None,
        }
    }

    /// `first` or `last` of a connection field: 50 when absent, clamped to 0–500 (a page
    /// size outside that range is refused when the field runs).
    fn page_size(&self, field: &Field) -> u64 {
        ["first", "last"]
            .iter()
            .filter_map(|name| match self.argument(field, name) {
                Some(Value::Number(n)) => Some(n.as_i64().unwrap_or(i64::MAX)),
                _ => None,
            })
            .max()
            .map_or(DEFAULT_PAGE_SIZE, |n| {
                n.clamp(0, MAX_PAGE_SIZE as i64) as u64
            })
    }

    /// The value of `field`'s argument `name`, its variables resolved (with their defaults).
    fn argument(&self, field: &Field, name: &str) -> Option<Value> {
        let value = field.get_argument(name)?;
        value
            .node
            .clone()
            .into_const_with(|var: Name| {
                self.variables
                    .get(&var)
                    .cloned()
                    .or_else(|| {
                        self.operation
                            .variable_definitions
                            .iter()
                            .find(|def| def.node.name.node == var)
                            .and_then(|def| def.node.default_value().cloned())
                    })
                    .ok_or(())
            })
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;
    use async_graphql::parser::types::DocumentOperations;

    const SDL: &str = r#"
        interface Node { id: ID! }
        type Query { deals(first: Int, last: Int): DealConnection! node(id: ID!): Node
                     nodes(ids: [ID!]!): [Node]! viewer: Viewer! }
        type Mutation { closeDeal(id: ID!): DealPayload!
                        createDeals(input: CreateDealsInput!): BatchPayload! }
        input CreateDealsInput { items: [String!]! }
        type BatchPayload { results: [BatchResult!]! writtenCount: Int! }
        type BatchResult { deal: Deal }
        type DealPayload { deal: Deal }
        type Viewer { scope: String! }
        type DealConnection { nodes: [Deal!]! edges: [DealEdge!]! pageInfo: PageInfo! totalCount: Int! }
        type DealEdge { node: Deal! cursor: String! }
        type PageInfo { hasNextPage: Boolean! }
        type Deal implements Node { id: ID! title: String! owner: User! value: Money! followers: [User!]! }
        type Money { amount: String! }
        type User implements Node { id: ID! deals(first: Int): DealConnection! }
    "#;

    fn cost(query: &str, variables: serde_json::Value) -> u64 {
        let model = CostModel::from_sdl(SDL);
        let document = parse_query(query).expect("parses");
        let operation = match &document.operations {
            DocumentOperations::Single(op) => op.node.clone(),
            DocumentOperations::Multiple(ops) => ops.values().next().expect("one").node.clone(),
        };
        model.of(&document, &operation, &Variables::from_json(variables))
    }

    #[test]
    fn pages_multiply_through_the_nesting() {
        assert_eq!(cost("{ viewer { scope } }", serde_json::json!({})), 0);
        assert_eq!(cost("{ deals { totalCount } }", serde_json::json!({})), 1);
        assert_eq!(
            cost(
                "{ deals(first: 10) { nodes { title value { amount } } } }",
                serde_json::json!({})
            ),
            11
        );
        assert_eq!(
            cost(
                "{ deals { edges { node { id } } pageInfo { hasNextPage } } }",
                serde_json::json!({})
            ),
            51
        );
        assert_eq!(
            cost(
                "{ deals(first: 500) { nodes { owner { deals(first: 500) { nodes { id } } } } } }",
                serde_json::json!({})
            ),
            1 + 500 * (1 + 1 + 1 + 500)
        );
        assert_eq!(
            cost(
                "{ deals(first: 5) { nodes { followers { id } } } }",
                serde_json::json!({})
            ),
            1 + 5 * (1 + LIST_ESTIMATE)
        );
    }

    #[test]
    fn variables_fragments_ids_and_mutations_count() {
        assert_eq!(
            cost(
                "query($n: Int = 7) { deals(last: $n) { ...F } } fragment F on DealConnection { nodes { id } }",
                serde_json::json!({})
            ),
            8
        );
        assert_eq!(
            cost(
                "query($n: Int) { deals(first: $n) { nodes { id } } }",
                serde_json::json!({"n": 3})
            ),
            4
        );
        assert_eq!(
            cost(
                "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                serde_json::json!({"ids": ["a", "b", "c"]})
            ),
            3
        );
        assert_eq!(
            cost(
                "mutation { closeDeal(id: \"x\") { deal { id } } }",
                serde_json::json!({})
            ),
            MUTATION_COST + 1
        );
        // Out-of-range page sizes are clamped here and refused when the field runs.
        assert_eq!(
            cost(
                "{ deals(first: 2147483647) { nodes { id } } }",
                serde_json::json!({})
            ),
            1 + 500
        );
    }

    #[test]
    fn a_batch_costs_a_mutation_and_a_result_per_item() {
        let items: Vec<String> = (0..7).map(|i| i.to_string()).collect();
        assert_eq!(
            cost(
                "mutation($i: [String!]!) { createDeals(input: { items: $i }) { results { deal { id owner { id } } } writtenCount } }",
                serde_json::json!({ "i": items })
            ),
            7 * MUTATION_COST + 7 * 2
        );
    }

    #[test]
    fn arithmetic_saturates() {
        let mut query = String::from("{ deals(first: 500) { nodes { id } } }");
        for _ in 0..12 {
            query = query.replacen(
                "{ id }",
                "{ owner { deals(first: 500) { nodes { id } } } }",
                1,
            );
        }
        assert!(cost(&query, serde_json::json!({})) > 1_000_000_000_000);
    }
}
