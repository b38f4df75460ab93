use crate::analysis::trades::Trade;

use super::resolution::max_and_mean;

/// Max. Trade Duration = the longest exit − entry time; Avg. Trade Duration
/// = their mean; in ns rounded up to `resolution`, undefined with no trades.
#[must_use]
pub fn trade_durations(trades: &[Trade], resolution: i64) -> (Option<i64>, Option<i64>) {
    let durations: Vec<i64> = trades
        .iter()
        .filter_map(|t| Some(t.exit_time?.0 - t.entry_time.0))
        .collect();
    max_and_mean(&durations, resolution)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::stats::test_trades::trade;

    #[test]
    fn by_hand() {
        let trades = [trade(0, 60, 1.0), trade(60, 240, -1.0)];
        // 60 and 180: max 180, mean 120.
        assert_eq!(trade_durations(&trades, 60), (Some(180), Some(120)));
        assert_eq!(trade_durations(&trades, 100), (Some(200), Some(200)));
        assert_eq!(trade_durations(&[], 60), (None, None));
    }
}
