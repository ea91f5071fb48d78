//! `searchDeals` (Pipedrive's `GET /deals/search`): deals ranked by how well their words match
//! a term, each with the fields that matched. The words are kept by the database
//! (`deal_search`, see the migration): PostgreSQL full-text search (`tsvector`, GIN index,
//! `ts_rank`), SQLite FTS5 (`bm25`). The page is read through the list engine, the hits
//! joined to the deals.
//!
//! Ranking, the same rule on both: a match in the title weighs most, then contact and company,
//! then products and custom fields, then notes (PostgreSQL's weights A, B, C, D = 1, 0.4, 0.2,
//! 0.1; SQLite's bm25 column weights 10, 4, 2, 1); more and rarer matching words score higher;
//! ties by id. Scores compare only within one result list.

use crate::deal::Deal;
use crate::deal::filter::DealFilter;
use crate::deal::loader::DealId;
use crate::deal::order::id_column;
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::{
    Cursor, Hits, KeyValue, Listing, PageArgs, PageInfo, SortKey, count_rows, fetch_raw_rows,
    finish_page,
};
use async_graphql::{Context, Enum, Object};
use entity::deal;
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, JoinType, Query};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};
use std::sync::Arc;

/// Longest search term, in characters.
pub const MAX_TERM: usize = 200;
/// Most words a term may have.
pub const MAX_WORDS: usize = 16;
/// Shortest term without `exactMatch`, in characters (one character would match most deals).
const MIN_PREFIX_TERM: usize = 2;
/// The ordering signature of search cursors.
const ORDER: &str = "SCORE:DESC";

/// What of a deal a search looks in.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DealSearchField {
    /// The title.
    Title,
    /// The notes: subjects and notes of the deal's activities (calls, meetings, emails,
    /// notes).
    Notes,
    /// The values (text and numbers) of the custom fields.
    CustomFields,
    /// The contact's name and email.
    Contact,
    /// The company's name and domain.
    Company,
    /// The names and SKUs of the deal's products.
    Product,
}

impl DealSearchField {
    const ALL: [Self; 6] = [
        Self::Title,
        Self::Notes,
        Self::CustomFields,
        Self::Contact,
        Self::Company,
        Self::Product,
    ];

    /// The field's column in `deal_search`.
    fn column(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Notes => "notes",
            Self::CustomFields => "custom_fields",
            Self::Contact => "contact",
            Self::Company => "company",
            Self::Product => "product",
        }
    }

    /// The hit column telling whether the field matched.
    fn matched(self) -> &'static str {
        match self {
            Self::Title => "m_title",
            Self::Notes => "m_notes",
            Self::CustomFields => "m_custom_fields",
            Self::Contact => "m_contact",
            Self::Company => "m_company",
            Self::Product => "m_product",
        }
    }
}

/// The columns a hit carries.
const HIT_COLUMNS: &[&str] = &[
    "score",
    "m_title",
    "m_notes",
    "m_custom_fields",
    "m_contact",
    "m_company",
    "m_product",
];

/// A search, checked: its words and where to look.
#[derive(Clone, Debug)]
struct Search {
    words: Vec<String>,
    exact: bool,
    fields: Vec<DealSearchField>,
}

impl Search {
    fn new(term: &str, fields: Option<Vec<DealSearchField>>, exact: bool) -> AppResult<Self> {
        let term = term.trim();
        if term.chars().count() > MAX_TERM {
            return Err(AppError::bad_input(
                "term",
                format!("a search term may have at most {MAX_TERM} characters"),
            ));
        }
        if !exact && term.chars().count() < MIN_PREFIX_TERM {
            return Err(AppError::bad_input(
                "term",
                format!(
                    "search for at least {MIN_PREFIX_TERM} characters (or one with exactMatch)"
                ),
            ));
        }
        // Words as the index cuts them: letters and digits; anything else separates.
        let words: Vec<String> = term
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        if words.is_empty() {
            return Err(AppError::bad_input(
                "term",
                "the term has no letters or digits",
            ));
        }
        if words.len() > MAX_WORDS {
            return Err(AppError::bad_input(
                "term",
                format!("a search term may have at most {MAX_WORDS} words"),
            ));
        }
        let mut fields = fields.unwrap_or_else(|| DealSearchField::ALL.to_vec());
        if fields.is_empty() || fields.len() > DealSearchField::ALL.len() {
            return Err(AppError::bad_input("fields", "name 1 to 6 fields"));
        }
        fields.sort_by_key(|f| f.column());
        fields.dedup();
        Ok(Self {
            words,
            exact,
            fields,
        })
    }

