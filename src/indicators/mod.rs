//! Indicators. They work in `f64` (they are signals, not money), keep their
//! warm-up state, and remember their last values for `[-1]`-style access
//! without allocating per update.

mod atr;
mod bollinger;
pub mod catalog;
mod ema;
mod history;
mod macd;
mod roc;
mod rsi;
mod sma;
mod stochastic;
mod vwap;

pub use atr::Atr;
pub use bollinger::Bollinger;
pub use catalog::{BarIndicator, BarInput};
pub use ema::{Ema, EmaStep};
pub use history::History;
pub use macd::Macd;
pub use roc::Roc;
pub use rsi::Rsi;
pub use sma::Sma;
pub use stochastic::Stochastic;
pub use vwap::Vwap;

/// An indicator fed one value per bar.
/// The most memory an indicator's buffers can take once full: a script's
/// indicators are counted against its memory limit by it.
pub trait MaxBytes {
    fn max_bytes(&self) -> usize;
}

impl MaxBytes for History {
    fn max_bytes(&self) -> usize {
        Self::max_bytes(self)
    }
}

pub trait Indicator {
    /// Feeds the next input.
    fn update(&mut self, value: f64);
    /// The current value once warmed up.
    fn value(&self) -> Option<f64>;
    /// The value `ago` updates back (0 = current), once warmed up then.
    fn get(&self, ago: usize) -> Option<f64>;
    /// Inputs seen so far.
    fn count(&self) -> usize;
    /// `true` once the value is defined.
    fn is_ready(&self) -> bool {
        self.value().is_some()
    }
}

/// The longest period an indicator takes: its window is allocated when it
/// is made (8 bytes a value), so an absurd period (`1e12`) must be a
/// clear error, not an allocation that aborts the process.
pub const MAX_PERIOD: usize = 10_000_000;

/// An indicator period was zero or above [`MAX_PERIOD`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{indicator} period must be from 1 to {MAX_PERIOD}, not {period}")]
pub struct PeriodError {
    pub indicator: &'static str,
    pub period: usize,
}

impl PeriodError {
    /// `period` if it is from 1 to [`MAX_PERIOD`].
    ///
    /// # Errors
    /// Otherwise.
    pub const fn check(indicator: &'static str, period: usize) -> Result<usize, Self> {
        if period == 0 || period > MAX_PERIOD {
            Err(Self { indicator, period })
        } else {
            Ok(period)
        }
    }
}

/// How many past values indicators remember by default.
pub const DEFAULT_HISTORY: usize = 64;
