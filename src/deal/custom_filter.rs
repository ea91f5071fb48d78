//! `customFields` conditions of a deal filter: compare one key of a deal's JSON custom fields
//! with a value, typed — a number compares with numbers, `true`/`false` with booleans, other
//! text with strings; a field of another type (or missing) never matches, except for `NE`
//! and `EXISTS: false`. The same rules on PostgreSQL (`jsonb`) and SQLite (JSON text).

use crate::error::{AppError, AppResult};
use async_graphql::{Enum, InputObject};
use sea_orm::DbBackend;
use sea_orm::sea_query::{Condition, Expr, ExprTrait};

/// Most characters of a custom field key.
const MAX_KEY_LEN: usize = 64;
/// Most characters of a compared value.
const MAX_VALUE_LEN: usize = 200;

/// How a custom field compares with the value.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CustomFieldOp {
    /// Equal (numbers numerically, booleans and text exactly).
    Eq,
    /// Not equal, or missing.
    Ne,
    /// Greater than (numbers only).
    Gt,
    /// Greater than or equal (numbers only).
    Gte,
    /// Less than (numbers only).
    Lt,
    /// Less than or equal (numbers only).
    Lte,
    /// Text containing the value, case-insensitively (text fields only).
    Contains,
    /// The key is present (value `true`, the default) or absent (`false`).
    Exists,
}

/// A condition on one key of a deal's custom fields.
#[derive(InputObject, Clone, Debug, PartialEq, Eq, Hash)]
pub struct CustomFieldCondition {
    /// The key: 1–64 letters, digits, `_`, `-` or spaces.
    pub key: String,
    /// The comparison.
    pub op: CustomFieldOp,
    /// What to compare with, as text: a number for GT/GTE/LT/LTE, `true`/`false` for a
    /// boolean, anything else as text (at most 200 characters); for EXISTS `true` or `false`.
    pub value: Option<String>,
}

/// The compared value, read by its form.
enum Typed {
    Number(rust_decimal::Decimal),
    Boolean(bool),
    Text(String),
}

fn typed(value: &str) -> Typed {
    match value {
        "true" => Typed::Boolean(true),
        "false" => Typed::Boolean(false),
        _ => match value.parse::<rust_decimal::Decimal>() {
            Ok(number) => Typed::Number(number),
            Err(_) => Typed::Text(value.to_owned()),
        },
    }
}

