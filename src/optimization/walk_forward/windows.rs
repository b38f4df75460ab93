//! Cutting the bars into walk-forward windows: window k's in-sample bars
//! start at the origin moved on by k steps (or at the first bar when
//! anchored) and run for the in-sample length; its out-of-sample bars
//! follow for the out-of-sample length, the last window's cut short by
//! the end of the data.
//!
//! Durations move along the calendar from the first bar's time, so
//! windows never drift over gaps in the data; bar counts move along the
//! bars. The two may be mixed.

use std::ops::Range;

use crate::core::UnixNanos;

use super::spec::{Length, Located, WalkForwardSpec};

/// One window, as ranges of bar positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub in_sample: Range<usize>,
    pub out_of_sample: Range<usize>,
}

/// Why the windows do not fit the data: the field at fault and what is
/// wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowError {
    pub field: &'static str,
    pub span: Range<usize>,
    pub message: String,
}

/// A place along the bars: a time (durations keep to the calendar) or a
/// bar position.
#[derive(Debug, Clone, Copy)]
enum Cursor {
    Time(i128),
    Bar(usize),
}

impl Cursor {
    fn plus(self, length: Length, times: &[UnixNanos]) -> Self {
        match length {
            Length::Span(ns) => Self::Time(self.time(times) + i128::from(ns)),
            Length::Bars(n) => Self::Bar(self.bar(times).saturating_add(n)),
        }
    }

    /// `length` taken `k` times.
    fn plus_times(self, length: Length, k: usize, times: &[UnixNanos]) -> Self {
        match length {
            Length::Span(ns) => {
                Self::Time(self.time(times) + i128::from(ns) * i128::try_from(k).unwrap_or(0))
            }
            Length::Bars(n) => Self::Bar(self.bar(times).saturating_add(n.saturating_mul(k))),
        }
    }

    fn time(self, times: &[UnixNanos]) -> i128 {
        match self {
            Self::Time(t) => t,
            Self::Bar(i) => times.get(i).or(times.last()).map_or(0, |t| i128::from(t.0)),
        }
    }

    /// The first bar at or after this place (`times.len()` past the end).
    fn bar(self, times: &[UnixNanos]) -> usize {
        match self {
            Self::Time(t) => times.partition_point(|x| i128::from(x.0) < t),
            Self::Bar(i) => i.min(times.len()),
        }
    }
}

