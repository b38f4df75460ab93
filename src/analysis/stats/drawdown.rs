//! Drawdown periods, shared by Avg. Drawdown and the drawdown durations.
//! dd[i] = 1 − equity[i] / max(equity[..=i]). A period is the stretch
//! between two consecutive bars where dd = 0 (the last bar also closes
//! one) that spans more than one bar; its duration is the time between the
//! two ends and its peak the largest dd inside.

use crate::core::UnixNanos;

/// The drawdown of each point.
#[must_use]
pub fn drawdowns(equity: &[f64]) -> Vec<f64> {
    let mut peak = f64::NEG_INFINITY;
    equity
        .iter()
        .map(|&e| {
            peak = peak.max(e);
            if peak > 0.0 { 1.0 - e / peak } else { 0.0 }
        })
        .collect()
}

/// The drawdown of each point in percent, 0 or below (for charts and
/// observers): (equity / running peak − 1) × 100.
#[must_use]
pub fn drawdown_pct_series(equity: &[f64]) -> Vec<f64> {
    drawdowns(equity)
        .into_iter()
        // −(1 − x) is exactly x − 1; a point at its peak stays +0.
        .map(|d| if d == 0.0 { 0.0 } else { -d * 100.0 })
        .collect()
}

/// One drawdown period.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct DrawdownPeriod {
    /// The bar it started at (the last peak) and the bar that ended it.
    pub start: UnixNanos,
    pub end: UnixNanos,
    /// Nanoseconds from `start` to `end`.
    pub duration: i64,
    /// Its deepest drawdown, as a fraction.
    pub peak: f64,
}

#[cfg(test)]
impl DrawdownPeriod {
    /// A period of `duration` ns and depth `peak` (times irrelevant).
    pub const fn of(duration: i64, peak: f64) -> Self {
        Self {
            start: UnixNanos(0),
            end: UnixNanos(duration),
            duration,
            peak,
        }
    }
}

#[must_use]
pub fn drawdown_periods(ts: &[UnixNanos], equity: &[f64]) -> Vec<DrawdownPeriod> {
    let dd = drawdowns(equity);
    let Some(last) = dd.len().checked_sub(1) else {
        return Vec::new();
    };
    let mut ends: Vec<usize> = (0..dd.len()).filter(|&i| dd[i] == 0.0).collect();
    if ends.last() != Some(&last) {
        ends.push(last);
    }
    ends.windows(2)
        .filter(|w| w[1] > w[0] + 1)
        .map(|w| DrawdownPeriod {
            start: ts[w[0]],
            end: ts[w[1]],
            duration: ts[w[1]].0 - ts[w[0]].0,
            peak: dd[w[0]..=w[1]].iter().copied().fold(0.0, f64::max),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_by_hand() {
        let ts: Vec<UnixNanos> = (0..7).map(|i| UnixNanos(i * 10)).collect();
        // Peaks at bars 0 and 3; down 10 % then 50 % (never recovered).
        let equity = [100.0, 90.0, 95.0, 120.0, 60.0, 90.0, 100.0];
        let periods = drawdown_periods(&ts, &equity);
        assert_eq!(periods.len(), 2);
        assert_eq!(periods[0].duration, 30);
        assert!((periods[0].peak - 0.1).abs() < 1e-12);
        assert_eq!(periods[1].duration, 30);
        assert!((periods[1].peak - 0.5).abs() < 1e-12);
        assert!(drawdown_periods(&ts, &[1.0, 2.0, 3.0]).is_empty());
        let pct = drawdown_pct_series(&equity);
        assert_eq!(pct[0].to_bits(), 0.0f64.to_bits(), "at a peak: +0");
        assert_eq!(pct[4], (60.0 / 120.0 - 1.0) * 100.0);
        assert!(drawdown_periods(&[], &[]).is_empty());
    }
}
