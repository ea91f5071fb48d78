//! Relay cursor connections paginated by keyset, never OFFSET.
//!
//! A list is ordered by its sort keys followed by `id` (so ties are broken the same way every
//! time) with NULLs last in both directions. A cursor is the base64 of the row's sort-key
//! values, its id and the ordering it was made under; a cursor made under another ordering is
//! BAD_USER_INPUT. `first`/`after` pages forward, `last`/`before` backward; one page holds
//! 50 rows unless asked otherwise and at most 500.

use crate::error::{AppError, AppResult};
use async_graphql::Object;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{
    Asterisk, Condition, Expr, ExprTrait, Func, JoinType, NullOrdering, Order, OrderedStatement,
    Query, SelectStatement, SimpleExpr, ValueTuple,
};
use sea_orm::{
    ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, IdenStatic, Iterable, QueryResult,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Rows in a page when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: u64 = 50;
/// Most rows a page may hold (Pipedrive's limit).
pub const MAX_PAGE_SIZE: u64 = 500;

/// Longest cursor accepted; every cursor the server makes is far shorter.
const MAX_CURSOR: usize = 1024;

/// The four Relay arguments, as a client sent them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct PageArgs {
    /// Rows after `after`, forward.
    pub first: Option<i32>,
    /// Cursor to start after.
    pub after: Option<String>,
    /// Rows before `before`, backward.
    pub last: Option<i32>,
    /// Cursor to end before.
    pub before: Option<String>,
}

/// Which way a page is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `first`/`after`.
    Forward,
    /// `last`/`before`.
    Backward,
}

/// A validated page request.
#[derive(Clone, Debug)]
pub struct Page {
    /// Rows wanted.
    pub size: u64,
    /// Which way.
    pub direction: Direction,
    /// Where to start, exclusive.
    pub cursor: Option<Cursor>,
}

/// One sort-key value of a row, as kept in a cursor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum KeyValue {
    /// SQL NULL.
    Null,
    /// Text.
    Text(String),
    /// An integer (including scaled money).
    Int(i64),
    /// An instant.
    Time(DateTime<Utc>),
    /// A date.
    Date(NaiveDate),
    /// A UUID.
    Uuid(Uuid),
    /// A floating-point number (a search score), kept in the cursor as its shortest exact
    /// text so that it compares equal when it comes back.
    Float(#[serde(with = "exact_float")] f64),
}

impl KeyValue {
    fn sql(&self) -> Option<sea_orm::Value> {
        match self {
            Self::Null => None,
            Self::Text(v) => Some(v.clone().into()),
            Self::Int(v) => Some((*v).into()),
            Self::Time(v) => Some((*v).into()),
            Self::Date(v) => Some((*v).into()),
            Self::Uuid(v) => Some((*v).into()),
            Self::Float(v) => Some((*v).into()),
        }
    }
}

/// An `f64` as the text Rust prints for it, which parses back to the same bits (JSON
/// numbers may not).
mod exact_float {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&value.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| serde::de::Error::custom("not a number"))
    }
}

impl From<Option<KeyValue>> for KeyValue {
    fn from(value: Option<KeyValue>) -> Self {
        value.unwrap_or(Self::Null)
    }
}

/// Where a row stands in an ordering.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The ordering's signature (e.g. `VALUE:DESC,ID:ASC`).
    pub order: String,
    /// The row's sort-key values, in order.
    pub keys: Vec<KeyValue>,
    /// The row's id.
    pub id: Uuid,
}

impl Cursor {
    /// The opaque string a client sees.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(text: &str, field: &str) -> AppResult<Self> {
        if text.len() > MAX_CURSOR {
            return Err(AppError::bad_input(field, "the cursor is malformed"));
        }
        URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| AppError::bad_input(field, "the cursor is malformed"))
    }
}

