use super::sample::finite;

/// Calmar Ratio = Return (Ann.) / max drawdown, both as fractions;
/// undefined without a drawdown.
#[must_use]
pub fn calmar_ratio(annual_return: f64, max_drawdown: f64) -> Option<f64> {
    if max_drawdown <= 0.0 {
        return None;
    }
    finite(annual_return / max_drawdown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        assert_eq!(calmar_ratio(0.3, 0.15), Some(2.0));
        assert_eq!(calmar_ratio(0.3, 0.0), None);
    }
}
