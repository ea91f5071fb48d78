//! Authentication and authorisation: who is calling ([`Viewer`]) and what they may do.
//!
//! Every request carries an API key (`X-API-KEY: …` or `Authorization: Bearer …`). The key's
//! organisation is the request's scope: resolvers and loaders read it from the [`Viewer`] in
//! the request data, and nothing in the API accepts an organisation id from the client.

mod cache;
mod guard;
mod query;
mod viewer;

pub use cache::{ViewerCache, forget_callers};
pub use guard::{OnMutation, WriteGuarded, authorize_mutation, selected_operation};
pub use query::ViewerQuery;
pub use viewer::{Viewer, api_key_from_headers, authenticate};
