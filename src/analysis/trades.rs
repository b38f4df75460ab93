//! Closed round trips (a position from open to flat), the unit that trade
//! statistics count.

use serde::Serialize;

use crate::core::enums::OrderSide;
use crate::core::fixed;
use crate::core::identifiers::{InstrumentId, PositionId, StrategyId};
use crate::core::{Money, Price, Quantity, UnixNanos};

/// One round trip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trade {
    pub position_id: PositionId,
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    /// BUY for a long trade, SELL for a short one.
    pub entry_side: OrderSide,
    /// Total quantity opened over the round trip.
    pub size: Quantity,
    pub entry_time: UnixNanos,
    pub exit_time: Option<UnixNanos>,
    pub entry_price: Price,
    pub exit_price: Option<Price>,
    /// Realized PnL after commissions.
    pub pnl: Money,
    pub commission: Money,
}

impl Trade {
    /// PnL / (|size| × entry), after commissions, as a fraction:
    /// `sign × (exit / entry − 1) − commissions / (|size| × entry)`.
    #[must_use]
    pub fn return_fraction(&self) -> Option<f64> {
        let entry = self.entry_price.as_f64();
        let exit = self.exit_price?.as_f64();
        let size = self.size.as_f64();
        if entry == 0.0 || size == 0.0 {
            return None;
        }
        let sign = if self.entry_side == OrderSide::Buy {
            1.0
        } else {
            -1.0
        };
        Some(sign * (exit / entry - 1.0) - self.commission.as_f64() / (size * entry))
    }

    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.exit_time.is_some()
    }

    /// The PnL as text with every internal decimal (for CSV).
    #[must_use]
    pub fn pnl_text(&self) -> String {
        fixed::format_raw(self.pnl.raw, fixed::FIXED_PRECISION)
    }
}