fn page_size(value: Option<i32>, field: &str) -> AppResult<Option<u64>> {
    match value {
        None => Ok(None),
        Some(n) if n < 0 => Err(AppError::bad_input(
            field,
            format!("{field} must not be negative"),
        )),
        Some(n) if n as u64 > MAX_PAGE_SIZE => Err(AppError::bad_input(
            field,
            format!("{field} must be at most {MAX_PAGE_SIZE}"),
        )),
        Some(n) => Ok(Some(n as u64)),
    }
}

impl PageArgs {
    /// Validates the arguments for an ordering with signature `order`.
    pub fn page(&self, order: &str) -> AppResult<Page> {
        let first = page_size(self.first, "first")?;
        let last = page_size(self.last, "last")?;
        let cursor = |text: &Option<String>, field: &str| -> AppResult<Option<Cursor>> {
            let Some(text) = text else { return Ok(None) };
            let cursor = Cursor::decode(text, field)?;
            if cursor.order != order {
                return Err(AppError::bad_input(
                    field,
                    "the cursor was made under another orderBy; start again without it",
                ));
            }
            Ok(Some(cursor))
        };
        match (first, last) {
            (Some(_), Some(_)) => Err(AppError::bad_input("last", "pass first or last, not both")),
            (_, None) if self.before.is_some() => {
                Err(AppError::bad_input("before", "before goes with last"))
            }
            (None, Some(_)) if self.after.is_some() => {
                Err(AppError::bad_input("after", "after goes with first"))
            }
            (None, Some(size)) => Ok(Page {
                size,
                direction: Direction::Backward,
                cursor: cursor(&self.before, "before")?,
            }),
            (first, None) => Ok(Page {
                size: first.unwrap_or(DEFAULT_PAGE_SIZE),
                direction: Direction::Forward,
                cursor: cursor(&self.after, "after")?,
            }),
        }
    }
}

/// One key of an ordering: an expression, its direction, and whether it can be NULL.
#[derive(Clone, Debug)]
pub struct SortKey {
    /// The column or expression sorted on.
    pub expr: SimpleExpr,
    /// Descending?
    pub descending: bool,
    /// May hold NULL (sorted last in both directions)?
    pub nullable: bool,
}

/// Adds `ORDER BY keys…, id` to `select` (a query or a window), reversed when reading
/// backward.
pub fn apply_order(
    select: &mut impl OrderedStatement,
    keys: &[SortKey],
    id: SimpleExpr,
    direction: Direction,
) {
    let backward = direction == Direction::Backward;
    for key in keys {
        let order = if key.descending != backward {
            Order::Desc
        } else {
            Order::Asc
        };
        if key.nullable {
            let nulls = if backward {
                NullOrdering::First
            } else {
                NullOrdering::Last
            };
            select.order_by_expr_with_nulls(key.expr.clone(), order, nulls);
        } else {
            select.order_by_expr(key.expr.clone(), order);
        }
    }
    select.order_by_expr(id, if backward { Order::Desc } else { Order::Asc });
}

/// The rows strictly past `cursor` in the reading direction.
pub fn keyset_condition(
    keys: &[SortKey],
    id: SimpleExpr,
    page: &Page,
) -> AppResult<Option<Condition>> {
    let Some(cursor) = &page.cursor else {
        return Ok(None);
    };
    if cursor.keys.len() != keys.len() {
        return Err(AppError::bad_input("after", "the cursor is malformed"));
    }
    let forward = page.direction == Direction::Forward;
    let mut any = Condition::any();
    let mut equal_so_far = Condition::all();
    for (key, value) in keys.iter().zip(&cursor.keys) {
        // "Past" on this key: greater in the key's own direction when reading forward.
        let greater = key.descending != forward;
        let past = match value.sql() {
            Some(v) => {
                let compare = if greater {
                    key.expr.clone().gt(v.clone())
                } else {
                    key.expr.clone().lt(v.clone())
                };
                if key.nullable && forward {
                    Condition::any()
                        .add(compare)
                        .add(key.expr.clone().is_null())
                } else {
                    Condition::all().add(compare)
                }
            }
            // NULLs come last: nothing is past them forward; every non-NULL is, backward.
            None if forward => Condition::all().add(Expr::val(1).eq(0)),
            None => Condition::all().add(key.expr.clone().is_not_null()),
        };
        any = any.add(equal_so_far.clone().add(past));
        let equal = match value.sql() {
            Some(v) => key.expr.clone().eq(v),
            None => key.expr.clone().is_null(),
        };
        equal_so_far = equal_so_far.add(equal);
    }
    let id_past = if forward {
        id.gt(cursor.id)
    } else {
        id.lt(cursor.id)
    };
    Ok(Some(any.add(equal_so_far.add(id_past))))
}

