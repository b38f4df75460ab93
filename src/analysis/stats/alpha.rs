/// Alpha [%] = Return [%] − rf × 100 − Beta × (Buy & Hold Return [%] − rf × 100).
#[must_use]
pub fn alpha_pct(return_pct: f64, buy_and_hold_pct: f64, beta: f64, rf: f64) -> f64 {
    return_pct - rf * 100.0 - beta * (buy_and_hold_pct - rf * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        assert_eq!(alpha_pct(15.0, 10.0, 1.5, 0.0), 0.0);
        assert_eq!(alpha_pct(15.0, 10.0, 0.5, 0.01), 15.0 - 1.0 - 0.5 * 9.0);
    }
}
