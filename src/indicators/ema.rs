//! Exponential moving average: alpha = 2 / (n + 1), seeded with the first
//! value, defined from the first input. The arithmetic is pandas'
//! `ewm(span=n, adjust=False)` operation for operation (alpha from the
//! centre of mass, and the weighted sum divided by the weights), so that
//! crossovers decided on the last bit agree with Backtesting.py.

use super::{DEFAULT_HISTORY, History, Indicator, PeriodError};

/// The EMA recurrence alone, for loops that keep the value themselves.
#[derive(Debug, Clone, Copy)]
pub struct EmaStep {
    alpha: f64,
    old_weight: f64,
    // (1 − alpha) + alpha, which is not always exactly 1 in f64.
    weight_sum: f64,
    // Whether `weight_sum` differs from 1, decided once: dividing by
    // exactly 1.0 changes nothing and is skipped.
    divides: bool,
}

impl EmaStep {
    /// # Errors
    /// When `period` is zero.
    pub fn new(period: usize) -> Result<Self, PeriodError> {
        PeriodError::check("EMA", period)?;
        #[allow(clippy::cast_precision_loss, reason = "periods are small")]
        let center_of_mass = (period as f64 - 1.0) / 2.0;
        let alpha = 1.0 / (1.0 + center_of_mass);
        let old_weight = 1.0 - alpha;
        let weight_sum = old_weight + alpha;
        #[allow(clippy::float_cmp, reason = "exactly 1.0 is what may be skipped")]
        let divides = weight_sum != 1.0;
        Ok(Self {
            alpha,
            old_weight,
            weight_sum,
            divides,
        })
    }

    /// The average after `value`, from the average before it (`None` for
    /// the first value, which seeds it).
    #[inline]
    #[must_use]
    pub fn next(&self, prev: Option<f64>, value: f64) -> f64 {
        match prev {
            Some(prev) => {
                let weighted = self.old_weight * prev + self.alpha * value;
                if self.divides {
                    weighted / self.weight_sum
                } else {
                    weighted
                }
            }
            None => value,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Ema {
    step: EmaStep,
    value: Option<f64>,
    count: usize,
    history: History,
}

impl Ema {
    /// # Errors
    /// When `period` is zero.
    pub fn new(period: usize) -> Result<Self, PeriodError> {
        Self::with_history(period, DEFAULT_HISTORY)
    }

    /// # Errors
    /// When `period` is zero.
    pub fn with_history(period: usize, history: usize) -> Result<Self, PeriodError> {
        Ok(Self {
            step: EmaStep::new(period)?,
            value: None,
            count: 0,
            history: History::new(history),
        })
    }
}

impl Indicator for Ema {
    #[inline]
    fn update(&mut self, value: f64) {
        let next = self.step.next(self.value, value);
        self.value = Some(next);
        self.count += 1;
        self.history.push(next);
    }

    fn value(&self) -> Option<f64> {
        self.value
    }

    fn get(&self, ago: usize) -> Option<f64> {
        self.history.get(ago)
    }

    fn count(&self) -> usize {
        self.count
    }
}

impl super::MaxBytes for Ema {
    fn max_bytes(&self) -> usize {
        self.history.max_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_pandas_adjust_false() {
        // pandas: Series([1, 2, 3, 4]).ewm(span=3, adjust=False).mean()
        // = 1.0, 1.5, 2.25, 3.125
        let mut ema = Ema::new(3).unwrap();
        let mut out = Vec::new();
        for v in [1.0, 2.0, 3.0, 4.0] {
            ema.update(v);
            out.push(ema.value().unwrap());
        }
        assert_eq!(out, vec![1.0, 1.5, 2.25, 3.125]);
        assert_eq!(ema.get(1), Some(2.25));
        assert_eq!(ema.count(), 4);
        assert!(Ema::new(0).is_err());
    }
}
