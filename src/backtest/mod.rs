//! Backtest: the config schema, the engine that wires everything, the
//! runner and the results.

pub mod config;
mod config_raw;
pub mod engine;
pub mod error;
pub mod fx;
pub mod results;
pub mod runner;
mod sizer_feed;

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
    #[error("{0}")]
    Runtime(String),
}

#[cfg(test)]
mod tests;
