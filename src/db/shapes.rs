//! Statements built once per shape: the SQL text of a statement whose form is fixed by a few
//! facts of the request (which lists, which page sizes, which backend) is made once, and each
//! request puts its own ids into a copy of the bound values.
//!
//! Building a statement with sea-query (the tree, the text, then dropping the tree) was about a
//! tenth of the server's CPU on a deal with its products and history (Q2 of the peer benchmark),
//! for a text that is the same for every deal. A [`Shapes`] cache builds a shape's statement
//! once with stand-in ids (random per cache, so no real id is one of them) and remembers where
//! each stand-in landed among the bound values; a request clones the text and values and puts
//! its own ids in those places. Everything else bound (page sizes, part numbers) is part of the
//! shape, so it is the same for every request of that shape. A shape that binds anything else
//! of the request (a cursor's keys, a filter's values) must not be cached: its callers build
//! those statements as before.
//!
//! Debug builds (the tests) also build every statement afresh and check the copy is the same.

use crate::error::AppResult;
use moka::sync::Cache;
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::QueryStatementWriter;
use sea_orm::{DbBackend, Statement, StatementBuilder, Value, Values};
use std::hash::Hash;
use std::sync::Arc;

/// Most bytes of SQL text a cache keeps.
const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// Statements of shapes `K` with `N` ids of the request bound in them, built once per shape
/// and backend.
pub struct Shapes<K, const N: usize> {
    stand_ins: [Uuid; N],
    built: Cache<(u8, K), Arc<Template>>,
}

/// A shape's statement built with the stand-ins, and where each of them is bound.
struct Template {
    statement: Statement,
    /// (index among the bound values, which id of the request goes there).
    slots: Vec<(usize, usize)>,
}

impl<K: Hash + Eq + Send + Sync + 'static, const N: usize> Default for Shapes<K, N> {
    fn default() -> Self {
        Self {
            stand_ins: std::array::from_fn(|_| Uuid::new_v4()),
            built: Cache::builder()
                .max_capacity(MAX_BYTES)
                .weigher(|_: &(u8, K), template: &Arc<Template>| {
                    u32::try_from(template.statement.sql.len()).unwrap_or(u32::MAX)
                })
                .build(),
        }
    }
}

impl<K: Hash + Eq + Send + Sync + 'static, const N: usize> Shapes<K, N> {
    /// The statement `build` makes for `ids` on `backend`, built once per `shape`: `build`
    /// must make the same statement for every request of one shape but for the `ids` it binds.
    pub fn statement<S: QueryStatementWriter + StatementBuilder>(
        &self,
        shape: K,
        backend: DbBackend,
        ids: [Uuid; N],
        build: impl Fn([Uuid; N]) -> AppResult<S>,
    ) -> AppResult<Statement> {
        let key = (backend_tag(backend), shape);
        let template = match self.built.get(&key) {
            Some(template) => template,
            None => {
                let built = crate::db::statement::build(&build(self.stand_ins)?, backend);
                let template = Arc::new(self.template(built));
                self.built.insert(key, template.clone());
                template
            }
        };
        let statement = template.fill(ids);
        #[cfg(debug_assertions)]
        {
            let fresh = crate::db::statement::build(&build(ids)?, backend);
            debug_assert_eq!(
                statement, fresh,
                "a shape's statement differs from its build"
            );
        }
        Ok(statement)
    }

    /// `statement` (built with the stand-ins) as a template.
    fn template(&self, statement: Statement) -> Template {
        let bound = statement.values.as_ref().map_or(&[][..], |v| &v.0[..]);
        let slots = bound
            .iter()
            .enumerate()
            .filter_map(|(index, value)| match value {
                Value::Uuid(Some(id)) => {
                    let which = self.stand_ins.iter().position(|s| s == id)?;
                    Some((index, which))
                }
                _ => None,
            })
            .collect();
        Template { statement, slots }
    }
}

impl Template {
    /// The statement with `ids` in place of the stand-ins.
    fn fill<const N: usize>(&self, ids: [Uuid; N]) -> Statement {
        let mut statement = self.statement.clone();
        if let Some(Values(values)) = &mut statement.values {
            for &(index, which) in &self.slots {
                values[index] = Value::Uuid(Some(ids[which]));
            }
        }
        statement
    }
}

/// A backend as part of a cache key (`DbBackend` is not `Hash`).
fn backend_tag(backend: DbBackend) -> u8 {
    match backend {
        DbBackend::Postgres => 0,
        DbBackend::Sqlite => 1,
        DbBackend::MySql => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};

    /// `SELECT … WHERE org = $1 AND (id = $2 OR parent = $2) LIMIT size`: the ids twice.
    fn select(org: Uuid, id: Uuid, size: u64) -> AppResult<SelectStatement> {
        Ok(Query::select()
            .column("id")
            .from("deal")
            .and_where(Expr::col("organization_id").eq(org))
            .and_where(Expr::col("id").eq(id).or(Expr::col("parent").eq(id)))
            .limit(size)
            .to_owned())
    }

    #[test]
    fn each_request_gets_its_own_ids_in_its_shapes_text() {
        let shapes: Shapes<u64, 2> = Shapes::default();
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            for size in [10, 20] {
                for _ in 0..3 {
                    let ids = [Uuid::new_v4(), Uuid::new_v4()];
                    let statement = shapes
                        .statement(size, backend, ids, |[org, id]| select(org, id, size))
                        .expect("built");
                    let [org, id] = ids;
                    let fresh = crate::db::statement::build(
                        &select(org, id, size).expect("built"),
                        backend,
                    );
                    assert_eq!(statement, fresh);
                }
            }
        }
        shapes.built.run_pending_tasks();
        assert_eq!(shapes.built.entry_count(), 4, "one per size and backend");
    }
}
