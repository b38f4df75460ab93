//! Parsing one cell: shared by the CSV and Parquet readers so both accept
//! and reject exactly the same values.

use crate::core::fixed::{self, FIXED_PRECISION};
use crate::core::time::UnixNanos;

use super::TimestampFormat;

/// A price from decimal text, rounded half up to `precision`; the flag says
/// whether rounding changed it.
pub(super) fn price_text(text: &str, precision: u8) -> Result<(i64, bool), String> {
    let (raw, decimals) = fixed::parse_raw(text).map_err(|e| e.to_string())?;
    let rounded = fixed::round_half_up(raw, precision);
    let value = i64::try_from(rounded).map_err(|_| format!("price '{text}' is out of range"))?;
    Ok((value, decimals > precision && rounded != raw))
}

/// A price from a float cell, rounded half up to `precision`.
pub(super) fn price_float(value: f64, precision: u8) -> Result<i64, String> {
    let raw = fixed::raw_from_f64(value, precision).map_err(|e| e.to_string())?;
    i64::try_from(raw).map_err(|_| format!("price {value} is out of range"))
}

/// A volume: non-negative, rounded half up to `precision`.
pub(super) fn volume_raw(
    raw: i128,
    text: &dyn std::fmt::Display,
    precision: u8,
) -> Result<(u64, bool), String> {
    if raw < 0 {
        return Err(format!("volume {text} is negative"));
    }
    let rounded = fixed::round_half_up(raw, precision);
    let value = u64::try_from(rounded).map_err(|_| format!("volume {text} is out of range"))?;
    Ok((value, rounded != raw))
}

pub(super) fn volume_text(text: &str, precision: u8) -> Result<(u64, bool), String> {
    let (raw, _) = fixed::parse_raw(text).map_err(|e| e.to_string())?;
    volume_raw(raw, &text, precision)
}

pub(super) fn volume_float(value: f64, precision: u8) -> Result<(u64, bool), String> {
    if value < 0.0 {
        return Err(format!("volume {value} is negative"));
    }
    // Two float roundings instead of a 128-bit division per row.
    let rounded = fixed::raw_from_f64(value, precision).map_err(|e| e.to_string())?;
    let full = fixed::raw_from_f64(value, FIXED_PRECISION).map_err(|e| e.to_string())?;
    let volume = u64::try_from(rounded).map_err(|_| format!("volume {value} is out of range"))?;
    Ok((volume, rounded != full))
}

/// A timestamp from text: RFC 3339, or an integer in the configured unit.
pub(super) fn timestamp_text(text: &str, format: TimestampFormat) -> Result<UnixNanos, String> {
    match format.nanos_per_unit() {
        None => UnixNanos::parse_rfc3339(text).map_err(|e| e.to_string()),
        Some(_) => {
            let value: i64 = text
                .trim()
                .parse()
                .map_err(|_| format!("timestamp '{text}' is not an integer"))?;
            timestamp_int(value, format).ok_or_else(|| format!("timestamp {value} is out of range"))
        }
    }
}

/// A timestamp from an integer in the configured unit; `None` on overflow or
/// when the format is RFC 3339 (the unit of an integer is never guessed).
pub(super) fn timestamp_int(value: i64, format: TimestampFormat) -> Option<UnixNanos> {
    format
        .nanos_per_unit()
        .and_then(|unit| value.checked_mul(unit))
        .map(UnixNanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_exact_or_flagged_as_rounded() {
        assert_eq!(price_text("100.03", 2).unwrap(), (100_030_000_000, false));
        assert_eq!(price_text("100.035", 2).unwrap(), (100_040_000_000, true));
        assert_eq!(price_text("100.030", 2).unwrap(), (100_030_000_000, false));
        assert!(price_text("abc", 2).is_err());
        assert_eq!(price_float(100.03, 2).unwrap(), 100_030_000_000);
    }

    #[test]
    fn volumes_must_not_be_negative() {
        assert_eq!(volume_text("3060", 0).unwrap(), (3_060_000_000_000, false));
        assert_eq!(volume_text("-1", 0).unwrap_err(), "volume -1 is negative");
        assert_eq!(volume_float(2.5, 0).unwrap(), (3_000_000_000, true));
    }

    #[test]
    fn timestamps_in_every_unit() {
        let expected = UnixNanos(1_577_836_800_000_000_000);
        assert_eq!(
            timestamp_text("2020-01-01T00:00:00Z", TimestampFormat::Rfc3339).unwrap(),
            expected
        );
        assert_eq!(
            timestamp_text("1577836800", TimestampFormat::UnixSeconds).unwrap(),
            expected
        );
        assert_eq!(
            timestamp_text("1577836800000", TimestampFormat::UnixMillis).unwrap(),
            expected
        );
        assert_eq!(
            timestamp_int(1_577_836_800_000_000, TimestampFormat::UnixMicros),
            Some(expected)
        );
        assert!(timestamp_text("soon", TimestampFormat::UnixNanos).is_err());
        assert!(timestamp_int(i64::MAX, TimestampFormat::UnixSeconds).is_none());
    }
}
