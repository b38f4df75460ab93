use super::sample::geometric_mean;

/// Avg. Trade [%] = geometric mean of ReturnPct × 100 (0 when a trade lost
/// everything); undefined with no trades.
#[must_use]
pub fn avg_trade_pct(returns: &[f64]) -> Option<f64> {
    geometric_mean(returns).map(|g| g * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        // (1.21 · 1)^(1/2) − 1 = 0.1 over two trades of +21 % and 0 %.
        assert!((avg_trade_pct(&[0.21, 0.0]).unwrap() - 10.0).abs() < 1e-12);
        assert_eq!(avg_trade_pct(&[]), None);
    }
}
