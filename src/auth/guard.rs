//! The operation guard: a read-only key may query, never mutate; and nothing mutates over GET.
//!
//! Two independent checks: [`selected_operation`] picks the operation exactly as the executor
//! will, and the request gate refuses a mutation before anything runs; then [`WriteGuarded`],
//! the mutation root itself, refuses every root mutation field as it executes unless the
//! request's viewer may write and the request did not come over GET. A bug in one cannot open
//! writes. (The guard sits on the mutation root rather than in a schema extension: an
//! extension's resolve hook wraps every field of every query in one more boxed future.)

use super::Viewer;
use crate::error::{AppError, AppResult};
use crate::limits::Transport;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationDefinition,
};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container};
use async_graphql::{
    Context, ContextSelectionSet, ErrorExtensions, ObjectType, OutputType, Positioned,
    ServerResult, Value,
};
use sea_orm::prelude::Uuid;
use std::borrow::Cow;
use std::sync::Arc;

/// The operation of `document` the executor will run for `operation_name`: the one it names,
/// or, without a name, the only one. None when the executor will run nothing (it then
/// answers "unknown operation" or "operation name required").
pub fn selected_operation<'a>(
    document: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), None) => Some(&op.node),
        (DocumentOperations::Single(_), Some(_)) => None,
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// FORBIDDEN unless `viewer` may run mutations.
pub fn authorize_mutation(viewer: &Viewer) -> AppResult<()> {
    if viewer.can_write() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "this API key is read-only: mutations need a read-write key".into(),
        ))
    }
}

/// FORBIDDEN (or 405 over GET) unless the request's [`Viewer`] may write and its
/// [`Transport`] is POST or the websocket. A request without a viewer never writes.
fn may_mutate(ctx: &Context<'_>) -> AppResult<()> {
    let Some(viewer) = ctx.data_opt::<Viewer>() else {
        return Err(AppError::Forbidden("mutations need an API key".into()));
    };
    authorize_mutation(viewer)?;
    match ctx.data_opt::<Transport>() {
        Some(Transport::Post | Transport::WebSocket) => Ok(()),
        _ => Err(AppError::bad_request(
            405,
            "mutations must be sent with POST",
        )),
    }
}

/// Told the organisation of each root mutation field that ran, once the field (and so its
/// transaction) is over, so that live subscribers read the event log at once; the server
/// puts it in each request's data.
#[derive(Clone)]
pub struct OnMutation(pub Arc<dyn Fn(Uuid) + Send + Sync>);

/// A mutation root `M` whose every field is refused while it executes unless
/// [`may_mutate`] allows it, and whose fields that ran are told to [`OnMutation`]; to the
/// schema it is `M` itself (same name, same fields).
#[derive(Default)]
pub struct WriteGuarded<M>(pub M);

impl<M: ContainerType> ContainerType for WriteGuarded<M> {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        if let Err(err) = may_mutate(ctx) {
            tracing::warn!(field = %ctx.item.node.name.node, "mutation refused at execution");
            return Err(err.extend().into_server_error(ctx.item.pos));
        }
        let resolved = self.0.resolve_field(ctx).await;
        if let (Some(on_mutation), Some(viewer)) =
            (ctx.data_opt::<OnMutation>(), ctx.data_opt::<Viewer>())
        {
            (on_mutation.0)(viewer.organization_id);
        }
        resolved
    }
}

impl<M: ContainerType> OutputType for WriteGuarded<M> {
    fn type_name() -> Cow<'static, str> {
        M::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        M::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        resolve_container(ctx, self).await
    }
}

impl<M: ObjectType> ObjectType for WriteGuarded<M> {}
