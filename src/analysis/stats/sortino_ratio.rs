use super::sample::{finite, mean};

/// Sortino Ratio = (Return (Ann.) − rf) / (sqrt(mean(min(r, 0)²)) × sqrt(A))
/// over the day returns r, A trading days a year; undefined without a
/// losing day.
#[must_use]
pub fn sortino_ratio(
    annual_return: f64,
    day_returns: &[f64],
    annual_days: f64,
    rf: f64,
) -> Option<f64> {
    let downside: Vec<f64> = day_returns.iter().map(|r| r.min(0.0).powi(2)).collect();
    let deviation = mean(&downside)?.sqrt() * annual_days.sqrt();
    if deviation == 0.0 {
        return None;
    }
    finite((annual_return - rf) / deviation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        // Downside: 0, 0.01, 0, 0.0009 → mean 0.002725.
        let r = [0.05, -0.1, 0.02, -0.03];
        let expected = 0.2 / (0.002725f64.sqrt() * 252f64.sqrt());
        assert!((sortino_ratio(0.2, &r, 252.0, 0.0).unwrap() - expected).abs() < 1e-12);
        assert_eq!(
            sortino_ratio(0.2, &[0.01, 0.02], 252.0, 0.0),
            None,
            "no losing day"
        );
    }
}
