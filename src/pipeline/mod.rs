//! Pipelines and their ordered stages (Play2Sell's stages with position and probability).

mod list;
mod loader;
mod mutation;
mod query;
pub mod service;
mod types;

pub use list::PipelineConnection;
pub use loader::{PipelineId, PipelineStages, StageId};
pub use mutation::PipelineMutation;
pub use query::PipelineQuery;
pub use types::{Pipeline, Stage};
