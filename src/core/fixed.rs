//! Fixed-point arithmetic shared by [`Price`](super::price::Price),
//! [`Quantity`](super::quantity::Quantity) and [`Money`](super::money::Money).
//!
//! Every value is an integer `raw` at one global scale of [`FIXED_PRECISION`]
//! decimal places, so values of different precisions add and compare on their
//! raws directly. The `precision` a value carries is for validation and
//! display only. Text is parsed digit by digit, never through `f64`, and the
//! one rounding rule is [`round_half_up`] (ties away from zero, as Python's
//! `ROUND_HALF_UP`).

use thiserror::Error;

/// What `Price` and `Quantity` share: equality, hashing and ordering by raw
/// (1.5 equals 1.50: precisions are for display), display at their
/// precision, parsing that keeps the precision written, and serde as text.
macro_rules! fixed_point_impls {
    ($name:ident) => {
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.raw == other.raw
            }
        }

        impl Eq for $name {}

        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.raw.hash(state);
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.raw.cmp(&other.raw)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                $crate::core::fixed::write_raw(
                    f,
                    $crate::core::fixed::Widen::widen(self.raw),
                    self.precision,
                )
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::core::fixed::FixedError;

            /// Keeps the precision written in the text.
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                let (raw, decimals) = $crate::core::fixed::parse_raw(text)?;
                Self::from_raw(raw, decimals)
            }
        }

        $crate::core::serde_as_text!($name);
    };
}

pub(crate) use fixed_point_impls;

/// Decimal places of every raw value.
pub const FIXED_PRECISION: u8 = 9;
/// `10^FIXED_PRECISION`.
pub const FIXED_SCALAR: i128 = 1_000_000_000;

/// Why a fixed-point value could not be built or computed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FixedError {
    #[error("invalid decimal '{text}': {reason}")]
    Parse { text: String, reason: &'static str },
    #[error("precision {0} exceeds the maximum of {FIXED_PRECISION}")]
    Precision(u8),
    #[error("arithmetic overflow in {0}")]
    Overflow(&'static str),
    #[error("{what} must not be negative (got {value})")]
    Negative { what: &'static str, value: String },
    #[error("currency mismatch: {0} vs {1}")]
    CurrencyMismatch(&'static str, &'static str),
    #[error("division by zero in {0}")]
    DivisionByZero(&'static str),
    #[error("not a finite number: {0}")]
    NotFinite(String),
}

const POW10_TABLE: [i128; 39] = {
    let mut table = [1i128; 39];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// `10^exp` for `exp <= 38`, from a table (this sits under every rounding).
#[must_use]
pub const fn pow10(exp: u8) -> i128 {
    POW10_TABLE[exp as usize]
}

/// Checks that `precision` fits the global scale.
///
/// # Errors
/// [`FixedError::Precision`] when it exceeds [`FIXED_PRECISION`].
pub fn check_precision(precision: u8) -> Result<(), FixedError> {
    if precision > FIXED_PRECISION {
        return Err(FixedError::Precision(precision));
    }
    Ok(())
}

/// Rounds `raw` (at the global scale) to `precision` decimals, ties away
/// from zero.
#[must_use]
pub fn round_half_up(raw: i128, precision: u8) -> i128 {
    let step = pow10(FIXED_PRECISION - precision.min(FIXED_PRECISION));
    if step == 1 {
        return raw;
    }
    let half = step / 2;
    // Raws of prices and quantities fit in 64 bits, where the division is one
    // instruction instead of a 128-bit library call.
    let rounded = match u64::try_from(raw.unsigned_abs()) {
        Ok(magnitude) if magnitude <= u64::MAX / 2 => {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "step ≤ 10^9"
            )]
            let (step, half) = (step as u64, half as u64);
            i128::from((magnitude + half) / step * step)
        }
        _ => {
            #[allow(
                clippy::cast_possible_wrap,
                reason = "|raw| of an i128 fits but for i128::MIN, which no amount reaches"
            )]
            let magnitude = raw.unsigned_abs() as i128;
            (magnitude + half) / step * step
        }
    };
    if raw < 0 { -rounded } else { rounded }
}

