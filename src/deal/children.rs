//! The lists hanging from one deal — products, stage history, activities, tasks — as Relay
//! connections in a fixed order. The pages of many deals load in one windowed statement per
//! list, with the to-one relations the request selects on the rows (a stage change's stages)
//! joined in, and their counts in one grouped statement.

use crate::contact::{Contact, ContactId};
use crate::error::{AppError, AppResult};
use crate::graphql::loader::{DbLoader, Loaders};
use crate::graphql::pagination::{
    Cursor, KeyValue, Listing, Page, PageArgs, Partition, RowPage, SortKey, ToOne, apply_order,
    count_rows, listing_statement, pages_by_parent,
};
use crate::graphql::row_decode::{Check, DecodeAt, Layout};
use crate::pipeline::{Stage, StageId};
use async_graphql::dataloader::Loader;
use async_graphql::{Lookahead, SelectionField};
use entity::{
    activity, contact, deal_discount, deal_event, deal_installment, deal_participant, deal_product,
    stage, stage_change, task,
};
use futures_util::future::BoxFuture;
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityName, EntityTrait, QueryFilter,
    QueryResult,
};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

/// Which per-deal list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChildList {
    /// `deal.products`, by position.
    Products,
    /// `deal.stageHistory`, oldest first.
    StageHistory,
    /// `deal.activities`, newest first.
    Activities,
    /// `deal.tasks`, by due date (undated last).
    Tasks,
    /// `deal.changelog`, newest first.
    Changelog,
    /// `deal.participants`, in the order they were added.
    Participants,
    /// `deal.discounts`, in the order they apply.
    Discounts,
    /// `deal.installments`, by billing date.
    Installments,
}

/// A to-one relation of a per-deal list's rows that can come with the page: the GraphQL field
/// that selects it, the join, and how its row is read.
pub struct ChildRelation {
    /// The field on the row's type (`fromStage`).
    pub field: &'static str,
    /// The join; its alias prefixes the related row's columns.
    pub join: ToOne,
    /// Reads the related row from the columns starting at a position (None: the row has none).
    pub decode: fn(&QueryResult, usize, Check) -> Result<Option<Related>, DbErr>,
    /// Where the related row's columns start, in a statement's layout (from a position on).
    pub start: fn(&Layout, &str, usize) -> AppResult<usize>,
}

impl ChildRelation {
    /// The relation to `M`'s table through `foreign_key`, selected by `field`, named `alias`.
    pub fn to<M>(field: &'static str, alias: &'static str, foreign_key: &'static str) -> Self
    where
        M: DecodeAt + sea_orm::ModelTrait + Into<Related>,
        <M as sea_orm::ModelTrait>::Entity: Default,
    {
        Self {
            field,
            join: ToOne::to::<<M as sea_orm::ModelTrait>::Entity>(alias, foreign_key),
            decode: |row, at, check| Ok(M::decode_joined_at(row, at, check)?.map(Into::into)),
            start: Layout::start_of_after::<M>,
        }
    }
}

/// A related row fetched with a page.
#[derive(Clone, Debug)]
pub enum Related {
    /// A stage.
    Stage(stage::Model),
    /// A contact.
    Contact(contact::Model),
}

impl From<stage::Model> for Related {
    fn from(stage: stage::Model) -> Self {
        Self::Stage(stage)
    }
}

impl From<contact::Model> for Related {
    fn from(contact: contact::Model) -> Self {
        Self::Contact(contact)
    }
}

impl Related {
    /// Puts the related rows where the by-id loaders find them.
    pub async fn feed(loaders: &Loaders, related: Vec<Related>) {
        let (mut stages, mut contacts) = (Vec::new(), Vec::new());
        for row in related {
            match row {
                Related::Stage(stage) => stages.push((StageId(stage.id), Stage(stage))),
                Related::Contact(contact) => {
                    contacts.push((ContactId(contact.id), Contact(contact)));
                }
            }
        }
        loaders.feed_many(stages).await;
        loaders.feed_many(contacts).await;
    }
}

/// A row of a per-deal list: how it is ordered and whose it is.
pub trait DealChild: DecodeAt + Clone + Send + Sync + 'static {
    /// Its entity.
    type Entity: EntityTrait<Model = Self> + Default;
    /// Which list it is.
    const LIST: ChildList;
    /// The sort keys before the id.
    fn keys() -> Vec<SortKey>;
    /// This row's sort-key values.
    fn key_values(&self) -> Vec<KeyValue>;
    /// The row's id.
    fn id(&self) -> Uuid;
    /// The deal it belongs to.
    fn deal_id(&self) -> Uuid;
    /// A column of its table, qualified.
    fn column(column: <Self::Entity as EntityTrait>::Column) -> SimpleExpr {
        Expr::col((Self::Entity::default(), column))
    }
    /// Its `deal_id` column.
    fn deal_column() -> SimpleExpr;
    /// Its `organization_id` column.
    fn organization_column() -> SimpleExpr;
    /// Its `id` column.
    fn id_column() -> SimpleExpr;
    /// The to-one relations that can come with a page (at most 8).
    fn relations() -> Vec<ChildRelation> {
        Vec::new()
    }
}

