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

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container_serial};
use async_graphql::{ContextSelectionSet, OutputType, Positioned, ServerResult, Value};
use std::borrow::Cow;

/// `object`, with its fields resolved in turn when `serial`, side by side otherwise.
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
        if self.serial {
            resolve_container_serial(ctx, &self.object).await
        } else {
            self.object.resolve(ctx, field).await
        }
    }
}
