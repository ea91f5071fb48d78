//! What one request may ask of the server, checked before async-graphql validates or runs it.
//!
//! [`RequestGate::admit`] runs, in this order, on every GraphQL request of every transport
//! (POST, GET, both websocket protocols):
//! 1. [`lexer`]: the document's tokens and bracket nesting, before it is parsed;
//! 2. [`document`]: operations, aliases, directives per field, and the size and depth of the
//!    selection once fragments are expanded (memoised per fragment: linear time);
//!    a document seen before is not parsed again, and skips these two ([`parsed`]);
//! 3. the operation guard: a read-only key or a GET request never runs a mutation;
//! 4. [`inputs`]: every variable and literal argument (lengths, NUL bytes, list sizes,
//!    required variables);
//! 5. [`cost`]: the operation's cost from its shape and page sizes, refused above the maximum;
//! 6. [`budget`]: the cost is charged to the API key's per-minute budget.
//!
//! Each refusal is a coded error (LIMIT_EXCEEDED, BAD_USER_INPUT, FORBIDDEN,
//! GRAPHQL_VALIDATION_FAILED) and costs time linear in the request's size.

pub mod budget;
pub mod cost;
pub mod document;
pub mod inputs;
pub mod lexer;
pub mod parsed;
pub mod subscriptions;

use crate::auth::{self, Viewer};
use crate::error::{AppError, AppResult};
use async_graphql::parser::types::{OperationDefinition, OperationType};
use async_graphql::{Request, Value, Variables};
use budget::{Budgets, Charge};
use cost::CostModel;
use parsed::ParsedDocuments;
use std::time::Duration;

/// Tokens a document may have.
pub const MAX_TOKENS: usize = 15_000;
/// Deepest bracket nesting the lexer lets through to the parser.
pub const MAX_NESTING: usize = 64;
/// Deepest selection a query may nest, fragments expanded.
pub const MAX_DEPTH: usize = 16;
/// Fields a document may select once every fragment is expanded.
pub const MAX_EXPANDED_FIELDS: u64 = 5_000;
/// Aliased fields a document may have.
pub const MAX_ALIASES: usize = 200;
/// Directives one field, fragment or operation may carry.
pub const MAX_DIRECTIVES_PER_FIELD: usize = 5;
/// Operations one document may define.
pub const MAX_OPERATIONS: usize = 20;
/// Longest string a variable or argument may hold, in bytes.
pub const MAX_INPUT_STRING: usize = 64 * 1024;
/// Most items a list variable or argument may hold.
pub const MAX_INPUT_LIST: usize = 1_000;
/// Deepest nesting of lists and objects in one input value (a deeper one would exhaust the
/// stack of the code that reads it).
pub const MAX_INPUT_DEPTH: usize = 24;
/// Most values (scalars, lists, objects) the variables and arguments may hold in all.
pub const MAX_INPUT_VALUES: usize = 10_000;

/// The configurable limits, from [`crate::config::Config`].
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest operation cost accepted.
    pub max_cost: u64,
    /// Cost points each API key may spend per minute (0: no budget).
    pub budget_per_minute: u64,
    /// Time one request may run before it is cancelled.
    pub request_timeout: Duration,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Largest response body sent, in bytes.
    pub max_response_bytes: usize,
}

/// How a request arrived: GET never runs mutations, whatever the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// `POST /graphql`.
    Post,
    /// `GET /graphql?query=…`.
    Get,
    /// A websocket connection (graphql-transport-ws or graphql-ws).
    WebSocket,
}

/// The cost of an admitted request, as reported in `extensions.cost`.
#[derive(Clone, Debug)]
pub struct CostReport {
    /// The operation's cost.
    pub requested: u64,
    /// The largest cost accepted.
    pub limit: u64,
    /// What the key's budget holds after this request, when there is a budget.
    pub budget: Option<Charge>,
}

impl CostReport {
    /// `extensions.cost`: `{ requested, limit, budget { remaining, resetAt } }`.
    pub fn to_value(&self) -> Value {
        let mut cost = async_graphql::indexmap::IndexMap::new();
        cost.insert(
            async_graphql::Name::new("requested"),
            Value::from(self.requested),
        );
        cost.insert(async_graphql::Name::new("limit"), Value::from(self.limit));
        if let Some(charge) = &self.budget {
            cost.insert(async_graphql::Name::new("budget"), charge.to_value());
        }
        Value::Object(cost)
    }
}

/// A refused request: the error, and the cost when it was computed.
pub struct Refusal {
    /// Why.
    pub error: AppError,
    /// The cost report, when the refusal came at or after costing.
    pub cost: Option<CostReport>,
}

