//! MACD: line = EMA(fast) − EMA(slow) of the input, signal = EMA(signal) of
//! the line, histogram = line − signal. The EMAs are those of [`Ema`]
//! (seeded with the first value, pandas `adjust=False`), so all three lines
//! are defined from the first input, as in pandas.

use super::{DEFAULT_HISTORY, Ema, History, Indicator, PeriodError};

#[derive(Debug, Clone)]
pub struct Macd {
    fast: Ema,
    slow: Ema,
    signal: Ema,
    count: usize,
    line: History,
    histogram: History,
}

impl Macd {
    /// # Errors
    /// When a period is zero.
    pub fn new(fast: usize, slow: usize, signal: usize) -> Result<Self, PeriodError> {
        Ok(Self {
            fast: Ema::with_history(fast, 1)?,
            slow: Ema::with_history(slow, 1)?,
            signal: Ema::new(signal)?,
            count: 0,
            line: History::new(DEFAULT_HISTORY),
            histogram: History::new(DEFAULT_HISTORY),
        })
    }

    pub fn update(&mut self, value: f64) {
        self.count += 1;
        self.fast.update(value);
        self.slow.update(value);
        let (Some(fast), Some(slow)) = (self.fast.value(), self.slow.value()) else {
            return;
        };
        let line = fast - slow;
        self.signal.update(line);
        self.line.push(line);
        if let Some(signal) = self.signal.value() {
            self.histogram.push(line - signal);
        }
    }

    /// The MACD line `ago` updates back.
    #[must_use]
    pub fn line(&self, ago: usize) -> Option<f64> {
        self.line.get(ago)
    }

    #[must_use]
    pub fn signal(&self, ago: usize) -> Option<f64> {
        self.signal.get(ago)
    }

    #[must_use]
    pub fn histogram(&self, ago: usize) -> Option<f64> {
        self.histogram.get(ago)
    }

    #[must_use]
    pub const fn count(&self) -> usize {
        self.count
    }
}

impl super::MaxBytes for Macd {
    fn max_bytes(&self) -> usize {
        self.fast.max_bytes()
            + self.slow.max_bytes()
            + self.signal.max_bytes()
            + self.line.max_bytes()
            + self.histogram.max_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// EMA written out from its definition, independent of [`Ema`].
    fn ema(values: &[f64], period: usize) -> Vec<f64> {
        let alpha = 2.0 / (f64::from(u32::try_from(period).unwrap()) + 1.0);
        let mut out: Vec<f64> = Vec::new();
        for &v in values {
            let next = out
                .last()
                .map_or(v, |prev| alpha * v + (1.0 - alpha) * prev);
            out.push(next);
        }
        out
    }

    #[test]
    fn lines_match_the_ema_definition() {
        let closes = [10.0, 10.5, 11.0, 10.8, 11.6, 12.0, 11.4, 11.9, 12.5, 12.1];
        let mut macd = Macd::new(3, 6, 4).unwrap();
        for c in closes {
            macd.update(c);
        }
        let (fast, slow) = (ema(&closes, 3), ema(&closes, 6));
        let line: Vec<f64> = fast.iter().zip(&slow).map(|(f, s)| f - s).collect();
        let signal = ema(&line, 4);
        for ago in 0..closes.len() {
            let i = closes.len() - 1 - ago;
            assert!((macd.line(ago).unwrap() - line[i]).abs() < 1e-12);
            assert!((macd.signal(ago).unwrap() - signal[i]).abs() < 1e-12);
            assert!((macd.histogram(ago).unwrap() - (line[i] - signal[i])).abs() < 1e-12);
        }
        assert!(
            macd.line(0).unwrap() > 0.0,
            "a rising series has a positive MACD"
        );
        assert!(Macd::new(0, 6, 4).is_err());
    }
}