/// `pageInfo` of a connection. Its cursors are encoded only when a client asks for them:
/// most pages are read without (`nodes { … }`), and encoding one is a JSON and a base64 string.
#[derive(Clone, Debug, Default)]
pub struct PageInfo {
    /// Whether more rows follow this page.
    pub has_next_page: bool,
    /// Whether rows precede this page.
    pub has_previous_page: bool,
    /// Where the first row of this page stands.
    pub start: Option<Cursor>,
    /// Where the last row of this page stands.
    pub end: Option<Cursor>,
}

/// `pageInfo` of a connection.
#[Object]
impl PageInfo {
    /// Whether more rows follow this page.
    async fn has_next_page(&self) -> bool {
        self.has_next_page
    }

    /// Whether rows precede this page.
    async fn has_previous_page(&self) -> bool {
        self.has_previous_page
    }

    /// The cursor of the first row of this page.
    async fn start_cursor(&self) -> Option<String> {
        self.start.as_ref().map(Cursor::encode)
    }

    /// The cursor of the last row of this page.
    async fn end_cursor(&self) -> Option<String> {
        self.end.as_ref().map(Cursor::encode)
    }
}

/// Trims a fetched page (up to `size + 1` rows, in reading order) to `size` rows in list
/// order, and says what lies beyond it.
pub fn finish_page<T>(
    mut rows: Vec<T>,
    page: &Page,
    cursor_of: impl Fn(&T) -> Cursor,
) -> (Vec<T>, PageInfo) {
    let more = rows.len() as u64 > page.size;
    rows.truncate(page.size as usize);
    if page.direction == Direction::Backward {
        rows.reverse();
    }
    let (has_next_page, has_previous_page) = match page.direction {
        Direction::Forward => (more, page.cursor.is_some()),
        Direction::Backward => (page.cursor.is_some(), more),
    };
    let info = PageInfo {
        has_next_page,
        has_previous_page,
        start: rows.first().map(&cursor_of),
        end: rows.last().map(&cursor_of),
    };
    (rows, info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_arguments_are_validated() {
        let args = |first, last| PageArgs {
            first,
            last,
            ..Default::default()
        };
        assert_eq!(
            args(None, None).page("ID:ASC").map(|p| p.size).ok(),
            Some(DEFAULT_PAGE_SIZE)
        );
        assert_eq!(
            args(Some(500), None).page("ID:ASC").map(|p| p.size).ok(),
            Some(500)
        );
        assert!(args(Some(501), None).page("ID:ASC").is_err());
        assert!(args(Some(-1), None).page("ID:ASC").is_err());
        assert!(args(Some(1), Some(1)).page("ID:ASC").is_err());
        let bad = PageArgs {
            after: Some("%%%".into()),
            ..Default::default()
        };
        assert!(bad.page("ID:ASC").is_err());
    }

    #[test]
    fn a_listing_reads_only_the_columns_it_names() {
        let page = PageArgs {
            first: Some(5),
            ..Default::default()
        }
        .page("")
        .expect("page");
        let joins = [ToOne::to::<entity::company::Entity>(
            "company",
            "company_id",
        )];
        let parents = [Uuid::now_v7()];
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            for (partition, joins) in [
                (false, &joins[..0]),
                (false, &joins[..]),
                (true, &joins[..]),
            ] {
                let listing = Listing {
                    condition: Condition::all(),
                    keys: &[],
                    id: Expr::col((entity::deal::Entity, entity::deal::Column::Id)),
                    partition: partition.then(|| {
                        Partition::by_column(
                            Expr::col((entity::deal::Entity, entity::deal::Column::StageId)),
                            &parents,
                        )
                    }),
                    page: &page,
                    joins,
                    hits: None,
                    columns: Some(&["id", "organization_id", "title", "company_id"]),
                };
                let select = listing_statement::<entity::deal::Entity>(backend, listing)
                    .expect("statement")
                    .expect("a statement");
                let sql = crate::db::statement::build(&select, backend).sql;
                assert!(sql.contains("\"title\""), "{sql}");
                assert!(!sql.contains("custom_fields"), "{sql}");
                assert!(!sql.contains("\"deal\".*"), "{sql}");
            }
        }
    }

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_ordering() {
        let cursor = Cursor {
            order: "VALUE:DESC".into(),
            keys: vec![KeyValue::Int(5), KeyValue::Null],
            id: Uuid::now_v7(),
        };
        let args = PageArgs {
            first: Some(3),
            after: Some(cursor.encode()),
            ..Default::default()
        };
        assert_eq!(
            args.page("VALUE:DESC").ok().and_then(|p| p.cursor),
            Some(cursor)
        );
        assert!(args.page("TITLE:ASC").is_err());
    }
}

