//! Moving-average crossover, long only (W2 of the reference workloads):
//! from bar `slow` on, a cross up while flat buys `size` of equity and a
//! cross down while long closes the position.

use crate::core::fixed::FIXED_SCALAR;
use crate::core::identifiers::InstrumentIndex;
use crate::engine::commands::OrderSize;
use crate::indicators::{BarIndicator, Ema, Indicator, Sma};
use crate::model::data::Bar;
use crate::trading::params::{ParamError, Params};
use crate::trading::strategy::{HookResult, Strategy, StrategyContext};

/// Which average to cross.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AverageKind {
    Exponential,
    Simple,
}

#[derive(Debug, Clone)]
enum Average {
    Exponential(Ema),
    Simple(Sma),
}

impl Average {
    fn new(kind: AverageKind, period: usize) -> Result<Self, ParamError> {
        let err = |e: crate::indicators::PeriodError| ParamError {
            name: "period".into(),
            reason: e.to_string(),
        };
        Ok(match kind {
            // Only the current value is read (the previous one is kept by
            // the strategy), so the smallest history will do.
            AverageKind::Exponential => {
                Self::Exponential(Ema::with_history(period, 1).map_err(err)?)
            }
            AverageKind::Simple => Self::Simple(Sma::new(period).map_err(err)?),
        })
    }

    #[inline]
    fn update(&mut self, value: f64) {
        match self {
            Self::Exponential(i) => i.update(value),
            Self::Simple(i) => i.update(value),
        }
    }

    #[inline]
    fn value(&self) -> Option<f64> {
        match self {
            Self::Exponential(i) => i.value(),
            Self::Simple(i) => i.value(),
        }
    }
}

/// The crossover strategy.
#[derive(Debug, Clone)]
pub struct MovingAverageCross {
    instrument: InstrumentIndex,
    kind: AverageKind,
    fast_period: usize,
    fast: Average,
    slow: Average,
    slow_period: usize,
    size_raw: i128,
    bars_seen: usize,
}

impl MovingAverageCross {
    /// Parameters: `fast` (default 10), `slow` (default 30, > fast), `size`
    /// (fraction of equity, default 1).
    ///
    /// # Errors
    /// For unknown or malformed parameters.
    pub fn from_params(
        kind: AverageKind,
        instrument: InstrumentIndex,
        params: &Params,
    ) -> Result<Self, ParamError> {
        params.reject_unknown(&["fast", "slow", "size"])?;
        let fast = params.usize_or("fast", 10, 1)?;
        let slow = params.usize_or("slow", 30, 2)?;
        if fast >= slow {
            return Err(ParamError {
                name: "fast".into(),
                reason: format!("must be below slow ({fast} ≥ {slow})"),
            });
        }
        let size_raw = params.fraction_or("size", FIXED_SCALAR)?;
        Ok(Self {
            instrument,
            kind,
            fast_period: fast,
            fast: Average::new(kind, fast)?,
            slow: Average::new(kind, slow)?,
            slow_period: slow,
            size_raw,
            bars_seen: 0,
        })
    }
}

impl Strategy for MovingAverageCross {
    #[inline]
    fn on_bar(&mut self, ctx: &mut StrategyContext<'_>, bar: &Bar) -> HookResult {
        if bar.instrument != self.instrument {
            return Ok(());
        }
        let close = bar.close().as_f64();
        // The values before this bar: a cross compares them with the new ones.
        let (before_fast, before_slow) = (self.fast.value(), self.slow.value());
        self.fast.update(close);
        self.slow.update(close);
        let index = self.bars_seen;
        self.bars_seen += 1;
        if index < self.slow_period {
            return Ok(());
        }
        let (Some(f0), Some(f1), Some(s0), Some(s1)) = (
            self.fast.value(),
            before_fast,
            self.slow.value(),
            before_slow,
        ) else {
            return Ok(());
        };
        if f1 <= s1 && f0 > s0 {
            // Skip when the balance buys less than one lot.
            let affordable = ctx
                .affordable_quantity(self.instrument, self.size_raw)
                .is_some_and(|q| !q.is_zero());
            if affordable && ctx.position_raw(self.instrument) == 0 {
                ctx.buy(self.instrument, OrderSize::FractionOfEquity(self.size_raw));
            }
        } else if f1 >= s1 && f0 < s0 && ctx.position_raw(self.instrument) > 0 {
            ctx.close_position(self.instrument);
        }
        Ok(())
    }

    fn overlays(&self) -> Vec<(String, BarIndicator)> {
        [self.fast_period, self.slow_period]
            .into_iter()
            .filter_map(|period| {
                Some(match self.kind {
                    AverageKind::Exponential => (
                        format!("EMA({period})"),
                        BarIndicator::Ema(Ema::new(period).ok()?),
                    ),
                    AverageKind::Simple => (
                        format!("SMA({period})"),
                        BarIndicator::Sma(Sma::new(period).ok()?),
                    ),
                })
            })
            .collect()
    }

    fn warmup_bars(&self) -> usize {
        // The EMA is defined from the first bar (Backtesting.py's w = 0);
        // an SMA needs `slow` bars.
        match self.slow {
            Average::Exponential(_) => 0,
            Average::Simple(_) => self.slow_period - 1,
        }
    }
}
