//! Stochastic oscillator: %K = 100 · (close − lowest low) / (highest high −
//! lowest low) over the last k bars (50 when the range is zero), %D = the
//! SMA of the last d values of %K. %K is defined from the k-th bar, %D from
//! the (k + d − 1)-th.

use super::{DEFAULT_HISTORY, History, Indicator, PeriodError, Sma};

#[derive(Debug, Clone)]
pub struct Stochastic {
    k_period: usize,
    highs: History,
    lows: History,
    d: Sma,
    count: usize,
    k: History,
}

impl Stochastic {
    /// # Errors
    /// When a period is zero.
    pub fn new(k_period: usize, d_period: usize) -> Result<Self, PeriodError> {
        PeriodError::check("Stochastic", k_period)?;
        Ok(Self {
            k_period,
            highs: History::new(k_period),
            lows: History::new(k_period),
            d: Sma::new(d_period)?,
            count: 0,
            k: History::new(DEFAULT_HISTORY),
        })
    }

    pub fn update(&mut self, high: f64, low: f64, close: f64) {
        self.count += 1;
        self.highs.push(high);
        self.lows.push(low);
        if self.highs.len() < self.k_period {
            return;
        }
        let window = 0..self.k_period;
        let highest = window
            .clone()
            .filter_map(|ago| self.highs.get(ago))
            .fold(f64::NEG_INFINITY, f64::max);
        let lowest = window
            .filter_map(|ago| self.lows.get(ago))
            .fold(f64::INFINITY, f64::min);
        let range = highest - lowest;
        let k = if range > 0.0 {
            100.0 * (close - lowest) / range
        } else {
            50.0
        };
        self.k.push(k);
        self.d.update(k);
    }

    /// %K `ago` bars back.
    #[must_use]
    pub fn k(&self, ago: usize) -> Option<f64> {
        self.k.get(ago)
    }

    /// %D `ago` bars back.
    #[must_use]
    pub fn d(&self, ago: usize) -> Option<f64> {
        self.d.get(ago)
    }

    #[must_use]
    pub const fn count(&self) -> usize {
        self.count
    }
}

impl super::MaxBytes for Stochastic {
    fn max_bytes(&self) -> usize {
        self.highs.max_bytes() + self.lows.max_bytes() + self.d.max_bytes() + self.k.max_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_and_d_by_hand() {
        let mut st = Stochastic::new(3, 2).unwrap();
        st.update(10.0, 8.0, 9.0);
        st.update(11.0, 9.0, 10.0);
        assert_eq!(st.k(0), None);
        st.update(12.0, 10.0, 11.0); // HH 12, LL 8: 100 · 3 / 4
        assert_eq!(st.k(0), Some(75.0));
        assert_eq!(st.d(0), None);
        st.update(12.5, 11.0, 11.5); // HH 12.5, LL 9: 100 · 2.5 / 3.5
        let k = 100.0 * 2.5 / 3.5;
        assert!((st.k(0).unwrap() - k).abs() < 1e-12);
        assert!((st.d(0).unwrap() - (75.0 + k) / 2.0).abs() < 1e-12);
        assert!(Stochastic::new(0, 3).is_err());
        assert!(Stochastic::new(3, 0).is_err());
    }

    #[test]
    fn a_flat_range_is_fifty() {
        let mut st = Stochastic::new(2, 1).unwrap();
        st.update(5.0, 5.0, 5.0);
        st.update(5.0, 5.0, 5.0);
        assert_eq!(st.k(0), Some(50.0));
    }
}