/// What to fetch: rows matching `condition`, ordered by `keys` then `id`, one page — of the
/// whole table, or (`partition`) one page per parent, all in a single statement.
pub struct Listing<'a> {
    /// Which rows (tenant scope included).
    pub condition: Condition,
    /// Sort keys before the id.
    pub keys: &'a [SortKey],
    /// The id column.
    pub id: SimpleExpr,
    /// The parents to page, for nested lists.
    pub partition: Option<Partition<'a>>,
    /// The page.
    pub page: &'a Page,
    /// To-one relations to fetch with the page's rows.
    pub joins: &'a [ToOne],
    /// Rows of another statement every listed row must match, whose columns it carries
    /// (a search's hits); not for nested lists.
    pub hits: Option<Hits>,
    /// The listed table's columns to read, in its column order (None: all of them). They
    /// must hold the sort keys' columns and the joins' foreign keys.
    pub columns: Option<&'a [&'static str]>,
}

/// `INNER JOIN (query) AS alias ON alias.key = table.id`, the join's `columns` selected with
/// the listed rows under their own names.
pub struct Hits {
    /// The statement, one row per listed row at most.
    pub query: SelectStatement,
    /// Its alias in the listing.
    pub alias: &'static str,
    /// Its column holding the listed row's id.
    pub key: &'static str,
    /// Its columns the rows carry.
    pub columns: &'static [&'static str],
}

/// The parents of a nested list, and how a row belongs to one.
pub struct Partition<'a> {
    /// The condition that a row belongs to the parent whose key is the given expression.
    pub belongs: Box<dyn Fn(SimpleExpr) -> SimpleExpr + Send + Sync + 'a>,
    /// The parents' keys (ids, or any other value `belongs` understands: a timeline's
    /// bucket numbers).
    pub parents: Vec<sea_orm::Value>,
}

impl<'a> Partition<'a> {
    /// Rows whose `column` holds the parent's id.
    pub fn by_column(column: SimpleExpr, parents: &[Uuid]) -> Self {
        Self {
            belongs: Box::new(move |parent| column.clone().eq(parent)),
            parents: parents.iter().map(|id| (*id).into()).collect(),
        }
    }
}

/// The column of a nested page's rows that names the parent each was listed under.
pub const PAGE_PARENT: &str = "page_parent";

/// A to-one relation fetched with a page: `LEFT JOIN table AS alias` on the row's foreign key
/// within the row's organisation, every column selected as `alias__column` (decoded by position,
/// see [`super::row_decode`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ToOne {
    /// The related table.
    pub table: &'static str,
    /// Its alias in the statement, also the prefix of its columns.
    pub alias: &'static str,
    /// The listed row's column holding the related id.
    pub foreign_key: &'static str,
    /// The related table's columns.
    pub columns: Vec<&'static str>,
}

