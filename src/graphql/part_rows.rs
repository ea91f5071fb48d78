//! Rows a page read in part, kept for the fields they were read for.
//!
//! A deal page reads only the columns of its deals' stage, company, contact… that the request
//! selects on them ([`super::row_decode::Columns`]). Such a row must not go to the request's
//! by-id loaders, where any field could find it: it is kept here with the columns it holds,
//! and a relation field takes it only when those columns cover what its own selection reads.

use super::row_decode::Columns;
use sea_orm::prelude::Uuid;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A row read in part: the columns it holds, and the model.
type Part = (Columns, Arc<dyn Any + Send + Sync>);

/// The rows of one request read in part, by model type and id.
#[derive(Default)]
pub struct PartRows {
    rows: Mutex<HashMap<(TypeId, Uuid), Vec<Part>>>,
}

impl PartRows {
    /// Keeps a copy of each of `rows` (their ids, the columns read and the models), unless a
    /// row of the same id and columns is kept already.
    pub fn keep<'a, M: Any + Clone + Send + Sync>(
        &self,
        rows: impl IntoIterator<Item = (Uuid, Columns, &'a M)>,
    ) {
        let Ok(mut kept) = self.rows.lock() else {
            return;
        };
        for (id, columns, model) in rows {
            let versions = kept.entry((TypeId::of::<M>(), id)).or_default();
            if !versions.iter().any(|(held, _)| *held == columns) {
                versions.push((columns, Arc::new(model.clone())));
            }
        }
    }

    /// The row `id` of `M`, when one is kept that holds every column of `needed`.
    pub fn find<M: Any + Clone>(&self, id: Uuid, needed: Columns) -> Option<M> {
        let kept = self.rows.lock().ok()?;
        kept.get(&(TypeId::of::<M>(), id))?
            .iter()
            .find(|(held, _)| held.covers(needed))
            .and_then(|(_, model)| model.downcast_ref::<M>())
            .cloned()
    }
}