/// The JSON type names each backend gives.
fn type_test(backend: DbBackend, key: &str, kind: &str) -> Expr {
    let column = "\"deal\".\"custom_fields\"";
    match backend {
        DbBackend::Postgres => {
            let name = match kind {
                "text" => "string",
                other => other,
            };
            Expr::cust_with_values(format!("jsonb_typeof({column} -> $1) = $2"), [key, name])
        }
        _ => {
            let names: &[&str] = match kind {
                "number" => &["integer", "real"],
                "boolean" => &["true", "false"],
                _ => &["text"],
            };
            let list = names
                .iter()
                .map(|n| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(", ");
            Expr::cust_with_values(format!("json_type({column}, ?) IN ({list})"), [path(key)])
        }
    }
}

/// The SQLite JSON path of `key` (checked to need no escaping).
fn path(key: &str) -> String {
    format!("$.\"{key}\"")
}

/// The field's value as SQL of the given kind, for comparisons.
fn value_of(backend: DbBackend, key: &str, kind: &str) -> Expr {
    let column = "\"deal\".\"custom_fields\"";
    match (backend, kind) {
        // PostgreSQL does not promise to test the type first in `a AND b`: the cast is
        // guarded inside the expression, so a text value never reaches `::numeric`.
        (DbBackend::Postgres, "number") => Expr::cust_with_values(
            format!(
                "(CASE WHEN jsonb_typeof({column} -> $1) = 'number' \
                 THEN ({column} ->> $1)::numeric END)"
            ),
            [key],
        ),
        (DbBackend::Postgres, "boolean") => Expr::cust_with_values(
            format!(
                "(CASE WHEN jsonb_typeof({column} -> $1) = 'boolean' \
                 THEN ({column} ->> $1)::boolean END)"
            ),
            [key],
        ),
        (DbBackend::Postgres, _) => Expr::cust_with_values(format!("({column} ->> $1)"), [key]),
        (_, _) => Expr::cust_with_values(format!("json_extract({column}, ?)"), [path(key)]),
    }
}

impl CustomFieldCondition {
    /// The SQL condition on `backend`; BAD_USER_INPUT naming `filter.customFields`.
    pub fn condition(&self, backend: DbBackend) -> AppResult<Condition> {
        let field = "filter.customFields";
        let key = self.key.as_str();
        let key_ok = !key.is_empty()
            && key.chars().count() <= MAX_KEY_LEN
            && key
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '));
        if !key_ok {
            return Err(AppError::bad_input(
                field,
                "a custom field key is 1–64 letters, digits, _, - or spaces",
            ));
        }
        let value = self.value.as_deref();
        if value.is_some_and(|v| v.chars().count() > MAX_VALUE_LEN) {
            return Err(AppError::bad_input(
                field,
                format!("a compared value holds at most {MAX_VALUE_LEN} characters"),
            ));
        }
        let exists = || match backend {
            // `-> key` is SQL NULL only when the key is absent (a JSON null is 'null').
            DbBackend::Postgres => Expr::cust_with_values(
                "(\"deal\".\"custom_fields\" -> $1) IS NOT NULL".to_owned(),
                [key],
            ),
            _ => Expr::cust_with_values(
                "json_type(\"deal\".\"custom_fields\", ?) IS NOT NULL".to_owned(),
                [path(key)],
            ),
        };
        if self.op == CustomFieldOp::Exists {
            let present = match value.unwrap_or("true") {
                "true" => true,
                "false" => false,
                _ => return Err(AppError::bad_input(field, "EXISTS takes true or false")),
            };
            let test = Condition::all().add(exists());
            return Ok(if present { test } else { test.not() });
        }
        let Some(value) = value else {
            return Err(AppError::bad_input(field, "this comparison needs a value"));
        };
        let matches = |kind: &str, compare: Expr| {
            Condition::all()
                .add(type_test(backend, key, kind))
                .add(compare)
        };
        let number_value = |n: rust_decimal::Decimal| -> Expr {
            match backend {
                DbBackend::Postgres => Expr::val(n),
                // SQLite keeps JSON numbers as INTEGER or REAL.
                _ => Expr::val(rust_decimal::prelude::ToPrimitive::to_f64(&n).unwrap_or(f64::NAN)),
            }
        };
        let equal = match typed(value) {
            Typed::Number(n) => matches(
                "number",
                value_of(backend, key, "number").eq(number_value(n)),
            ),
            Typed::Boolean(b) => matches("boolean", value_of(backend, key, "boolean").eq(b)),
            Typed::Text(t) => matches("text", value_of(backend, key, "text").eq(t)),
        };
        let number = |op: CustomFieldOp| -> AppResult<Condition> {
            let Typed::Number(n) = typed(value) else {
                return Err(AppError::bad_input(
                    field,
                    "GT, GTE, LT and LTE compare numbers",
                ));
            };
            let field_value = value_of(backend, key, "number");
            let n = number_value(n);
            let compare = match op {
                CustomFieldOp::Gt => field_value.gt(n),
                CustomFieldOp::Gte => field_value.gte(n),
                CustomFieldOp::Lt => field_value.lt(n),
                _ => field_value.lte(n),
            };
            Ok(matches("number", compare))
        };
        Ok(match self.op {
            CustomFieldOp::Eq => equal,
            CustomFieldOp::Ne => Condition::all().add(
                Expr::expr(sea_orm::sea_query::Func::coalesce([
                    Expr::from(equal),
                    Expr::val(false),
                ]))
                .not(),
            ),
            CustomFieldOp::Contains => matches(
                "text",
                crate::graphql::text_search::contains(value_of(backend, key, "text"), value),
            ),
            op => number(op)?,
        })
    }
}
