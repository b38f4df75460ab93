//! Rate of change in percent: 100 · (x − x[n ago]) / x[n ago], defined from
//! the (n + 1)-th input (and undefined while x[n ago] is zero).

use super::{DEFAULT_HISTORY, History, Indicator, PeriodError};

#[derive(Debug, Clone)]
pub struct Roc {
    period: usize,
    inputs: History,
    count: usize,
    value: Option<f64>,
    history: History,
}

impl Roc {
    /// # Errors
    /// When `period` is zero.
    pub fn new(period: usize) -> Result<Self, PeriodError> {
        PeriodError::check("ROC", period)?;
        Ok(Self {
            period,
            inputs: History::new(period + 1),
            count: 0,
            value: None,
            history: History::new(DEFAULT_HISTORY),
        })
    }
}

impl Indicator for Roc {
    fn update(&mut self, value: f64) {
        self.count += 1;
        self.inputs.push(value);
        self.value = self
            .inputs
            .get(self.period)
            .filter(|base| *base != 0.0)
            .map(|base| 100.0 * (value - base) / base);
        if let Some(v) = self.value {
            self.history.push(v);
        }
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

impl super::MaxBytes for Roc {
    fn max_bytes(&self) -> usize {
        self.inputs.max_bytes() + self.history.max_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_change_over_the_period() {
        let mut roc = Roc::new(2).unwrap();
        roc.update(100.0);
        roc.update(50.0);
        assert_eq!(roc.value(), None);
        roc.update(110.0); // against 100
        assert_eq!(roc.value(), Some(10.0));
        roc.update(25.0); // against 50
        assert_eq!(roc.value(), Some(-50.0));
        assert_eq!(roc.get(1), Some(10.0));
        assert!(Roc::new(0).is_err());
    }
}
