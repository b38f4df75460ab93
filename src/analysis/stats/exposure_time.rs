use crate::analysis::trades::Trade;
use crate::core::UnixNanos;

/// Exposure Time [%] = bars during which a closed trade was open, from its
/// entry bar to its exit bar inclusive, over all bars × 100 (counted in
/// bars, not clock time); `ts` holds the bar times. Undefined with no bars.
#[must_use]
pub fn exposure_time_pct(ts: &[UnixNanos], trades: &[Trade]) -> Option<f64> {
    if ts.is_empty() {
        return None;
    }
    let mut exposed = vec![false; ts.len()];
    let bar_of = |t: UnixNanos| ts.partition_point(|x| *x < t);
    for trade in trades {
        let Some(exit) = trade.exit_time else {
            continue;
        };
        let (from, to) = (bar_of(trade.entry_time), bar_of(exit).min(ts.len() - 1));
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
        assert_eq!(exposure_time_pct(&[], &[]), None);
    }
}
