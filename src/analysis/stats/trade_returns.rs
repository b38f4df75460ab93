//! ReturnPct of each closed trade (see `Trade::return_fraction`), the input
//! of the per-trade return metrics.

use crate::analysis::trades::Trade;

#[must_use]
pub fn trade_returns(trades: &[Trade]) -> Vec<f64> {
    trades.iter().filter_map(Trade::return_fraction).collect()
}
