/// Return [%] = `(equity[-1] − equity[0]) / equity[0] × 100`; undefined for
/// an empty curve or a zero start.
#[must_use]
pub fn return_pct(equity: &[f64]) -> Option<f64> {
    let (first, last) = (equity.first()?, equity.last()?);
    (*first != 0.0).then(|| (last - first) / first * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        assert_eq!(return_pct(&[100.0, 90.0, 110.0]), Some(10.0));
        assert_eq!(return_pct(&[]), None);
        assert_eq!(return_pct(&[0.0, 1.0]), None);
    }
}
