//! Bollinger bands: middle = SMA(n), upper/lower = middle ± k · σ, with σ
//! the population standard deviation (ddof = 0, as TA-Lib) of the same n
//! values. Defined from the n-th input.

use super::{DEFAULT_HISTORY, History, PeriodError};

#[derive(Debug, Clone)]
pub struct Bollinger {
    period: usize,
    width: f64,
    window: History,
    count: usize,
    middle: History,
    upper: History,
    lower: History,
}

impl Bollinger {
    /// # Errors
    /// When `period` is zero.
    pub fn new(period: usize, width: f64) -> Result<Self, PeriodError> {
        PeriodError::check("Bollinger", period)?;
        Ok(Self {
            period,
            width,
            window: History::new(period),
            count: 0,
            middle: History::new(DEFAULT_HISTORY),
            upper: History::new(DEFAULT_HISTORY),
            lower: History::new(DEFAULT_HISTORY),
        })
    }

    pub fn update(&mut self, value: f64) {
        self.count += 1;
        self.window.push(value);
        if self.window.len() < self.period {
            return;
        }
        #[allow(clippy::cast_precision_loss, reason = "periods are small")]
        let n = self.period as f64;
        // Two passes over the window: no drift from a running sum of squares.
        let values = (0..self.period).filter_map(|ago| self.window.get(ago));
        let mean = values.clone().sum::<f64>() / n;
        let variance = values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
        let band = self.width * variance.sqrt();
        self.middle.push(mean);
        self.upper.push(mean + band);
        self.lower.push(mean - band);
    }

    #[must_use]
    pub fn middle(&self, ago: usize) -> Option<f64> {
        self.middle.get(ago)
    }

    #[must_use]
    pub fn upper(&self, ago: usize) -> Option<f64> {
        self.upper.get(ago)
    }

    #[must_use]
    pub fn lower(&self, ago: usize) -> Option<f64> {
        self.lower.get(ago)
    }

    #[must_use]
    pub const fn count(&self) -> usize {
        self.count
    }
}

impl super::MaxBytes for Bollinger {
    fn max_bytes(&self) -> usize {
        self.window.max_bytes()
            + self.middle.max_bytes()
            + self.upper.max_bytes()
            + self.lower.max_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_by_hand() {
        // 1, 2, 3, 4: mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25.
        let mut bb = Bollinger::new(4, 2.0).unwrap();
        for v in [1.0, 2.0, 3.0] {
            bb.update(v);
            assert_eq!(bb.middle(0), None);
        }
        bb.update(4.0);
        let sigma = 1.25f64.sqrt();
        assert_eq!(bb.middle(0), Some(2.5));
        assert!((bb.upper(0).unwrap() - (2.5 + 2.0 * sigma)).abs() < 1e-12);
        assert!((bb.lower(0).unwrap() - (2.5 - 2.0 * sigma)).abs() < 1e-12);
        // 2, 3, 4, 10: mean 4.75.
        bb.update(10.0);
        assert_eq!(bb.middle(0), Some(4.75));
        assert_eq!(bb.middle(1), Some(2.5));
        assert!(Bollinger::new(0, 2.0).is_err());
    }
}
