//! The operation guard: a read-only key may query, never mutate; and nothing mutates over GET.
//!
//! Two independent checks: [`selected_operation`] picks the operation exactly as the executor
//! will, and the request gate refuses a mutation before anything runs; then [`WriteGuard`], a
//! schema extension, refuses every root mutation field at execution time unless the request's
//! viewer may write and the request did not come over GET. A bug in one cannot open writes.

use super::Viewer;
use crate::error::{AppError, AppResult};
use crate::limits::Transport;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition};
use async_graphql::{ErrorExtensions, ServerResult, Value};
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

/// Refuses every root `Mutation` field while it executes, unless the request's [`Viewer`]
/// may write and its [`Transport`] is not GET. A request without a viewer never writes.
pub struct WriteGuard;

impl ExtensionFactory for WriteGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(WriteGuardExtension)
    }
}

struct WriteGuardExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for WriteGuardExtension {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.parent_type == "Mutation" && info.path_node.parent.is_none() {
            let allowed = match ctx.data_opt::<Viewer>() {
                None => Err(AppError::Forbidden("mutations need an API key".into())),
                Some(viewer) => {
                    authorize_mutation(viewer).and_then(|()| match ctx.data_opt::<Transport>() {
                        Some(Transport::Post | Transport::WebSocket) => Ok(()),
                        _ => Err(AppError::bad_request(
                            405,
                            "mutations must be sent with POST",
                        )),
                    })
                }
            };
            if let Err(err) = allowed {
                tracing::warn!(field = info.name, "mutation refused at execution");
                return Err(err.extend().into_server_error(info.field.name.pos));
            }
        }
        next.run(ctx, info).await
    }
}
