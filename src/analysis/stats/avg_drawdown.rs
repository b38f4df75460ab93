use super::drawdown::DrawdownPeriod;
use super::sample::mean;

/// Avg. Drawdown [%] = −mean(peak of each drawdown period) × 100;
/// undefined without a drawdown period.
#[must_use]
pub fn avg_drawdown_pct(periods: &[DrawdownPeriod]) -> Option<f64> {
    let peaks: Vec<f64> = periods.iter().map(|p| p.peak).collect();
    mean(&peaks).map(|m| -m * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        let periods = [DrawdownPeriod::of(1, 0.1), DrawdownPeriod::of(3, 0.3)];
        assert!((avg_drawdown_pct(&periods).unwrap() + 20.0).abs() < 1e-12);
        assert_eq!(avg_drawdown_pct(&[]), None);
    }
}
