//! Simple moving average over the last n values; undefined until n values.

use super::{DEFAULT_HISTORY, History, Indicator, PeriodError};

#[derive(Debug, Clone)]
pub struct Sma {
    window: History,
    period: usize,
    sum: f64,
    count: usize,
    history: History,
}

impl Sma {
    /// # Errors
    /// When `period` is zero.
    pub fn new(period: usize) -> Result<Self, PeriodError> {
        PeriodError::check("SMA", period)?;
        Ok(Self {
            window: History::new(period),
            period,
            sum: 0.0,
            count: 0,
            history: History::new(DEFAULT_HISTORY),
        })
    }
}

impl Indicator for Sma {
    fn update(&mut self, value: f64) {
        if self.window.len() == self.period {
            self.sum -= self.window.get(self.period - 1).unwrap_or(0.0);
        }
        self.window.push(value);
        self.sum += value;
        self.count += 1;
        if let Some(v) = self.value() {
            self.history.push(v);
        }
    }

    fn value(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss, reason = "periods are small")]
        (self.window.len() == self.period).then(|| self.sum / self.period as f64)
    }

    fn get(&self, ago: usize) -> Option<f64> {
        self.history.get(ago)
    }

    fn count(&self) -> usize {
        self.count
    }
}

impl super::MaxBytes for Sma {
    fn max_bytes(&self) -> usize {
        self.window.max_bytes() + self.history.max_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_the_window_after_warm_up() {
        let mut sma = Sma::new(3).unwrap();
        sma.update(1.0);
        sma.update(2.0);
        assert_eq!(sma.value(), None);
        sma.update(3.0);
        assert_eq!(sma.value(), Some(2.0));
        sma.update(10.0);
        assert_eq!(sma.value(), Some(5.0));
        assert_eq!(sma.get(1), Some(2.0));
        assert!(Sma::new(0).is_err());
    }
}
