//! `UnixNanos` and RFC 3339 text, written out here so that no calendar crate
//! (or the wall clock) reaches the engine.

use std::fmt;
use std::str::FromStr;

/// Nanoseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct UnixNanos(pub i64);

pub const NANOS_PER_SECOND: i64 = 1_000_000_000;
pub const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SECOND;

/// Text that is not an RFC 3339 timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp '{text}': {reason} (expected RFC 3339 such as 2020-01-01T00:00:00Z)")]
pub struct TimestampError {
    pub text: String,
    pub reason: &'static str,
}

impl UnixNanos {
    #[must_use]
    pub const fn as_i64(self) -> i64 {
        self.0
    }

    /// Whole days since the epoch (floor), for per-day resampling.
    #[must_use]
    pub const fn day_number(self) -> i64 {
        self.0.div_euclid(NANOS_PER_DAY)
    }

    /// 0 = Monday … 6 = Sunday.
    #[must_use]
    pub const fn weekday(self) -> i64 {
        // 1970-01-01 was a Thursday.
        (self.day_number() + 3).rem_euclid(7)
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; a
    /// space may stand for `T`, and a bare date or date-time is taken as UTC.
    ///
    /// # Errors
    /// When the text is not of that form or names an impossible date.
    pub fn parse_rfc3339(text: &str) -> Result<Self, TimestampError> {
        parse_rfc3339(text.trim().as_bytes()).map_err(|reason| TimestampError {
            text: text.to_string(),
            reason,
        })
    }

    /// The calendar date and time, UTC.
    #[must_use]
    pub fn to_civil(self) -> (i64, u32, u32, u32, u32, u32, u32) {
        let days = self.day_number();
        let rem = self.0.rem_euclid(NANOS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let secs = rem / NANOS_PER_SECOND;
        let nanos = rem % NANOS_PER_SECOND;
        // All components are bounded by the divisions above.
        let part = |v: i64| u32::try_from(v).unwrap_or(0);
        (
            year,
            month,
            day,
            part(secs / 3600),
            part(secs / 60 % 60),
            part(secs % 60),
            part(nanos),
        )
    }
}

/// A duration like `"30s"`, `"5m"`, `"1h"`, `"1d"` or `"250ms"`, in ns.
///
/// # Errors
/// For anything but a positive whole number followed by ms, s, m, h or d,
/// or a duration too long for 64 bits of nanoseconds.
pub fn parse_duration_ns(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let unit_ns: i64 = match unit {
        "ms" => 1_000_000,
        "s" => NANOS_PER_SECOND,
        "m" => 60 * NANOS_PER_SECOND,
        "h" => 3_600 * NANOS_PER_SECOND,
        "d" => NANOS_PER_DAY,
        _ => 0,
    };
    match digits.parse::<i64>() {
        Ok(n) if n > 0 && unit_ns > 0 => n
            .checked_mul(unit_ns)
            .ok_or_else(|| format!("duration '{text}' is too long")),
        _ => Err(format!(
            "duration '{text}' must be a positive whole number with a unit: ms, s, m, h or d"
        )),
    }
}

impl fmt::Display for UnixNanos {
    /// RFC 3339 in UTC, with a fraction only when there is one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = Vec::with_capacity(32);
        Rfc3339Writer::default().push(&mut text, *self);
        // Digits and ASCII separators only.
        f.write_str(std::str::from_utf8(&text).unwrap_or_default())
    }
}

/// Writes timestamps in RFC 3339, UTC, with a fraction only when there is
/// one (what [`UnixNanos`]'s `Display` shows), without `core::fmt`: the
/// date is made once per day and reused while the timestamps stay on it,
/// the time of day from two-digit pairs. For the result files, which have
/// a row per bar.
#[derive(Debug, Default)]
pub struct Rfc3339Writer {
    /// The day the date text is for, and `YYYY-MM-DDT` (a 64-bit
    /// timestamp's year has four digits: 1677 to 2262).
    day: Option<i64>,
    date: [u8; 11],
}

impl Rfc3339Writer {
    /// Appends `ts` to `out`.
    pub fn push(&mut self, out: &mut Vec<u8>, ts: UnixNanos) {
        let day = ts.day_number();
        if self.day != Some(day) {
            let (y, mo, d, ..) = UnixNanos(day.saturating_mul(NANOS_PER_DAY)).to_civil();
            let digit = |v: i64| b'0' + u8::try_from(v.rem_euclid(10)).unwrap_or(0);
            let (mo, d) = (i64::from(mo), i64::from(d));
            self.date = [
                digit(y / 1000),
                digit(y / 100),
                digit(y / 10),
                digit(y),
                b'-',
                digit(mo / 10),
                digit(mo),
                b'-',
                digit(d / 10),
                digit(d),
                b'T',
            ];
            self.day = Some(day);
        }
        out.extend_from_slice(&self.date);
        let rem = ts.0.rem_euclid(NANOS_PER_DAY);
        let secs = rem / NANOS_PER_SECOND;
        let pair = |out: &mut Vec<u8>, v: i64| {
            // Two digits: v < 60.
            let v = u8::try_from(v).unwrap_or(0);
            out.push(b'0' + v / 10);
            out.push(b'0' + v % 10);
        };
        pair(out, secs / 3600);
        out.push(b':');
        pair(out, secs / 60 % 60);
        out.push(b':');
        pair(out, secs % 60);
        let nanos = rem % NANOS_PER_SECOND;
        if nanos != 0 {
            let mut digits = [b'0'; 9];
            let mut n = nanos;
            for slot in digits.iter_mut().rev() {
                *slot = b'0' + u8::try_from(n % 10).unwrap_or(0);
                n /= 10;
            }
            let end = digits.iter().rposition(|d| *d != b'0').map_or(0, |k| k + 1);
            out.push(b'.');
            out.extend_from_slice(&digits[..end]);
        }
        out.push(b'Z');
    }
}

impl FromStr for UnixNanos {
    type Err = TimestampError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse_rfc3339(text)
    }
}

