//! Input validation shared by the mutations: each check names the input field it is about.

use crate::error::{AppError, AppResult};
use crate::graphql::scalars::Decimal;
use entity::Scaled;

/// Longest title or name, in characters.
pub const MAX_TITLE: usize = 255;
/// Most tags a deal may carry.
pub const MAX_TAGS: usize = 50;
/// Longest tag, in characters.
pub const MAX_TAG: usize = 64;
/// Largest custom-fields object, serialised, in bytes.
pub const MAX_CUSTOM_FIELDS: usize = 64 * 1024;

/// Active ISO 4217 currency codes.
const CURRENCIES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND \
BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB \
EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY \
KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR \
MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF \
SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS \
UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG";

/// A trimmed, non-blank text of at most `max` characters.
pub fn text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(AppError::bad_input(
            field,
            format!("{field} must not be blank"),
        ));
    }
    if trimmed.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            format!("{field} must be at most {max} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// An optional text: blank becomes None.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => text(field, v, max).map(Some),
        None => Ok(None),
    }
}

/// An ISO 4217 code, upper-cased.
pub fn currency(field: &str, value: &str) -> AppResult<String> {
    let code = value.trim().to_ascii_uppercase();
    if code.len() == 3 && CURRENCIES.split_whitespace().any(|c| c == code) {
        Ok(code)
    } else {
        Err(AppError::bad_input(
            field,
            format!("\"{value}\" is not an ISO 4217 currency code"),
        ))
    }
}

/// A non-negative amount with at most four decimal places.
pub fn amount(field: &str, value: Decimal) -> AppResult<Scaled> {
    if value.0.is_sign_negative() && !value.0.is_zero() {
        return Err(AppError::bad_input(
            field,
            format!("{field} must not be negative"),
        ));
    }
    Scaled::from_decimal(value.0).map_err(|e| AppError::bad_input(field, format!("{field}: {e}")))
}

/// A percentage from 0 to 100.
pub fn percentage(field: &str, value: Decimal) -> AppResult<Scaled> {
    if value.0 > rust_decimal::Decimal::ONE_HUNDRED {
        return Err(AppError::bad_input(
            field,
            format!("{field} must be between 0 and 100"),
        ));
    }
    amount(field, value)
}

/// Tags: trimmed, non-blank, de-duplicated, at most 50 of at most 64 characters.
pub fn tags(field: &str, values: &[String]) -> AppResult<Vec<String>> {
    let mut tags: Vec<String> = Vec::new();
    for value in values {
        let tag = text(field, value, MAX_TAG)?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(AppError::bad_input(
            field,
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    tags.sort();
    Ok(tags)
}

/// Custom fields: a JSON object of at most 64 KiB.
pub fn custom_fields(field: &str, value: serde_json::Value) -> AppResult<serde_json::Value> {
    if !value.is_object() {
        return Err(AppError::bad_input(
            field,
            format!("{field} must be a JSON object"),
        ));
    }
    if value.to_string().len() > MAX_CUSTOM_FIELDS {
        return Err(AppError::bad_input(
            field,
            format!("{field} must be at most 64 KiB"),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal(rust_decimal::Decimal::from_str(s).unwrap_or_default())
    }

    #[test]
    fn checks_name_their_field() {
        assert_eq!(currency("c", "eur").ok().as_deref(), Some("EUR"));
        assert!(currency("c", "EURO").is_err());
        assert!(currency("c", "XXX").is_err());
        assert!(amount("v", d("-1")).is_err());
        assert_eq!(amount("v", d("0.0001")).ok(), Some(Scaled(1)));
        assert!(amount("v", d("0.00001")).is_err());
        assert!(percentage("p", d("100.5")).is_err());
        assert!(text("t", "  ", 5).is_err());
        assert!(text("t", "abcdef", 5).is_err());
        assert_eq!(
            tags("t", &["b".into(), "a".into(), "b".into()]).ok(),
            Some(vec!["a".into(), "b".into()])
        );
        assert!(custom_fields("f", serde_json::json!([1])).is_err());
        match text("input.title", "", 5) {
            Err(AppError::BadUserInput { field, .. }) => {
                assert_eq!(field.as_deref(), Some("input.title"))
            }
            other => panic!("{other:?}"),
        }
    }
}
