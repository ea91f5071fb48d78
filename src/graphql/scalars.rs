//! The custom scalars: `Decimal` (exact, a JSON string), `DateTime` (RFC 3339 UTC), `Date`.

use crate::error::excerpt;
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, SecondsFormat, Utc};
use std::str::FromStr;

/// An exact decimal number. Sent as a JSON string (`"19260.00"`); accepted as a string or a
/// number (a JSON number is read through its shortest decimal form, so send strings when
/// every digit matters). Never a float inside the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal(pub rust_decimal::Decimal);

/// An exact decimal number. Sent as a JSON string (`"19260.00"`); accepted as a string or a
/// number (a JSON number is read through its shortest decimal form, so send strings when
/// every digit matters). Never a float inside the server.
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        let text = match &value {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            _ => return Err(InputValueError::expected_type(value)),
        };
        // NaN, Infinity and anything beyond 28 significant digits have no exact decimal.
        rust_decimal::Decimal::from_str_exact(&text)
            .or_else(|_| rust_decimal::Decimal::from_scientific(&text))
            .map(Decimal)
            .map_err(|_| {
                InputValueError::custom(format!(
                    "\"{}\" is not a finite decimal number",
                    excerpt(&text)
                ))
            })
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(_) | Value::Number(_))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

impl Decimal {
    /// A money amount as clients expect to see it: at least two decimal places, no trailing
    /// zeros beyond them (`19260.00`, `0.1234`).
    pub fn money(amount: rust_decimal::Decimal) -> Self {
        let mut normalized = amount.normalize();
        if normalized.scale() < 2 {
            normalized.rescale(2);
        }
        Self(normalized)
    }
}

/// An instant in RFC 3339, always in UTC (`2026-11-21T09:30:00.123456Z`). Input may carry any
/// offset; it is converted to UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// An instant in RFC 3339, always in UTC (`2026-11-21T09:30:00.123456Z`). Input may carry any
/// offset; it is converted to UTC.
#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(text) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        chrono::DateTime::parse_from_rfc3339(text.trim())
            .ok()
            .map(|t| t.with_timezone(&Utc))
            .filter(|t| in_year_range(t.date_naive()))
            .map(|t| DateTime(crate::clock::truncate(t)))
            .ok_or_else(|| {
                InputValueError::custom(format!(
                    "\"{}\" is not an RFC 3339 date-time with a year from 0001 to 9999",
                    excerpt(text)
                ))
            })
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

/// A calendar date, `YYYY-MM-DD`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(text) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        let text = text.trim();
        // Exactly YYYY-MM-DD: chrono would also read signed and five-digit years.
        let shaped = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
        NaiveDate::from_str(text)
            .ok()
            .filter(|date| shaped && in_year_range(*date))
            .map(Date)
            .ok_or_else(|| {
                InputValueError::custom(format!(
                    "\"{}\" is not a YYYY-MM-DD date with a year from 0001 to 9999",
                    excerpt(text)
                ))
            })
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// Dates and instants a client may send: four-digit years, 0001 to 9999.
fn in_year_range(date: NaiveDate) -> bool {
    (1..=9999).contains(&chrono::Datelike::year(&date))
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(value: chrono::DateTime<Utc>) -> Self {
        Self(value)
    }
}

impl From<NaiveDate> for Date {
    fn from(value: NaiveDate) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_reads_strings_and_numbers_exactly() {
        let parse = |v: Value| Decimal::parse(v).ok().map(|d| d.0.to_string());
        assert_eq!(
            parse(Value::String("19260.00".into())),
            Some("19260.00".into())
        );
        assert_eq!(parse(Value::from(12.5)), Some("12.5".into()));
        assert_eq!(parse(Value::String("1e3".into())), Some("1000".into()));
        assert_eq!(parse(Value::String("abc".into())), None);
        assert_eq!(
            Decimal::money(rust_decimal::Decimal::new(192_600_000, 4)).to_value(),
            Value::String("19260.00".into())
        );
        assert_eq!(
            Decimal::money(rust_decimal::Decimal::new(1234, 4)).to_value(),
            Value::String("0.1234".into())
        );
    }

    #[test]
    fn dates_have_four_digit_years_and_decimals_are_finite() {
        let date = |s: &str| Date::parse(Value::String(s.into())).is_ok();
        assert!(date("2026-11-21") && date("0001-01-01") && date("9999-12-31"));
        assert!(!date("+10000-01-01") && !date("0000-01-01") && !date("-0001-01-01"));
        let instant = |s: &str| DateTime::parse(Value::String(s.into())).is_ok();
        assert!(instant("9999-12-31T00:00:00Z") && !instant("0000-01-01T00:00:00Z"));
        let decimal = |s: &str| Decimal::parse(Value::String(s.into())).is_ok();
        assert!(!decimal("NaN") && !decimal("Infinity") && !decimal("1e30") && decimal("1e3"));
    }

    #[test]
    fn date_time_is_utc_with_z() {
        let parsed = DateTime::parse(Value::String("2026-11-21T10:00:00+02:00".into())).ok();
        assert_eq!(
            parsed.map(|d| d.to_value()),
            Some(Value::String("2026-11-21T08:00:00Z".into()))
        );
    }
}
