//! Rows a page read in part, kept for the fields they were read for.
//!
//! A deal page reads only the columns of its deals' stage, company, contact… that the request
//! selects on them ([`super::row_decode::Columns`]). Such a row must not go to the request's
//! by-id loaders, where any field could find it: it is kept here with the columns it holds,
//! and a relation field takes it only when those columns cover what its own selection reads.

use super::row_decode::Columns;
use async_graphql::Positioned;
use async_graphql::parser::types::Field;
use sea_orm::prelude::Uuid;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A row read in part: the columns it holds, and the model.
type Part = (Columns, Arc<dyn Any + Send + Sync>);

/// The rows of one request read in part, by model type and id.
#[derive(Default)]
pub struct PartRows {
    kept: Mutex<Kept>,
}

/// What [`PartRows`] holds behind its lock.
#[derive(Default)]
struct Kept {
    /// The rows, by model type and id.
    rows: HashMap<(TypeId, Uuid), Vec<Part>>,
    /// The columns of `M` each relation field of the request's document needs, by the field's
    /// node (its address: the document lives as long as the request) and `M`. They depend on
    /// that node's own selection only (and the request's variables, for `@skip`/`@include`), so
    /// they are worked out once, not once per row the field is resolved on. None: more than
    /// columns (every one is read).
    needs: Vec<(usize, TypeId, Option<Columns>)>,
}

impl PartRows {
    /// Keeps each of `rows` (their ids, the columns read and the models), unless a row of the
    /// same id and columns is kept already.
    pub fn keep<M: Any + Send + Sync>(&self, rows: impl IntoIterator<Item = (Uuid, Columns, M)>) {
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        for (id, columns, model) in rows {
            let versions = kept.rows.entry((TypeId::of::<M>(), id)).or_default();
            if !versions.iter().any(|(held, _)| *held == columns) {
                versions.push((columns, Arc::new(model)));
            }
        }
    }

    /// The row `id` of `M` for the relation field `field`, when one is kept that holds every
    /// column the field needs; `needs` works those out (None: more than columns), once per
    /// field of the document.
    pub fn find_for<M: Any + Clone>(
        &self,
        id: Uuid,
        field: &Positioned<Field>,
        needs: impl FnOnce() -> Option<Columns>,
    ) -> Option<M> {
        let mut kept = self.kept.lock().ok()?;
        let node = std::ptr::from_ref(field) as usize;
        let model = TypeId::of::<M>();
        let needed = match kept
            .needs
            .iter()
            .find(|(at, of, _)| *at == node && *of == model)
        {
            Some((_, _, needed)) => *needed,
            None => {
                let needed = needs();
                kept.needs.push((node, model, needed));
                needed
            }
        }?;
        kept.rows
            .get(&(model, id))?
            .iter()
            .find(|(held, _)| held.covers(needed))
            .and_then(|(_, model)| model.downcast_ref::<M>())
            .cloned()
    }
}
