use super::sample::mean;

/// Expectancy [%] = arithmetic mean of ReturnPct × 100; undefined with no
/// trades.
#[must_use]
pub fn expectancy_pct(returns: &[f64]) -> Option<f64> {
    mean(returns).map(|m| m * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        assert!((expectancy_pct(&[0.21, 0.0, -0.03]).unwrap() - 6.0).abs() < 1e-12);
        assert_eq!(expectancy_pct(&[]), None);
    }
}
