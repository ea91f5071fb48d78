//! Decoding a page's rows by column position rather than by name.
//!
//! SeaORM's derived `FromQueryResult` finds every column by name: a hash lookup per column per
//! row, and for a joined relation (`stage__name`) a `format!` of the prefixed name first. On a
//! 50-deal page with its stage, company, contact and owner that was 2,700 lookups and 1,400
//! allocations, 29 % of the server's CPU under load (perf, Q1). Here the columns of a statement
//! are found once ([`Layout::of`]), and each row is decoded by position, each value read from
//! the driver's row ([`super::column_value`]), its column's type checked on the first row.
//!
//! [`DecodeAt`] is implemented with [`decode_at!`], which lists a model's fields in column order;
//! the same list names the columns a relation selects ([`DecodeAt::COLUMNS`]), and a unit test
//! checks it against the entity's own column order.

pub use super::column_value::Check;
use super::column_value::ColumnValue;
use crate::error::{AppError, AppResult};
use sea_orm::prelude::Uuid;
use sea_orm::{DbErr, QueryResult};
use std::cell::Cell;

/// A model read from consecutive columns of a row.
pub trait DecodeAt: Sized {
    /// Its columns, in the order [`DecodeAt::decode_at`] reads them.
    const COLUMNS: &'static [&'static str];

    /// The model from the columns starting at position `at` (their types checked or not).
    fn decode_at(row: &QueryResult, at: usize, check: Check) -> Result<Self, DbErr>;

    /// The model from the columns starting at `at`, or None when its id (the first column) is
    /// null: a left-joined relation the row does not have.
    fn decode_joined_at(row: &QueryResult, at: usize, check: Check) -> Result<Option<Self>, DbErr> {
        match Option::<Uuid>::read(row, at, check)? {
            Some(_) => Self::decode_at(row, at, check).map(Some),
            None => Ok(None),
        }
    }
}

/// Some of a model's columns: bit `i` stands for [`DecodeAt::COLUMNS`]`[i]`. A page reads only
/// the columns its selection needs ([`DecodeSomeAt`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Columns(u64);

impl Columns {
    /// Every column of `M`.
    pub fn all<M: DecodeAt>() -> Self {
        Self(u64::MAX >> (64 - M::COLUMNS.len()))
    }

    /// No column.
    pub fn none() -> Self {
        Self(0)
    }

    /// These and `M`'s column `name` (every column when `M` has no such column: reading too
    /// much is only slower, reading too little would answer blanks).
    pub fn with<M: DecodeAt>(self, name: &str) -> Self {
        match M::COLUMNS.iter().position(|column| *column == name) {
            Some(index) => Self(self.0 | 1u64 << index),
            None => Self::all::<M>(),
        }
    }

    /// Whether column `index` is one of these.
    pub fn has(self, index: usize) -> bool {
        self.0 & (1u64 << index) != 0
    }

    /// Whether these hold every column of `other`.
    pub fn covers(self, other: Columns) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether these are every column of `M`.
    pub fn are_all<M: DecodeAt>(self) -> bool {
        self == Self::all::<M>()
    }

    /// The names of these columns of `M`, in `M`'s column order.
    pub fn names<M: DecodeAt>(self) -> Vec<&'static str> {
        M::COLUMNS
            .iter()
            .enumerate()
            .filter(|(index, _)| self.has(*index))
            .map(|(_, name)| *name)
            .collect()
    }
}

/// A model read from some of its columns, consecutive in a row and in the model's column
/// order; the others hold blanks, so the model must only answer what needed those columns.
pub trait DecodeSomeAt: DecodeAt {
    /// The model from `columns`, starting at position `at`; the other fields blank.
    fn decode_some_at(
        row: &QueryResult,
        at: usize,
        columns: Columns,
        check: Check,
    ) -> Result<Self, DbErr>;

    /// [`DecodeSomeAt::decode_some_at`], or None when the id (the first column, which
    /// `columns` must hold) is null: a left-joined relation the row does not have.
    fn decode_some_joined_at(
        row: &QueryResult,
        at: usize,
        columns: Columns,
        check: Check,
    ) -> Result<Option<Self>, DbErr> {
        match Option::<Uuid>::read(row, at, check)? {
            Some(_) => Self::decode_some_at(row, at, columns, check).map(Some),
            None => Ok(None),
        }
    }
}

