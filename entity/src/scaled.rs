//! [`Scaled`]: an exact decimal stored as a 64-bit integer of ten-thousandths.
//!
//! SQLite has no exact decimal type, so money, quantities and percentages are kept as
//! `BIGINT` counts of 0.0001 on every backend. The database sums and compares integers, which
//! is exact; the conversion to [`Decimal`] happens at the edge.

use rust_decimal::Decimal;
use sea_orm::entity::prelude::*;
use std::fmt;

/// An exact decimal with at most four fractional digits, stored as ten-thousandths.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, DeriveValueType)]
pub struct Scaled(pub i64);

/// Why a decimal cannot be stored as [`Scaled`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaledError {
    /// The value has more than [`Scaled::SCALE`] fractional digits.
    TooPrecise,
    /// The value does not fit in 64 bits of ten-thousandths.
    OutOfRange,
}

impl fmt::Display for ScaledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooPrecise => write!(f, "at most {} decimal places are allowed", Scaled::SCALE),
            Self::OutOfRange => write!(f, "the value is out of range"),
        }
    }
}

impl std::error::Error for ScaledError {}

impl Scaled {
    /// Number of fractional digits kept.
    pub const SCALE: u32 = 4;
    /// Zero.
    pub const ZERO: Self = Self(0);

    /// The exact decimal value.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, Self::SCALE)
    }

    /// Converts a decimal without rounding: more than four fractional digits is an error.
    pub fn from_decimal(value: Decimal) -> Result<Self, ScaledError> {
        let normalized = value.normalize();
        if normalized.scale() > Self::SCALE {
            return Err(ScaledError::TooPrecise);
        }
        let mut mantissa = normalized.mantissa();
        for _ in normalized.scale()..Self::SCALE {
            mantissa = mantissa.checked_mul(10).ok_or(ScaledError::OutOfRange)?;
        }
        i64::try_from(mantissa)
            .map(Self)
            .map_err(|_| ScaledError::OutOfRange)
    }

    /// Rounds to four fractional digits (half away from zero), then converts.
    pub fn from_decimal_rounded(value: Decimal) -> Result<Self, ScaledError> {
        Self::from_decimal(value.round_dp_with_strategy(
            Self::SCALE,
            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
        ))
    }
}

impl fmt::Display for Scaled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_decimal().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn round_trips_exact_values() {
        for text in ["0", "19260.00", "0.0001", "-12.5", "922337203685477.5807"] {
            let scaled = Scaled::from_decimal(dec(text)).ok();
            assert_eq!(scaled.map(Scaled::to_decimal), Some(dec(text)), "{text}");
        }
    }

    #[test]
    fn rejects_what_it_cannot_keep() {
        assert_eq!(
            Scaled::from_decimal(dec("0.00001")),
            Err(ScaledError::TooPrecise)
        );
        assert_eq!(
            Scaled::from_decimal(dec("1e16")),
            Err(ScaledError::OutOfRange)
        );
        assert_eq!(Scaled::from_decimal(dec("1.500000")), Ok(Scaled(15_000)));
        assert_eq!(Scaled::from_decimal_rounded(dec("0.00005")), Ok(Scaled(1)));
    }
}