/// Divides with the quotient rounded half up (ties away from zero).
///
/// # Errors
/// [`FixedError::DivisionByZero`] when `denominator` is zero.
pub fn div_round_half_up(numerator: i128, denominator: i128) -> Result<i128, FixedError> {
    if denominator == 0 {
        return Err(FixedError::DivisionByZero("div_round_half_up"));
    }
    let negative = (numerator < 0) != (denominator < 0);
    let n = numerator.unsigned_abs();
    let d = denominator.unsigned_abs();
    let q = n / d;
    let r = n % d;
    let q = if r >= d - r { q + 1 } else { q };
    let q = i128::try_from(q).map_err(|_| FixedError::Overflow("division"))?;
    Ok(if negative { -q } else { q })
}

/// A raw widened to the signed 128 bits of the arithmetic.
pub trait Widen {
    fn widen(self) -> i128;
}

impl Widen for i64 {
    fn widen(self) -> i128 {
        i128::from(self)
    }
}

impl Widen for u128 {
    /// Exact for every quantity (at most `quantity::MAX_RAW`).
    fn widen(self) -> i128 {
        i128::try_from(self).unwrap_or(i128::MAX)
    }
}

/// Multiplies two raws at the global scale, the product rounded half up back
/// to the global scale.
///
/// # Errors
/// [`FixedError::Overflow`] when the product does not fit.
#[inline]
pub fn mul_raw(a: i128, b: i128) -> Result<i128, FixedError> {
    // Fast path for the per-bar valuation: split `a` into whole units and a
    // fraction, so whole quantities need no 128-bit division at all:
    // round((hi·S + lo)·b / S) = hi·b + round(lo·b / S).
    if let (Ok(a64), Ok(b64)) = (i64::try_from(a), i64::try_from(b)) {
        let scalar = 1_000_000_000i64;
        let (hi, lo) = (a64 / scalar, a64 % scalar);
        // Two 64-bit factors cannot overflow 128 bits: one multiply
        // instruction, not a checked 128-bit multiply call.
        let whole = i128::from(hi) * i128::from(b64);
        if lo == 0 {
            return Ok(whole);
        }
        // lo·b / S = lo·b_hi + lo·b_lo / S with b = b_hi·S + b_lo. Both terms
        // have the sign of the product, so rounding the second alone rounds
        // the sum, and |lo·b_lo| < 10^18 divides in 64 bits (a multiply and
        // a shift by the constant, not a 128-bit division call).
        let (b_hi, b_lo) = (b64 / scalar, b64 % scalar);
        let small = lo * b_lo;
        let half = scalar / 2;
        let rounded = if small >= 0 {
            (small + half) / scalar
        } else {
            (small - half) / scalar
        };
        let part = i128::from(lo) * i128::from(b_hi) + i128::from(rounded);
        return whole
            .checked_add(part)
            .ok_or(FixedError::Overflow("multiplication"));
    }
    let product = a
        .checked_mul(b)
        .ok_or(FixedError::Overflow("multiplication"))?;
    div_round_half_up(product, FIXED_SCALAR)
}

