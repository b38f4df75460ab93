//! The execution engine: applies order events to the cache and keeps
//! positions in step with fills, per OMS type. Venues are reached only
//! through the [`ExecutionClient`] trait defined here.

use crate::core::enums::{OmsType, OrderSide};
use crate::core::events::{
    OrderEvent, OrderEventKind, OrderFilled, PositionEvent, PositionEventKind,
};
use crate::core::fixed::{self, FixedError};
use crate::core::identifiers::{
    IdPrefix, IdentifierError, InstrumentIndex, OrderIndex, PositionId, StrategyId, StrategyIndex,
};
use crate::core::{Quantity, UnixNanos};
use crate::model::instruments::Instrument;
use crate::model::orders::{Order, OrderError};
use crate::model::position::{Position, PositionFill};
use crate::state::cache::Cache;

/// What a venue needs beyond the order itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routing {
    /// The order whose fill releases this one (OTO, a bracket's exits):
    /// the venue accepts it and holds it until then.
    pub held_by: Option<OrderIndex>,
    /// How a trailing stop's trigger trails (boxed: most orders do not,
    /// and the command travels by value).
    pub trailing: Option<Box<crate::model::orders::trailing::TrailingSpec>>,
}

/// A venue as the engine sees it.
pub trait ExecutionClient {
    /// Takes a new order (already approved by risk), routed as `routing` says.
    fn submit_order(&mut self, order: &Order, routing: Routing, ts: UnixNanos);
    /// Asks to cancel a working order.
    fn cancel_order(&mut self, order: &Order, ts: UnixNanos);
    /// Moves the events produced so far into `out`.
    fn drain_events(&mut self, out: &mut Vec<OrderEvent>);
}

