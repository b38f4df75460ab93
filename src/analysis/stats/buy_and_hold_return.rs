/// Buy & Hold Return [%] = `(c[-1] − c[w]) / c[w] × 100`, `w` = the first
/// bar after the strategy's warm-up.
#[must_use]
pub fn buy_and_hold_return_pct(closes: &[f64], warmup: usize) -> Option<f64> {
    let first = *closes.get(warmup)?;
    let last = *closes.last()?;
    (first != 0.0).then(|| (last - first) / first * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        assert_eq!(
            buy_and_hold_return_pct(&[100.0, 50.0, 150.0], 0),
            Some(50.0)
        );
        assert_eq!(
            buy_and_hold_return_pct(&[100.0, 50.0, 150.0], 1),
            Some(200.0)
        );
        assert_eq!(buy_and_hold_return_pct(&[100.0], 3), None);
    }
}
