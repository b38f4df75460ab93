//! A match becomes a fill: sized (a fraction at the fill), cut to the
//! position a reduce-only order may trade and to the bar's volume, priced
//! with slippage, checked against the account, booked, and followed by
//! what it releases or cancels; and the venue's own cancels.

use std::sync::Arc;

use crate::core::enums::{LiquiditySide, OmsType, OrderSide};
use crate::core::events::{OrderEventKind, OrderFilled, OrderUpdated};
use crate::core::identifiers::{OrderIndex, TradeId};
use crate::core::{Money, Price, Quantity, UnixNanos};
use crate::engine::matching::{Match, MatchReason};
use crate::model::data::Bar;
use crate::model::instruments::Instrument;
use crate::model::orders::{Order, OrderKind};
use crate::state::cache::Cache;

use super::{ExchangeError, SimulatedExchange, emit};

impl SimulatedExchange {
    pub(super) fn fill(
        &mut self,
        m: &Match,
        bar: &Bar,
        instrument: &Instrument,
        cache: &Cache,
        ts: UnixNanos,
    ) -> Result<(), ExchangeError> {
        // An order canceled earlier on this bar (the sibling of a filled
        // OCO order) no longer fills.
        let Some(order) = cache.order(m.order).filter(|o| o.is_open()) else {
            return Ok(());
        };
        let taker = matches!(m.reason, MatchReason::Market | MatchReason::Stop);
        let liquidity = if taker {
            LiquiditySide::Taker
        } else {
            LiquiditySide::Maker
        };
        let mut qty = order.leaves_qty();
        // A fractional size becomes its quantity now, at the fill price
        // and with the balances the bar's earlier fills left.
        if let Some(fraction) = order.size_fraction
            && order.filled_qty.is_zero()
        {
            let (sized, sized_at, capped) =
                self.size_at_fill(order, fraction.into(), m, bar, instrument, cache, liquidity)?;
            if sized.is_zero() {
                let reason = if capped {
                    "sized at fill: the [risk] limits leave no room"
                } else {
                    "sized at fill: the balance buys no whole lot at the fill price"
                };
                self.cancel_by_venue(m.order, reason, ts);
                return Ok(());
            }
            if sized != order.quantity {
                let update = OrderUpdated {
                    quantity: sized,
                    price: order.kind.price(),
                    trigger_price: order.kind.trigger_price(),
                    reason: Some(Arc::from(format!(
                        "sized at fill: {sized} at {sized_at}{}, submitted as {}",
                        if capped {
                            " (cut to the [risk] limits)"
                        } else {
                            ""
                        },
                        order.quantity
                    ))),
                };
                emit(&mut self.events, m.order, ts, || {
                    OrderEventKind::Updated(Box::new(update))
                });
            }
            qty = sized;
        }
        // A reduce-only order trades at most the position it reduces as it
        // stands at this fill (earlier fills of the bar included), so two
        // exits reached on one bar cannot flip the position.
        let mut cut_short = false;
        if order.reduce_only {
            let reducible = self.reducible_raw(order, m.side, cache);
            if reducible == 0 {
                self.cancel_by_venue(m.order, "reduce-only: no position left to reduce", ts);
                return Ok(());
            }
            if reducible < qty.signed_raw() {
                qty = Quantity::from_raw(reducible, qty.precision)?;
                cut_short = true;
            }
        }
        // The bar's volume caps what fills on it; the rest stays working.
        let mut capped = false;
        if let Some(share) = self.config.max_volume_share
            && bar.volume > 0
        {
            let unit = instrument.size_increment.signed_raw().max(1);
            let cap = crate::core::fixed::mul_raw(i128::from(bar.volume), share)?;
            let room = ((cap - self.bar_volume_raw) / unit * unit).max(0);
            if room < qty.signed_raw() {
                capped = true;
                if room == 0 {
                    self.rest_again(m, order);
                    return Ok(());
                }
                qty = Quantity::from_raw(room, qty.precision)?;
            }
        }
        // A settlement trades at the outcome's price, free.
        let px = self.fill_price(
            m,
            bar,
            instrument,
            qty.signed_raw(),
            taker && !self.settling,
        )?;
        let notional = instrument.notional_raw(qty.signed_raw(), px)?;
        let commission = if self.settling {
            0
        } else {
            self.fees_for(order.instrument).commission_raw(
                liquidity,
                notional,
                qty,
                order.filled_qty.is_zero(),
            )?
        };
        let currency = instrument.settlement_currency();
        let signed = match m.side {
            OrderSide::Buy => qty.signed_raw(),
            OrderSide::Sell => -qty.signed_raw(),
        };
        if m.triggered
            && !order.is_triggered
            && matches!(
                order.kind,
                OrderKind::StopLimit { .. }
                    | OrderKind::LimitIfTouched { .. }
                    | OrderKind::TrailingStopLimit { .. }
            )
        {
            emit(&mut self.events, m.order, ts, || OrderEventKind::Triggered);
        }
        if self.account.is_cash()
            && m.side == OrderSide::Buy
            && notional + commission > self.account.free(currency).raw
        {
            // The open gapped past what the balance covers: the venue cancels
            // rather than let a cash account go negative.
            self.cancel_by_venue(m.order, "insufficient balance at fill", ts);
            return Ok(());
        }
        if !self.account.is_cash()
            && !self.margin_covers(order, signed, px, commission, instrument, cache)?
        {
            // The price moved past what the margin covers since the
            // order was checked: the venue cancels rather than let the
            // free balance go negative.
            self.cancel_by_venue(m.order, "insufficient margin at fill", ts);
            return Ok(());
        }
        self.account
            .apply_fill(currency, m.side, notional, commission);
        let trade_id = TradeId::after(&self.trade_id_prefix, self.trade_sequence);
        self.trade_sequence += 1;
        let fill = OrderFilled {
            trade_id,
            venue_order_id: order
                .venue_order_id
                .clone()
                .unwrap_or_else(|| self.venue_order_id(m.order)),
            position_id: order.position_id.clone(),
            order_side: m.side,
            last_qty: qty,
            last_px: px,
            commission: Money::new(commission, currency),
            liquidity_side: liquidity,
        };
        emit(&mut self.events, m.order, ts, || {
            OrderEventKind::Filled(Box::new(fill))
        });
        if !cache.contingencies.is_empty() {
            self.after_contingent_fill(order, qty, m, bar, cache)?;
        }
        self.bar_volume_raw += qty.signed_raw();
        if capped {
            self.rest_again(m, order);
        }
        if cut_short {
            self.cancel_by_venue(
                m.order,
                "reduce-only: the rest would have reversed the position",
                ts,
            );
        }
        Ok(())
    }