impl ToOne {
    /// The relation to `R`'s table through the listed row's `foreign_key`, named `alias`.
    pub fn to<R: EntityTrait + Default>(alias: &'static str, foreign_key: &'static str) -> Self {
        Self {
            table: R::default().table_name(),
            alias,
            foreign_key,
            columns: R::Column::iter().map(|c| c.as_str()).collect(),
        }
    }
}

/// Runs `listing` over entity `E`: at most `size + 1` rows per page, as raw rows (the listed
/// row's columns under their own names, joined relations' as `alias__column`, and for a nested
/// list the parent's id as [`PAGE_PARENT`]). Rows of one parent come in reading order.
///
/// On PostgreSQL a nested page is a `LATERAL` subquery per parent (`VALUES` of the parent ids),
/// each an index range scan stopped after `size + 1` rows; SQLite, which has no `LATERAL`,
/// reads the same per-parent `LIMIT` subquery as `id IN (…)` for each parent. Either way the
/// database reads about what it returns, not every row of the parents.
pub async fn fetch_raw_rows<E>(
    db: &impl ConnectionTrait,
    listing: Listing<'_>,
) -> AppResult<Vec<QueryResult>>
where
    E: EntityTrait + Default,
{
    let backend = db.get_database_backend();
    match listing_statement::<E>(backend, listing)? {
        Some(select) => Ok(db
            .query_all_raw(crate::db::statement::build(&select, backend))
            .await?),
        None => Ok(Vec::new()),
    }
}

/// The statement [`fetch_raw_rows`] runs for `listing` on `backend` (None: a nested list
/// without parents, which has no rows).
pub fn listing_statement<E>(
    backend: DbBackend,
    listing: Listing<'_>,
) -> AppResult<Option<SelectStatement>>
where
    E: EntityTrait + Default,
{
    let table = E::default().table_name();
    let select_columns = |select: &mut SelectStatement| match listing.columns {
        Some(names) => {
            for name in names {
                select.column((E::default(), *name));
            }
        }
        None => {
            for column in E::Column::iter() {
                select.column((E::default(), column));
            }
        }
    };
    let mut condition = listing.condition;
    if let Some(past_cursor) = keyset_condition(listing.keys, listing.id.clone(), listing.page)? {
        condition = condition.add(past_cursor);
    }
    let mut inner = Query::select();
    inner.from(E::default()).cond_where(condition);
    if let Some(hits) = listing.hits {
        if listing.partition.is_some() {
            return Err(AppError::internal("hits on a nested list"));
        }
        inner.join_subquery(
            JoinType::InnerJoin,
            hits.query,
            hits.alias,
            Expr::col((hits.alias, hits.key)).equals((table, "id")),
        );
        for column in hits.columns {
            inner.expr_as(Expr::col((hits.alias, *column)), *column);
        }
    }
    apply_order(
        &mut inner,
        listing.keys,
        listing.id.clone(),
        listing.page.direction,
    );
    inner.limit(listing.page.size + 1);
    let mut outer = Query::select();
    match listing.partition {
        None if listing.joins.is_empty() => {
            select_columns(&mut inner);
            return Ok(Some(inner));
        }
        None => {
            select_columns(&mut inner);
            outer.from_subquery(inner, table);
        }
        Some(Partition { parents, .. }) if parents.is_empty() => return Ok(None),
        Some(Partition { belongs, parents }) => {
            inner.and_where(belongs(Expr::col((PARENTS, PARENT_ID))));
            outer
                .from_values(parents.into_iter().map(ValueTuple::One), PARENTS)
                .expr_as(Expr::col((PARENTS, PARENT_ID)), PAGE_PARENT);
            if backend == DbBackend::Postgres {
                select_columns(&mut inner);
                outer.join_lateral(JoinType::InnerJoin, inner, table, Expr::cust("TRUE"));
            } else {
                let id_column = E::Column::iter()
                    .find(|c| c.as_str() == "id")
                    .ok_or_else(|| AppError::internal("listed table without id"))?;
                inner.column((E::default(), id_column));
                outer.join(
                    JoinType::InnerJoin,
                    E::default(),
                    Expr::col((E::default(), id_column)).in_subquery(inner),
                );
            }
        }
    }
    match listing.columns {
        Some(names) => {
            for name in names {
                outer.column((table, *name));
            }
        }
        None => {
            outer.column((table, Asterisk));
        }
    }
    for join in listing.joins {
        for column in &join.columns {
            outer.expr_as(
                Expr::col((join.alias, *column)),
                format!("{}__{column}", join.alias),
            );
        }
        outer.join_as(
            JoinType::LeftJoin,
            join.table,
            join.alias,
            Condition::all()
                .add(Expr::col((join.alias, "id")).equals((table, join.foreign_key)))
                .add(Expr::col((join.alias, "organization_id")).equals((table, "organization_id"))),
        );
    }
    apply_order(&mut outer, listing.keys, listing.id, listing.page.direction);
    Ok(Some(outer))
}