/// `deal_child!(module, List, SortColumn, descending: bool, nullable: bool, |row| key value[,
/// relations: to-one relations])`:
/// the [`DealChild`] of `module`'s rows — a list of a deal sorted on one column then `id`, its
/// rows carrying `id`, `deal_id` and `organization_id`.
macro_rules! deal_child {
    (
        $module:ident, $list:ident, $sort:ident, descending: $descending:expr,
        nullable: $nullable:expr,
        |$row:ident| $value:expr $(, relations: $relations:expr)? $(,)?
    ) => {
        impl DealChild for $module::Model {
            type Entity = $module::Entity;
            const LIST: ChildList = ChildList::$list;
            fn keys() -> Vec<SortKey> {
                vec![SortKey {
                    expr: Self::column($module::Column::$sort),
                    descending: $descending,
                    nullable: $nullable,
                }]
            }
            fn key_values(&self) -> Vec<KeyValue> {
                let $row = self;
                vec![$value]
            }
            fn id(&self) -> Uuid {
                self.id
            }
            fn deal_id(&self) -> Uuid {
                self.deal_id
            }
            fn deal_column() -> SimpleExpr {
                Self::column($module::Column::DealId)
            }
            fn organization_column() -> SimpleExpr {
                Self::column($module::Column::OrganizationId)
            }
            fn id_column() -> SimpleExpr {
                Self::column($module::Column::Id)
            }
            $(
            fn relations() -> Vec<ChildRelation> {
                $relations
            }
            )?
        }
    };
}

deal_child!(deal_product, Products, Position, descending: false, nullable: false, |row| {
    KeyValue::Int(i64::from(row.position))
});
deal_child!(stage_change, StageHistory, ChangedAt, descending: false, nullable: false,
    |row| KeyValue::Time(row.changed_at),
    relations: vec![
        ChildRelation::to::<stage::Model>("fromStage", "from_stage", "from_stage_id"),
        ChildRelation::to::<stage::Model>("toStage", "to_stage", "to_stage_id"),
    ],
);
deal_child!(activity, Activities, OccurredAt, descending: true, nullable: false, |row| {
    KeyValue::Time(row.occurred_at)
});
deal_child!(task, Tasks, DueAt, descending: false, nullable: true, |row| row
    .due_at
    .map(KeyValue::Time)
    .into());
deal_child!(deal_event, Changelog, Sequence, descending: true, nullable: false, |row| {
    KeyValue::Int(row.sequence)
});
deal_child!(deal_participant, Participants, CreatedAt, descending: false, nullable: false,
    |row| KeyValue::Time(row.created_at),
    relations: vec![ChildRelation::to::<contact::Model>(
        "contact",
        "contact",
        "contact_id"
    )],
);
deal_child!(deal_discount, Discounts, Position, descending: false, nullable: false, |row| {
    KeyValue::Int(i64::from(row.position))
});
deal_child!(deal_installment, Installments, BillingDate, descending: false, nullable: false,
    |row| { KeyValue::Date(row.billing_date) }
);