    fn all_fields(&self) -> bool {
        self.fields.len() == DealSearchField::ALL.len()
    }

    /// PostgreSQL `tsquery` text: every word as a prefix (`ada:* & love:*`), or the words as
    /// a phrase when exact (`ada <-> lovelace`). Words hold only letters and digits.
    fn tsquery(&self) -> String {
        if self.exact {
            self.words.join(" <-> ")
        } else {
            self.words
                .iter()
                .map(|w| format!("{w}:*"))
                .collect::<Vec<_>>()
                .join(" & ")
        }
    }

    /// SQLite FTS5 query over `columns`: every word as a prefix, or the phrase when exact.
    fn fts5(&self, columns: &[DealSearchField]) -> String {
        let words = if self.exact {
            format!("\"{}\"", self.words.join(" "))
        } else {
            self.words
                .iter()
                .map(|w| format!("\"{w}\"*"))
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        let names: Vec<&str> = columns.iter().map(|f| f.column()).collect();
        format!("{{{}}} : ({words})", names.join(" "))
    }

    /// The matching deals of the organisation: `deal_id`, `score` and whether each field
    /// matched.
    fn hits(&self, organization_id: Uuid, backend: DbBackend) -> Hits {
        let mut query = Query::select();
        match backend {
            DbBackend::Postgres => {
                let tsquery = self.tsquery();
                let matches = |column: &str| {
                    Expr::cust_with_values(
                        format!("\"s\".\"{column}\" @@ to_tsquery('simple', $1)"),
                        [tsquery.clone()],
                    )
                };
                query
                    .from_as(Alias::new("deal_search"), Alias::new("s"))
                    .expr_as(Expr::col((Alias::new("s"), Alias::new("deal_id"))), "deal_id")
                    .expr_as(
                        Expr::cust_with_values(
                            "CAST(ts_rank(\"s\".\"document\", to_tsquery('simple', $1)) AS DOUBLE PRECISION)",
                            [tsquery.clone()],
                        ),
                        "score",
                    )
                    .and_where(
                        Expr::col((Alias::new("s"), Alias::new("organization_id")))
                            .eq(organization_id),
                    )
                    .and_where(matches("document"));
                for field in DealSearchField::ALL {
                    query.expr_as(matches(field.column()), field.matched());
                }
                if !self.all_fields() {
                    let mut any = Condition::any();
                    for field in &self.fields {
                        any = any.add(matches(field.column()));
                    }
                    query.cond_where(any);
                }
            }
            _ => {
                let in_field = |field: DealSearchField| {
                    Expr::cust_with_values(
                        "\"deal_search\".\"rowid\" IN (SELECT \"rowid\" FROM \"deal_search\" WHERE \"deal_search\" MATCH ?)",
                        [self.fts5(&[field])],
                    )
                };
                query
                    .from(Alias::new("deal_search"))
                    .join_as(
                        JoinType::InnerJoin,
                        Alias::new("deal_search_key"),
                        Alias::new("k"),
                        Expr::col((Alias::new("k"), Alias::new("id")))
                            .equals((Alias::new("deal_search"), Alias::new("rowid"))),
                    )
                    .expr_as(
                        Expr::col((Alias::new("k"), Alias::new("deal_id"))),
                        "deal_id",
                    )
                    .expr_as(
                        Expr::cust("-bm25(\"deal_search\", 10.0, 1.0, 2.0, 4.0, 4.0, 2.0)"),
                        "score",
                    )
                    .and_where(Expr::cust_with_values(
                        "\"deal_search\" MATCH ?",
                        [self.fts5(&self.fields)],
                    ))
                    .and_where(
                        Expr::col((Alias::new("k"), Alias::new("organization_id")))
                            .eq(organization_id),
                    );
                for field in DealSearchField::ALL {
                    query.expr_as(in_field(field), field.matched());
                }
            }
        }
        Hits {
            query,
            alias: "hits",
            key: "deal_id",
            columns: HIT_COLUMNS,
        }
    }
}

/// A deal found, with its score and what matched.
pub struct DealSearchEdge {
    cursor: String,
    deal: deal::Model,
    score: f64,
    matched: Vec<DealSearchField>,
}

/// A deal found by a search.
#[Object]
impl DealSearchEdge {
    /// Where this result stands in the list; pass it as `after`.
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    /// The deal.
    async fn node(&self) -> Deal {
        Deal(self.deal.clone())
    }

