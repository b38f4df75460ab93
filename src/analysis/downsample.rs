//! Thinning long series for charts, so a report of millions of bars stays
//! small and fast to open while keeping what the eye looks for: the
//! extremes of each stretch.

use serde::Serialize;

use crate::core::UnixNanos;
use crate::model::data::Bar;

/// One candle of a chart (prices as `f64`: a picture, not accounting).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Candle {
    /// Milliseconds since 1970 (what browsers take).
    pub t: i64,
    pub o: f64,
    pub h: f64,
    pub l: f64,
    pub c: f64,
}

fn millis(ts: UnixNanos) -> i64 {
    ts.0.div_euclid(1_000_000)
}

/// Bars merged into one candle when `len` bars become at most `max`.
fn candle_span(len: usize, max: usize) -> usize {
    len.div_ceil(max.max(1)).max(1)
}

/// At most `max` candles: consecutive bars merged (first open, highest
/// high, lowest low, last close, first time).
#[must_use]
pub fn candles(bars: &[Bar], max: usize) -> Vec<Candle> {
    candle_chunks(bars, max)
        .filter_map(|chunk| {
            let (first, last) = (chunk.first()?, chunk.last()?);
            Some(Candle {
                t: millis(first.ts_init),
                o: first.open().as_f64(),
                h: chunk
                    .iter()
                    .map(|b| b.high().as_f64())
                    .fold(f64::MIN, f64::max),
                l: chunk
                    .iter()
                    .map(|b| b.low().as_f64())
                    .fold(f64::MAX, f64::min),
                c: last.close().as_f64(),
            })
        })
        .collect()
}

/// The bars of each of at most `max` candles, in order: what [`candles`]
/// merges, and where a per-bar line is read to line up with them (at
/// each chunk's last bar).
pub fn candle_chunks(bars: &[Bar], max: usize) -> std::slice::Chunks<'_, Bar> {
    bars.chunks(candle_span(bars.len(), max))
}

/// At most about `max` points of a line: each stretch keeps its lowest and
/// highest point, in time order, so no spike or dip disappears.
#[must_use]
pub fn min_max(ts: &[UnixNanos], values: &[f64], max: usize) -> Vec<(i64, f64)> {
    let n = ts.len().min(values.len());
    let per = (2 * n).div_ceil(max.max(2)).max(1);
    if per <= 2 {
        return (0..n).map(|i| (millis(ts[i]), values[i])).collect();
    }
    let mut out = Vec::with_capacity(2 * n.div_ceil(per));
    for start in (0..n).step_by(per) {
        let end = (start + per).min(n);
        let (mut lo, mut hi) = (start, start);
        for i in start..end {
            if values[i] < values[lo] {
                lo = i;
            }
            if values[i] > values[hi] {
                hi = i;
            }
        }
        let (a, b) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        out.push((millis(ts[a]), values[a]));
        if b != a {
            out.push((millis(ts[b]), values[b]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_the_extremes() {
        let ts: Vec<UnixNanos> = (0..10).map(|i| UnixNanos(i * 1_000_000)).collect();
        let values = [5.0, 1.0, 5.0, 5.0, 9.0, 5.0, 5.0, 5.0, 5.0, 5.0];
        let thin = min_max(&ts, &values, 4);
        assert!(thin.len() <= 6, "{thin:?}");
        assert!(
            thin.contains(&(1, 1.0)) && thin.contains(&(4, 9.0)),
            "{thin:?}"
        );
        assert!(thin.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(
            min_max(&ts, &values, 100).len(),
            10,
            "short series stay whole"
        );
    }
}
