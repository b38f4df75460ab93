use crate::analysis::trades::Trade;

/// Win Rate [%] = share of closed trades with PnL > 0 × 100; undefined with
/// no trades.
#[must_use]
pub fn win_rate_pct(trades: &[Trade]) -> Option<f64> {
    if trades.is_empty() {
        return None;
    }
    let wins = trades.iter().filter(|t| t.pnl.raw > 0).count();
    #[allow(
        clippy::cast_precision_loss,
        reason = "trade counts are far below 2^52"
    )]
    Some(wins as f64 / trades.len() as f64 * 100.0)
}