    /// How well the deal matches (higher is better); comparable within one result list only.
    async fn score(&self) -> f64 {
        self.score
    }

    /// The fields the term was found in (among those searched, and the others).
    async fn matched_fields(&self) -> &[DealSearchField] {
        &self.matched
    }
}

/// Deals found by a search, best first.
pub struct DealSearchConnection {
    edges: Vec<DealSearchEdge>,
    info: PageInfo,
    count: Arc<(Search, DealFilter)>,
}

/// Deals found by a search, best first (a Relay connection).
#[Object]
impl DealSearchConnection {
    /// The deals of this page, each with its score and what matched.
    async fn edges(&self) -> &[DealSearchEdge] {
        &self.edges
    }

    /// The deals of this page.
    async fn nodes(&self) -> Vec<Deal> {
        self.edges.iter().map(|e| Deal(e.deal.clone())).collect()
    }

    /// Where this page stands in the results.
    async fn page_info(&self) -> &PageInfo {
        &self.info
    }

    /// How many deals the search found in all.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<i64> {
        let db = ctx.reads()?;
        let backend = db.get_database_backend();
        let organization_id = ctx.viewer()?.organization_id;
        let (search, filter) = &*self.count;
        let hits = search.hits(organization_id, backend);
        let mut select = Query::select();
        select
            .from(deal::Entity)
            .join_subquery(
                JoinType::InnerJoin,
                hits.query,
                hits.alias,
                Expr::col((hits.alias, hits.key)).equals((deal::Entity, deal::Column::Id)),
            )
            .cond_where(filter.condition(organization_id, backend)?);
        let counts = count_rows(db, select, None).await?;
        Ok(counts.get(&None).copied().unwrap_or(0))
    }
}

/// What `searchDeals` was asked.
pub struct SearchArgs {
    /// `term`.
    pub term: String,
    /// `fields`.
    pub fields: Option<Vec<DealSearchField>>,
    /// `exactMatch`.
    pub exact_match: bool,
    /// `filter`.
    pub filter: Option<DealFilter>,
    /// `first`.
    pub first: Option<i32>,
    /// `after`.
    pub after: Option<String>,
}

/// One page of a search's results, best first.
pub async fn search_deals(ctx: &Context<'_>, args: SearchArgs) -> AppResult<DealSearchConnection> {
    let search = Search::new(&args.term, args.fields, args.exact_match)?;
    let db = ctx.reads()?;
    let backend = db.get_database_backend();
    let organization_id = ctx.viewer()?.organization_id;
    let filter = args.filter.unwrap_or_default();
    let page_args = PageArgs {
        first: args.first,
        after: args.after,
        last: None,
        before: None,
    };
    let page = page_args.page(ORDER)?;
    let keys = [SortKey {
        expr: Expr::col((Alias::new("hits"), Alias::new("score"))),
        descending: true,
        nullable: false,
    }];
    let listing = Listing {
        condition: filter.condition(organization_id, backend)?,
        keys: &keys,
        id: id_column(),
        partition: None,
        page: &page,
        joins: &[],
        hits: Some(search.hits(organization_id, backend)),
        columns: None,
    };
    let mut found = Vec::new();
    for row in fetch_raw_rows::<deal::Entity>(db, listing).await? {
        let mut matched = Vec::new();
        for field in DealSearchField::ALL {
            if row.try_get::<bool>("", field.matched())? {
                matched.push(field);
            }
        }
        found.push((
            deal::Model::from_query_result(&row, "")?,
            row.try_get::<f64>("", "score")?,
            matched,
        ));
    }
    let cursor_of = |(deal, score, _): &(deal::Model, f64, Vec<DealSearchField>)| Cursor {
        order: ORDER.into(),
        keys: vec![KeyValue::Float(*score)],
        id: deal.id,
    };
    let (rows, info) = finish_page(found, &page, cursor_of);
    let loaders = ctx.loaders()?;
    loaders
        .feed_many(rows.iter().map(|(d, _, _)| (DealId(d.id), Deal(d.clone()))))
        .await;
    let edges = rows
        .into_iter()
        .map(|row| DealSearchEdge {
            cursor: cursor_of(&row).encode(),
            deal: row.0,
            score: row.1,
            matched: row.2,
        })
        .collect();
    Ok(DealSearchConnection {
        edges,
        info,
        count: Arc::new((search, filter)),
    })
}