/// Parses decimal text (`-12.345`, `+7`, `.5`) into a raw at the global scale,
/// rounding half up when it has more than [`FIXED_PRECISION`] decimals.
/// Returns the raw and the number of decimals written in the text.
///
/// # Errors
/// [`FixedError::Parse`] for anything but an optional sign, digits and one
/// dot (exponents and separators are rejected rather than guessed at).
pub fn parse_raw(text: &str) -> Result<(i128, u8), FixedError> {
    let err = |reason| FixedError::Parse {
        text: text.to_string(),
        reason,
    };
    let bytes = text.trim().as_bytes();
    let (negative, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        Some(_) => (false, bytes),
        None => return Err(err("empty")),
    };
    let mut integer: i128 = 0;
    let mut fraction: i128 = 0;
    let mut fraction_digits: u8 = 0;
    let mut seen_dot = false;
    let mut seen_digit = false;
    let mut round_up = false;
    let mut extra_digits = false;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                seen_digit = true;
                let d = i128::from(b - b'0');
                if !seen_dot {
                    integer = integer
                        .checked_mul(10)
                        .and_then(|v| v.checked_add(d))
                        .ok_or_else(|| err("too large"))?;
                } else if fraction_digits < FIXED_PRECISION {
                    fraction = fraction * 10 + d;
                    fraction_digits += 1;
                } else {
                    // Only the first dropped digit decides half-up rounding.
                    if !extra_digits {
                        round_up = d >= 5;
                    }
                    extra_digits = true;
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => return Err(err("expected digits with an optional sign and one '.'")),
        }
    }
    if !seen_digit {
        return Err(err("no digits"));
    }
    let scale_up = pow10(FIXED_PRECISION - fraction_digits);
    let mut raw = integer
        .checked_mul(FIXED_SCALAR)
        .and_then(|v| v.checked_add(fraction * scale_up))
        .ok_or_else(|| err("too large"))?;
    if round_up {
        raw += 1;
    }
    let written = if extra_digits {
        FIXED_PRECISION + 1
    } else {
        fraction_digits
    };
    Ok((
        if negative { -raw } else { raw },
        written.min(FIXED_PRECISION),
    ))
}

/// Converts a float to a raw rounded half up to `precision` decimals. Used
/// only at the edges (Parquet float columns, the prices and sizes strategies
/// compute in floats), never for arithmetic.
///
/// # Errors
/// [`FixedError::NotFinite`] for NaN or infinities, [`FixedError::Overflow`]
/// when out of range.
pub fn raw_from_f64(value: f64, precision: u8) -> Result<i128, FixedError> {
    if !value.is_finite() {
        return Err(FixedError::NotFinite(value.to_string()));
    }
    let precision = precision.min(FIXED_PRECISION);
    let scaled = value * f64_scale(precision);
    if scaled.abs() >= 9.0e18 {
        return Err(FixedError::Overflow("float conversion"));
    }
    Ok(i128::from(round_scaled(scaled)) * pow10(FIXED_PRECISION - precision))
}

/// [`raw_from_f64`] for the values whose raw fits an `i64` with room to
/// spare (|raw| < 9e18, so any price): the same rounding, without 128-bit
/// arithmetic or an error to build. `None` for NaN, infinities and larger
/// values; callers that must tell those apart fall back to
/// [`raw_from_f64`]. Strategies convert a price per order and Parquet
/// columns one per cell, so this is inline.
#[must_use]
#[inline]
pub fn raw64_from_f64(value: f64, precision: u8) -> Option<i64> {
    // 10^(FIXED_PRECISION - p): the raw of one unit of the last decimal.
    const UNITS: [i64; 10] = {
        let mut units = [1i64; 10];
        let mut p = 9;
        while p > 0 {
            units[p - 1] = units[p] * 10;
            p -= 1;
        }
        units
    };
    let precision = precision.min(FIXED_PRECISION);
    let unit = UNITS[usize::from(precision)];
    let scaled = value * f64_scale(precision);
    // Also false for NaN and infinities. The bound leaves a unit of room,
    // so the rounded product cannot overflow.
    #[allow(clippy::cast_precision_loss, reason = "a bound, not a value")]
    let fits = scaled.abs() * (unit as f64) < 9.0e18;
    fits.then(|| round_scaled(scaled) * unit)
}

/// 10^`precision` as an exact `f64` (`precision` ≤ 9).
#[must_use]
#[inline]
pub fn f64_scale(precision: u8) -> f64 {
    // 10^0 ..= 10^9, exact in f64.
    const SCALES: [f64; 10] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
    SCALES[usize::from(precision.min(FIXED_PRECISION))]
}