/// The derived table of parent ids of a nested page, and its one column.
const PARENTS: &str = "parents";
const PARENT_ID: &str = "column1";

/// [`fetch_raw_rows`], decoded as `E`'s models.
pub async fn fetch_rows<E>(
    db: &impl ConnectionTrait,
    listing: Listing<'_>,
) -> AppResult<Vec<E::Model>>
where
    E: EntityTrait + Default,
    E::Model: FromQueryResult,
{
    fetch_raw_rows::<E>(db, listing)
        .await?
        .iter()
        .map(|row| Ok(E::Model::from_query_result(row, "")?))
        .collect()
}

/// A page of rows, each with its cursor, and its `pageInfo`.
#[derive(Clone, Debug)]
pub struct RowPage<M> {
    /// The rows, in list order, each with its cursor: encoded only when a client asks for it
    /// (`edges { cursor }`); a page of `nodes` never pays for it.
    pub edges: Vec<(Cursor, M)>,
    /// `pageInfo`.
    pub info: PageInfo,
}

impl<M> RowPage<M> {
    /// The same page with each row turned into another (its cursor and place kept).
    pub fn map<N>(self, mut f: impl FnMut(M) -> N) -> RowPage<N> {
        RowPage {
            edges: self.edges.into_iter().map(|(c, row)| (c, f(row))).collect(),
            info: self.info,
        }
    }
}

impl<M> Default for RowPage<M> {
    fn default() -> Self {
        Self {
            edges: Vec::new(),
            info: PageInfo::default(),
        }
    }
}

/// Splits fetched rows into one finished page per parent (`parents` None: one page, keyed
/// None). Every asked parent gets a page, empty when it has no rows.
pub fn pages_by_parent<K: Copy + Eq + std::hash::Hash, M>(
    rows: Vec<M>,
    parents: Option<&[K]>,
    parent_of: impl Fn(&M) -> Option<K>,
    page: &Page,
    cursor_of: impl Fn(&M) -> Cursor,
) -> HashMap<Option<K>, RowPage<M>> {
    let mut grouped: HashMap<Option<K>, Vec<M>> = match parents {
        None => HashMap::from([(None, Vec::with_capacity(rows.len()))]),
        Some(ids) => ids.iter().map(|id| (Some(*id), Vec::new())).collect(),
    };
    for row in rows {
        let parent = if parents.is_some() {
            parent_of(&row)
        } else {
            None
        };
        grouped.entry(parent).or_default().push(row);
    }
    grouped
        .into_iter()
        .map(|(parent, rows)| {
            let (rows, info) = finish_page(rows, page, &cursor_of);
            let edges = rows.into_iter().map(|row| (cursor_of(&row), row)).collect();
            (parent, RowPage { edges, info })
        })
        .collect()
}

