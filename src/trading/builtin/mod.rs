//! Built-in strategies, selected by name in the config.

mod buy_and_hold;
mod moving_average_cross;

pub use buy_and_hold::BuyAndHold;
pub use moving_average_cross::{Average, Exponential, MovingAverageCross};

use crate::core::identifiers::InstrumentIndex;

use super::params::{ParamError, Params};
use super::strategy::Strategy;

/// The names `builtin = "…"` accepts.
pub const BUILTIN_NAMES: &[&str] = &["buy_and_hold", "ema_cross", "sma_cross"];

/// A built-in name is unknown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuiltinError {
    #[error("unknown built-in strategy '{0}' (known: buy_and_hold, ema_cross, sma_cross)")]
    Unknown(String),
    #[error(transparent)]
    Param(#[from] ParamError),
}

/// Builds the built-in strategy `name` trading `instrument`.
///
/// # Errors
/// For an unknown name or bad parameters.
pub fn build(
    name: &str,
    instrument: InstrumentIndex,
    params: &Params,
) -> Result<Box<dyn Strategy>, BuiltinError> {
    Ok(match name {
        "buy_and_hold" => Box::new(BuyAndHold::from_params(instrument, params)?),
        "ema_cross" => Box::new(MovingAverageCross::<Exponential>::from_params(
            instrument, params,
        )?),
        "sma_cross" => Box::new(MovingAverageCross::<crate::indicators::Sma>::from_params(
            instrument, params,
        )?),
        other => return Err(BuiltinError::Unknown(other.to_string())),
    })
}