/// Rounds a scaled float (|x| < 9e18) half away from zero, as `f64::round`,
/// without its libm call: the truncation and the fraction are exact (above
/// 2^52 the value is whole).
#[must_use]
#[inline]
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    reason = "callers range-check the value first; above 2^52 the value is whole, so the round trip is exact"
)]
pub fn round_scaled(scaled: f64) -> i64 {
    let whole = scaled as i64;
    let fraction = scaled - whole as f64;
    // Branch-free: bulk conversions of price columns run through here.
    whole + i64::from(fraction >= 0.5) - i64::from(fraction <= -0.5)
}

/// Converts a raw to `f64` (for ratios, indicators and plots, never for money).
#[must_use]
#[allow(
    clippy::cast_precision_loss,
    reason = "f64 views are for analysis only"
)]
pub fn raw_to_f64(raw: i128) -> f64 {
    // Below 2^53 both operands are exact, so one correctly rounded division
    // gives the double nearest the decimal: what parsing its text gives.
    if raw.unsigned_abs() < 1 << 53 {
        // Through i64: the same exact value, without the 128-bit
        // conversion routine (a library call costing ~40 instructions).
        #[allow(clippy::cast_possible_truncation, reason = "below 2^53 in magnitude")]
        return (raw as i64) as f64 / FIXED_SCALAR as f64;
    }
    let integer = raw / FIXED_SCALAR;
    let fraction = raw % FIXED_SCALAR;
    integer as f64 + fraction as f64 / FIXED_SCALAR as f64
}

/// [`raw_to_f64`] for 64-bit raws (prices), without 128-bit conversions.
#[must_use]
#[inline]
#[allow(
    clippy::cast_precision_loss,
    reason = "f64 views are for analysis only"
)]
pub fn i64_to_f64(raw: i64) -> f64 {
    if raw.unsigned_abs() < 1 << 53 {
        raw as f64 / 1_000_000_000.0
    } else {
        raw_to_f64(i128::from(raw))
    }
}

/// Writes `raw` with exactly `precision` decimals (rounding half up first).
pub fn write_raw(f: &mut impl std::fmt::Write, raw: i128, precision: u8) -> std::fmt::Result {
    // At most 39 digits, a sign and a point.
    let mut text = Vec::with_capacity(48);
    push_raw(&mut text, raw, precision);
    f.write_str(std::str::from_utf8(&text).unwrap_or_default())
}

/// Appends `raw` with exactly `precision` decimals (rounding half up
/// first) to `out`, without `core::fmt`: the result files have a row per
/// bar, and formatting through `fmt` was most of a run's time.
pub fn push_raw(out: &mut Vec<u8>, raw: i128, precision: u8) {
    const SCALAR: u64 = 1_000_000_000;
    const _: () = assert!(SCALAR as i128 == FIXED_SCALAR);
    let precision = precision.min(FIXED_PRECISION);
    let rounded = round_half_up(raw, precision);
    if rounded < 0 {
        out.push(b'-');
    }
    let magnitude = rounded.unsigned_abs();
    let mut digits = itoa::Buffer::new();
    // Most amounts fit 64 bits, where a division is one instruction
    // instead of a 128-bit library call.
    let remainder = match u64::try_from(magnitude) {
        Ok(small) => {
            out.extend_from_slice(digits.format(small / SCALAR).as_bytes());
            small % SCALAR
        }
        Err(_) => {
            let scalar = u128::from(SCALAR);
            out.extend_from_slice(digits.format(magnitude / scalar).as_bytes());
            u64::try_from(magnitude % scalar).unwrap_or_default()
        }
    };
    if precision > 0 {
        out.push(b'.');
        // Below 10^9, padded to the precision with leading zeros.
        let unit = u64::try_from(pow10(FIXED_PRECISION - precision)).unwrap_or(1);
        let text = digits.format(remainder / unit).as_bytes();
        out.resize(
            out.len() + usize::from(precision).saturating_sub(text.len()),
            b'0',
        );
        out.extend_from_slice(text);
    }
}

