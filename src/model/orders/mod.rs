//! Orders: one [`Order`] struct with an [`OrderKind`], changed only by
//! [`Order::apply`] through the table in [`fsm`].

pub mod contingency;
pub mod factory;
pub mod fsm;
pub mod trailing;

use serde::Serialize;

use crate::core::enums::{OrderSide, OrderStatus, OrderType, TimeInForce};
use crate::core::events::{OrderEvent, OrderEventKind};
use crate::core::fixed::{self, FIXED_SCALAR, FixedError};
use crate::core::identifiers::{
    ClientOrderId, InstrumentIndex, OrderIndex, PositionId, StrategyIndex, TagIndex, VenueOrderId,
};
use crate::core::{Money, Price, Quantity, UnixNanos};

pub use factory::OrderFactory;
use fsm::Transition;

/// What kind of order, with the prices that kind needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderKind {
    Market,
    Limit {
        price: Price,
    },
    StopMarket {
        trigger_price: Price,
    },
    StopLimit {
        price: Price,
        trigger_price: Price,
    },
    /// Buys below / sells above the market once touched, then fills at market.
    MarketIfTouched {
        trigger_price: Price,
    },
    /// Triggers as a market-if-touched order does, then works as a limit
    /// at `price`.
    LimitIfTouched {
        price: Price,
        trigger_price: Price,
    },
    /// A stop-market whose trigger trails the market (the venue moves it;
    /// the distance is in `Cache::trailing`).
    TrailingStopMarket {
        trigger_price: Price,
    },
    /// A stop-limit whose trigger and limit trail the market.
    TrailingStopLimit {
        price: Price,
        trigger_price: Price,
    },
}

impl OrderKind {
    #[must_use]
    pub const fn order_type(self) -> OrderType {
        match self {
            Self::Market => OrderType::Market,
            Self::Limit { .. } => OrderType::Limit,
            Self::StopMarket { .. } => OrderType::StopMarket,
            Self::StopLimit { .. } => OrderType::StopLimit,
            Self::MarketIfTouched { .. } => OrderType::MarketIfTouched,
            Self::LimitIfTouched { .. } => OrderType::LimitIfTouched,
            Self::TrailingStopMarket { .. } => OrderType::TrailingStopMarket,
            Self::TrailingStopLimit { .. } => OrderType::TrailingStopLimit,
        }
    }

    /// The limit price, if the kind has one.
    #[must_use]
    pub const fn price(self) -> Option<Price> {
        match self {
            Self::Limit { price }
            | Self::StopLimit { price, .. }
            | Self::LimitIfTouched { price, .. }
            | Self::TrailingStopLimit { price, .. } => Some(price),
            _ => None,
        }
    }

    /// The trigger price, if the kind has one.
    #[must_use]
    pub const fn trigger_price(self) -> Option<Price> {
        match self {
            Self::StopMarket { trigger_price }
            | Self::StopLimit { trigger_price, .. }
            | Self::MarketIfTouched { trigger_price }
            | Self::LimitIfTouched { trigger_price, .. }
            | Self::TrailingStopMarket { trigger_price }
            | Self::TrailingStopLimit { trigger_price, .. } => Some(trigger_price),
            _ => None,
        }
    }
}

/// An event that the order cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("order {order}: invalid transition {from} -> {event}")]
    InvalidStateTransition {
        order: ClientOrderId,
        from: OrderStatus,
        event: &'static str,
    },
    #[error("order {order}: fill of {fill} exceeds the {leaves} left")]
    Overfill {
        order: ClientOrderId,
        fill: Quantity,
        leaves: Quantity,
    },
    #[error("order {order}: accepted as {renamed} after the venue named it {named}")]
    Renamed {
        order: ClientOrderId,
        named: VenueOrderId,
        renamed: VenueOrderId,
    },
    #[error("order {order}: {source}")]
    Fixed {
        order: ClientOrderId,
        source: FixedError,
    },
}

