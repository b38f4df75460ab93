use super::drawdown::DrawdownPeriod;
use super::resolution::max_and_mean;

/// Max. Drawdown Duration = the longest drawdown period; Avg. Drawdown
/// Duration = their mean; both in ns rounded up to `resolution`, undefined
/// without a period.
#[must_use]
pub fn drawdown_durations(
    periods: &[DrawdownPeriod],
    resolution: i64,
) -> (Option<i64>, Option<i64>) {
    let durations: Vec<i64> = periods.iter().map(|p| p.duration).collect();
    max_and_mean(&durations, resolution)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        let periods = [DrawdownPeriod::of(60, 0.1), DrawdownPeriod::of(150, 0.2)];
        // Mean 105 ns, rounded up to the 60 ns resolution: 120.
        assert_eq!(drawdown_durations(&periods, 60), (Some(180), Some(120)));
        assert_eq!(drawdown_durations(&[], 60), (None, None));
    }
}
