//! `Price`: a signed fixed-point price.
//!
//! | operation | result |
//! |---|---|
//! | `Price ± Price` (`checked_add`/`checked_sub`) | `Price`, the larger precision |
//! | `Price × Quantity` ([`Price::notional`]) | raw money at the global scale |
//! | `Price` compared with `Price` | on raws, whatever the precisions |

use super::fixed::{self, FixedError};
use super::quantity::Quantity;

/// A price with `precision` decimals; `raw` is at the global scale.
#[derive(Debug, Clone, Copy, Default)]
pub struct Price {
    pub raw: i64,
    pub precision: u8,
}

super::fixed::fixed_point_impls!(Price);

impl Price {
    /// Builds a price from a raw, rounding it half up to `precision`.
    ///
    /// # Errors
    /// When the precision is too large or the value out of range.
    pub fn from_raw(raw: i128, precision: u8) -> Result<Self, FixedError> {
        fixed::check_precision(precision)?;
        let rounded = fixed::round_half_up(raw, precision);
        let raw = i64::try_from(rounded).map_err(|_| FixedError::Overflow("price"))?;
        Ok(Self { raw, precision })
    }

    /// Parses decimal text, rounded half up to `precision`.
    ///
    /// # Errors
    /// When the text is not a decimal or out of range.
    pub fn parse(text: &str, precision: u8) -> Result<Self, FixedError> {
        Self::from_raw(fixed::parse_raw(text)?.0, precision)
    }

    /// Converts a float (a Parquet cell, a price a strategy computed)
    /// rounded half up to `precision`.
    ///
    /// # Errors
    /// For NaN, infinities and out-of-range values.
    #[inline]
    pub fn from_f64(value: f64, precision: u8) -> Result<Self, FixedError> {
        match fixed::raw64_from_f64(value, precision) {
            Some(raw) if precision <= fixed::FIXED_PRECISION => Ok(Self { raw, precision }),
            _ => Self::from_f64_checked(value, precision),
        }
    }

    /// [`Price::from_f64`] for what its fast path leaves: the errors, and
    /// raws within a unit of the `i64` limit.
    #[cold]
    #[inline(never)]
    fn from_f64_checked(value: f64, precision: u8) -> Result<Self, FixedError> {
        fixed::check_precision(precision)?;
        // The float is rounded at `precision` already: nothing left to round.
        let raw = i64::try_from(fixed::raw_from_f64(value, precision)?)
            .map_err(|_| FixedError::Overflow("price"))?;
        Ok(Self { raw, precision })
    }

    /// # Errors
    /// On overflow.
    pub fn checked_add(self, other: Self) -> Result<Self, FixedError> {
        let raw = self
            .raw
            .checked_add(other.raw)
            .ok_or(FixedError::Overflow("price addition"))?;
        Ok(Self {
            raw,
            precision: self.precision.max(other.precision),
        })
    }

    /// # Errors
    /// On overflow.
    pub fn checked_sub(self, other: Self) -> Result<Self, FixedError> {
        let raw = self
            .raw
            .checked_sub(other.raw)
            .ok_or(FixedError::Overflow("price subtraction"))?;
        Ok(Self {
            raw,
            precision: self.precision.max(other.precision),
        })
    }

    /// `self × quantity` as a raw at the global scale, rounded half up. An
    /// `i64 × u64` product always fits `i128`.
    ///
    /// # Errors
    /// Never in practice; kept checked so callers treat money uniformly.
    pub fn notional(self, quantity: Quantity) -> Result<i128, FixedError> {
        fixed::mul_raw(i128::from(self.raw), quantity.signed_raw())
    }

    /// `true` when the price is a whole multiple of `increment`.
    #[must_use]
    pub fn is_multiple_of(self, increment: Self) -> bool {
        increment.raw != 0 && self.raw % increment.raw == 0
    }

    /// A float view for indicators and plots; never for money.
    #[must_use]
    #[inline]
    pub fn as_f64(self) -> f64 {
        fixed::i64_to_f64(self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_rounds_and_displays() {
        let price = Price::parse("100.125", 2).unwrap();
        assert_eq!(price.to_string(), "100.13");
        assert_eq!("1.50".parse::<Price>().unwrap().precision, 2);
        assert_eq!(Price::parse("-3", 1).unwrap().to_string(), "-3.0");
        assert!(Price::parse("abc", 2).is_err());
        assert!(Price::parse("1", 10).is_err());
    }

    #[test]
    fn compares_across_precisions() {
        assert_eq!(
            Price::parse("1.5", 1).unwrap().raw,
            Price::parse("1.50", 2).unwrap().raw
        );
        assert!(Price::parse("1.01", 2).unwrap() > Price::parse("1.0", 1).unwrap());
    }

    #[test]
    fn notional_is_exact() {
        let price = Price::parse("100.03", 2).unwrap();
        let qty = Quantity::parse("999", 0).unwrap();
        assert_eq!(
            fixed::format_raw(price.notional(qty).unwrap(), 2),
            "99929.97"
        );
    }

    #[test]
    fn overflow_is_an_error() {
        let big = Price {
            raw: i64::MAX,
            precision: 0,
        };
        assert!(
            big.checked_add(Price {
                raw: 1,
                precision: 0
            })
            .is_err()
        );
    }

    proptest! {
        #[test]
        fn addition_commutes_and_inverts(a in -1_000_000_000_000_000i64..1_000_000_000_000_000, b in -1_000_000_000_000_000i64..1_000_000_000_000_000) {
            let pa = Price { raw: a, precision: 9 };
            let pb = Price { raw: b, precision: 9 };
            prop_assert_eq!(pa.checked_add(pb).unwrap(), pb.checked_add(pa).unwrap());
            prop_assert_eq!(pa.checked_add(pb).unwrap().checked_sub(pb).unwrap(), pa);
        }

        #[test]
        fn float_conversion_is_the_rounded_raw(value in -1.0e9f64..1.0e9, precision in 0u8..=9) {
            let expected = Price::from_raw(fixed::raw_from_f64(value, precision).unwrap(), precision);
            prop_assert_eq!(Price::from_f64(value, precision), expected);
        }

        #[test]
        fn display_round_trips(raw in -1_000_000_000_000_000i64..1_000_000_000_000_000, precision in 0u8..=9) {
            let price = Price::from_raw(i128::from(raw), precision).unwrap();
            prop_assert_eq!(Price::parse(&price.to_string(), precision).unwrap(), price);
        }
    }
}