/// An order and everything that happened to it.
#[derive(Debug, Clone)]
pub struct Order {
    pub index: OrderIndex,
    pub client_order_id: ClientOrderId,
    pub strategy: StrategyIndex,
    pub instrument: InstrumentIndex,
    pub side: OrderSide,
    pub kind: OrderKind,
    pub quantity: Quantity,
    pub time_in_force: TimeInForce,
    pub expire_time: Option<UnixNanos>,
    pub reduce_only: bool,
    /// In HEDGING mode, the position this order trades (None opens a new one).
    pub position_id: Option<PositionId>,
    /// The order's tag, its text in the cache's tag table (see
    /// `Cache::order_tag`): an index, so an order owns nothing to drop.
    pub tag: Option<TagIndex>,
    /// A fractional size still to convert: the share of the free balance
    /// (margin accounts: of the available margin) the order spends, raw at
    /// the global scale (at most 1.0 = 10^9: 32 bits keep orders small).
    /// `quantity` is then provisional, and the venue sizes the order again
    /// at its first fill, at the fill price.
    pub size_fraction: Option<u32>,
    pub status: OrderStatus,
    pub venue_order_id: Option<VenueOrderId>,
    pub filled_qty: Quantity,
    /// Σ fill qty × fill price at the global scale, for the average price.
    fill_value_raw: i128,
    pub is_triggered: bool,
    pub ts_init: UnixNanos,
    pub ts_last: UnixNanos,
}

/// The fields a new order is made of; see [`OrderFactory`].
#[derive(Debug, Clone)]
pub struct OrderInit {
    pub strategy: StrategyIndex,
    pub instrument: InstrumentIndex,
    pub side: OrderSide,
    pub kind: OrderKind,
    pub quantity: Quantity,
    pub time_in_force: TimeInForce,
    pub expire_time: Option<UnixNanos>,
    pub reduce_only: bool,
    pub position_id: Option<PositionId>,
    pub tag: Option<TagIndex>,
    pub size_fraction: Option<u32>,
}

impl Order {
    /// A new order in INITIALIZED (that first event is implied by `ts_init`;
    /// see `Cache::order_records`).
    #[must_use]
    pub fn new(
        index: OrderIndex,
        client_order_id: ClientOrderId,
        init: OrderInit,
        ts_init: UnixNanos,
    ) -> Self {
        Self {
            index,
            client_order_id,
            strategy: init.strategy,
            instrument: init.instrument,
            side: init.side,
            kind: init.kind,
            quantity: init.quantity,
            time_in_force: init.time_in_force,
            expire_time: init.expire_time,
            reduce_only: init.reduce_only,
            position_id: init.position_id,
            tag: init.tag,
            size_fraction: init.size_fraction,
            status: OrderStatus::Initialized,
            venue_order_id: None,
            filled_qty: Quantity::zero(init.quantity.precision),
            fill_value_raw: 0,
            is_triggered: false,
            ts_init,
            ts_last: ts_init,
        }
    }

    /// Quantity still to fill.
    #[must_use]
    pub fn leaves_qty(&self) -> Quantity {
        Quantity {
            raw: self.quantity.raw.saturating_sub(self.filled_qty.raw),
            precision: self.quantity.precision,
        }
    }

    #[must_use]
    pub const fn order_type(&self) -> OrderType {
        self.kind.order_type()
    }

    #[must_use]
    pub const fn is_open(&self) -> bool {
        self.status.is_open()
    }

    #[must_use]
    pub const fn is_closed(&self) -> bool {
        self.status.is_terminal()
    }

    /// The volume-weighted average fill price, at the price precision plus
    /// the digits the averaging needs (up to the global scale).
    #[must_use]
    pub fn avg_px(&self) -> Option<Price> {
        if self.filled_qty.raw == 0 {
            return None;
        }
        let scaled = self.fill_value_raw.checked_mul(FIXED_SCALAR)?;
        let raw = fixed::div_round_half_up(scaled, self.filled_qty.signed_raw()).ok()?;
        Price::from_raw(raw, fixed::FIXED_PRECISION).ok()
    }

