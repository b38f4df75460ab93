//! Backtest: the config schema, the engine that wires everything, the
//! runner and the results.

pub mod config;
mod config_raw;
pub mod engine;
pub mod error;
pub mod fx;
mod portfolio;
pub mod results;
pub mod runner;
mod sizer_feed;
mod sizing;
pub mod stitch;

use crate::core::UnixNanos;
use crate::data::DataError;
use crate::trading::script::ScriptError;

pub use error::ConfigError;

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum BacktestError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("strategy '{strategy}' failed at {ts}: {message}")]
    Strategy {
        strategy: String,
        ts: UnixNanos,
        message: String,
    },
    /// A strategy script failed while running: exits as invalid input.
    #[error("{}: strategy '{strategy}' at {ts}: {}", error.location(), error.message)]
    Script {
        strategy: String,
        ts: UnixNanos,
        error: Box<ScriptError>,
    },
    /// The engine failed at `step` (`detail` says where); `source` says
    /// why.
    #[error("{step}{detail}")]
    Engine {
        step: EngineStep,
        detail: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Strategies kept answering each other's events without end.
    #[error("strategies kept issuing commands for {rounds} rounds at {ts}")]
    CommandLoop { rounds: usize, ts: UnixNanos },
    /// A built-in strategy could not be made from its parameters.
    #[error("strategy '{strategy}' cannot be built")]
    Build {
        strategy: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The results met a position of an instrument or strategy the run
    /// does not have (an engine bug).
    #[error("a position of an unknown {0}")]
    UnknownOwner(&'static str),
}

/// What the engine was doing when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineStep {
    OpenAccounts,
    MatchBar,
    ApplyOrderEvent,
    ApplyFill,
    LockMargin,
    PayFunding,
    ClosePosition,
    Value,
    Settle,
    BuildResults,
}

impl std::fmt::Display for EngineStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::OpenAccounts => "cannot open the venues' accounts",
            Self::MatchBar => "cannot match a bar",
            Self::ApplyOrderEvent => "an order event cannot be applied",
            Self::ApplyFill => "a fill cannot be applied",
            Self::LockMargin => "cannot lock an account's margin",
            Self::PayFunding => "cannot pay a perpetual's funding",
            Self::ClosePosition => "cannot close a position",
            Self::Value => "cannot value an account",
            Self::Settle => "cannot settle the run",
            Self::BuildResults => "cannot build the results",
        })
    }
}

impl BacktestError {
    /// Maps an error of `step` to [`BacktestError::Engine`], keeping it as
    /// the cause.
    pub(crate) fn at<E>(step: EngineStep) -> impl FnOnce(E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        move |error| Self::Engine {
            step,
            detail: String::new(),
            source: Box::new(error),
        }
    }
}

#[cfg(test)]
mod tests;
