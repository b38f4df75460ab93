use super::Annualized;

/// Sharpe Ratio = (Return (Ann.) − rf) / Volatility (Ann.); undefined when
/// the volatility is zero.
#[must_use]
pub fn sharpe_ratio(annualized: &Annualized, risk_free_rate: f64) -> Option<f64> {
    (annualized.annual_volatility > 0.0)
        .then(|| (annualized.annual_return - risk_free_rate) / annualized.annual_volatility)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        let a = Annualized {
            annual_return: 0.2,
            annual_volatility: 0.1,
        };
        assert!((sharpe_ratio(&a, 0.0).unwrap() - 2.0).abs() < 1e-12);
        assert_eq!(
            sharpe_ratio(
                &Annualized {
                    annual_return: 0.2,
                    annual_volatility: 0.0
                },
                0.0
            ),
            None
        );
    }
}