/// A row that knows its place in its list's fixed ordering.
pub trait Keyed {
    /// The row's sort-key values, as in its list's keys.
    fn key_values(&self) -> Vec<KeyValue>;
    /// The row's id.
    fn row_id(&self) -> Uuid;
}

/// Which parents a nested list is paged for.
pub struct Parents<'a, M> {
    /// The column holding a row's parent.
    pub column: SimpleExpr,
    /// The parents to page.
    pub ids: &'a [Uuid],
    /// A row's parent.
    pub of: fn(&M) -> Option<Uuid>,
}

/// The pages of a list in a fixed ordering named `order`: of the whole list, or of each of
/// `parents`.
pub async fn fetch_keyed_pages<E>(
    db: &impl ConnectionTrait,
    condition: Condition,
    keys: &[SortKey],
    id: SimpleExpr,
    order: &str,
    args: &PageArgs,
    parents: Option<Parents<'_, E::Model>>,
) -> AppResult<HashMap<Option<Uuid>, RowPage<E::Model>>>
where
    E: EntityTrait + Default,
    E::Model: FromQueryResult + Keyed,
{
    let page = args.page(order)?;
    let (partition, parent_ids, parent_of) = match parents {
        Some(p) => (
            Some(Partition::by_column(p.column, p.ids)),
            Some(p.ids),
            Some(p.of),
        ),
        None => (None, None, None),
    };
    let listing = Listing {
        condition,
        keys,
        id,
        partition,
        page: &page,
        joins: &[],
        hits: None,
        columns: None,
    };
    let rows = fetch_rows::<E>(db, listing).await?;
    let cursor_of = |row: &E::Model| Cursor {
        order: order.to_owned(),
        keys: row.key_values(),
        id: row.row_id(),
    };
    let parent_of = |row: &E::Model| parent_of.and_then(|parent_of| parent_of(row));
    Ok(pages_by_parent(
        rows, parent_ids, parent_of, &page, cursor_of,
    ))
}

/// One page of a root list in a fixed ordering named `order`.
pub async fn fetch_root_page<E>(
    db: &impl ConnectionTrait,
    condition: Condition,
    keys: &[SortKey],
    id: SimpleExpr,
    order: &str,
    args: &PageArgs,
) -> AppResult<RowPage<E::Model>>
where
    E: EntityTrait + Default,
    E::Model: FromQueryResult + Keyed,
{
    let mut pages = fetch_keyed_pages::<E>(db, condition, keys, id, order, args, None).await?;
    Ok(pages.remove(&None).unwrap_or_default())
}

/// How many rows `select` (its FROM, joins and conditions, set by the list) holds: in all
/// (`parent` None, keyed None), or per parent id in one grouped statement (`parent`: the
/// expression holding a row's parent, and the parents; every parent gets a count, 0 when it has
/// no rows). The one way every list is counted.
pub async fn count_rows(
    db: &impl ConnectionTrait,
    mut select: SelectStatement,
    parent: Option<(SimpleExpr, &[Uuid])>,
) -> AppResult<HashMap<Option<Uuid>, i64>> {
    select.expr_as(Func::count(Expr::col(Asterisk)).cast_as("BIGINT"), "rows");
    let mut counts: HashMap<Option<Uuid>, i64> = match parent {
        Some((column, ids)) => {
            select
                .expr_as(column.clone(), PAGE_PARENT)
                .and_where(column.clone().is_in(ids.iter().copied()))
                .add_group_by([column]);
            ids.iter().map(|id| (Some(*id), 0)).collect()
        }
        None => HashMap::from([(None, 0)]),
    };
    let backend = db.get_database_backend();
    for row in db
        .query_all_raw(crate::db::statement::build(&select, backend))
        .await?
    {
        let key = match counts.contains_key(&None) {
            true => None,
            false => Some(row.try_get::<Uuid>("", PAGE_PARENT)?),
        };
        counts.insert(key, row.try_get::<i64>("", "rows")?);
    }
    Ok(counts)
}
