//! Relative strength index with Wilder's smoothing: the first average gain
//! and loss are plain means of the first n changes, later ones
//! avg = (avg·(n − 1) + x) / n. RSI = 100 − 100 / (1 + avg gain / avg loss),
//! 100 when there were no losses, 50 when the price never moved. Defined
//! from the (n + 1)-th input.

use super::{DEFAULT_HISTORY, History, Indicator, PeriodError};

#[derive(Debug, Clone)]
pub struct Rsi {
    period: usize,
    previous: Option<f64>,
    changes: usize,
    seed_gain: f64,
    seed_loss: f64,
    averages: Option<(f64, f64)>,
    count: usize,
    history: History,
}

impl Rsi {
    /// # Errors
    /// When `period` is zero.
    pub fn new(period: usize) -> Result<Self, PeriodError> {
        PeriodError::check("RSI", period)?;
        Ok(Self {
            period,
            previous: None,
            changes: 0,
            seed_gain: 0.0,
            seed_loss: 0.0,
            averages: None,
            count: 0,
            history: History::new(DEFAULT_HISTORY),
        })
    }
}

fn rsi(gain: f64, loss: f64) -> f64 {
    if loss > 0.0 {
        100.0 - 100.0 / (1.0 + gain / loss)
    } else if gain > 0.0 {
        100.0
    } else {
        50.0
    }
}

impl Indicator for Rsi {
    fn update(&mut self, value: f64) {
        self.count += 1;
        let Some(previous) = self.previous.replace(value) else {
            return;
        };
        let change = value - previous;
        let (gain, loss) = (change.max(0.0), (-change).max(0.0));
        self.changes += 1;
        #[allow(clippy::cast_precision_loss, reason = "periods are small")]
        let n = self.period as f64;
        self.averages = match self.averages {
            Some((g, l)) => Some(((g * (n - 1.0) + gain) / n, (l * (n - 1.0) + loss) / n)),
            None => {
                self.seed_gain += gain;
                self.seed_loss += loss;
                (self.changes == self.period).then(|| (self.seed_gain / n, self.seed_loss / n))
            }
        };
        if let Some((g, l)) = self.averages {
            self.history.push(rsi(g, l));
        }
    }

    fn value(&self) -> Option<f64> {
        self.history.get(0)
    }

    fn get(&self, ago: usize) -> Option<f64> {
        self.history.get(ago)
    }

    fn count(&self) -> usize {
        self.count
    }
}

impl super::MaxBytes for Rsi {
    fn max_bytes(&self) -> usize {
        self.history.max_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilder_rsi_by_hand() {
        // Changes +1, +1, −1, +2 with n = 2:
        // seed: gain 1, loss 0 → 100; then gain (1 + 0) / 2 = 0.5, loss
        // (0 + 1) / 2 = 0.5 → 50; then gain (0.5 + 2) / 2 = 1.25, loss
        // 0.25 → RS 5 → 100 − 100 / 6.
        let mut rsi = Rsi::new(2).unwrap();
        for close in [1.0, 2.0] {
            rsi.update(close);
            assert_eq!(rsi.value(), None);
        }
        rsi.update(3.0);
        assert_eq!(rsi.value(), Some(100.0));
        rsi.update(2.0);
        assert_eq!(rsi.value(), Some(50.0));
        rsi.update(4.0);
        assert!((rsi.value().unwrap() - (100.0 - 100.0 / 6.0)).abs() < 1e-12);
        assert_eq!(rsi.get(1), Some(50.0));
        assert!(Rsi::new(0).is_err());
    }

    #[test]
    fn a_flat_price_is_fifty() {
        let mut rsi = Rsi::new(3).unwrap();
        for _ in 0..5 {
            rsi.update(7.0);
        }
        assert_eq!(rsi.value(), Some(50.0));
    }
}