    /// Applies `event` through the FSM, updating fills (the cache keeps
    /// the history). An illegal event leaves the order unchanged.
    ///
    /// # Errors
    /// [`OrderError::InvalidStateTransition`] for an event the current
    /// status does not allow, [`OrderError::Overfill`] for a fill larger than
    /// what is left.
    pub fn apply(&mut self, event: &OrderEvent) -> Result<(), OrderError> {
        let Some(transition) = fsm::transition(self.status, &event.kind) else {
            return Err(OrderError::InvalidStateTransition {
                order: self.client_order_id.clone(),
                from: self.status,
                event: event.kind.name(),
            });
        };
        let next = match (&event.kind, transition) {
            (OrderEventKind::Filled(fill), Transition::Fill) => {
                let leaves = self.leaves_qty();
                if fill.last_qty > leaves || fill.last_qty.is_zero() {
                    return Err(OrderError::Overfill {
                        order: self.client_order_id.clone(),
                        fill: fill.last_qty,
                        leaves,
                    });
                }
                let value =
                    fill.last_px
                        .notional(fill.last_qty)
                        .map_err(|source| OrderError::Fixed {
                            order: self.client_order_id.clone(),
                            source,
                        })?;
                self.fill_value_raw += value;
                self.filled_qty.raw += fill.last_qty.raw;
                self.venue_order_id
                    .get_or_insert_with(|| fill.venue_order_id.clone());
                if self.filled_qty.raw == self.quantity.raw {
                    OrderStatus::Filled
                } else {
                    OrderStatus::PartiallyFilled
                }
            }
            (_, Transition::To(status)) => status,
            (_, Transition::Fill) => self.status,
        };
        match &event.kind {
            OrderEventKind::Accepted { venue_order_id } => {
                // A venue names an order once (an acceptance after a
                // refused cancel or update repeats the name), and the
                // run's event log reads every acceptance's id from here.
                if let Some(named) = &self.venue_order_id
                    && named != venue_order_id
                {
                    return Err(OrderError::Renamed {
                        order: self.client_order_id.clone(),
                        named: named.clone(),
                        renamed: venue_order_id.clone(),
                    });
                }
                self.venue_order_id = Some(venue_order_id.clone());
            }
            OrderEventKind::Triggered => self.is_triggered = true,
            OrderEventKind::Updated(update) => {
                self.quantity = update.quantity;
                self.kind = match (self.kind, &update.price, &update.trigger_price) {
                    (OrderKind::Limit { .. }, Some(p), _) => OrderKind::Limit { price: *p },
                    (OrderKind::StopMarket { .. }, _, Some(t)) => {
                        OrderKind::StopMarket { trigger_price: *t }
                    }
                    (OrderKind::MarketIfTouched { .. }, _, Some(t)) => {
                        OrderKind::MarketIfTouched { trigger_price: *t }
                    }
                    (OrderKind::TrailingStopMarket { .. }, _, Some(t)) => {
                        OrderKind::TrailingStopMarket { trigger_price: *t }
                    }
                    (
                        OrderKind::TrailingStopLimit {
                            price: old_p,
                            trigger_price: old_t,
                        },
                        p,
                        t,
                    ) => OrderKind::TrailingStopLimit {
                        price: p.unwrap_or(old_p),
                        trigger_price: t.unwrap_or(old_t),
                    },
                    (
                        OrderKind::StopLimit {
                            price: old_p,
                            trigger_price: old_t,
                        },
                        p,
                        t,
                    ) => OrderKind::StopLimit {
                        price: p.unwrap_or(old_p),
                        trigger_price: t.unwrap_or(old_t),
                    },
                    (
                        OrderKind::LimitIfTouched {
                            price: old_p,
                            trigger_price: old_t,
                        },
                        p,
                        t,
                    ) => OrderKind::LimitIfTouched {
                        price: p.unwrap_or(old_p),
                        trigger_price: t.unwrap_or(old_t),
                    },
                    (kind, _, _) => kind,
                };
            }
            _ => {}
        }
        self.status = next;
        self.ts_last = event.ts_event;
        Ok(())
    }
}

/// An order with its history, as a finished run reports it.
#[derive(Debug, Clone)]
pub struct OrderRecord {
    pub order: Order,
    /// Every event the order took, oldest first.
    pub events: Vec<OrderEvent>,
}

impl OrderRecord {
    /// The commission of each fill, in fill order.
    pub fn commissions(&self) -> impl Iterator<Item = Money> + '_ {
        self.events.iter().filter_map(|e| match &e.kind {
            OrderEventKind::Filled(fill) => Some(fill.commission),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests;
