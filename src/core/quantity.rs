//! `Quantity`: a non-negative fixed-point amount of an instrument.

use super::fixed::{self, FixedError};

/// The largest quantity raw: 10^18 units at the global scale, beyond any
/// market (a trillion units of a sub-cent coin is 10^12), and small enough
/// that a quantity times a price or a balance stays within 128 bits.
pub const MAX_RAW: u128 = 1_000_000_000_000_000_000_000_000_000;

/// A non-negative quantity with `precision` decimals; `raw` is at the global
/// scale, at most [`MAX_RAW`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Quantity {
    pub raw: u128,
    pub precision: u8,
}

super::fixed::fixed_point_impls!(Quantity);

impl Quantity {
    /// The zero quantity at `precision`.
    #[must_use]
    pub const fn zero(precision: u8) -> Self {
        Self { raw: 0, precision }
    }

    /// Builds a quantity from a raw, rounding it half up to `precision`.
    ///
    /// # Errors
    /// For negative values, too large a precision, or overflow.
    pub fn from_raw(raw: i128, precision: u8) -> Result<Self, FixedError> {
        fixed::check_precision(precision)?;
        let rounded = fixed::round_half_up(raw, precision);
        if rounded < 0 {
            return Err(FixedError::Negative {
                what: "quantity",
                value: fixed::format_raw(raw, precision),
            });
        }
        let raw = u128::try_from(rounded)
            .ok()
            .filter(|raw| *raw <= MAX_RAW)
            .ok_or(FixedError::Overflow("quantity"))?;
        Ok(Self { raw, precision })
    }

    /// Parses decimal text, rounded half up to `precision`.
    ///
    /// # Errors
    /// When the text is not a non-negative decimal.
    pub fn parse(text: &str, precision: u8) -> Result<Self, FixedError> {
        Self::from_raw(fixed::parse_raw(text)?.0, precision)
    }

    /// Converts a float (a Parquet column) rounded half up to `precision`.
    ///
    /// # Errors
    /// For NaN, negative or out-of-range values.
    pub fn from_f64(value: f64, precision: u8) -> Result<Self, FixedError> {
        Self::from_raw(fixed::raw_from_f64(value, precision)?, precision)
    }

    /// Whole units of `precision` that fit in `raw`, rounding down (sizing
    /// never buys more than was asked for).
    ///
    /// # Errors
    /// For negative values or overflow.
    pub fn floor_from_raw(raw: i128, precision: u8) -> Result<Self, FixedError> {
        fixed::check_precision(precision)?;
        let step = fixed::pow10(fixed::FIXED_PRECISION - precision);
        Self::from_raw(raw.max(0) / step * step, precision)
    }

    #[must_use]
    pub const fn is_zero(self) -> bool {
        self.raw == 0
    }

    /// # Errors
    /// On overflow.
    pub fn checked_add(self, other: Self) -> Result<Self, FixedError> {
        let raw = self
            .raw
            .checked_add(other.raw)
            .filter(|raw| *raw <= MAX_RAW)
            .ok_or(FixedError::Overflow("quantity addition"))?;
        Ok(Self {
            raw,
            precision: self.precision.max(other.precision),
        })
    }

    /// # Errors
    /// When the result would be negative.
    pub fn checked_sub(self, other: Self) -> Result<Self, FixedError> {
        let raw = self
            .raw
            .checked_sub(other.raw)
            .ok_or_else(|| FixedError::Negative {
                what: "quantity",
                value: format!("{self} - {other}"),
            })?;
        Ok(Self {
            raw,
            precision: self.precision.max(other.precision),
        })
    }

    /// The smaller of two quantities.
    #[must_use]
    pub fn min(self, other: Self) -> Self {
        if other.raw < self.raw { other } else { self }
    }

    /// `true` when the quantity is a whole multiple of `increment`.
    #[must_use]
    pub fn is_multiple_of(self, increment: Self) -> bool {
        increment.raw != 0 && self.raw.is_multiple_of(increment.raw)
    }

    /// The raw for signed arithmetic (exact: a quantity is at most
    /// [`MAX_RAW`]).
    #[must_use]
    pub fn signed_raw(self) -> i128 {
        i128::try_from(self.raw).unwrap_or(i128::MAX)
    }

    #[must_use]
    pub fn as_f64(self) -> f64 {
        fixed::raw_to_f64(self.signed_raw())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_negative() {
        assert!(Quantity::parse("-1", 0).is_err());
        assert!(
            Quantity::parse("1", 0)
                .unwrap()
                .checked_sub(Quantity::parse("2", 0).unwrap())
                .is_err()
        );
    }

    #[test]
    fn floors_for_sizing() {
        let q = Quantity::floor_from_raw(999_999_999_999, 0).unwrap();
        assert_eq!(q.to_string(), "999");
        assert_eq!(
            Quantity::floor_from_raw(1_250_000_000, 1)
                .unwrap()
                .to_string(),
            "1.2"
        );
    }

    proptest! {
        #[test]
        fn add_then_sub_is_identity(a in 0..=MAX_RAW / 2, b in 0..=MAX_RAW / 2) {
            let qa = Quantity { raw: a, precision: 9 };
            let qb = Quantity { raw: b, precision: 9 };
            prop_assert_eq!(qa.checked_add(qb).unwrap().checked_sub(qb).unwrap(), qa);
            prop_assert_eq!(qa.checked_add(qb).unwrap(), qb.checked_add(qa).unwrap());
        }
    }
}
