use super::sample::finite;

/// CAGR [%] = `((equity[-1] / equity[0])^(1 / years) − 1) × 100`, `years =
/// (whole days + remaining seconds / 86400) / 365.25` of the run's duration;
/// undefined for a run shorter than a second or a start at zero.
#[must_use]
pub fn cagr_pct(equity: &[f64], duration_ns: i64) -> Option<f64> {
    let (first, last) = (*equity.first()?, *equity.last()?);
    let seconds = duration_ns / 1_000_000_000;
    #[allow(clippy::cast_precision_loss, reason = "durations are far below 2^52 s")]
    let years = ((seconds / 86_400) as f64 + (seconds % 86_400) as f64 / 86_400.0) / 365.25;
    if years <= 0.0 || first == 0.0 {
        return None;
    }
    finite(((last / first).powf(1.0 / years) - 1.0) * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        // 730.5 days: 63,115,200 s.
        let two_years: i64 = 63_115_200 * 1_000_000_000;
        // ×1.21 over two years is 10 % a year.
        assert!((cagr_pct(&[100.0, 121.0], two_years).unwrap() - 10.0).abs() < 1e-9);
        assert_eq!(cagr_pct(&[100.0, 121.0], 0), None, "shorter than a second");
        assert_eq!(cagr_pct(&[], two_years), None);
    }
}
