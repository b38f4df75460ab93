//! Small numeric helpers the metrics share (pandas conventions: `std` and
//! `var` with ddof = 1).

#[allow(
    clippy::cast_precision_loss,
    reason = "sample sizes are far below 2^52"
)]
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Sample variance (ddof = 1); undefined below two values.
#[allow(
    clippy::cast_precision_loss,
    reason = "sample sizes are far below 2^52"
)]
pub fn variance(values: &[f64]) -> Option<f64> {
    let m = mean(values)?;
    (values.len() >= 2)
        .then(|| values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (values.len() - 1) as f64)
}

/// Geometric mean of returns: exp(mean(ln(1 + r))) − 1, and 0 when any
/// 1 + r ≤ 0 (Backtesting.py's `geometric_mean`).
pub fn geometric_mean(returns: &[f64]) -> Option<f64> {
    if returns.iter().any(|r| 1.0 + r <= 0.0) {
        return (!returns.is_empty()).then_some(0.0);
    }
    let logs: Vec<f64> = returns.iter().map(|r| (1.0 + r).ln()).collect();
    mean(&logs).map(|m| m.exp() - 1.0)
}

/// `Some(x)` only for a finite x: ratios of zero are undefined, not ±∞.
pub fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        assert_eq!(mean(&[1.0, 2.0, 6.0]), Some(3.0));
        assert_eq!(variance(&[1.0, 2.0, 6.0]), Some(7.0)); // (4 + 1 + 9) / 2
        assert_eq!(variance(&[1.0]), None);
        assert!((geometric_mean(&[0.1, -0.1]).unwrap() - (0.99f64.sqrt() - 1.0)).abs() < 1e-15);
        assert_eq!(geometric_mean(&[0.5, -1.0]), Some(0.0));
        assert_eq!(geometric_mean(&[]), None);
        assert_eq!(finite(1.0 / 0.0), None);
    }
}
