//! Volume-weighted average price of the typical price (high + low + close)
//! / 3: Σ typical · volume / Σ volume, over every bar so far (period 0) or
//! over the last `period` bars. Undefined while the volume summed is zero.

use super::{DEFAULT_HISTORY, History};

#[derive(Debug, Clone)]
pub struct Vwap {
    period: usize,
    weighted: History,
    volumes: History,
    sum_weighted: f64,
    sum_volume: f64,
    count: usize,
    history: History,
}

impl Vwap {
    /// A VWAP over `period` bars, or since the first bar when 0.
    #[must_use]
    pub fn new(period: usize) -> Self {
        Self {
            period,
            weighted: History::new(period),
            volumes: History::new(period),
            sum_weighted: 0.0,
            sum_volume: 0.0,
            count: 0,
            history: History::new(DEFAULT_HISTORY),
        }
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64, volume: f64) {
        self.count += 1;
        let weighted = (high + low + close) / 3.0 * volume;
        if self.period > 0 {
            if self.volumes.len() == self.period {
                let oldest = self.period - 1;
                self.sum_weighted -= self.weighted.get(oldest).unwrap_or(0.0);
                self.sum_volume -= self.volumes.get(oldest).unwrap_or(0.0);
            }
            self.weighted.push(weighted);
            self.volumes.push(volume);
        }
        self.sum_weighted += weighted;
        self.sum_volume += volume;
        let full = self.period == 0 || self.volumes.len() == self.period;
        if full && self.sum_volume > 0.0 {
            self.history.push(self.sum_weighted / self.sum_volume);
        }
    }

    #[must_use]
    pub fn get(&self, ago: usize) -> Option<f64> {
        self.history.get(ago)
    }

    #[must_use]
    pub const fn count(&self) -> usize {
        self.count
    }
}

impl super::MaxBytes for Vwap {
    fn max_bytes(&self) -> usize {
        self.weighted.max_bytes() + self.volumes.max_bytes() + self.history.max_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cumulative_and_rolling_by_hand() {
        let mut all = Vwap::new(0);
        let mut last_two = Vwap::new(2);
        // Typical prices 10, 20, 30 with volumes 1, 3, 0, then 40 with 1.
        for (tp, v) in [(10.0, 1.0), (20.0, 3.0), (30.0, 0.0), (40.0, 1.0)] {
            all.update(tp, tp, tp, v);
            last_two.update(tp, tp, tp, v);
        }
        assert_eq!(all.get(0), Some((10.0 + 60.0 + 40.0) / 5.0));
        assert_eq!(all.get(1), Some(70.0 / 4.0));
        assert_eq!(last_two.get(0), Some(40.0)); // (30·0 + 40·1) / 1
        assert_eq!(last_two.get(1), Some(20.0)); // (20·3 + 30·0) / 3
        assert_eq!(last_two.get(2), Some(17.5)); // (10 + 60) / 4
    }

    #[test]
    fn no_volume_is_undefined() {
        let mut vwap = Vwap::new(0);
        vwap.update(1.0, 1.0, 1.0, 0.0);
        assert_eq!(vwap.get(0), None);
    }
}