/// The windows of `spec` over bars at `times` (sorted).
///
/// # Errors
/// No window fits (the first in-sample window reaches the last bar), a
/// window holds no bar, or out-of-sample windows overlap (a step shorter
/// than the out-of-sample length).
pub fn windows(spec: &WalkForwardSpec, times: &[UnixNanos]) -> Result<Vec<Window>, WindowError> {
    let n = times.len();
    let fail = |at: &Located<Length>, message: String| WindowError {
        field: at.field,
        span: at.span.clone(),
        message,
    };
    let origin = Cursor::Bar(0);
    let mut windows: Vec<Window> = Vec::new();
    for k in 0.. {
        let start = origin.plus_times(spec.step.value, k, times);
        let in_sample_end = start.plus(spec.in_sample.value, times);
        let out_of_sample_end = in_sample_end.plus(spec.out_of_sample.value, times);
        let in_sample = if spec.anchored { 0 } else { start.bar(times) }..in_sample_end.bar(times);
        let out_of_sample = in_sample.end..out_of_sample_end.bar(times).min(n);
        if out_of_sample.is_empty() && in_sample.end >= n {
            break;
        }
        if in_sample.is_empty() {
            return Err(fail(
                &spec.in_sample,
                format!(
                    "window {} holds no in-sample bar (a gap in the data)",
                    k + 1
                ),
            ));
        }
        if out_of_sample.is_empty() {
            return Err(fail(
                &spec.out_of_sample,
                format!(
                    "window {} holds no out-of-sample bar after {} (a gap in the data)",
                    k + 1,
                    times[in_sample.end - 1]
                ),
            ));
        }
        if windows
            .last()
            .is_some_and(|before| out_of_sample.start < before.out_of_sample.end)
        {
            return Err(fail(
                &spec.step,
                "is shorter than the out-of-sample window: out-of-sample windows would overlap, and the stitched run needs them one after another".into(),
            ));
        }
        windows.push(Window {
            in_sample,
            out_of_sample,
        });
    }
    if windows.is_empty() {
        let (first, last) = (times.first(), times.last());
        let message = match (first, last) {
            (Some(first), Some(last)) => format!(
                "the first in-sample window, from {first}, reaches past the last bar ({last}, {n} bars): no out-of-sample bar is left; shorten in_sample or add data"
            ),
            _ => "the data hold no bar".to_string(),
        };
        return Err(fail(&spec.in_sample, message));
    }
    Ok(windows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::time::NANOS_PER_DAY;

    fn located(value: Length, field: &'static str) -> Located<Length> {
        Located {
            value,
            field,
            span: 0..0,
        }
    }

    fn spec(
        in_sample: Length,
        out_of_sample: Length,
        step: Length,
        anchored: bool,
    ) -> WalkForwardSpec {
        WalkForwardSpec {
            in_sample: located(in_sample, "walk_forward.in_sample"),
            out_of_sample: located(out_of_sample, "walk_forward.out_of_sample"),
            step: located(step, "walk_forward.step"),
            anchored,
            warmup: Located {
                value: super::super::spec::WarmupSetting::Auto,
                field: "walk_forward.warmup",
                span: 0..0,
            },
        }
    }

    fn days(n: usize) -> Vec<UnixNanos> {
        (0..n)
            .map(|d| UnixNanos(i64::try_from(d).unwrap() * NANOS_PER_DAY))
            .collect()
    }

    #[test]
    fn rolling_bar_windows_tile_the_data_and_the_last_is_cut_short() {
        let got = windows(
            &spec(Length::Bars(10), Length::Bars(4), Length::Bars(4), false),
            &days(23),
        )
        .unwrap();
        let want = [
            (0..10, 10..14),
            (4..14, 14..18),
            (8..18, 18..22),
            (12..22, 22..23),
        ];
        assert_eq!(got.len(), want.len());
        for (w, (is, oos)) in got.iter().zip(want) {
            assert_eq!((w.in_sample.clone(), w.out_of_sample.clone()), (is, oos));
        }
    }

    #[test]
    fn anchored_windows_start_at_the_first_bar() {
        let got = windows(
            &spec(Length::Bars(10), Length::Bars(5), Length::Bars(5), true),
            &days(20),
        )
        .unwrap();
        assert_eq!(got[0].in_sample, 0..10);
        assert_eq!(got[1].in_sample, 0..15);
        assert_eq!(got[1].out_of_sample, 15..20);
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn durations_keep_to_the_calendar_over_gaps() {
        // Weekdays only: 5 bars a week.
        let times: Vec<UnixNanos> = (0..40)
            .filter(|d| d % 7 < 5)
            .map(|d| UnixNanos(d * NANOS_PER_DAY))
            .collect();
        let week = Length::Span(7 * NANOS_PER_DAY);
        let got = windows(
            &spec(Length::Span(14 * NANOS_PER_DAY), week, week, false),
            &times,
        )
        .unwrap();
        assert_eq!(got[0].in_sample, 0..10);
        assert_eq!(got[0].out_of_sample, 10..15);
        assert_eq!(got[1].in_sample, 5..15);
        // Days 35..40 (a partial week: 35, 36, 37, 38, 39 → 5 bars).
        assert_eq!(got.last().unwrap().out_of_sample.len(), 5);
    }

    #[test]
    fn windows_that_do_not_fit_and_overlapping_windows_are_refused() {
        let too_long = windows(
            &spec(Length::Bars(30), Length::Bars(5), Length::Bars(5), false),
            &days(30),
        )
        .unwrap_err();
        assert_eq!(too_long.field, "walk_forward.in_sample");
        assert!(
            too_long.message.contains("reaches past the last bar"),
            "{}",
            too_long.message
        );
        let overlap = windows(
            &spec(Length::Bars(10), Length::Bars(5), Length::Bars(2), false),
            &days(30),
        )
        .unwrap_err();
        assert_eq!(overlap.field, "walk_forward.step");
    }
}
