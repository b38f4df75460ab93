//! What strategies ask for. Strategies write these into a buffer; the engine
//! passes them through risk, then execution.

use std::sync::Arc;

use crate::core::enums::{OrderSide, TimeInForce};
use crate::core::identifiers::{ClientOrderId, InstrumentIndex, PositionId};
use crate::core::{Quantity, UnixNanos};
use crate::model::orders::OrderKind;

/// How much to trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderSize {
    /// An exact quantity (validated against the instrument's lot size).
    Quantity(Quantity),
    /// A fraction of the account's free balance, raw at the global scale
    /// (`1.0` = all of it): converted at submission into the largest whole
    /// lot that the balance buys at the last close plus the taker fee, as
    /// Backtesting.py converts a fractional `size`.
    FractionOfEquity(i128),
}

/// A new order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitOrder {
    pub instrument: InstrumentIndex,
    pub side: OrderSide,
    pub kind: OrderKind,
    pub size: OrderSize,
    pub time_in_force: TimeInForce,
    pub expire_time: Option<UnixNanos>,
    pub reduce_only: bool,
    pub position_id: Option<PositionId>,
    pub tags: Option<Arc<str>>,
    /// The id the strategy was handed when it asked (see
    /// `OrderFactory::reserve`); None lets the engine number it.
    pub client_order_id: Option<ClientOrderId>,
}

impl SubmitOrder {
    /// A GTC order with no extras.
    #[must_use]
    pub const fn new(
        instrument: InstrumentIndex,
        side: OrderSide,
        kind: OrderKind,
        size: OrderSize,
    ) -> Self {
        Self {
            instrument,
            side,
            kind,
            size,
            time_in_force: TimeInForce::Gtc,
            expire_time: None,
            reduce_only: false,
            position_id: None,
            tags: None,
            client_order_id: None,
        }
    }
}

/// Everything a strategy can ask the engine to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TradingCommand {
    Submit(SubmitOrder),
    Cancel(ClientOrderId),
    /// Cancels the strategy's open orders (in one instrument, or all).
    CancelAll {
        instrument: Option<InstrumentIndex>,
    },
    /// Closes the strategy's open positions in one instrument at market.
    ClosePosition {
        instrument: InstrumentIndex,
    },
    /// Closes all of the strategy's open positions at market.
    CloseAll,
    SetTimer {
        name: Arc<str>,
        interval_ns: i64,
    },
    SetTimeAlert {
        name: Arc<str>,
        at: UnixNanos,
    },
    CancelTimer {
        name: Arc<str>,
    },
}
