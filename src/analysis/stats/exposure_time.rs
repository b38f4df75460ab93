use crate::analysis::trades::Trade;
use crate::core::UnixNanos;

/// Exposure Time [%] = bars during which a trade was open, from its entry
/// bar to its exit bar inclusive (to the last bar for a trade still open),
/// over all bars × 100 (counted in bars, not clock time); `ts` holds the
/// bar times. Undefined with no bars. The stats pass closed trades only, as
/// Backtesting.py counts them.
#[must_use]
pub fn exposure_time_pct<'a>(
    ts: &[UnixNanos],
    trades: impl IntoIterator<Item = &'a Trade>,
) -> Option<f64> {
    if ts.is_empty() {
        return None;
    }
    let mut exposed = vec![false; ts.len()];
    let bar_of = |t: UnixNanos| ts.partition_point(|x| *x < t);
    for trade in trades {
        let last = ts.len() - 1;
        let to = trade.exit_time.map_or(last, |exit| bar_of(exit).min(last));
        let from = bar_of(trade.entry_time);
        for slot in exposed.iter_mut().take(to + 1).skip(from) {
            *slot = true;
        }
    }
    let count = exposed.iter().filter(|e| **e).count();
    #[allow(clippy::cast_precision_loss, reason = "bar counts are far below 2^52")]
    Some(count as f64 / ts.len() as f64 * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::stats::test_trades::trade;

    #[test]
    fn counts_entry_to_exit_bars_once() {
        let ts: Vec<UnixNanos> = (0..10).map(UnixNanos).collect();
        // Bars 2..=4 and 4..=5 overlap on bar 4: 4 bars of 10.
        let trades = [trade(2, 4, 1.0), trade(4, 5, -1.0)];
        assert_eq!(exposure_time_pct(&ts, &trades), Some(40.0));
        assert_eq!(exposure_time_pct(&ts, &[]), Some(0.0));
        let mut open = trade(7, 0, 0.0);
        open.exit_time = None;
        assert_eq!(exposure_time_pct(&ts, &[open]), Some(30.0), "bars 7..=9");
        assert_eq!(exposure_time_pct(&[], &[]), None);
    }
}
