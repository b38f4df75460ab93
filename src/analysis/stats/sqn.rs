use crate::analysis::trades::Trade;

use super::sample::{finite, mean, variance};

/// SQN = sqrt(# Trades) × mean(PnL) / std(PnL, ddof = 1); undefined below
/// two trades or when every trade made the same PnL.
#[must_use]
pub fn sqn(trades: &[Trade]) -> Option<f64> {
    let pnl: Vec<f64> = trades.iter().map(|t| t.pnl.as_f64()).collect();
    let std = variance(&pnl)?.sqrt();
    if std == 0.0 {
        return None;
    }
    #[allow(
        clippy::cast_precision_loss,
        reason = "trade counts are far below 2^52"
    )]
    finite((pnl.len() as f64).sqrt() * mean(&pnl)? / std)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::stats::test_trades::trade;

    #[test]
    fn by_hand() {
        // PnL 1, 2, 6: mean 3, std sqrt(7): sqrt(3) · 3 / sqrt(7).
        let trades = [trade(0, 1, 1.0), trade(1, 2, 2.0), trade(2, 3, 6.0)];
        let expected = 3f64.sqrt() * 3.0 / 7f64.sqrt();
        assert!((sqn(&trades).unwrap() - expected).abs() < 1e-12);
        assert_eq!(sqn(&trades[..1]), None, "one trade");
        assert_eq!(
            sqn(&[trade(0, 1, 1.0), trade(1, 2, 1.0)]),
            None,
            "no spread"
        );
    }
}