/// Why an event could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecutionError {
    #[error(transparent)]
    Order(#[from] OrderError),
    #[error(transparent)]
    Fixed(#[from] FixedError),
    #[error(transparent)]
    Identifier(#[from] IdentifierError),
    #[error("event for unknown order {0}")]
    UnknownOrder(String),
}

/// Whose order an event was for and what a fill did to positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventOutcome {
    pub strategy: StrategyIndex,
    pub instrument: InstrumentIndex,
    /// Realized PnL before commissions of a fill, in the settlement
    /// currency (zero for other events).
    pub realized_raw: i128,
}

/// Applies events; owns the position numbering.
#[derive(Debug)]
pub struct ExecutionEngine {
    strategy_ids: Vec<StrategyId>,
    position_sequence: u64,
    position_id_prefix: IdPrefix,
}

/// On a hedging venue, the exits a filled entry releases (a bracket's
/// stop-loss and take-profit) close the position the entry traded, not
/// whatever the strategy holds net: they name that position.
fn tie_exits_to_position(cache: &mut Cache, entry: OrderIndex) {
    let Some(links) = cache.contingencies.of(entry) else {
        return;
    };
    let exits: Vec<OrderIndex> = links
        .children
        .iter()
        .copied()
        .filter(|child| {
            cache
                .contingencies
                .of(*child)
                .is_some_and(|c| c.sized_by_parent)
        })
        .collect();
    let Some(id) = cache.order(entry).and_then(|o| o.position_id.clone()) else {
        return;
    };
    for exit in exits {
        cache.set_order_position(exit, id.clone());
    }
}

impl ExecutionEngine {
    #[must_use]
    pub fn new(strategy_ids: Vec<StrategyId>) -> Self {
        Self {
            strategy_ids,
            position_sequence: 0,
            position_id_prefix: IdPrefix::after("P", '-'),
        }
    }

    fn next_position_id(&mut self) -> Result<PositionId, IdentifierError> {
        let id = PositionId::after(&self.position_id_prefix, self.position_sequence);
        self.position_sequence += 1;
        Ok(id)
    }

    /// Applies an event that only moves an order's status (anything but a
    /// fill) and returns the order's strategy.
    ///
    /// # Errors
    /// For an unknown order or an illegal transition.
    // Inlined: this is most events (an order's submit, accept and cancel),
    // and it is a lookup and the order's transition.
    #[inline]
    pub fn apply_status(
        cache: &mut Cache,
        event: &OrderEvent,
    ) -> Result<StrategyIndex, ExecutionError> {
        debug_assert!(!matches!(event.kind, OrderEventKind::Filled(_)));
        let (order, _) = apply(cache, event)?;
        Ok(order.strategy)
    }

    /// Applies a fill (`event`, whose terms are `fill`) to its order and
    /// to positions under the OMS type of the order's instrument
    /// (`instrument_oms`, by instrument index); position events are
    /// appended to `position_events`.
    ///
    /// # Errors
    /// For an unknown order, an illegal transition or arithmetic overflow.
    pub fn process_fill(
        &mut self,
        cache: &mut Cache,
        instrument_oms: &[OmsType],
        event: &OrderEvent,
        fill: FillTerms,
        position_events: &mut Vec<PositionEvent>,
    ) -> Result<EventOutcome, ExecutionError> {
        let index = event.order;
        let (order, ts) = apply(cache, event)?;
        let mut outcome = EventOutcome {
            strategy: order.strategy,
            instrument: order.instrument,
            realized_raw: 0,
        };
        let (strategy, instrument_index) = (outcome.strategy, outcome.instrument);
        let position_id = order.position_id.clone();
        let oms = instrument_oms
            .get(instrument_index.get())
            .copied()
            .unwrap_or(OmsType::Unspecified);
        let target = match oms {
            OmsType::Hedging => position_id
                .as_ref()
                .and_then(|id| cache.open_position_by_id(id)),
            OmsType::Netting | OmsType::Unspecified => {
                cache.net_position(strategy, instrument_index)
            }
        };
        let mut opening = fill.last_qty;
        let mut commission_left = fill.commission.raw;
        if let Some(pos_index) = target {
            let (closing, rest) = cache.position(pos_index).map_or(
                (Quantity::zero(fill.last_qty.precision), fill.last_qty),
                |p| p.split_fill(fill.order_side, fill.last_qty),
            );
            let qty = if closing.is_zero() { rest } else { closing };
            // The closing part carries its share of the commission.
            let commission = if rest.is_zero() || closing.is_zero() {
                fill.commission.raw
            } else {
                fixed::div_round_half_up(
                    fill.commission.raw * closing.signed_raw(),
                    fill.last_qty.signed_raw(),
                )?
            };
            let part = PositionFill {
                side: fill.order_side,
                qty,
                px: fill.last_px,
                commission_raw: commission,
                ts,
            };
            let (position, instrument) = cache
                .position_with_instrument(pos_index, instrument_index)
                .ok_or_else(|| ExecutionError::UnknownOrder("position".into()))?;
            let gross_before = position.realized_pnl_raw + position.commissions_raw;
            position.apply(instrument, part)?;
            outcome.realized_raw =
                position.realized_pnl_raw + position.commissions_raw - gross_before;
            let closed = position.is_closed();
            let kind = if closed {
                PositionEventKind::Closed
            } else {
                PositionEventKind::Changed
            };
            position_events.push(self.position_event(position, instrument, kind, ts)?);
            if closed {
                cache.close_position(pos_index);
            }
            opening = if closing.is_zero() {
                Quantity::zero(rest.precision)
            } else {
                rest
            };
            commission_left -= commission;
        }
        if !opening.is_zero() {
            let id = match (oms, position_id) {
                (OmsType::Hedging, Some(id)) if target.is_none() => id,
                _ => self.next_position_id()?,
            };
            let part = PositionFill {
                side: fill.order_side,
                qty: opening,
                px: fill.last_px,
                commission_raw: commission_left,
                ts,
            };
            let instrument = cache.instrument(instrument_index).ok_or_else(|| {
                ExecutionError::UnknownOrder(format!("instrument {}", instrument_index.0))
            })?;
            let position = Position::open(id, strategy, instrument, instrument_index, part)?;
            position_events.push(self.position_event(
                &position,
                instrument,
                PositionEventKind::Opened,
                ts,
            )?);
            let opened_id = position.id.clone();
            cache.add_position(position, oms != OmsType::Hedging);
            cache.set_order_position(index, opened_id);
        }
        if oms == OmsType::Hedging {
            tie_exits_to_position(cache, index);
        }
        Ok(outcome)
    }

    fn position_event(
        &self,
        position: &Position,
        instrument: &Instrument,
        kind: PositionEventKind,
        ts: UnixNanos,
    ) -> Result<PositionEvent, ExecutionError> {
        let strategy_id = self
            .strategy_ids
            .get(position.strategy.get())
            .cloned()
            .ok_or_else(|| {
                ExecutionError::UnknownOrder(format!("strategy {}", position.strategy.0))
            })?;
        Ok(PositionEvent {
            kind,
            position_id: position.id.clone(),
            strategy_id,
            instrument_id: instrument.id.clone(),
            side: position.side,
            signed_qty_raw: position.signed_qty_raw,
            realized_pnl: position.realized_pnl(),
            ts_event: ts,
            ts_init: ts,
        })
    }
}

/// Applies `event` to its order in the cache: the order and the event's time.
fn apply<'c>(
    cache: &'c mut Cache,
    event: &OrderEvent,
) -> Result<(&'c Order, UnixNanos), ExecutionError> {
    let (index, ts) = (event.order, event.ts_event);
    let order = cache
        .apply_event(event)?
        .ok_or_else(|| ExecutionError::UnknownOrder(format!("index {}", index.0)))?;
    Ok((order, ts))
}

/// The parts of a fill that positions and the account need (all Copy), so
/// the fill path reads them once, without matching the event again.
#[derive(Debug, Clone, Copy)]
pub struct FillTerms {
    order_side: OrderSide,
    last_qty: Quantity,
    last_px: crate::core::Price,
    commission: crate::core::Money,
}

impl FillTerms {
    #[must_use]
    pub const fn of(fill: &OrderFilled) -> Self {
        Self {
            order_side: fill.order_side,
            last_qty: fill.last_qty,
            last_px: fill.last_px,
            commission: fill.commission,
        }
    }

    #[must_use]
    pub const fn currency(&self) -> crate::core::currency::Currency {
        self.commission.currency
    }
}

/// The side that closes a position of signed quantity `signed_qty_raw`.
#[must_use]
pub const fn closing_side(signed_qty_raw: i128) -> OrderSide {
    if signed_qty_raw > 0 {
        OrderSide::Sell
    } else {
        OrderSide::Buy
    }
}
