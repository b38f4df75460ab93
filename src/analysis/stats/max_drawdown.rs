use super::drawdown::drawdowns;

/// Max. Drawdown [%] = `−max(dd) × 100`, `dd[i] = 1 − equity[i] / max(equity[..=i])`.
/// Zero for a curve that never falls; undefined for an empty one.
#[must_use]
pub fn max_drawdown_pct(equity: &[f64]) -> Option<f64> {
    let worst = drawdowns(equity).into_iter().reduce(f64::max)?;
    Some(-worst * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        assert_eq!(
            max_drawdown_pct(&[100.0, 120.0, 90.0, 130.0, 117.0]),
            Some(-25.0)
        );
        assert_eq!(max_drawdown_pct(&[1.0, 2.0]), Some(-0.0));
        assert_eq!(max_drawdown_pct(&[]), None);
    }
}
