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

/// An indicator period was zero.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{indicator} period must be at least 1")]
pub struct PeriodError {
    pub indicator: &'static str,
}

/// How many past values indicators remember by default.
pub const DEFAULT_HISTORY: usize = 64;