impl serde::Serialize for UnixNanos {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
#[must_use]
pub const fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
#[must_use]
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

const fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

fn digits(bytes: &[u8], at: usize, count: usize) -> Result<u32, &'static str> {
    let slice = bytes.get(at..at + count).ok_or("too short")?;
    let mut value = 0u32;
    for &b in slice {
        if !b.is_ascii_digit() {
            return Err("expected a digit");
        }
        value = value * 10 + u32::from(b - b'0');
    }
    Ok(value)
}

fn expect(bytes: &[u8], at: usize, what: u8) -> Result<(), &'static str> {
    if bytes.get(at) == Some(&what) {
        Ok(())
    } else {
        Err("unexpected character")
    }
}

fn parse_rfc3339(b: &[u8]) -> Result<UnixNanos, &'static str> {
    let year = i64::from(digits(b, 0, 4)?);
    expect(b, 4, b'-')?;
    let month = digits(b, 5, 2)?;
    expect(b, 7, b'-')?;
    let day = digits(b, 8, 2)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err("no such date");
    }
    let days = days_from_civil(year, month, day);
    if b.len() == 10 {
        return Ok(UnixNanos(days * NANOS_PER_DAY));
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return Err("expected 'T' after the date");
    }
    let hour = digits(b, 11, 2)?;
    expect(b, 13, b':')?;
    let minute = digits(b, 14, 2)?;
    expect(b, 16, b':')?;
    let second = digits(b, 17, 2)?;
    if hour > 23 || minute > 59 || second > 60 {
        return Err("no such time");
    }
    let mut at = 19;
    let mut nanos: i64 = 0;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while let Some(d) = b.get(at).filter(|d| d.is_ascii_digit()) {
            if at - start < 9 {
                nanos = nanos * 10 + i64::from(d - b'0');
            }
            at += 1;
        }
        let written = at - start;
        if written == 0 {
            return Err("expected digits after '.'");
        }
        for _ in written..9 {
            nanos *= 10;
        }
    }
    let offset_secs: i64 = match b.get(at) {
        None => 0,
        Some(b'Z' | b'z') if at + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if at + 6 == b.len() => {
            let oh = i64::from(digits(b, at + 1, 2)?);
            expect(b, at + 3, b':')?;
            let om = i64::from(digits(b, at + 4, 2)?);
            let secs = oh * 3600 + om * 60;
            if *sign == b'+' { secs } else { -secs }
        }
        Some(_) => return Err("expected 'Z' or an offset such as +01:00"),
    };
    let secs = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
        - offset_secs;
    secs.checked_mul(NANOS_PER_SECOND)
        .and_then(|n| n.checked_add(nanos))
        .map(UnixNanos)
        .ok_or("out of range")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_writer_writes_the_civil_time_and_reuses_its_date(
            steps in proptest::collection::vec((any::<bool>(), 0i64..200_000_000_000_000), 1..40),
            start in i64::MIN / 2..i64::MAX / 2,
        ) {
            // Runs forward and jumps back, across days, with and without
            // fractions of a second.
            let mut writer = Rfc3339Writer::default();
            let mut ts = start;
            for (back, step) in steps {
                ts = if back { ts.saturating_sub(step) } else { ts.saturating_add(step) };
                let mut out = Vec::new();
                writer.push(&mut out, UnixNanos(ts));
                // The same text through core::fmt, from the civil time.
                let (y, mo, d, h, mi, s, nanos) = UnixNanos(ts).to_civil();
                let mut expected = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
                if nanos != 0 {
                    let fraction = format!("{nanos:09}");
                    expected.push_str(&format!(".{}", fraction.trim_end_matches('0')));
                }
                expected.push('Z');
                prop_assert_eq!(String::from_utf8(out).unwrap(), expected.clone());
                prop_assert_eq!(UnixNanos(ts).to_string(), expected);
            }
        }
    }

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(parse_duration_ns("5m"), Ok(300_000_000_000));
        assert_eq!(parse_duration_ns("250ms"), Ok(250_000_000));
        assert_eq!(parse_duration_ns("1d"), Ok(NANOS_PER_DAY));
        assert!(parse_duration_ns("5").is_err());
        assert!(parse_duration_ns("0s").is_err());
        assert!(parse_duration_ns("m").is_err());
        assert!(parse_duration_ns("99999999999d").is_err());
    }

    #[test]
    fn parses_and_formats_rfc3339() {
        let ts = UnixNanos::parse_rfc3339("2020-01-01T00:00:00Z").unwrap();
        assert_eq!(ts.0, 1_577_836_800 * NANOS_PER_SECOND);
        assert_eq!(ts.to_string(), "2020-01-01T00:00:00Z");
        let frac = UnixNanos::parse_rfc3339("2020-01-01T00:00:00.25+01:00").unwrap();
        assert_eq!(
            frac.0,
            (1_577_836_800 - 3600) * NANOS_PER_SECOND + 250_000_000
        );
        assert_eq!(frac.to_string(), "2019-12-31T23:00:00.25Z");
        assert_eq!(
            UnixNanos::parse_rfc3339("2024-02-29").unwrap().to_string(),
            "2024-02-29T00:00:00Z"
        );
        assert_eq!(
            UnixNanos::parse_rfc3339("2020-01-01 12:30:00")
                .unwrap()
                .to_civil()
                .3,
            12
        );
    }

    #[test]
    fn rejects_bad_timestamps() {
        for text in [
            "",
            "2020-13-01",
            "2023-02-29",
            "2020-01-01T25:00:00Z",
            "2020-01-01X",
            "yesterday",
            "2020-01-01T00:00:00Q",
        ] {
            assert!(UnixNanos::parse_rfc3339(text).is_err(), "{text}");
        }
    }

    #[test]
    fn civil_round_trip_and_weekday() {
        for days in [-800_000, -1, 0, 1, 18_262, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        // 2020-01-01 was a Wednesday.
        assert_eq!(UnixNanos::parse_rfc3339("2020-01-01").unwrap().weekday(), 2);
    }
}