    /// The price a fill of `qty_raw` at match `m` gets: a taker pays the
    /// slippage (its ticks, plus the volume impact of `qty_raw` on `bar`).
    pub(super) fn fill_price(
        &self,
        m: &Match,
        bar: &Bar,
        instrument: &Instrument,
        qty_raw: i128,
        taker: bool,
    ) -> Result<Price, ExchangeError> {
        let slip = if taker {
            let tick = instrument.price_increment.raw;
            let slippage = &self.config.slippage;
            i64::from(slippage.ticks) * tick
                + slippage.volume_slip_raw(m.price, qty_raw, i128::from(bar.volume), tick)?
        } else {
            0
        };
        Ok(Price {
            raw: match m.side {
                OrderSide::Buy => m.price + slip,
                OrderSide::Sell => m.price - slip,
            },
            precision: bar.price_precision,
        })
    }

    /// Reports what matching `bar` changed of orders that did not fill:
    /// the trailing triggers that moved (each order's new terms, as an
    /// UPDATED event) and the stop-limits that triggered (TRIGGERED).
    pub(super) fn report_unfilled_changes(&mut self, bar: &Bar, cache: &Cache) {
        let moves = self
            .cores
            .get_mut(bar.instrument.get())
            .and_then(Option::as_mut)
            .map(|core| core.drain_moves());
        for moved in moves.into_iter().flatten() {
            let Some(order) = cache.order(moved.order) else {
                continue;
            };
            let at = |raw| Price {
                raw,
                precision: bar.price_precision,
            };
            let update = OrderUpdated {
                quantity: order.quantity,
                price: moved.limit.map(at),
                trigger_price: Some(at(moved.trigger)),
                reason: Some(Arc::from(format!(
                    "trailing: the trigger moved to {}",
                    at(moved.trigger)
                ))),
            };
            emit(&mut self.events, moved.order, bar.ts_init, || {
                OrderEventKind::Updated(Box::new(update))
            });
        }
        // Drained, not taken: the buffer keeps its room for the next bar.
        for t in self.triggered.drain(..) {
            if cache.order(t.order).is_some() {
                emit(&mut self.events, t.order, bar.ts_init, || {
                    OrderEventKind::Triggered
                });
            }
        }
    }

    /// Cancels an order on the venue's own initiative, recording why.
    pub(super) fn cancel_by_venue(&mut self, index: OrderIndex, reason: &str, ts: UnixNanos) {
        self.cancel_reasons.push((index, Arc::from(reason)));
        emit(&mut self.events, index, ts, || OrderEventKind::Canceled);
        self.cancel_held_children(index, ts);
    }

    /// Puts an order the bar's volume filled only in part back to work for
    /// the next bars: a limit (or a triggered stop-limit) at its price,
    /// anything that traded as a market order as a market order.
    pub(super) fn rest_again(&mut self, m: &Match, order: &Order) {
        let kind = match order.kind {
            OrderKind::Limit { .. }
            | OrderKind::StopLimit { .. }
            | OrderKind::LimitIfTouched { .. } => order.kind,
            OrderKind::TrailingStopLimit { price, .. } => OrderKind::Limit { price },
            _ => OrderKind::Market,
        };
        if let Some(Some(core)) = self.cores.get_mut(order.instrument.get()) {
            core.add(m.order, m.side, kind, true);
        }
    }

    /// How much of the position `order` reduces a `side` fill may trade now:
    /// the position it names (hedging) or its strategy's net position (the
    /// bar's earlier fills included), on the side the order closes.
    pub(super) fn reducible_raw(&self, order: &Order, side: OrderSide, cache: &Cache) -> i128 {
        let by_position = self.config.oms == OmsType::Hedging && order.position_id.is_some();
        let held = if by_position {
            order
                .position_id
                .as_ref()
                .and_then(|id| cache.open_position_by_id(id))
                .and_then(|p| cache.position(p))
                .map_or(0, |p| p.signed_qty_raw)
        } else {
            cache.net_qty_raw(Some(order.strategy), order.instrument)
        };
        match side {
            OrderSide::Sell => held.max(0),
            OrderSide::Buy => (-held).max(0),
        }
    }
}