/// Formats `raw` with exactly `precision` decimals.
#[must_use]
pub fn format_raw(raw: i128, precision: u8) -> String {
    let mut text = Vec::with_capacity(48);
    push_raw(&mut text, raw, precision);
    // Digits, a sign and a point only.
    String::from_utf8(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn push_raw_writes_the_rounded_decimal(raw in any::<i128>(), precision in 0u8..=12) {
            let raw = raw / 1_000; // in range of round_half_up
            // The same text through core::fmt, digit by digit.
            let p = precision.min(FIXED_PRECISION);
            let rounded = round_half_up(raw, p);
            let magnitude = rounded.unsigned_abs();
            let scalar = FIXED_SCALAR.unsigned_abs();
            let mut expected = format!("{}{}", if rounded < 0 { "-" } else { "" }, magnitude / scalar);
            if p > 0 {
                let fraction = (magnitude % scalar) / pow10(FIXED_PRECISION - p).unsigned_abs();
                expected.push_str(&format!(".{fraction:0width$}", width = usize::from(p)));
            }
            let mut out = Vec::new();
            push_raw(&mut out, raw, precision);
            prop_assert_eq!(String::from_utf8(out).unwrap(), expected.clone());
            prop_assert_eq!(format_raw(raw, precision), expected);
        }
    }

    #[test]
    fn parses_exact_decimals() {
        assert_eq!(parse_raw("100.03").unwrap(), (100_030_000_000, 2));
        assert_eq!(parse_raw("-0.5").unwrap(), (-500_000_000, 1));
        assert_eq!(parse_raw("+7").unwrap(), (7_000_000_000, 0));
        assert_eq!(parse_raw(".25").unwrap(), (250_000_000, 2));
        assert_eq!(parse_raw("0.0000000015").unwrap().0, 2);
        assert_eq!(parse_raw("0.0000000014").unwrap().0, 1);
    }

    #[test]
    fn rejects_bad_text() {
        for text in ["", "-", ".", "1e5", "1.2.3", "12a", "1,000", "NaN"] {
            assert!(parse_raw(text).is_err(), "{text:?} should be rejected");
        }
    }

    #[test]
    fn rounds_half_up_away_from_zero() {
        assert_eq!(round_half_up(1_125_000_000, 2), 1_130_000_000);
        assert_eq!(round_half_up(1_124_999_999, 2), 1_120_000_000);
        assert_eq!(round_half_up(-1_125_000_000, 2), -1_130_000_000);
        assert_eq!(round_half_up(5, 9), 5);
        assert_eq!(div_round_half_up(5, 2).unwrap(), 3);
        assert_eq!(div_round_half_up(-5, 2).unwrap(), -3);
        assert_eq!(div_round_half_up(4, 3).unwrap(), 1);
    }

    #[test]
    fn formats_with_precision() {
        assert_eq!(format_raw(100_030_000_000, 2), "100.03");
        assert_eq!(format_raw(-500_000_000, 3), "-0.500");
        assert_eq!(format_raw(2_460_712_650_000, 4), "2460.7127");
        assert_eq!(format_raw(7_000_000_000, 0), "7");
    }

    #[test]
    fn floats_round_half_away_from_zero() {
        assert_eq!(raw_from_f64(0.499_999_999_999_999_94, 0).unwrap(), 0);
        assert_eq!(raw_from_f64(0.5, 0).unwrap(), FIXED_SCALAR);
        assert_eq!(raw_from_f64(-2.5, 0).unwrap(), -3 * FIXED_SCALAR);
        assert_eq!(
            raw_from_f64(4_503_599_627_370_497.0, 0).unwrap(),
            4_503_599_627_370_497 * FIXED_SCALAR
        );
    }

    #[test]
    fn floats_round_to_precision_not_truncate() {
        // 100.03 * 100 is 10002.999999999998 in f64: truncation would give 100.02.
        assert_eq!(raw_from_f64(100.03, 2).unwrap(), 100_030_000_000);
        assert!(raw_from_f64(f64::NAN, 2).is_err());
    }

    #[test]
    fn the_i64_float_path_declines_what_it_cannot_hold() {
        assert_eq!(raw64_from_f64(100.03, 2), Some(100_030_000_000));
        assert_eq!(raw64_from_f64(-2.5, 0), Some(-3_000_000_000));
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 9.0e9, -9.0e9] {
            assert_eq!(raw64_from_f64(value, 2), None, "{value}");
        }
        assert_eq!(raw64_from_f64(8.9e9, 9), Some(8_900_000_000_000_000_000));
    }

    proptest! {
        #[test]
        fn the_i64_float_path_rounds_as_the_checked_one(value in -1.0e10f64..1.0e10, precision in 0u8..=12) {
            if let Some(raw) = raw64_from_f64(value, precision) {
                prop_assert_eq!(i128::from(raw), raw_from_f64(value, precision).unwrap());
            } else {
                prop_assert!(value.abs() * 1e9 >= 8.9e18);
            }
        }

        #[test]
        fn text_round_trip(raw in -1_000_000_000_000_000_000i128..1_000_000_000_000_000_000i128, precision in 0u8..=9) {
            let rounded = round_half_up(raw, precision);
            let text = format_raw(rounded, precision);
            prop_assert_eq!(parse_raw(&text).unwrap().0, rounded);
        }

        #[test]
        fn rounding_in_64_bits_matches_the_wide_rounding(raw in any::<i64>(), wide in any::<i128>(), precision in 0u8..=9) {
            // Half steps too, where ties go away from zero.
            for raw in [i128::from(raw), i128::from(raw / 1_000 * 1_000 + 500 * raw.signum()), wide / 4] {
                let step = pow10(FIXED_PRECISION - precision);
                let rounded = (raw.abs() + step / 2) / step * step;
                prop_assert_eq!(round_half_up(raw, precision), rounded * raw.signum());
            }
        }

        #[test]
        fn fast_multiplication_matches_the_wide_product(a in any::<i64>(), b in -1_000_000_000_000_000_000i128..1_000_000_000_000_000_000) {
            let a = i128::from(a);
            let expected = div_round_half_up(a * b, FIXED_SCALAR).unwrap();
            prop_assert_eq!(mul_raw(a, b).unwrap(), expected);
        }

        #[test]
        fn fast_multiplication_matches_at_any_64_bit_factors(a in any::<i64>(), b in any::<i64>(), half in any::<bool>()) {
            // Also exactly-half fractions, where rounding goes away from zero.
            let a = if half { (a / 1_000_000_000) * 1_000_000_000 + 500_000_000 * a.signum() } else { a };
            let (a, b) = (i128::from(a), i128::from(b));
            let expected = div_round_half_up(a * b, FIXED_SCALAR).unwrap();
            prop_assert_eq!(mul_raw(a, b).unwrap(), expected);
        }

        #[test]
        fn float_view_is_the_nearest_double_of_the_text(cents in -1_000_000_000i64..1_000_000_000) {
            let raw = cents * 10_000_000;
            let text = format_raw(i128::from(raw), 2);
            prop_assert_eq!(i64_to_f64(raw), text.parse::<f64>().unwrap());
        }

        #[test]
        fn float_conversion_rounds_like_f64_round(value in -1.0e12f64..1.0e12, precision in 0u8..=6) {
            #[allow(clippy::cast_possible_truncation, reason = "|value| < 10^18 in range")]
            let expected = (value * 10f64.powi(i32::from(precision))).round() as i64;
            prop_assert_eq!(raw_from_f64(value, precision).unwrap(), i128::from(expected) * pow10(FIXED_PRECISION - precision));
        }

        #[test]
        fn rounding_is_idempotent_and_bounded(raw in any::<i64>(), precision in 0u8..=9) {
            let raw = i128::from(raw);
            let once = round_half_up(raw, precision);
            prop_assert_eq!(round_half_up(once, precision), once);
            let step = pow10(FIXED_PRECISION - precision);
            prop_assert!((once - raw).abs() * 2 <= step);
        }
    }
}