/// Key: one deal's page of a per-deal list of `M`.
pub struct ChildrenOf<M> {
    /// The deal.
    pub deal: Uuid,
    /// Which page.
    pub page: PageArgs,
    /// Which of `M::relations()` come with the page (bit `i` for the `i`-th).
    pub includes: u8,
    marker: PhantomData<fn() -> M>,
}

impl<M: DealChild> ChildrenOf<M> {
    /// The page `page` of `deal`'s list, with the relations the request selects on the
    /// rows (`ctx` is the connection field's).
    pub fn new(ctx: &async_graphql::Context<'_>, deal: Uuid, page: PageArgs) -> Self {
        Self::selected(&ctx.look_ahead(), deal, page)
    }

    /// The page `page` of `deal`'s list, with the relations `connection` (the selection of
    /// the list's field) selects on the rows.
    fn selected(connection: &Lookahead<'_>, deal: Uuid, page: PageArgs) -> Self {
        let rows = [
            connection.field("nodes"),
            connection.field("edges").field("node"),
        ];
        let mut includes = 0u8;
        for (i, relation) in M::relations().iter().enumerate().take(8) {
            if rows.iter().any(|row| row.field(relation.field).exists()) {
                includes |= 1 << i;
            }
        }
        Self::with(deal, page, includes)
    }
}

impl<M> ChildrenOf<M> {
    fn with(deal: Uuid, page: PageArgs, includes: u8) -> Self {
        Self {
            deal,
            page,
            includes,
            marker: PhantomData,
        }
    }
}

impl<M> Clone for ChildrenOf<M> {
    fn clone(&self) -> Self {
        Self::with(self.deal, self.page.clone(), self.includes)
    }
}

impl<M> PartialEq for ChildrenOf<M> {
    fn eq(&self, other: &Self) -> bool {
        self.deal == other.deal && self.page == other.page && self.includes == other.includes
    }
}

impl<M> Eq for ChildrenOf<M> {}

impl<M> Hash for ChildrenOf<M> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.deal.hash(state);
        self.page.hash(state);
        self.includes.hash(state);
    }
}

/// A deal's page of a per-deal list, and the related rows that came with it.
pub struct ChildPage<M> {
    /// The page.
    pub page: RowPage<M>,
    /// The relations of its rows the request selects.
    pub related: Vec<Related>,
}

impl<M> Clone for ChildPage<M>
where
    M: Clone,
{
    fn clone(&self) -> Self {
        Self {
            page: self.page.clone(),
            related: self.related.clone(),
        }
    }
}

impl<M> Default for ChildPage<M> {
    fn default() -> Self {
        Self {
            page: RowPage::default(),
            related: Vec::new(),
        }
    }
}

/// The rows of a per-deal page as `M`s, each with the related rows of `relations` fetched
/// with it, decoded by position ([`crate::graphql::row_decode`]) from the columns of `layout`
/// at `from` and after.
fn decode_all<'r, M: DealChild>(
    rows: impl IntoIterator<Item = &'r QueryResult>,
    layout: &Layout,
    from: usize,
    relations: &[ChildRelation],
) -> AppResult<Vec<(M, Vec<Related>)>> {
    let row_at = layout.start_of_after::<M>("", from)?;
    let starts = relations
        .iter()
        .map(|relation| {
            let prefix = format!("{}__", relation.join.alias);
            let at = (relation.start)(layout, &prefix, from)?;
            Ok((relation.decode, at))
        })
        .collect::<AppResult<Vec<_>>>()?;
    // A relation's columns are checked until a row has one (see `Placed`).
    let mut checks = vec![Check::Types; starts.len()];
    rows.into_iter()
        .enumerate()
        .map(|(index, row)| {
            let mut related = Vec::new();
            for ((decode, at), check) in starts.iter().zip(checks.iter_mut()) {
                let model = decode(row, *at, *check)?;
                if model.is_some() {
                    *check = Check::Trusted;
                }
                related.extend(model);
            }
            Ok((M::decode_at(row, row_at, Check::for_row(index))?, related))
        })
        .collect()
}