/// The value a field not read holds: one no row has (a nil id, an empty text, the epoch).
pub trait Blank {
    /// That value.
    fn blank() -> Self;
}

/// Implements [`Blank`] for types whose default is the blank.
macro_rules! blank_is_default {
    ($($ty:ty),+) => {
        $(impl Blank for $ty {
            fn blank() -> Self {
                Self::default()
            }
        })+
    };
}

blank_is_default!(sea_orm::prelude::Uuid, String, i32, bool, entity::Scaled);

impl<T> Blank for Option<T> {
    fn blank() -> Self {
        None
    }
}

impl Blank for chrono::DateTime<chrono::Utc> {
    fn blank() -> Self {
        chrono::DateTime::<chrono::Utc>::UNIX_EPOCH
    }
}

impl Blank for serde_json::Value {
    fn blank() -> Self {
        serde_json::Value::Null
    }
}

impl Blank for entity::enums::DealStatus {
    fn blank() -> Self {
        Self::Open
    }
}

impl Blank for entity::enums::Priority {
    fn blank() -> Self {
        Self::Medium
    }
}

/// Implements [`DecodeAt`] for a model from its fields, listed in column order; with
/// `narrowable`, also [`DecodeSomeAt`], fields not read holding their [`Blank`].
macro_rules! decode_at {
    (narrowable $model:path { $($field:ident),+ $(,)? }) => {
        decode_at!($model { $($field),+ });

        impl $crate::graphql::row_decode::DecodeSomeAt for $model {
            fn decode_some_at(
                row: &sea_orm::QueryResult,
                at: usize,
                columns: $crate::graphql::row_decode::Columns,
                check: $crate::graphql::row_decode::Check,
            ) -> Result<Self, sea_orm::DbErr> {
                let mut position = at;
                let mut index = 0;
                let mut next = || {
                    let read = columns.has(index).then_some(position);
                    index += 1;
                    if read.is_some() {
                        position += 1;
                    }
                    read
                };
                Ok(Self {
                    $($field: match next() {
                        Some(at) => $crate::graphql::column_value::ColumnValue::read(row, at, check)?,
                        None => $crate::graphql::row_decode::Blank::blank(),
                    },)+
                })
            }
        }
    };
    ($model:path { $($field:ident),+ $(,)? }) => {
        impl $crate::graphql::row_decode::DecodeAt for $model {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];

            fn decode_at(
                row: &sea_orm::QueryResult,
                at: usize,
                check: $crate::graphql::row_decode::Check,
            ) -> Result<Self, sea_orm::DbErr> {
                let mut position = at..;
                Ok(Self {
                    $($field: $crate::graphql::column_value::ColumnValue::read(
                        row,
                        position.next().unwrap_or_default(),
                        check,
                    )?,)+
                })
            }
        }
    };
}

/// Where a model's columns are in a statement's rows, and which of them were read. Its rows
/// are decoded in turn: the columns' types are checked until a row has been decoded from them
/// (a left-joined model a row lacks decodes nothing, so checks nothing), and trusted after.
#[derive(Clone, Debug)]
pub struct Placed {
    at: usize,
    columns: Option<Columns>,
    checked: Cell<bool>,
}

impl Placed {
    /// The check the next row's columns need.
    fn check(&self) -> Check {
        match self.checked.get() {
            true => Check::Trusted,
            false => Check::Types,
        }
    }

    /// The model of `row`, its columns not read blank.
    pub fn decode<M: DecodeSomeAt>(&self, row: &QueryResult) -> Result<M, DbErr> {
        let model = match self.columns {
            Some(columns) => M::decode_some_at(row, self.at, columns, self.check()),
            None => M::decode_at(row, self.at, self.check()),
        }?;
        self.checked.set(true);
        Ok(model)
    }

    /// The left-joined model of `row`, None when the row has none.
    pub fn decode_joined<M: DecodeSomeAt>(&self, row: &QueryResult) -> Result<Option<M>, DbErr> {
        let model = match self.columns {
            Some(columns) => M::decode_some_joined_at(row, self.at, columns, self.check()),
            None => M::decode_joined_at(row, self.at, self.check()),
        }?;
        if model.is_some() {
            self.checked.set(true);
        }
        Ok(model)
    }
}

/// Where each part of a statement's rows starts.
#[derive(Debug, Default)]
pub struct Layout {
    /// The statement's column names, one after the other (two allocations per statement, not
    /// one per column: a deal's detail has some 60 columns).
    names: String,
    /// Where each column's name ends in `names`.
    ends: Vec<usize>,
}

