//! Order, position and account events. Every event carries `ts_event` (when
//! it happened) and `ts_init` (when the engine created the object).

use std::sync::Arc;

use serde::Serialize;

use super::enums::{LiquiditySide, OrderSide, PositionSide};
use super::identifiers::{
    AccountId, InstrumentId, OrderIndex, PositionId, StrategyId, TradeId, VenueOrderId,
};
use super::money::{AccountBalance, Money};
use super::price::Price;
use super::quantity::Quantity;
use super::time::UnixNanos;

/// One fill of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderFilled {
    pub trade_id: TradeId,
    pub venue_order_id: VenueOrderId,
    pub position_id: Option<PositionId>,
    pub order_side: OrderSide,
    pub last_qty: Quantity,
    pub last_px: Price,
    pub commission: Money,
    pub liquidity_side: LiquiditySide,
}

/// New terms of a working order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderUpdated {
    pub quantity: Quantity,
    pub price: Option<Price>,
    pub trigger_price: Option<Price>,
    /// Why the venue changed the terms itself (e.g. a fraction sized at
    /// the fill); `None` for an update the strategy asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Arc<str>>,
}

/// What happened to an order; the FSM in `model::orders::fsm` decides which
/// kinds are legal from which status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderEventKind {
    Initialized,
    Denied {
        reason: Arc<str>,
    },
    Submitted,
    Accepted {
        venue_order_id: VenueOrderId,
    },
    Rejected {
        reason: Arc<str>,
    },
    Canceled,
    Expired,
    Triggered,
    PendingUpdate,
    PendingCancel,
    /// Boxed like fills: the rare large kinds stay out of line so every
    /// event kept in an order's history stays small.
    Updated(Box<OrderUpdated>),
    Filled(Box<OrderFilled>),
}

impl OrderEventKind {
    /// The event's name as written in `orders.csv`.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Initialized => "INITIALIZED",
            Self::Denied { .. } => "DENIED",
            Self::Submitted => "SUBMITTED",
            Self::Accepted { .. } => "ACCEPTED",
            Self::Rejected { .. } => "REJECTED",
            Self::Canceled => "CANCELED",
            Self::Expired => "EXPIRED",
            Self::Triggered => "TRIGGERED",
            Self::PendingUpdate => "PENDING_UPDATE",
            Self::PendingCancel => "PENDING_CANCEL",
            Self::Updated(_) => "UPDATED",
            Self::Filled(_) => "FILLED",
        }
    }
}

/// An event about one order, which it names by its cache index (the
/// order holds its ids; every order keeps its events for the run, so they
/// carry no copy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderEvent {
    #[serde(skip)]
    pub order: OrderIndex,
    pub kind: OrderEventKind,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// What happened to a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PositionEventKind {
    Opened,
    Changed,
    Closed,
}

/// A snapshot of a position after a fill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PositionEvent {
    pub kind: PositionEventKind,
    pub position_id: PositionId,
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub side: PositionSide,
    /// Signed quantity raw at the global scale: + long, − short.
    pub signed_qty_raw: i128,
    pub realized_pnl: Money,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// An account's balances after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountState {
    pub account_id: AccountId,
    pub balances: Vec<AccountBalance>,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::currency::Currency;

    #[test]
    fn events_serialize_with_their_names() {
        let event = OrderEvent {
            order: OrderIndex(0),
            kind: OrderEventKind::Denied {
                reason: Arc::from("max quantity"),
            },
            ts_event: UnixNanos(1),
            ts_init: UnixNanos(1),
        };
        let json = serde_json::to_string(&event).unwrap();
        assert!(json.contains("\"type\":\"DENIED\""), "{json}");
        assert!(json.contains("\"reason\":\"max quantity\""), "{json}");
        assert_eq!(event.kind.name(), "DENIED");
    }

    #[test]
    fn events_stay_small_because_orders_keep_their_history() {
        // Fills and updates are boxed; the largest inline kinds are a
        // 16-byte id or reason. A million orders keep four events each.
        assert!(
            std::mem::size_of::<OrderEvent>() <= 48,
            "{}",
            std::mem::size_of::<OrderEvent>()
        );
        assert_eq!(
            std::mem::size_of::<Option<crate::core::identifiers::VenueOrderId>>(),
            16
        );
    }

    #[test]
    fn account_state_carries_balances() {
        let balance = AccountBalance::unlocked(Money::new(5, Currency::USD));
        let state = AccountState {
            account_id: AccountId::new("SIM-001").unwrap(),
            balances: vec![balance],
            ts_event: UnixNanos(2),
            ts_init: UnixNanos(2),
        };
        assert_eq!(state.balances[0].free.raw, 5);
    }
}
