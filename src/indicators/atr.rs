//! Average true range with Wilder's smoothing: TR = max(h − l, |h − c₋₁|,
//! |l − c₋₁|); the first ATR is the mean of the first n TRs, then
//! ATR = (ATR₋₁ × (n − 1) + TR) / n.

use super::{DEFAULT_HISTORY, History, PeriodError};

#[derive(Debug, Clone)]
pub struct Atr {
    period: usize,
    prev_close: Option<f64>,
    seed_sum: f64,
    count: usize,
    value: Option<f64>,
    history: History,
}

impl Atr {
    /// # Errors
    /// When `period` is zero.
    pub fn new(period: usize) -> Result<Self, PeriodError> {
        PeriodError::check("ATR", period)?;
        Ok(Self {
            period,
            prev_close: None,
            seed_sum: 0.0,
            count: 0,
            value: None,
            history: History::new(DEFAULT_HISTORY),
        })
    }

    /// Feeds one bar.
    pub fn update(&mut self, high: f64, low: f64, close: f64) {
        let range = high - low;
        let tr = self.prev_close.map_or(range, |pc| {
            range.max((high - pc).abs()).max((low - pc).abs())
        });
        self.prev_close = Some(close);
        self.count += 1;
        #[allow(clippy::cast_precision_loss, reason = "periods are small")]
        let n = self.period as f64;
        self.value = match self.value {
            Some(prev) => Some((prev * (n - 1.0) + tr) / n),
            None => {
                self.seed_sum += tr;
                (self.count == self.period).then(|| self.seed_sum / n)
            }
        };
        if let Some(v) = self.value {
            self.history.push(v);
        }
    }

    #[must_use]
    pub const fn value(&self) -> Option<f64> {
        self.value
    }

    #[must_use]
    pub fn get(&self, ago: usize) -> Option<f64> {
        self.history.get(ago)
    }
}

impl super::MaxBytes for Atr {
    fn max_bytes(&self) -> usize {
        self.history.max_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilder_smoothing_by_hand() {
        let mut atr = Atr::new(2).unwrap();
        atr.update(10.0, 8.0, 9.0); // TR 2
        assert_eq!(atr.value(), None);
        atr.update(12.0, 9.5, 11.0); // TR max(2.5, 3, 0.5) = 3 → ATR 2.5
        assert_eq!(atr.value(), Some(2.5));
        atr.update(11.5, 10.0, 10.5); // TR max(1.5, 0.5, 1) = 1.5 → (2.5 + 1.5) / 2 = 2
        assert_eq!(atr.value(), Some(2.0));
        assert_eq!(atr.get(1), Some(2.5));
        assert!(Atr::new(0).is_err());
    }
}
