/// Best Trade [%] = max(ReturnPct) × 100 and Worst Trade [%] =
/// min(ReturnPct) × 100; undefined with no trades.
#[must_use]
pub fn best_worst_trade_pct(returns: &[f64]) -> (Option<f64>, Option<f64>) {
    let best = returns.iter().copied().reduce(f64::max);
    let worst = returns.iter().copied().reduce(f64::min);
    (best.map(|r| r * 100.0), worst.map(|r| r * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        assert_eq!(
            best_worst_trade_pct(&[0.1, -0.05, 0.02]),
            (Some(10.0), Some(-5.0))
        );
        assert_eq!(best_worst_trade_pct(&[]), (None, None));
    }
}