impl Layout {
    /// The layout of `rows` (read from the first; every row of a statement has the same).
    pub fn of(rows: &[QueryResult]) -> Self {
        use sea_orm::sqlx::{Column, Row};
        let mut layout = Self::default();
        let Some(row) = rows.first() else {
            return layout;
        };
        let mut add = |name: &str| {
            layout.names.push_str(name);
            layout.ends.push(layout.names.len());
        };
        if let Some(row) = row.try_as_pg_row() {
            row.columns().iter().for_each(|column| add(column.name()));
        } else if let Some(row) = row.try_as_sqlite_row() {
            row.columns().iter().for_each(|column| add(column.name()));
        } else {
            row.column_names().iter().for_each(|name| add(name));
        }
        layout
    }

    /// The number of columns.
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The name of the column at `position`.
    fn name(&self, position: usize) -> Option<&str> {
        let end = *self.ends.get(position)?;
        let start = match position {
            0 => 0,
            _ => self.ends[position - 1],
        };
        self.names.get(start..end)
    }

    /// Where `M`'s columns start when each is named `prefix` + its name: the first such
    /// position, checked to hold all of `M`'s columns in order (any position when there are
    /// no rows).
    pub fn start_of<M: DecodeAt>(&self, prefix: &str) -> AppResult<usize> {
        self.start_of_after::<M>(prefix, 0)
    }

    /// [`Layout::start_of`], looking only at positions from `from` on: the part of a
    /// statement that selects several lists side by side.
    pub fn start_of_after<M: DecodeAt>(&self, prefix: &str, from: usize) -> AppResult<usize> {
        self.start_of_columns(prefix, from, M::COLUMNS)
    }

    /// Where `columns` start, each named `prefix` + its name, looking from `from` on: the
    /// first such position, checked to hold all of them in order.
    pub fn start_of_columns(
        &self,
        prefix: &str,
        from: usize,
        columns: &[&str],
    ) -> AppResult<usize> {
        if self.ends.is_empty() {
            // No rows: nothing will be decoded.
            return Ok(0);
        }
        let named = |position: usize, column: &str| {
            self.name(position).is_some_and(|name| {
                name.len() == prefix.len() + column.len()
                    && name.starts_with(prefix)
                    && name.ends_with(column)
            })
        };
        let first = columns
            .first()
            .ok_or_else(|| AppError::internal("a page part without columns"))?;
        let start = (from..self.len())
            .find(|&position| named(position, first))
            .ok_or_else(|| AppError::internal("a page's columns are not where expected"))?;
        let in_order = columns
            .iter()
            .enumerate()
            .all(|(offset, column)| named(start + offset, column));
        if in_order {
            Ok(start)
        } else {
            Err(AppError::internal(
                "a page's columns are not in the expected order",
            ))
        }
    }

    /// Where `M`'s `columns` (None: all) start when each is named `prefix` + its name.
    pub fn place<M: DecodeAt>(&self, prefix: &str, columns: Option<Columns>) -> AppResult<Placed> {
        let at = match columns {
            Some(columns) => self.start_of_columns(prefix, 0, &columns.names::<M>())?,
            None => self.start_of_after::<M>(prefix, 0)?,
        };
        Ok(Placed {
            at,
            columns,
            checked: Cell::new(false),
        })
    }

    /// The positions of the columns named `name`, in order.
    pub fn positions_of(&self, name: &str) -> Vec<usize> {
        (0..self.len())
            .filter(|&position| self.name(position) == Some(name))
            .collect()
    }
}

decode_at!(narrowable entity::deal::Model {
    id,
    organization_id,
    title,
    value,
    currency,
    status,
    pipeline_id,
    stage_id,
    contact_id,
    company_id,
    owner_id,
    expected_close_date,
    priority,
    source,
    custom_fields,
    lost_reason,
    won_at,
    lost_at,
    closed_at,
    stage_changed_at,
    last_activity_at,
    archived_at,
    deleted_at,
    created_at,
    updated_at,
    version,
    created_by_id,
    value_adjustment,
});

decode_at!(narrowable entity::stage::Model {
    id,
    organization_id,
    pipeline_id,
    name,
    position,
    probability,
    created_at,
    updated_at,
    deleted_at,
});

