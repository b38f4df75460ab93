//! Moving-average crossover, long only (W2 of the reference workloads):
//! from bar `slow` on, a cross up while flat buys `size` of equity and a
//! cross down while long closes the position.

use crate::core::fixed::FIXED_SCALAR;
use crate::core::identifiers::InstrumentIndex;
use crate::engine::commands::OrderSize;
use crate::indicators::{BarIndicator, Ema, EmaStep, Indicator, Sma};
use crate::model::data::Bar;
use crate::trading::params::{ParamError, Params};
use crate::trading::strategy::{HookResult, Strategy, StrategyContext};

/// An average the strategy crosses: updated with each close, read once.
pub trait Average: Sized + std::fmt::Debug + Send + 'static {
    /// # Errors
    /// When `period` is zero.
    fn with_period(period: usize) -> Result<Self, crate::indicators::PeriodError>;
    fn update(&mut self, value: f64);
    fn value(&self) -> Option<f64>;
    /// Bars before the first value (Backtesting.py's warm-up).
    fn warmup(period: usize) -> usize;
    /// The same average as a chart overlay.
    fn overlay(period: usize) -> Option<(String, BarIndicator)>;
}

/// The exponential average, kept as its recurrence and current value only:
/// the strategy keeps the previous value itself.
#[derive(Debug, Clone, Copy)]
pub struct Exponential {
    step: EmaStep,
    value: Option<f64>,
}

impl Average for Exponential {
    fn with_period(period: usize) -> Result<Self, crate::indicators::PeriodError> {
        Ok(Self {
            step: EmaStep::new(period)?,
            value: None,
        })
    }

    #[inline]
    fn update(&mut self, value: f64) {
        self.value = Some(self.step.next(self.value, value));
    }

    #[inline]
    fn value(&self) -> Option<f64> {
        self.value
    }

    fn warmup(_period: usize) -> usize {
        // Defined from the first bar (Backtesting.py's w = 0).
        0
    }

    fn overlay(period: usize) -> Option<(String, BarIndicator)> {
        Some((
            format!("EMA({period})"),
            BarIndicator::Ema(Ema::new(period).ok()?),
        ))
    }
}

impl Average for Sma {
    fn with_period(period: usize) -> Result<Self, crate::indicators::PeriodError> {
        Self::new(period)
    }

    #[inline]
    fn update(&mut self, value: f64) {
        Indicator::update(self, value);
    }

    #[inline]
    fn value(&self) -> Option<f64> {
        Indicator::value(self)
    }

    fn warmup(period: usize) -> usize {
        period - 1
    }

    fn overlay(period: usize) -> Option<(String, BarIndicator)> {
        Some((
            format!("SMA({period})"),
            BarIndicator::Sma(Sma::new(period).ok()?),
        ))
    }
}

/// The crossover strategy.
#[derive(Debug, Clone)]
pub struct MovingAverageCross<A> {
    instrument: InstrumentIndex,
    fast_period: usize,
    fast: A,
    slow: A,
    slow_period: usize,
    size_raw: i128,
    bars_seen: usize,
}

impl<A: Average> MovingAverageCross<A> {
    /// Parameters: `fast` (default 10), `slow` (default 30, > fast), `size`
    /// (fraction of equity, default 1).
    ///
    /// # Errors
    /// For unknown or malformed parameters.
    pub fn from_params(instrument: InstrumentIndex, params: &Params) -> Result<Self, ParamError> {
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
        let average = |name: &str, period| {
            A::with_period(period).map_err(|e| ParamError {
                name: name.into(),
                reason: e.to_string(),
            })
        };
        Ok(Self {
            instrument,
            fast_period: fast,
            fast: average("fast", fast)?,
            slow: average("slow", slow)?,
            slow_period: slow,
            size_raw,
            bars_seen: 0,
        })
    }
}

impl<A> MovingAverageCross<A> {
    // Crosses are rare: kept out of line so the per-bar path stays short.
    #[cold]
    #[inline(never)]
    fn cross_up(&self, ctx: &mut StrategyContext<'_>) {
        // Skip when the balance buys less than one lot. A size beyond what
        // a quantity holds is submitted: the engine fails the run with
        // where and why, rather than this strategy going quiet.
        let affordable = match ctx.affordable_quantity(self.instrument, self.size_raw) {
            Ok(Some(q)) => !q.is_zero(),
            Ok(None) => false,
            Err(_) => true,
        };
        if affordable && ctx.position_raw(self.instrument) == 0 {
            ctx.buy(self.instrument, OrderSize::FractionOfEquity(self.size_raw));
        }
    }

    #[cold]
    #[inline(never)]
    fn cross_down(&self, ctx: &mut StrategyContext<'_>) {
        if ctx.position_raw(self.instrument) > 0 {
            ctx.close_position(self.instrument);
        }
    }
}

impl<A: Average> Strategy for MovingAverageCross<A> {
    fn wants_order_events(&self) -> bool {
        false
    }

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
            self.cross_up(ctx);
        } else if f1 >= s1 && f0 < s0 {
            self.cross_down(ctx);
        }
        Ok(())
    }

    fn overlays(&self) -> Vec<(String, BarIndicator)> {
        [self.fast_period, self.slow_period]
            .into_iter()
            .filter_map(A::overlay)
            .collect()
    }

    fn warmup_bars(&self) -> usize {
        A::warmup(self.slow_period)
    }
}
