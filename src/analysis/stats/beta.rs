use super::sample::{finite, mean};

/// The market side of Beta: the closes' log returns, their mean and their
/// summed squared deviations. A sweep's runs share one market, so it is
/// computed once for all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketReturns {
    /// The closes the returns are of (their count is the bars').
    bars: usize,
    log_returns: Vec<f64>,
    mean: f64,
    /// Σ (r − mean)²; zero when the closes never move.
    sum_squares: f64,
}

/// Log returns bar by bar; `None` unless every value is positive.
fn log_returns(v: &[f64]) -> Option<Vec<f64>> {
    let mut out = Vec::with_capacity(v.len().saturating_sub(1));
    for w in v.windows(2) {
        if !(w[0] > 0.0 && w[1] > 0.0) {
            return None;
        }
        // ln(1) is 0 exactly; an unchanged equity (no position) is most
        // bars of most runs.
        out.push(if w[1] == w[0] {
            0.0
        } else {
            (w[1] / w[0]).ln()
        });
    }
    Some(out)
}

impl MarketReturns {
    /// `None` for fewer than three closes or one that is not positive.
    #[must_use]
    pub fn new(closes: &[f64]) -> Option<Self> {
        if closes.len() < 3 {
            return None;
        }
        let log_returns = log_returns(closes)?;
        let mean = mean(&log_returns)?;
        let sum_squares = log_returns.iter().map(|b| (b - mean) * (b - mean)).sum();
        Some(Self {
            bars: closes.len(),
            log_returns,
            mean,
            sum_squares,
        })
    }

    /// Beta = cov(equity log returns, close log returns) / var(close log
    /// returns), bar by bar, ddof = 1; undefined unless both series have
    /// the same bars (one instrument), are positive, and the closes move.
    #[must_use]
    pub fn beta(&self, equity: &[f64]) -> Option<f64> {
        if equity.len() != self.bars {
            return None;
        }
        let e = log_returns(equity)?;
        let me = mean(&e)?;
        let cov: f64 = e
            .iter()
            .zip(&self.log_returns)
            .map(|(a, b)| (a - me) * (b - self.mean))
            .sum();
        // The (n − 1) of both cancel.
        if self.sum_squares == 0.0 {
            return None;
        }
        finite(cov / self.sum_squares)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beta(equity: &[f64], closes: &[f64]) -> Option<f64> {
        MarketReturns::new(closes)?.beta(equity)
    }

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