fn signature(list: ChildList) -> String {
    format!("{list:?}")
}

/// One page request of a per-deal list over many deals: what its statement fetches and how
/// its rows become pages.
struct ChildPages<M> {
    /// The deals.
    deals: Vec<Uuid>,
    /// The page, as asked.
    args: PageArgs,
    /// Which of `M::relations()` come with the rows.
    includes: u8,
    /// The page, validated.
    page: Page,
    /// The relations that come with the rows.
    relations: Vec<ChildRelation>,
    marker: PhantomData<fn() -> M>,
}

impl<M: DealChild> ChildPages<M> {
    /// Page `args` of the lists of `deals`, with the relations of `includes`.
    fn new(deals: Vec<Uuid>, args: PageArgs, includes: u8) -> AppResult<Self> {
        let page = args.page(&signature(M::LIST))?;
        let relations = M::relations()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| includes & (1 << i) != 0)
            .map(|(_, relation)| relation)
            .collect();
        Ok(Self {
            deals,
            args,
            includes,
            page,
            relations,
            marker: PhantomData,
        })
    }

    /// The statement: every deal's page in one (None: no deals).
    fn statement(
        &self,
        backend: DbBackend,
        organization_id: Uuid,
    ) -> AppResult<Option<SelectStatement>> {
        self.statement_of(backend, organization_id, &self.deals)
    }

    /// The statement reading the pages of `deals` (None: no deals).
    fn statement_of(
        &self,
        backend: DbBackend,
        organization_id: Uuid,
        deals: &[Uuid],
    ) -> AppResult<Option<SelectStatement>> {
        let joins: Vec<ToOne> = self.relations.iter().map(|r| r.join.clone()).collect();
        let listing = Listing {
            condition: Condition::all().add(M::organization_column().eq(organization_id)),
            keys: &M::keys(),
            id: M::id_column(),
            partition: Some(Partition::by_column(M::deal_column(), deals)),
            page: &self.page,
            joins: &joins,
            hits: None,
            columns: None,
        };
        listing_statement::<M::Entity>(backend, listing)
    }

    /// The statement's rows (whose columns start at `from` in `layout`) as one page per deal.
    fn pages<'r>(
        &self,
        rows: impl IntoIterator<Item = &'r QueryResult>,
        layout: &Layout,
        from: usize,
    ) -> AppResult<Vec<(ChildrenOf<M>, ChildPage<M>)>> {
        let rows = decode_all::<M>(rows, layout, from, &self.relations)?;
        let order = signature(M::LIST);
        let cursor_of = |(row, _): &(M, Vec<Related>)| Cursor {
            order: order.clone(),
            keys: row.key_values(),
            id: row.id(),
        };
        let pages = pages_by_parent(
            rows,
            Some(&self.deals),
            |(row, _)| Some(row.deal_id()),
            &self.page,
            cursor_of,
        );
        Ok(pages
            .into_iter()
            .filter_map(|(deal, rows)| {
                let mut related = Vec::new();
                let page = rows.map(|(row, with)| {
                    related.extend(with);
                    row
                });
                let key = ChildrenOf::with(deal?, self.args.clone(), self.includes);
                Some((key, ChildPage { page, related }))
            })
            .collect())
    }
}

impl<M: DealChild> Loader<ChildrenOf<M>> for DbLoader {
    type Value = ChildPage<M>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ChildrenOf<M>],
    ) -> Result<HashMap<ChildrenOf<M>, ChildPage<M>>, AppError> {
        let mut by_page: HashMap<(&PageArgs, u8), Vec<Uuid>> = HashMap::new();
        for key in keys {
            by_page
                .entry((&key.page, key.includes))
                .or_default()
                .push(key.deal);
        }
        let backend = self.db.get_database_backend();
        let mut loaded = HashMap::new();
        for ((args, includes), deals) in by_page {
            let pages = ChildPages::<M>::new(deals, args.clone(), includes)?;
            let rows = match pages.statement(backend, self.organization_id)? {
                Some(select) => {
                    self.db
                        .query_all_raw(crate::db::statement::build(&select, backend))
                        .await?
                }
                None => Vec::new(),
            };
            loaded.extend(pages.pages(&rows, &Layout::of(&rows), 0)?);
        }
        Ok(loaded)
    }
}

