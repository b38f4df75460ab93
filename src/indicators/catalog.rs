//! Every built-in indicator behind one interface, fed whole bars: what a
//! strategy script registers by name. Multi-line indicators name their
//! lines (`macd.signal`); the first line is the indicator's own name.

use super::{Atr, Bollinger, Ema, Indicator, Macd, Roc, Rsi, Sma, Stochastic, Vwap};

/// One bar's prices and volume, as indicators take them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarInput {
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: f64,
}

/// A built-in indicator updated once per bar.
#[derive(Debug, Clone)]
pub enum BarIndicator {
    Sma(Sma),
    Ema(Ema),
    Atr(Atr),
    Rsi(Rsi),
    Roc(Roc),
    Macd(Macd),
    Bollinger(Bollinger),
    Stochastic(Stochastic),
    Vwap(Vwap),
}

impl BarIndicator {
    /// The most memory its buffers can take once full.
    #[must_use]
    pub fn max_bytes(&self) -> usize {
        use super::MaxBytes;
        match self {
            Self::Sma(i) => i.max_bytes(),
            Self::Ema(i) => i.max_bytes(),
            Self::Atr(i) => i.max_bytes(),
            Self::Rsi(i) => i.max_bytes(),
            Self::Roc(i) => i.max_bytes(),
            Self::Macd(i) => i.max_bytes(),
            Self::Bollinger(i) => i.max_bytes(),
            Self::Stochastic(i) => i.max_bytes(),
            Self::Vwap(i) => i.max_bytes(),
        }
    }

    /// Names of the lines after the first (`""`): `<name>.<line>` reads them.
    #[must_use]
    pub const fn extra_lines(&self) -> &'static [&'static str] {
        match self {
            Self::Macd(_) => &["signal", "hist"],
            Self::Bollinger(_) => &["upper", "lower"],
            Self::Stochastic(_) => &["d"],
            _ => &[],
        }
    }

    /// Whether its lines are prices (drawn over the price chart) rather
    /// than an oscillator on its own scale.
    #[must_use]
    pub const fn is_price_scale(&self) -> bool {
        matches!(
            self,
            Self::Sma(_) | Self::Ema(_) | Self::Bollinger(_) | Self::Vwap(_)
        )
    }

    pub fn update(&mut self, bar: &BarInput) {
        match self {
            Self::Sma(i) => i.update(bar.close),
            Self::Ema(i) => i.update(bar.close),
            Self::Rsi(i) => i.update(bar.close),
            Self::Roc(i) => i.update(bar.close),
            Self::Macd(i) => i.update(bar.close),
            Self::Bollinger(i) => i.update(bar.close),
            Self::Atr(i) => i.update(bar.high, bar.low, bar.close),
            Self::Stochastic(i) => i.update(bar.high, bar.low, bar.close),
            Self::Vwap(i) => i.update(bar.high, bar.low, bar.close, bar.volume),
        }
    }

    /// Line `line` (0 = the main one) `ago` bars back, once defined.
    #[must_use]
    pub fn get(&self, line: usize, ago: usize) -> Option<f64> {
        match (self, line) {
            (Self::Sma(i), 0) => i.get(ago),
            (Self::Ema(i), 0) => i.get(ago),
            (Self::Rsi(i), 0) => i.get(ago),
            (Self::Roc(i), 0) => i.get(ago),
            (Self::Atr(i), 0) => i.get(ago),
            (Self::Vwap(i), 0) => i.get(ago),
            (Self::Macd(i), 0) => i.line(ago),
            (Self::Macd(i), 1) => i.signal(ago),
            (Self::Macd(i), 2) => i.histogram(ago),
            (Self::Bollinger(i), 0) => i.middle(ago),
            (Self::Bollinger(i), 1) => i.upper(ago),
            (Self::Bollinger(i), 2) => i.lower(ago),
            (Self::Stochastic(i), 0) => i.k(ago),
            (Self::Stochastic(i), 1) => i.d(ago),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_through_the_enum() {
        let mut macd = BarIndicator::Macd(Macd::new(2, 4, 2).unwrap());
        let mut bb = BarIndicator::Bollinger(Bollinger::new(2, 1.0).unwrap());
        for close in [1.0, 3.0] {
            let bar = BarInput {
                open: close,
                high: close,
                low: close,
                close,
                volume: 1.0,
            };
            macd.update(&bar);
            bb.update(&bar);
        }
        assert_eq!(macd.extra_lines(), &["signal", "hist"]);
        assert!(macd.get(2, 0).is_some());
        assert_eq!(macd.get(3, 0), None);
        // 1, 3: mean 2, σ 1.
        assert_eq!(
            (bb.get(0, 0), bb.get(1, 0), bb.get(2, 0)),
            (Some(2.0), Some(3.0), Some(1.0))
        );
    }
}
