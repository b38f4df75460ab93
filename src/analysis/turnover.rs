//! Turnover: how much the strategy traded relative to its capital.

use serde::Serialize;

use crate::core::Money;

/// Traded value over the run against the mean equity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Turnover {
    /// Σ |fill quantity × price × multiplier| of fills settling in the
    /// report currency (fills in other currencies are not converted).
    pub traded_value: Money,
    /// Mean of the equity curve.
    pub mean_equity: f64,
    /// traded_value / mean_equity; `None` without equity.
    pub ratio: Option<f64>,
}

impl Turnover {
    #[must_use]
    pub fn compute(traded_value: Money, equity: &[f64]) -> Self {
        let mean_equity = super::stats::mean(equity).unwrap_or(0.0);
        let ratio = (mean_equity > 0.0).then(|| traded_value.as_f64() / mean_equity);
        Self {
            traded_value,
            mean_equity,
            ratio,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Currency;

    #[test]
    fn by_hand() {
        let traded = Money::new(300 * crate::core::fixed::FIXED_SCALAR, Currency::USD);
        let t = Turnover::compute(traded, &[100.0, 200.0]);
        assert_eq!((t.mean_equity, t.ratio), (150.0, Some(2.0)));
        assert_eq!(Turnover::compute(traded, &[]).ratio, None);
    }
}
