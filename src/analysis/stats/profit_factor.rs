use super::sample::finite;

/// Profit Factor = Σ positive ReturnPct / |Σ negative ReturnPct|;
/// undefined with no losing trade (or no trades).
#[must_use]
pub fn profit_factor(returns: &[f64]) -> Option<f64> {
    let gains: f64 = returns.iter().filter(|r| **r > 0.0).sum();
    let losses: f64 = returns.iter().filter(|r| **r < 0.0).sum();
    if losses == 0.0 {
        return None;
    }
    finite(gains / losses.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        assert!((profit_factor(&[0.3, -0.1, 0.1, -0.1]).unwrap() - 2.0).abs() < 1e-12);
        assert_eq!(profit_factor(&[0.3, 0.1]), None, "all winners");
        assert_eq!(profit_factor(&[]), None);
        assert_eq!(profit_factor(&[-0.1]), Some(0.0));
    }
}
