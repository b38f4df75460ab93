//! The market figures sizers read (ATR, recent volatility), fed every bar
//! of a strategy's instrument — only for strategies whose sizer needs them.

use crate::analysis::sizers::Sizer;
use crate::analysis::stats::variance;
use crate::indicators::{Atr, History};
use crate::model::data::Bar;

#[derive(Debug, Clone)]
pub struct SizerFeed {
    atr: Option<Atr>,
    closes: Option<History>,
    /// Nanoseconds between the last two bars, for annualising.
    spacing_ns: i64,
    last_ts: Option<i64>,
}

impl SizerFeed {
    /// The feed `sizer` needs; `None` when it needs none.
    #[must_use]
    pub fn for_sizer(sizer: &Sizer) -> Option<Self> {
        let atr = sizer.atr_period().and_then(|p| Atr::new(p).ok());
        let closes = sizer.volatility_lookback().map(|n| History::new(n + 1));
        (atr.is_some() || closes.is_some()).then_some(Self {
            atr,
            closes,
            spacing_ns: 0,
            last_ts: None,
        })
    }

    pub fn update(&mut self, bar: &Bar) {
        let close = bar.close().as_f64();
        if let Some(atr) = &mut self.atr {
            atr.update(bar.high().as_f64(), bar.low().as_f64(), close);
        }
        if let Some(closes) = &mut self.closes {
            closes.push(close);
        }
        if let Some(last) = self.last_ts.replace(bar.ts_init.0) {
            self.spacing_ns = bar.ts_init.0 - last;
        }
    }

    #[must_use]
    pub fn atr(&self) -> Option<f64> {
        self.atr.as_ref()?.value()
    }

    /// σ of the close-to-close returns held (ddof = 1) and bars a year
    /// (365.25 days over the bar spacing), once the window is full.
    #[must_use]
    pub fn volatility(&self) -> Option<(f64, f64)> {
        let closes = self.closes.as_ref()?;
        let needed = closes.capacity();
        if closes.len() < needed || self.spacing_ns <= 0 {
            return None;
        }
        let returns: Vec<f64> = (0..needed - 1)
            .filter_map(|ago| Some(closes.get(ago)? / closes.get(ago + 1)? - 1.0))
            .collect();
        #[allow(clippy::cast_precision_loss, reason = "a ratio of durations")]
        let bars_a_year = 365.25 * 86_400e9 / self.spacing_ns as f64;
        Some((variance(&returns)?.sqrt(), bars_a_year))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::UnixNanos;
    use crate::core::identifiers::InstrumentIndex;

    fn bar(day: i64, high: f64, low: f64, close: f64) -> Bar {
        let raw = |x: f64| i64::try_from(crate::core::fixed::raw_from_f64(x, 2).unwrap()).unwrap();
        let ts = UnixNanos(day * 86_400_000_000_000);
        Bar {
            ts_event: ts,
            ts_init: ts,
            open: raw(close),
            high: raw(high),
            low: raw(low),
            close: raw(close),
            volume: 0,
            instrument: InstrumentIndex(0),
            price_precision: 2,
            size_precision: 0,
        }
    }

    #[test]
    fn feeds_atr_and_volatility() {
        let risk = Sizer::FixedRisk {
            risk: 0.01,
            atr_period: 2,
            atr_multiple: 2.0,
        };
        let mut feed = SizerFeed::for_sizer(&risk).unwrap();
        feed.update(&bar(0, 101.0, 99.0, 100.0)); // TR 2
        assert_eq!(feed.atr(), None);
        feed.update(&bar(1, 102.0, 99.5, 101.0)); // TR 2.5
        assert_eq!(feed.atr(), Some(2.25));
        assert_eq!(feed.volatility(), None, "not asked for");

        let target = Sizer::VolatilityTarget {
            target: 0.1,
            lookback: 2,
        };
        let mut feed = SizerFeed::for_sizer(&target).unwrap();
        for (day, close) in [(0, 100.0), (1, 110.0)] {
            feed.update(&bar(day, close, close, close));
        }
        assert_eq!(feed.volatility(), None, "two returns needed");
        feed.update(&bar(2, 99.0, 99.0, 99.0));
        // Returns +10 % and −10 %: σ = sqrt(0.02); daily bars.
        let (sigma, per_year) = feed.volatility().unwrap();
        assert!((sigma - 0.02f64.sqrt()).abs() < 1e-12);
        assert!((per_year - 365.25).abs() < 1e-9);
        assert!(SizerFeed::for_sizer(&Sizer::FractionOfEquity(1)).is_none());
    }
}
