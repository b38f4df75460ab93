//! Backtesting.py's annualisation: equity resampled to the last value per
//! calendar day, day returns, their geometric mean, and
//! - Return (Ann.) = (1 + gmean)^A − 1
//! - Volatility (Ann.) = sqrt((var(r, ddof = 1) + (1 + gmean)²)^A − (1 + gmean)^(2A))
//!
//! with A = 365 when more than 60 % × 2/7 of bars fall on weekends, else 252.

use crate::core::UnixNanos;

/// Percentage changes of the last equity of each calendar day.
#[must_use]
pub fn day_returns(ts: &[UnixNanos], equity: &[f64]) -> Vec<f64> {
    let mut closes: Vec<f64> = Vec::new();
    let mut current_day: Option<i64> = None;
    for (t, e) in ts.iter().zip(equity) {
        let day = t.day_number();
        if current_day == Some(day) {
            if let Some(last) = closes.last_mut() {
                *last = *e;
            }
        } else {
            closes.push(*e);
            current_day = Some(day);
        }
    }
    closes
        .windows(2)
        .filter(|w| w[0] != 0.0)
        .map(|w| w[1] / w[0] - 1.0)
        .collect()
}

/// Trading days per year for data with these timestamps.
#[must_use]
pub fn annual_trading_days(ts: &[UnixNanos]) -> f64 {
    if ts.is_empty() {
        return 252.0;
    }
    let weekend = ts.iter().filter(|t| t.weekday() >= 5).count();
    #[allow(clippy::cast_precision_loss, reason = "bar counts are far below 2^52")]
    let share = weekend as f64 / ts.len() as f64;
    if share > 0.6 * 2.0 / 7.0 {
        365.0
    } else {
        252.0
    }
}

/// Annualised return and volatility as fractions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Annualized {
    pub annual_return: f64,
    pub annual_volatility: f64,
}

impl Annualized {
    /// Undefined with fewer than two day returns.
    #[must_use]
    pub fn compute(day_returns: &[f64], annual_days: f64) -> Option<Self> {
        if day_returns.len() < 2 {
            return None;
        }
        #[allow(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
        let n = day_returns.len() as f64;
        let gmean = if day_returns.iter().any(|r| 1.0 + r <= 0.0) {
            0.0
        } else {
            (day_returns.iter().map(|r| (1.0 + r).ln()).sum::<f64>() / n).exp() - 1.0
        };
        let mean = day_returns.iter().sum::<f64>() / n;
        let var = day_returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let annual_return = (1.0 + gmean).powf(annual_days) - 1.0;
        let annual_volatility = ((var + (1.0 + gmean).powi(2)).powf(annual_days)
            - (1.0 + gmean).powf(2.0 * annual_days))
        .max(0.0)
        .sqrt();
        Some(Self {
            annual_return,
            annual_volatility,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::time::NANOS_PER_DAY;

    #[test]
    fn resamples_to_the_last_value_per_day() {
        let ts = [
            UnixNanos(0),
            UnixNanos(10),
            UnixNanos(NANOS_PER_DAY),
            UnixNanos(2 * NANOS_PER_DAY),
        ];
        let r = day_returns(&ts, &[100.0, 110.0, 121.0, 108.9]);
        assert_eq!(r.len(), 2);
        assert!((r[0] - 0.1).abs() < 1e-12 && (r[1] + 0.1).abs() < 1e-12);
    }

    #[test]
    fn constant_growth_has_zero_volatility() {
        let a = Annualized::compute(&[0.01, 0.01, 0.01], 252.0).unwrap();
        assert!((a.annual_return - (1.01f64.powf(252.0) - 1.0)).abs() < 1e-9);
        assert!(a.annual_volatility.abs() < 1e-6);
        assert_eq!(Annualized::compute(&[0.01], 252.0), None);
    }

    #[test]
    fn weekends_decide_the_year() {
        let weekdays: Vec<UnixNanos> = (0..5).map(|d| UnixNanos((4 + d) * NANOS_PER_DAY)).collect();
        assert_eq!(annual_trading_days(&weekdays), 252.0);
        let every_day: Vec<UnixNanos> = (0..7).map(|d| UnixNanos(d * NANOS_PER_DAY)).collect();
        assert_eq!(annual_trading_days(&every_day), 365.0);
    }
}
