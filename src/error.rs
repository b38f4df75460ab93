//! The top-level error and the one table of exit codes.

use crate::backtest::{BacktestError, ConfigError};
use crate::data::{DataError, DataErrorKind};
use crate::optimization::OptimizeError;
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
    /// Interrupted by Ctrl-C (SIGINT): 128 + 2.
    Interrupted = 130,
    /// Stopped by SIGTERM: 128 + 15.
    Terminated = 143,
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
    #[error(transparent)]
    Optimize(OptimizeError),
    #[error("{0}")]
    Io(String),
    /// A command line that cannot work (exit 2, as clap's own errors).
    #[error("{0}")]
    Usage(String),
    /// Stopped by Ctrl-C or SIGTERM (`signal`) after keeping what finished.
    #[error("{message}")]
    Interrupted { message: String, signal: i32 },
}

impl From<OptimizeError> for Error {
    fn from(error: OptimizeError) -> Self {
        match error {
            OptimizeError::Config(e) => Self::Config(e),
            OptimizeError::Backtest(e) => e.into(),
            OptimizeError::Report(e) => Self::Report(e),
            OptimizeError::Usage(m) => Self::Usage(m),
            other @ (OptimizeError::Merge(_)
            | OptimizeError::Io { .. }
            | OptimizeError::Threads { .. }) => Self::Optimize(other),
        }
    }
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
            Self::Data(e) if matches!(e.kind, DataErrorKind::Unwritable) => ExitCode::Failure,
            Self::Config(_) | Self::Data(_) | Self::Script(_) => ExitCode::InvalidInput,
            // Parts that do not make one sweep are bad input.
            Self::Optimize(OptimizeError::Merge(_)) => ExitCode::InvalidInput,
            Self::Backtest(_) | Self::Report(_) | Self::Io(_) | Self::Optimize(_) => {
                ExitCode::Failure
            }
            Self::Usage(_) => ExitCode::Usage,
            Self::Interrupted { signal, .. } => {
                if *signal == signal_hook::consts::SIGTERM {
                    ExitCode::Terminated
                } else {
                    ExitCode::Interrupted
                }
            }
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_readme() {
        let stopped = |signal| Error::Interrupted {
            message: String::new(),
            signal,
        };
        assert_eq!(stopped(signal_hook::consts::SIGINT).exit_code() as u8, 130);
        assert_eq!(stopped(signal_hook::consts::SIGTERM).exit_code() as u8, 143);
        let path = std::path::Path::new("x.csv");
        assert_eq!(
            Error::Data(DataError::file(path, "bad")).exit_code() as u8,
            3
        );
        assert_eq!(
            Error::Data(DataError::unwritable(path, "disk full")).exit_code() as u8,
            1
        );
        assert_eq!(Error::Usage(String::new()).exit_code() as u8, 2);
    }
}
