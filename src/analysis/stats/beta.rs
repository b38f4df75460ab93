use super::sample::{finite, mean};

/// Beta = cov(equity log returns, close log returns) / var(close log
/// returns), bar by bar, ddof = 1; undefined unless both series have the
/// same bars (one instrument), are positive, and the closes move.
#[must_use]
pub fn beta(equity: &[f64], closes: &[f64]) -> Option<f64> {
    if equity.len() != closes.len() || equity.len() < 3 {
        return None;
    }
    let log_returns = |v: &[f64]| -> Option<Vec<f64>> {
        v.windows(2)
            .map(|w| (w[0] > 0.0 && w[1] > 0.0).then(|| (w[1] / w[0]).ln()))
            .collect()
    };
    let (e, c) = (log_returns(equity)?, log_returns(closes)?);
    let (me, mc) = (mean(&e)?, mean(&c)?);
    let cov: f64 = e.iter().zip(&c).map(|(a, b)| (a - me) * (b - mc)).sum();
    let var: f64 = c.iter().map(|b| (b - mc) * (b - mc)).sum();
    // The (n − 1) of both cancel.
    if var == 0.0 {
        return None;
    }
    finite(cov / var)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        let closes = [100.0, 110.0, 99.0, 120.0];
        // Equity that is the close squared has twice its log returns.
        let squared: Vec<f64> = closes.iter().map(|c| c * c).collect();
        assert!((beta(&squared, &closes).unwrap() - 2.0).abs() < 1e-12);
        assert!(
            beta(&[5.0, 5.0, 5.0, 5.0], &closes).unwrap().abs() < 1e-15,
            "cash"
        );
        assert_eq!(
            beta(&[1.0, 2.0, 3.0], &[1.0, 1.0, 1.0]),
            None,
            "flat market"
        );
        assert_eq!(beta(&[1.0, 2.0], &[1.0, 2.0, 3.0]), None);
    }
}
