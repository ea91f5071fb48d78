//! `deal(id)` in one statement: the deal and a page of each of its lists the request selects
//! (products, stage history, …), read side by side.
//!
//! Loaded field by field, a deal with two lists is three statements, each a round trip and a
//! database wake-up, the lists waiting for the deal. Here the request's selection is looked at
//! first: each list selected once, with a valid page, becomes a part of the deal's statement,
//!
//! ```sql
//! SELECT parts.column1 AS part, deal.*, deal_product.*, stage_change.*
//! FROM (VALUES (0), (1), (2)) AS parts
//! LEFT JOIN deal ON parts.column1 = 0 AND deal.id = $id AND deal.organization_id = $org
//! LEFT JOIN (products page of the deal) AS deal_product ON parts.column1 = 1
//! LEFT JOIN (stage history page of the deal) AS stage_change ON parts.column1 = 2
//! ORDER BY part, deal_product's order, stage_change's order
//! ```
//!
//! each part's page being the very statement its list's loader would run for this deal
//! ([`ListPart`]). Every column keeps its own type (a list's columns are NULL on the other
//! parts' rows), so rows decode by position as a page's do. The deal and the pages are put in
//! the request's loader caches, where the fields find them; a list selected twice (aliases) or
//! with arguments that are not a valid page loads on its own as before.
//!
//! The statement's text depends only on which pages it reads and how (not on the deal or the
//! organisation), so it is built once per such shape ([`SHAPES`]); a page after a cursor binds
//! the cursor's keys and is built each time.

use super::Deal;
use super::children::{ListPart, PartShape};
use super::loader::DealId;
use crate::db::shapes::Shapes;
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::PAGE_PARENT;
use crate::graphql::row_decode::{Check, DecodeAt, Layout};
use async_graphql::{Context, SelectionField};
use entity::deal;
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{
    Asterisk, Condition, Expr, ExprTrait, JoinType, Order, Query, SelectStatement, ValueTuple,
};
use sea_orm::{ConnectionTrait, DbBackend, Iterable, QueryResult, Statement};
use std::sync::LazyLock;

/// The derived table numbering the statement's parts, and its column.
const PARTS: &str = "parts";
const PART: &str = "column1";

/// The deal statements built so far, by the shapes of their parts; the ids they bind are the
/// organisation's and the deal's.
static SHAPES: LazyLock<Shapes<Vec<PartShape>, 2>> = LazyLock::new(Shapes::default);

/// The deal `id` of the caller's organisation, with the pages of its lists that `ctx` (the
/// field answering the deal) selects read in the same statement.
pub async fn deal_with_lists(ctx: &Context<'_>, id: Uuid) -> AppResult<Option<Deal>> {
    let loaders = ctx.loaders()?;
    let parts = selected_lists(ctx.field(), id);
    if parts.is_empty() {
        return loaders.load_one(DealId(id)).await;
    }
    let loader = loaders.loader();
    let backend = loader.db.get_database_backend();
    let statement = built(backend, loader.organization_id, id, &parts)?;
    let rows = loader.db.query_all_raw(statement).await?;
    let layout = Layout::of(&rows);
    let part_of = |row: &QueryResult| -> AppResult<usize> {
        let part: i32 = row.try_get_by_index(0)?;
        usize::try_from(part).map_err(|_| AppError::internal("a part numbered below zero"))
    };
    let Some(deal_row) = rows.first() else {
        return Err(AppError::internal("a deal's statement without its rows"));
    };
    let deal_at = layout.start_of::<deal::Model>("")?;
    let Some(deal) = deal::Model::decode_joined_at(deal_row, deal_at, Check::Types)? else {
        return Ok(None);
    };
    let starts = layout.positions_of(PAGE_PARENT);
    if starts.len() != parts.len() {
        return Err(AppError::internal("a deal's lists are not where expected"));
    }
    for (index, (part, from)) in parts.iter().zip(starts).enumerate() {
        let mut own = Vec::new();
        for row in &rows {
            let listed: Option<Uuid> = row.try_get_by_index(from)?;
            if part_of(row)? == index + 1 && listed.is_some() {
                own.push(row);
            }
        }
        part.feed(own, &layout, from, loaders)?.await;
    }
    loaders.feed_one(DealId(id), Deal(deal.clone())).await;
    Ok(Some(Deal(deal)))
}

/// The lists of the deal that `field` selects once each, as parts of its statement.
fn selected_lists(field: SelectionField<'_>, deal: Uuid) -> Vec<Box<dyn ListPart>> {
    let fields: Vec<SelectionField<'_>> = field.selection_set().collect();
    fields
        .iter()
        .filter(|field| {
            fields
                .iter()
                .filter(|other| other.name() == field.name())
                .count()
                == 1
        })
        .filter_map(|field| Deal::list_part(field, deal))
        .collect()
}

/// [`statement`], built once per shape of `parts` when none reads after a cursor.
fn built(
    backend: DbBackend,
    organization_id: Uuid,
    id: Uuid,
    parts: &[Box<dyn ListPart>],
) -> AppResult<Statement> {
    let shape: Option<Vec<PartShape>> = parts.iter().map(|part| part.shape()).collect();
    match shape {
        Some(shape) => SHAPES.statement(shape, backend, [organization_id, id], |[org, id]| {
            statement(backend, org, id, parts)
        }),
        None => {
            let select = statement(backend, organization_id, id, parts)?;
            Ok(crate::db::statement::build(&select, backend))
        }
    }
}

/// The statement reading deal `id` of `organization_id` and `parts` side by side.
fn statement(
    backend: DbBackend,
    organization_id: Uuid,
    id: Uuid,
    parts: &[Box<dyn ListPart>],
) -> AppResult<SelectStatement> {
    let part = || Expr::col((PARTS, PART));
    let numbers = (0..=parts.len()).map(|number| ValueTuple::One(number_value(number).into()));
    let mut select = Query::select();
    select.from_values(numbers, PARTS).expr_as(part(), "part");
    for column in deal::Column::iter() {
        select.column((deal::Entity, column));
    }
    select.join(
        JoinType::LeftJoin,
        deal::Entity,
        Condition::all()
            .add(part().eq(0))
            .add(Expr::col((deal::Entity, deal::Column::Id)).eq(id))
            .add(Expr::col((deal::Entity, deal::Column::OrganizationId)).eq(organization_id)),
    );
    for (index, list) in parts.iter().enumerate() {
        select.column((list.alias(), Asterisk)).join_subquery(
            JoinType::LeftJoin,
            list.statement(backend, organization_id, id)?,
            list.alias(),
            part().eq(number_value(index + 1)),
        );
    }
    select.order_by_expr(part(), Order::Asc);
    for list in parts {
        list.order(&mut select);
    }
    Ok(select)
}

/// A part's number as the statement holds it.
fn number_value(number: usize) -> i32 {
    i32::try_from(number).unwrap_or(i32::MAX)
}