impl From<AppError> for Refusal {
    fn from(error: AppError) -> Self {
        Self { error, cost: None }
    }
}

/// The checks every request passes before async-graphql sees it; shared by all transports.
pub struct RequestGate {
    /// The configured limits.
    pub limits: Limits,
    cost: CostModel,
    budgets: Budgets,
    documents: ParsedDocuments,
}

impl RequestGate {
    /// A gate for `schema_sdl` (the schema's SDL, for field types) with `limits`.
    pub fn new(limits: Limits, schema_sdl: &str) -> Self {
        Self {
            cost: CostModel::from_sdl(schema_sdl),
            budgets: Budgets::new(limits.budget_per_minute),
            documents: ParsedDocuments::default(),
            limits,
        }
    }

    /// Checks `request` for `viewer` arriving over `transport`, charges its cost, and returns
    /// the cost report. A document that does not parse passes: the schema reports the
    /// syntax error and nothing runs.
    pub fn admit(
        &self,
        viewer: &Viewer,
        request: &mut Request,
        transport: Transport,
    ) -> Result<CostReport, Refusal> {
        let known = self.documents.get(&request.query);
        match &known {
            Some(document) => request.set_parsed_query(document.as_ref().clone()),
            None => lexer::check(&request.query)?,
        }
        // Moved out (not cloned) while the parsed document borrows the request; put back
        // below when the request is admitted (a refused request is dropped).
        let variables = std::mem::take(&mut request.variables);
        let operation_name = request.operation_name.take();
        let admitted = self.judge(
            viewer,
            request,
            &variables,
            operation_name.as_deref(),
            transport,
            known.is_some(),
        );
        request.variables = variables;
        request.operation_name = operation_name;
        if admitted.is_ok() && known.is_none() && request.query.len() <= parsed::MAX_TEXT {
            let text = request.query.clone();
            if let Ok(document) = request.parsed_query() {
                self.documents.remember(text, document);
            }
        }
        admitted
    }

    fn judge(
        &self,
        viewer: &Viewer,
        request: &mut Request,
        variables: &Variables,
        operation_name: Option<&str>,
        transport: Transport,
        checked: bool,
    ) -> Result<CostReport, Refusal> {
        let Ok(document) = request.parsed_query() else {
            return Ok(self.report(0, None));
        };
        if !checked {
            document::check(document)?;
        }
        let operation = auth::selected_operation(document, operation_name);
        match operation {
            Some(operation) => {
                authorize(viewer, operation, transport)?;
                inputs::check(document, operation, variables)?;
            }
            // The executor will run nothing; a document holding a mutation is still judged
            // as one, so no reading of the request can slip a write past this check.
            None => {
                for (_, operation) in document.operations.iter() {
                    authorize(viewer, &operation.node, transport)?;
                }
            }
        }
        let requested = operation.map_or(0, |op| self.cost.of(document, op, variables));
        if requested > self.limits.max_cost {
            return Err(Refusal {
                error: AppError::LimitExceeded(format!(
                    "this query costs {requested} points, more than the limit of {}: ask for \
                     smaller pages (first/last) or fewer nested lists",
                    self.limits.max_cost
                )),
                cost: Some(self.report(requested, None)),
            });
        }
        match self.budgets.charge(viewer.api_key_id, requested.max(1)) {
            Ok(charge) => Ok(self.report(requested, charge)),
            Err(retry_after) => Err(Refusal {
                error: AppError::RateLimited {
                    message: format!(
                        "this API key has spent its budget of {} cost points a minute; \
                         retry in {retry_after} s",
                        self.limits.budget_per_minute
                    ),
                    retry_after,
                },
                cost: Some(self.report(requested, self.budgets.peek(viewer.api_key_id))),
            }),
        }
    }

    fn report(&self, requested: u64, budget: Option<Charge>) -> CostReport {
        CostReport {
            requested,
            limit: self.limits.max_cost,
            budget,
        }
    }
}

/// FORBIDDEN when `viewer` may not run `operation`; then, mutations are never run over GET
/// (BAD_REQUEST, HTTP 405).
fn authorize(
    viewer: &Viewer,
    operation: &OperationDefinition,
    transport: Transport,
) -> AppResult<()> {
    if operation.ty != OperationType::Mutation {
        return Ok(());
    }
    auth::authorize_mutation(viewer)?;
    if transport == Transport::Get {
        return Err(AppError::bad_request(
            405,
            "mutations must be sent with POST",
        ));
    }
    Ok(())
}
