//! One column of a row, read by position straight from the driver's row.
//!
//! SeaORM's `TryGetable` asks the driver for every value with its type checked, and answers a
//! NULL with an error whose message is `format!`ted, which `Option` then turns into `None`: one
//! allocation per NULL. A profile of the 50-deal page (`bench/perf-profile.sh`, Q1) put the
//! driver's type checks at ~3 % of the server's CPU and row decoding at 15 %. Here a value the
//! driver decodes natively is read from the driver's row, a NULL is `None` at once, and on
//! PostgreSQL a column's type is checked once per statement ([`Check`]) rather than per value.
//! Types SeaORM converts itself (scaled numbers, enums, JSON) still go through SeaORM.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::Uuid;
use sea_orm::sqlx::{Column, Decode, Postgres, Row, Sqlite, Type, TypeInfo};
use sea_orm::{DbErr, QueryResult, RuntimeErr};

/// Whether a row's column types are checked against the fields they are decoded into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Check them: the first row decoded from these columns of a statement (for a left-joined
    /// model, every row until one has it).
    Types,
    /// Trust them: a later row of the statement. PostgreSQL describes a statement's columns
    /// once for all its rows, so the first row's check holds for them. (SQLite types each
    /// value, so its values are always checked.)
    Trusted,
}

impl Check {
    /// The check for the row at `index` among the rows decoded from the same columns.
    pub fn for_row(index: usize) -> Self {
        match index {
            0 => Self::Types,
            _ => Self::Trusted,
        }
    }
}

/// A value read from one column of a row.
pub trait ColumnValue: Sized {
    /// The value of column `at` of `row`.
    fn read(row: &QueryResult, at: usize, check: Check) -> Result<Self, DbErr>;
}

/// A type the drivers decode themselves, as SeaORM would ask them to.
trait Native:
    for<'r> Decode<'r, Postgres>
    + Type<Postgres>
    + for<'r> Decode<'r, Sqlite>
    + Type<Sqlite>
    + sea_orm::TryGetable
{
}

/// Column `at` of `row` as a `T` the driver decodes, None when NULL.
fn read_native<T: Native>(row: &QueryResult, at: usize, check: Check) -> Result<Option<T>, DbErr> {
    let driver = |error| DbErr::Query(RuntimeErr::SqlxError(std::sync::Arc::new(error)));
    if let Some(row) = row.try_as_pg_row() {
        if check == Check::Types {
            let column = row.try_column(at).map_err(driver)?;
            if !<T as Type<Postgres>>::compatible(column.type_info()) {
                return Err(DbErr::Type(format!(
                    "column {at} is {}, not what {} decodes",
                    column.type_info().name(),
                    std::any::type_name::<T>()
                )));
            }
        }
        return row.try_get_unchecked::<Option<T>, _>(at).map_err(driver);
    }
    if let Some(row) = row.try_as_sqlite_row() {
        return row.try_get::<Option<T>, _>(at).map_err(driver);
    }
    row.try_get_by_index(at)
}

/// The error of a NULL where the field has no room for one.
fn null_at(at: usize) -> DbErr {
    DbErr::Type(format!("column {at} is NULL"))
}

/// Implements [`ColumnValue`] for types the drivers decode, and their options.
macro_rules! native {
    ($($ty:ty),+) => {
        $(
            impl Native for $ty {}

            impl ColumnValue for $ty {
                fn read(row: &QueryResult, at: usize, check: Check) -> Result<Self, DbErr> {
                    read_native::<$ty>(row, at, check)?.ok_or_else(|| null_at(at))
                }
            }

            impl ColumnValue for Option<$ty> {
                fn read(row: &QueryResult, at: usize, check: Check) -> Result<Self, DbErr> {
                    read_native::<$ty>(row, at, check)
                }
            }
        )+
    };
}

native!(Uuid, String, i32, i64, bool, DateTime<Utc>, NaiveDate);

/// Implements [`ColumnValue`] through SeaORM for types it converts, and their options.
macro_rules! through_sea_orm {
    ($($ty:ty),+) => {
        $(
            impl ColumnValue for $ty {
                fn read(row: &QueryResult, at: usize, _: Check) -> Result<Self, DbErr> {
                    row.try_get_by_index(at)
                }
            }

            impl ColumnValue for Option<$ty> {
                fn read(row: &QueryResult, at: usize, _: Check) -> Result<Self, DbErr> {
                    row.try_get_by_index(at)
                }
            }
        )+
    };
}

through_sea_orm!(
    entity::Scaled,
    serde_json::Value,
    entity::enums::DealStatus,
    entity::enums::Priority,
    entity::enums::TaxMethod,
    entity::enums::DiscountType,
    entity::enums::BillingFrequency,
    entity::enums::ActivityType,
    entity::enums::ActivityStatus,
    entity::enums::TaskStatus
);
