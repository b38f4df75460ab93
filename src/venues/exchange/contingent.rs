//! The venue's side of contingent orders: it holds a released order
//! until its parent fills, then puts it to work and matches it against the
//! rest of that bar's path; the first fill of an OCO order cancels its
//! siblings before the bar goes on. The ties are read from
//! `Cache::contingencies`.

use std::sync::Arc;

use crate::core::Quantity;
use crate::core::UnixNanos;
use crate::core::enums::{OrderSide, TimeInForce};
use crate::core::events::{OrderEventKind, OrderUpdated};
use crate::core::identifiers::OrderIndex;
use crate::core::time::NANOS_PER_DAY;
use crate::engine::matching::Match;
use crate::model::data::Bar;
use crate::model::orders::{Order, OrderKind};
use crate::state::cache::Cache;

use super::{ExchangeError, SimulatedExchange, WorkingTerms, emit};

impl SimulatedExchange {
    /// Puts an accepted order to work in its instrument's book, with its
    /// time in force.
    #[inline]
    pub(super) fn work(&mut self, terms: WorkingTerms, ts: UnixNanos) {
        let WorkingTerms {
            order,
            instrument,
            side,
            kind,
            time_in_force,
            expire_time,
        } = terms;
        let Some(Some(core)) = self.cores.get_mut(instrument.get()) else {
            return;
        };
        let trails = matches!(
            kind,
            OrderKind::TrailingStopMarket { .. } | OrderKind::TrailingStopLimit { .. }
        );
        let spec = if trails {
            self.trailing_specs
                .iter()
                .position(|(o, _)| *o == order)
                .map(|at| self.trailing_specs.swap_remove(at).1)
        } else {
            None
        };
        match spec {
            Some(spec) => core.add_trailing(order, side, kind, spec),
            None => core.add(order, side, kind, false),
        }
        match (time_in_force, expire_time) {
            // Bars fill whole orders, so fill-or-kill and immediate-or-cancel coincide.
            (TimeInForce::Ioc | TimeInForce::Fok, _) => {
                self.immediate.push((instrument, order));
            }
            (TimeInForce::Gtd, Some(deadline)) => {
                self.expiries.push((deadline, instrument, order));
            }
            (TimeInForce::Day, _) => {
                let end_of_day = UnixNanos((ts.day_number() + 1) * NANOS_PER_DAY - 1);
                self.expiries.push((end_of_day, instrument, order));
            }
            _ => {}
        }
    }

    /// Takes `order` out of the held orders, if it is there.
    pub(super) fn unhold(&mut self, order: OrderIndex) -> Option<WorkingTerms> {
        let at = self.held.iter().position(|(_, t)| t.order == order)?;
        Some(self.held.remove(at).1)
    }

    /// Cancels what `parent`, closed without a fill, was holding.
    // Inlined for the check: most venues hold nothing, and every cancel asks.
    #[inline]
    pub(super) fn cancel_held_children(&mut self, parent: OrderIndex, ts: UnixNanos) {
        if !self.held.is_empty() {
            self.cancel_held_by(parent, ts);
        }
    }

    #[inline(never)]
    fn cancel_held_by(&mut self, parent: OrderIndex, ts: UnixNanos) {
        let mut k = 0;
        while k < self.held.len() {
            if self.held[k].0 == parent {
                let (_, terms) = self.held.remove(k);
                // Which cancels what a held order holds in turn.
                self.cancel_by_venue(terms.order, "its parent order closed without a fill", ts);
                k = 0;
            } else {
                k += 1;
            }
        }
    }

    /// After `order` filled `qty` at match `m`: releases the orders its
    /// fill holds (matched at once against the rest of `bar`, from the
    /// fill on), resizes released exits to what it has filled, and on its
    /// first fill cancels the orders it cancels (OCO).
    pub(super) fn after_contingent_fill(
        &mut self,
        order: &Order,
        qty: Quantity,
        m: &Match,
        bar: &Bar,
        cache: &Cache,
    ) -> Result<(), ExchangeError> {
        let Some(links) = cache.contingencies.of(order.index) else {
            return Ok(());
        };
        let ts = bar.ts_init;
        if order.filled_qty.is_zero() {
            for &sibling in &links.cancels {
                if !cache.order(sibling).is_some_and(Order::is_open) {
                    continue;
                }
                // Held, resting, or matched by this bar and not yet filled.
                let pending = self.matches[self.next_match..]
                    .iter()
                    .position(|n| n.order == sibling);
                if let Some(at) = pending {
                    self.matches.remove(self.next_match + at);
                }
                let removed = pending.is_some()
                    || self.unhold(sibling).is_some()
                    || self
                        .cores
                        .get_mut(order.instrument.get())
                        .and_then(Option::as_mut)
                        .is_some_and(|core| core.remove(sibling));
                if removed {
                    let reason = format!("one-cancels-other: {} filled", order.client_order_id);
                    self.cancel_by_venue(sibling, &reason, ts);
                }
            }
        }
        let filled = Quantity {
            raw: order.filled_qty.raw + qty.raw,
            precision: qty.precision,
        };
        for &child in &links.children {
            let Some(child_order) = cache.order(child) else {
                continue;
            };
            let sized = cache
                .contingencies
                .of(child)
                .is_some_and(|c| c.sized_by_parent);
            if sized && child_order.is_open() && child_order.quantity != filled {
                let update = OrderUpdated {
                    quantity: filled,
                    price: child_order.kind.price(),
                    trigger_price: child_order.kind.trigger_price(),
                    reason: Some(Arc::from(format!(
                        "the quantity {} has filled",
                        order.client_order_id
                    ))),
                };
                emit(&mut self.events, child, ts, || {
                    OrderEventKind::Updated(Box::new(update))
                });
            }
            let Some(terms) = self.unhold(child) else {
                continue;
            };
            self.work(terms, ts);
            let net = cache.net_qty_raw(None, order.instrument)
                + match m.side {
                    OrderSide::Buy => qty.signed_raw(),
                    OrderSide::Sell => -qty.signed_raw(),
                };
            let path = self
                .config
                .fill
                .path(i32::from(net > 0) - i32::from(net < 0));
            let start = m.price;
            let released = self
                .cores
                .get_mut(order.instrument.get())
                .and_then(Option::as_mut)
                .and_then(|core| {
                    core.match_rest_of_bar(
                        child,
                        bar,
                        path,
                        (m.path_time, start),
                        &mut self.triggered,
                    )
                });
            // A trailing stop walked the rest of the bar, and may have
            // triggered.
            self.report_unfilled_changes(bar, cache);
            if let Some(released) = released {
                // After the fill that released it, in path order among
                // the bar's matches still to fill.
                let rest = &self.matches[self.next_match..];
                let at =
                    self.next_match + rest.partition_point(|n| n.path_time <= released.path_time);
                self.matches.insert(at, released);
            }
        }
        Ok(())
    }
}