/// A page of one per-deal list read within its deal's statement ([`super::detail`]): its rows
/// come under the list's table name, their columns after a [`PAGE_PARENT`] column.
pub trait ListPart: Send + Sync {
    /// The page's statement, for `deal` (the part's own, or a stand-in for it).
    fn statement(
        &self,
        backend: DbBackend,
        organization_id: Uuid,
        deal: Uuid,
    ) -> AppResult<SelectStatement>;
    /// The name the statement's rows come under.
    fn alias(&self) -> &'static str;
    /// What fixes the page's statement besides its deal and organisation (which list, page
    /// size, relations), or None when it binds more of the request (a cursor).
    fn shape(&self) -> Option<PartShape>;
    /// Orders the rows of this part, named by [`ListPart::alias`], as the list reads.
    fn order(&self, select: &mut SelectStatement);
    /// The page from the part's rows (its columns from `from` on in `layout`), put where the
    /// list's field finds it.
    fn feed<'a>(
        &self,
        rows: Vec<&QueryResult>,
        layout: &Layout,
        from: usize,
        loaders: &'a Loaders,
    ) -> AppResult<BoxFuture<'a, ()>>;
}

/// What fixes a [`ListPart`]'s statement besides its deal and organisation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PartShape {
    list: &'static str,
    first: Option<i32>,
    last: Option<i32>,
    includes: u8,
}

/// The page of `deal`'s list of `M` that `field` (the list's field on the deal) selects, to
/// be read with the deal; None when its arguments are not a valid page (the field itself
/// then answers why).
pub fn list_part<M: DealChild>(
    field: &SelectionField<'_>,
    deal: Uuid,
) -> Option<Box<dyn ListPart>> {
    let mut args = PageArgs::default();
    for (name, value) in field.arguments().ok()? {
        let number = || match &value {
            async_graphql::Value::Number(n) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
            _ => None,
        };
        let text = || match &value {
            async_graphql::Value::String(text) => Some(text.clone()),
            _ => None,
        };
        let null = value == async_graphql::Value::Null;
        match name.as_str() {
            _ if null => {}
            "first" => args.first = Some(number()?),
            "last" => args.last = Some(number()?),
            "after" => args.after = Some(text()?),
            "before" => args.before = Some(text()?),
            _ => return None,
        }
    }
    let key = ChildrenOf::<M>::selected(&Lookahead::from(*field), deal, args);
    let pages = ChildPages::<M>::new(vec![deal], key.page, key.includes).ok()?;
    Some(Box::new(pages))
}

impl<M: DealChild> ListPart for ChildPages<M> {
    fn statement(
        &self,
        backend: DbBackend,
        organization_id: Uuid,
        deal: Uuid,
    ) -> AppResult<SelectStatement> {
        self.statement_of(backend, organization_id, &[deal])?
            .ok_or_else(|| AppError::internal("a deal's list without its deal"))
    }

    fn alias(&self) -> &'static str {
        M::Entity::default().table_name()
    }

    fn shape(&self) -> Option<PartShape> {
        let PageArgs {
            first,
            last,
            after,
            before,
        } = &self.args;
        (after.is_none() && before.is_none()).then(|| PartShape {
            list: self.alias(),
            first: *first,
            last: *last,
            includes: self.includes,
        })
    }

    fn order(&self, select: &mut SelectStatement) {
        apply_order(select, &M::keys(), M::id_column(), self.page.direction);
    }

    fn feed<'a>(
        &self,
        rows: Vec<&QueryResult>,
        layout: &Layout,
        from: usize,
        loaders: &'a Loaders,
    ) -> AppResult<BoxFuture<'a, ()>> {
        let pages = self.pages(rows, layout, from)?;
        Ok(Box::pin(loaders.feed_many(pages)))
    }
}

/// Key: how many rows a deal's list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChildCount {
    /// Which list.
    pub list: ChildList,
    /// The deal.
    pub deal: Uuid,
}

