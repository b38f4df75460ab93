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
    /// A fraction of the account's free balance (a margin account's
    /// available margin), raw at the global scale (`1.0` = all of it):
    /// converted when the order fills into the largest whole lot the
    /// budget buys at the fill price with its fee, as Backtesting.py
    /// converts a fractional `size` (see the README's "How a fractional
    /// size becomes a quantity").
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
    /// What makes a trailing stop's trigger trail (its kind a
    /// `TrailingStopMarket` or `TrailingStopLimit`); boxed, since most
    /// orders do not trail and commands travel by value.
    pub trailing: Option<Box<crate::model::orders::trailing::TrailingSpec>>,
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
            trailing: None,
            client_order_id: None,
        }
    }
}

/// How the orders of an [`OrderList`] depend on each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// The first order is an entry; its fill releases the others (exits of
    /// the position it opens: reduce-only, their quantity the entry's
    /// filled quantity), of which the first to fill cancels the rest.
    Bracket,
    /// The first order's fill releases the others (one-triggers-other).
    Oto,
    /// The first to fill cancels the others (one-cancels-other).
    Oco,
}

/// Orders submitted together, tied as `kind` says; the venue handles the
/// ties itself (a released child can fill on its parent's bar, after the
/// parent along the bar's path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderList {
    pub kind: ListKind,
    pub orders: Vec<SubmitOrder>,
}

impl OrderList {
    /// `entry` with a stop-loss at `stop_loss` (a stop market order) and a
    /// take-profit at `take_profit` (a limit order), either optional.
    #[must_use]
    pub fn bracket(
        entry: SubmitOrder,
        stop_loss: Option<crate::core::Price>,
        take_profit: Option<crate::core::Price>,
    ) -> Self {
        // Side, size and instrument are the entry's (the engine sets them
        // again from the stored entry).
        let exit =
            |kind| SubmitOrder::new(entry.instrument, entry.side.opposite(), kind, entry.size);
        let mut orders = Vec::with_capacity(3);
        if let Some(trigger_price) = stop_loss {
            orders.push(exit(OrderKind::StopMarket { trigger_price }));
        }
        if let Some(price) = take_profit {
            orders.push(exit(OrderKind::Limit { price }));
        }
        orders.insert(0, entry);
        Self {
            kind: ListKind::Bracket,
            orders,
        }
    }
}

/// Everything a strategy can ask the engine to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TradingCommand {
    Submit(SubmitOrder),
    SubmitList(Box<OrderList>),
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
