//! Objects whose selected fields all answer at once, resolved one field after another.
//!
//! async-graphql resolves an object's fields side by side: each object gets a
//! `FuturesUnordered`, a task and a waker per field. That is what lets fields that wait
//! (loaders, pages) wait together, and pure waste when every field answers from the object's
//! own values — a deal page's 50 stages, companies, contacts and owners read with the page,
//! each of them asked only for columns. Under Q1 of the peer benchmark that machinery was
//! ~11 % of the server's CPU (perf). [`Serial`] is the same GraphQL type as the object it
//! wraps; its resolver knows when every field the request selects on it is one of its
//! columns, and says so.
//!
//! Even serially, async-graphql boxes each field's future (`Fields::add_set`): an allocation
//! and a copy of the object's whole field future (736 bytes for a deal) per field, 6.6 % of
//! Q1's CPU in `memmove`. A selection of plain fields (no fragments, directives or repeated
//! names, the common case) is resolved here instead, each field awaited where it stands; any
//! other goes to async-graphql's serial resolver. This skips async-graphql's extensions,
//! which the schema has none of ([`super::schema_builder`]).

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container_serial};
use async_graphql::{ContextSelectionSet, OutputType, Positioned, ServerResult, Value};
use std::borrow::Cow;

/// `object`, with its fields resolved in turn when `serial`, side by side otherwise.
#[derive(Clone)]
pub struct Serial<T> {
    object: T,
    serial: bool,
}

impl<T> Serial<T> {
    /// `object`, every selected field of which answers from its own values: resolved in turn.
    pub fn at_once(object: T) -> Self {
        Self {
            object,
            serial: true,
        }
    }

    /// `object`, resolved as async-graphql resolves any object (fields side by side).
    pub fn side_by_side(object: T) -> Self {
        Self {
            object,
            serial: false,
        }
    }
}

impl<T: ContainerType> OutputType for Serial<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.object.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if !self.serial {
            self.object.resolve(ctx, field).await
        } else if plain_fields(ctx) {
            resolve_in_turn(ctx, &self.object).await
        } else {
            resolve_container_serial(ctx, &self.object).await
        }
    }
}

/// Whether every field `ctx` (a list's `nodes`) selects on its items is `__typename` or one
/// of `own` (false when `own` is empty).
pub fn selects_only(ctx: &async_graphql::Context<'_>, own: &[&str]) -> bool {
    !own.is_empty()
        && ctx
            .field()
            .selection_set()
            .all(|field| field.name() == "__typename" || own.contains(&field.name()))
}

/// Most fields a selection resolved here may have: finding repeated names compares each
/// field with those before it, so a longer selection (aliases) goes to async-graphql.
const MAX_PLAIN_FIELDS: usize = 32;

/// Whether `ctx`'s selection is fields only, none with a directive, no two under one name, at
/// most [`MAX_PLAIN_FIELDS`] of them.
fn plain_fields(ctx: &ContextSelectionSet<'_>) -> bool {
    let items = &ctx.item.node.items;
    items.len() <= MAX_PLAIN_FIELDS
        && items.iter().enumerate().all(|(index, selection)| {
            let Selection::Field(field) = &selection.node else {
                return false;
            };
            let name = &field.node.response_key().node;
            field.node.directives.is_empty()
                && items[..index].iter().all(|earlier| match &earlier.node {
                    Selection::Field(earlier) => earlier.node.response_key().node != *name,
                    _ => false,
                })
        })
}

/// `object`'s [`plain_fields`] selection, each field resolved and awaited in turn (as
/// async-graphql's serial resolver does, without boxing each field's future): the object of
/// their values, a failed field left out with its error recorded.
async fn resolve_in_turn<T: ContainerType>(
    ctx: &ContextSelectionSet<'_>,
    object: &T,
) -> ServerResult<Value> {
    let items = &ctx.item.node.items;
    let mut values = IndexMap::with_capacity(items.len());
    for selection in items {
        let Selection::Field(field) = &selection.node else {
            continue;
        };
        let ctx_field = ctx.with_field(field);
        let name = field.node.response_key().node.clone();
        if field.node.name.node == "__typename" {
            let type_name = object.introspection_type_name().into_owned();
            values.insert(name, Value::String(type_name));
            continue;
        }
        match object.resolve_field(&ctx_field).await {
            Ok(value) => {
                values.insert(name, value.unwrap_or_default());
            }
            Err(error) => ctx.add_error(error),
        }
    }
    Ok(if values.is_empty() {
        Value::Null
    } else {
        Value::Object(values)
    })
}
