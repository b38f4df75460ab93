//! Durations are shown rounded up to the data's resolution, as
//! Backtesting.py does: the unit (day, hour, minute, second, ms, µs, ns)
//! of the median spacing between bars.

use crate::core::UnixNanos;

/// The unit of the median bar spacing, in nanoseconds.
#[must_use]
pub fn data_resolution(ts: &[UnixNanos]) -> i64 {
    let mut gaps: Vec<i64> = ts.windows(2).map(|w| w[1].0 - w[0].0).collect();
    if gaps.is_empty() {
        return 1;
    }
    gaps.sort_unstable();
    let median = gaps[gaps.len() / 2];
    const UNITS: [i64; 7] = [
        86_400_000_000_000,
        3_600_000_000_000,
        60_000_000_000,
        1_000_000_000,
        1_000_000,
        1_000,
        1,
    ];
    UNITS
        .into_iter()
        .find(|u| median >= *u && median % u == 0)
        .unwrap_or(1)
}

/// `duration` rounded up to a multiple of `resolution`.
#[must_use]
pub fn ceil_to(duration: i64, resolution: i64) -> i64 {
    if resolution <= 1 {
        return duration;
    }
    let rest = duration.rem_euclid(resolution);
    if rest == 0 {
        duration
    } else {
        duration + (resolution - rest)
    }
}

/// The longest and the mean of `durations`, each rounded up to
/// `resolution`; undefined when empty.
#[must_use]
pub fn max_and_mean(durations: &[i64], resolution: i64) -> (Option<i64>, Option<i64>) {
    let max = durations.iter().copied().max();
    let count = i64::try_from(durations.len()).unwrap_or(i64::MAX);
    let total: i64 = durations.iter().sum();
    let mean = (count > 0).then(|| {
        let mean_up = total.div_euclid(count) + i64::from(total.rem_euclid(count) != 0);
        ceil_to(mean_up, resolution)
    });
    (max.map(|m| ceil_to(m, resolution)), mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minute_bars_round_to_minutes() {
        let minute = 60_000_000_000;
        let ts: Vec<UnixNanos> = (0..5).map(|i| UnixNanos(i * 5 * minute)).collect();
        assert_eq!(data_resolution(&ts), minute);
        assert_eq!(ceil_to(61_000_000_000, minute), 2 * minute);
        assert_eq!(ceil_to(2 * minute, minute), 2 * minute);
        let days: Vec<UnixNanos> = (0..3).map(|i| UnixNanos(i * 86_400_000_000_000)).collect();
        assert_eq!(data_resolution(&days), 86_400_000_000_000);
        assert_eq!(data_resolution(&[UnixNanos(0)]), 1);
    }
}
