//! Buy on the first bar, hold to the end (W1 of the reference workloads).

use crate::core::fixed::FIXED_SCALAR;
use crate::core::identifiers::InstrumentIndex;
use crate::engine::commands::OrderSize;
use crate::model::data::Bar;
use crate::trading::params::{ParamError, Params};
use crate::trading::strategy::{HookResult, Strategy, StrategyContext};

/// Buys `size` (a fraction of equity, default 1) at the first bar.
#[derive(Debug, Clone)]
pub struct BuyAndHold {
    instrument: InstrumentIndex,
    size_raw: i128,
    bought: bool,
}

impl BuyAndHold {
    /// # Errors
    /// For unknown or malformed parameters.
    pub fn from_params(instrument: InstrumentIndex, params: &Params) -> Result<Self, ParamError> {
        params.reject_unknown(&["size"])?;
        let size_raw = params.fraction_or("size", FIXED_SCALAR)?;
        Ok(Self {
            instrument,
            size_raw,
            bought: false,
        })
    }
}

impl Strategy for BuyAndHold {
    fn wants_order_events(&self) -> bool {
        false
    }

    fn on_bar(&mut self, ctx: &mut StrategyContext<'_>, bar: &Bar) -> HookResult {
        if !self.bought && bar.instrument == self.instrument {
            self.bought = true;
            ctx.buy(self.instrument, OrderSize::FractionOfEquity(self.size_raw));
        }
        Ok(())
    }
}