async fn count_by_deal<M: DealChild>(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    deals: &[Uuid],
) -> Result<HashMap<Uuid, i64>, AppError> {
    let select = Query::select()
        .from(M::Entity::default())
        .and_where(M::organization_column().eq(organization_id))
        .to_owned();
    let counts = count_rows(db, select, Some((M::deal_column(), deals))).await?;
    Ok(counts
        .into_iter()
        .filter_map(|(deal, rows)| Some((deal?, rows)))
        .collect())
}

impl Loader<ChildCount> for DbLoader {
    type Value = i64;
    type Error = AppError;

    async fn load(&self, keys: &[ChildCount]) -> Result<HashMap<ChildCount, i64>, AppError> {
        let mut by_list: HashMap<ChildList, Vec<Uuid>> = HashMap::new();
        for key in keys {
            by_list.entry(key.list).or_default().push(key.deal);
        }
        let mut loaded = HashMap::new();
        for (list, deals) in by_list {
            let (db, org) = (&self.db, self.organization_id);
            let counts = match list {
                ChildList::Products => {
                    count_by_deal::<deal_product::Model>(db, org, &deals).await?
                }
                ChildList::StageHistory => {
                    count_by_deal::<stage_change::Model>(db, org, &deals).await?
                }
                ChildList::Activities => count_by_deal::<activity::Model>(db, org, &deals).await?,
                ChildList::Tasks => count_by_deal::<task::Model>(db, org, &deals).await?,
                ChildList::Changelog => count_by_deal::<deal_event::Model>(db, org, &deals).await?,
                ChildList::Participants => {
                    count_by_deal::<deal_participant::Model>(db, org, &deals).await?
                }
                ChildList::Discounts => {
                    count_by_deal::<deal_discount::Model>(db, org, &deals).await?
                }
                ChildList::Installments => {
                    count_by_deal::<deal_installment::Model>(db, org, &deals).await?
                }
            };
            for deal in deals {
                loaded.insert(
                    ChildCount { list, deal },
                    counts.get(&deal).copied().unwrap_or(0),
                );
            }
        }
        Ok(loaded)
    }
}

/// Key: every product line of a deal, for its totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AllProductsOf(pub Uuid);

impl Loader<AllProductsOf> for DbLoader {
    type Value = Vec<deal_product::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[AllProductsOf],
    ) -> Result<HashMap<AllProductsOf, Vec<deal_product::Model>>, AppError> {
        let rows = deal_product::Entity::find()
            .filter(deal_product::Column::OrganizationId.eq(self.organization_id))
            .filter(deal_product::Column::DealId.is_in(keys.iter().map(|k| k.0)))
            .all(&self.db)
            .await?;
        let mut products: HashMap<AllProductsOf, Vec<deal_product::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            products
                .entry(AllProductsOf(row.deal_id))
                .or_default()
                .push(row);
        }
        Ok(products)
    }
}

/// Key: every discount of a deal, in the order they apply, for its totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AllDiscountsOf(pub Uuid);

impl Loader<AllDiscountsOf> for DbLoader {
    type Value = Vec<deal_discount::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[AllDiscountsOf],
    ) -> Result<HashMap<AllDiscountsOf, Vec<deal_discount::Model>>, AppError> {
        use sea_orm::QueryOrder;
        let rows = deal_discount::Entity::find()
            .filter(deal_discount::Column::OrganizationId.eq(self.organization_id))
            .filter(deal_discount::Column::DealId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(deal_discount::Column::Position)
            .order_by_asc(deal_discount::Column::Id)
            .all(&self.db)
            .await?;
        let mut discounts: HashMap<AllDiscountsOf, Vec<deal_discount::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            discounts
                .entry(AllDiscountsOf(row.deal_id))
                .or_default()
                .push(row);
        }
        Ok(discounts)
    }
}

impl crate::graphql::connection::TotalCount for ChildCount {
    async fn total(&self, ctx: &async_graphql::Context<'_>) -> crate::error::AppResult<i64> {
        use crate::graphql::context::ContextExt;
        Ok(ctx.loaders()?.load_one(*self).await?.unwrap_or(0))
    }
}
