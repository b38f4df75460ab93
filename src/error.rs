//! The top-level error and the one table of exit codes.

use crate::backtest::{BacktestError, ConfigError};
use crate::data::DataError;
use crate::report::ReportError;

/// Process exit codes; the README lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitCode {
    Success = 0,
    /// A runtime or internal failure (a strategy error, an output that
    /// cannot be written).
    Failure = 1,
    /// Bad command-line usage (clap's own code).
    Usage = 2,
    /// The config, a data file or a script is invalid.
    InvalidInput = 3,
    /// Interrupted by Ctrl-C.
    Interrupted = 130,
}

/// Everything `bt` can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Backtest(BacktestError),
    /// A strategy script failed while running.
    #[error(transparent)]
    Script(BacktestError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("{0}")]
    Io(String),
}

impl From<BacktestError> for Error {
    fn from(error: BacktestError) -> Self {
        match error {
            BacktestError::Config(e) => Self::Config(e),
            BacktestError::Data(e) => Self::Data(e),
            e @ BacktestError::Script { .. } => Self::Script(e),
            other => Self::Backtest(other),
        }
    }
}

impl Error {
    /// The exit code this error maps to.
    #[must_use]
    pub const fn exit_code(&self) -> ExitCode {
        match self {
            Self::Config(_) | Self::Data(_) | Self::Script(_) => ExitCode::InvalidInput,
            Self::Backtest(_) | Self::Report(_) | Self::Io(_) => ExitCode::Failure,
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