decode_at!(narrowable entity::pipeline::Model {
    id,
    organization_id,
    name,
    position,
    created_at,
    updated_at,
    stalled_after_days,
});

decode_at!(narrowable entity::company::Model {
    id,
    organization_id,
    name,
    domain,
    created_at,
    updated_at,
    deleted_at,
});

decode_at!(narrowable entity::contact::Model {
    id,
    organization_id,
    company_id,
    first_name,
    last_name,
    email,
    phone,
    created_at,
    updated_at,
    deleted_at,
});

decode_at!(narrowable entity::user::Model {
    id,
    organization_id,
    name,
    email,
    is_active,
    created_at,
    updated_at,
});

decode_at!(entity::deal_product::Model {
    id,
    organization_id,
    deal_id,
    position,
    name,
    sku,
    quantity,
    unit_price,
    discount_type,
    discount,
    tax_percentage,
    tax_method,
    created_at,
    updated_at,
    billing_frequency,
    billing_frequency_cycles,
    billing_start_date,
    comments,
    is_enabled,
});

decode_at!(entity::deal_discount::Model {
    id,
    organization_id,
    deal_id,
    position,
    description,
    discount_type,
    amount,
    updated_at,
    created_at,
});

decode_at!(entity::deal_installment::Model {
    id,
    organization_id,
    deal_id,
    description,
    amount,
    billing_date,
    created_at,
});

decode_at!(entity::stage_change::Model {
    id,
    organization_id,
    deal_id,
    from_stage_id,
    to_stage_id,
    changed_at,
    changed_by_id,
    note,
});

decode_at!(entity::activity::Model {
    id,
    organization_id,
    deal_id,
    user_id,
    activity_type,
    status,
    subject,
    note,
    occurred_at,
    created_at,
});

decode_at!(entity::task::Model {
    id,
    organization_id,
    deal_id,
    assignee_id,
    title,
    priority,
    status,
    due_at,
    completed_at,
    created_at,
    updated_at,
});

decode_at!(entity::deal_participant::Model {
    id,
    organization_id,
    deal_id,
    contact_id,
    added_by_id,
    created_at,
});

decode_at!(entity::deal_event::Model {
    id,
    organization_id,
    sequence,
    deal_id,
    event_type,
    changes,
    user_id,
    api_key_id,
    occurred_at,
    pipeline_id,
    stage_id,
    owner_id,
});

#[cfg(test)]
mod tests {
    use super::DecodeAt;
    use sea_orm::{EntityTrait, IdenStatic, Iterable};

    fn entity_columns<E: EntityTrait>() -> Vec<&'static str> {
        E::Column::iter().map(|c| c.as_str()).collect()
    }

    #[test]
    fn each_model_decodes_its_entitys_columns_in_the_entitys_order() {
        use entity::{activity, deal_event, deal_product, stage_change, task};
        use entity::{company, contact, deal, pipeline, stage, user};
        assert_eq!(deal::Model::COLUMNS, entity_columns::<deal::Entity>());
        assert_eq!(stage::Model::COLUMNS, entity_columns::<stage::Entity>());
        assert_eq!(
            pipeline::Model::COLUMNS,
            entity_columns::<pipeline::Entity>()
        );
        assert_eq!(company::Model::COLUMNS, entity_columns::<company::Entity>());
        assert_eq!(contact::Model::COLUMNS, entity_columns::<contact::Entity>());
        assert_eq!(user::Model::COLUMNS, entity_columns::<user::Entity>());
        assert_eq!(
            deal_product::Model::COLUMNS,
            entity_columns::<deal_product::Entity>()
        );
        assert_eq!(
            stage_change::Model::COLUMNS,
            entity_columns::<stage_change::Entity>()
        );
        assert_eq!(
            activity::Model::COLUMNS,
            entity_columns::<activity::Entity>()
        );
        assert_eq!(task::Model::COLUMNS, entity_columns::<task::Entity>());
        assert_eq!(
            deal_event::Model::COLUMNS,
            entity_columns::<deal_event::Entity>()
        );
        assert_eq!(
            entity::deal_participant::Model::COLUMNS,
            entity_columns::<entity::deal_participant::Entity>()
        );
        assert_eq!(
            entity::deal_discount::Model::COLUMNS,
            entity_columns::<entity::deal_discount::Entity>()
        );
        assert_eq!(
            entity::deal_installment::Model::COLUMNS,
            entity_columns::<entity::deal_installment::Entity>()
        );
    }
}
