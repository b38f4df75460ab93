use crate::analysis::trades::Trade;

use super::sample::{finite, mean};

/// Kelly Criterion = W − (1 − W) / (mean winning PnL / mean |losing PnL|),
/// W the win rate as a fraction; undefined without both a winning and a
/// losing trade.
#[must_use]
pub fn kelly_criterion(trades: &[Trade]) -> Option<f64> {
    let pnl: Vec<f64> = trades.iter().map(|t| t.pnl.as_f64()).collect();
    kelly_fraction(&pnl)
}

/// [`kelly_criterion`] of a list of PnLs (what the Kelly sizer reads).
#[must_use]
pub fn kelly_fraction(pnl: &[f64]) -> Option<f64> {
    let wins: Vec<f64> = pnl.iter().copied().filter(|p| *p > 0.0).collect();
    let losses: Vec<f64> = pnl
        .iter()
        .copied()
        .filter(|p| *p < 0.0)
        .map(f64::abs)
        .collect();
    #[allow(
        clippy::cast_precision_loss,
        reason = "trade counts are far below 2^52"
    )]
    let win_rate = wins.len() as f64 / pnl.len() as f64;
    let payoff = mean(&wins)? / mean(&losses)?;
    finite(win_rate - (1.0 - win_rate) / payoff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::stats::test_trades::trade;

    #[test]
    fn by_hand() {
        // Wins 2 and 4 (mean 3), losses 1 and 2 (mean 1.5): W 0.5, payoff 2.
        let trades = [
            trade(0, 1, 2.0),
            trade(1, 2, -1.0),
            trade(2, 3, 4.0),
            trade(3, 4, -2.0),
        ];
        assert!((kelly_criterion(&trades).unwrap() - 0.25).abs() < 1e-12);
        assert_eq!(kelly_criterion(&trades[..1]), None, "all winners");
        assert_eq!(kelly_criterion(&[]), None);
    }
}
