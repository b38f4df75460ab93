//! A strategy's commands: orders through sizing and risk to the venue,
//! cancels, closes and timers. A new order comes back as the event that
//! submits or denies it ([`Submission`]); the engine handles that event
//! and sends the order on (`BacktestEngine::submit`).

use std::sync::Arc;

use crate::core::UnixNanos;
use crate::core::clock::Clock;
use crate::core::enums::{LiquiditySide, OmsType, OrderSide, TimeInForce};
use crate::core::events::{OrderEvent, OrderEventKind};
use crate::core::identifiers::{InstrumentIndex, OrderIndex, StrategyIndex};
use crate::engine::commands::{OrderSize, SubmitOrder, TradingCommand};
use crate::engine::execution::{ExecutionClient, Routing, closing_side};
use crate::engine::risk::{MarginAvailable, RiskCheck};
use crate::model::data::Bar;
use crate::model::orders::{OrderInit, OrderKind};
use crate::state::cache::Filter;

use super::super::sizing::{Sizing, SizingRequest, size_order};
use super::{BacktestEngine, BacktestError, EngineStep};

/// A new order, stored, and its verdict.
pub(super) struct Submission {
    /// SUBMITTED (the order then goes to `venue`) or DENIED.
    pub(super) event: OrderEvent,
    pub(super) venue: usize,
}

impl BacktestEngine {
    /// Carries out one command; a submit takes the ids it holds out of it.
    pub(super) fn handle_command(
        &mut self,
        strategy: StrategyIndex,
        command: &mut TradingCommand,
    ) -> Result<(), BacktestError> {
        let now = self.clock.timestamp_ns();
        match command {
            TradingCommand::Submit(order) => self.submit(strategy, order)?,
            TradingCommand::SubmitList(list) => self.submit_list(strategy, list)?,
            TradingCommand::Cancel(id) => {
                let found = self
                    .strategies
                    .get(strategy.get())
                    .and_then(|slot| slot.factory.find(id));
                let Some(index) = found else {
                    return Err(self.strategy_error(
                        strategy,
                        format!("cancel of '{id}', which this strategy did not submit"),
                    ));
                };
                self.cancel(strategy, index, now);
            }
            TradingCommand::CancelAll { instrument } => {
                let filter = Filter {
                    strategy: Some(strategy),
                    instrument: *instrument,
                    side: None,
                };
                let mut open = std::mem::take(&mut self.to_cancel);
                open.extend(self.cache.orders_open(filter).map(|o| o.index));
                for &index in &open {
                    self.cancel(strategy, index, now);
                }
                open.clear();
                self.to_cancel = open;
            }
            TradingCommand::ClosePosition { instrument } => {
                self.close_positions(strategy, Some(*instrument), None)?
            }
            TradingCommand::CloseAll => self.close_positions(strategy, None, None)?,
            TradingCommand::SetTimer { name, interval_ns } => {
                let owned = format!("{}:{name}", strategy.0);
                self.clock
                    .set_timer(&owned, *interval_ns, now, None)
                    .map_err(|e| self.strategy_error(strategy, e.to_string()))?;
            }
            TradingCommand::SetTimeAlert { name, at } => {
                let owned = format!("{}:{name}", strategy.0);
                self.clock
                    .set_time_alert(&owned, *at)
                    .map_err(|e| self.strategy_error(strategy, e.to_string()))?;
            }
            TradingCommand::CancelTimer { name } => {
                self.clock.cancel_timer(&format!("{}:{name}", strategy.0))
            }
        }
        Ok(())
    }

    pub(super) fn strategy_error(&self, strategy: StrategyIndex, message: String) -> BacktestError {
        let id = self
            .strategies
            .get(strategy.get())
            .map_or_else(String::new, |s| s.id.to_string());
        BacktestError::Strategy {
            strategy: id,
            ts: self.clock.timestamp_ns(),
            message,
        }
    }

    pub(super) fn cancel(&mut self, strategy: StrategyIndex, index: OrderIndex, now: UnixNanos) {
        let Some(order) = self.cache.order(index) else {
            return;
        };
        // An order still on its way to the venue is canceled too: the
        // cancel follows it there (commands to a venue keep their order).
        if order.strategy != strategy || order.is_closed() {
            return;
        }
        let venue = self.instrument_venues[order.instrument.get()];
        self.venues[venue].cancel_order(order, now);
    }

    pub(super) fn close_positions(
        &mut self,
        strategy: StrategyIndex,
        instrument: Option<InstrumentIndex>,
        tag: Option<&str>,
    ) -> Result<(), BacktestError> {
        let filter = Filter {
            strategy: Some(strategy),
            instrument,
            side: None,
        };
        let mut open = std::mem::take(&mut self.to_close);
        open.extend(
            self.cache
                .positions_open(filter)
                .map(|p| (p.instrument, p.signed_qty_raw, p.id.clone())),
        );
        for (instrument, qty_raw, position_id) in open.drain(..) {
            let Some(inst) = self.cache.instrument(instrument) else {
                continue;
            };
            let quantity = inst
                .make_qty(qty_raw.abs())
                .map_err(BacktestError::at(EngineStep::ClosePosition))?;
            let mut order = SubmitOrder::new(
                instrument,
                closing_side(qty_raw),
                OrderKind::Market,
                OrderSize::Quantity(quantity),
            );
            order.reduce_only = true;
            order.position_id = Some(position_id);
            order.tags = tag.map(Arc::from);
            self.submit(strategy, &mut order)?;
        }
        self.to_close = open;
        Ok(())
    }

    /// Stores `request` as a new order, sized and checked: the event that
    /// says SUBMITTED or DENIED, for the engine to handle and pass on (see
    /// `BacktestEngine::submit`). A `released` order waits for another's
    /// fill (a bracket's exit): its prices are checked, and the pre-trade
    /// risk check is left to its parent (an exit of a position not yet
    /// open has nothing to check against).
    pub(super) fn new_order(
        &mut self,
        strategy: StrategyIndex,
        request: &mut SubmitOrder,
        released: bool,
    ) -> Result<Submission, BacktestError> {
        let now = self.clock.timestamp_ns();
        let instrument_index = request.instrument;
        let Some(instrument) = self.cache.instrument(instrument_index) else {
            return Err(self.strategy_error(
                strategy,
                format!("unknown instrument index {}", instrument_index.0),
            ));
        };
        let venue = self.instrument_venues[instrument_index.get()];
        let exchange = &self.venues[venue];
        let currency = instrument.settlement_currency();
        let last_close = self.cache.last_bar(instrument_index).map(Bar::close);
        let reference_price = request
            .kind
            .price()
            .or(request.kind.trigger_price())
            .or(last_close);
        let fee_rate = exchange.fees_for(instrument_index).taker_rate_raw();
        let free = exchange.account.free(currency);
        let margin = (!exchange.account.is_cash()).then(|| {
            let account = &exchange.account;
            // In the base currency the equity counts open positions'
            // profit and loss; another currency has its own balance.
            let available = if currency == account.base_currency {
                self.portfolio.accounts[venue].equity.raw - account.locked_raw(currency)
            } else {
                free.raw
            };
            MarginAvailable {
                available: crate::core::Money::new(available, currency),
                leverage_raw: account.leverage_raw,
                rates: exchange.margin_rates(instrument_index),
                liability: account.is_betting(),
                pending_liability_raw: if account.is_betting() {
                    self.working_liability_raw(
                        instrument,
                        instrument_index,
                        request.side,
                        reference_price,
                    )
                } else {
                    0
                },
            }
        });
        // The configured sizer decides the size of orders that open or add.
        let net_raw = self.cache.net_qty_raw(Some(strategy), instrument_index);
        let adds = !request.reduce_only
            && (net_raw == 0 || (net_raw > 0) == (request.side == OrderSide::Buy));
        let slot = &self.strategies[strategy.get()];
        // An exact quantity without a sizer is the order's size as it is
        // (most orders: no sizing at all).
        let Sizing {
            quantity,
            fraction,
            unsized_reason,
        } = match (request.size, &slot.sizer) {
            (OrderSize::Quantity(quantity), None) => Sizing {
                quantity,
                fraction: None,
                unsized_reason: None,
            },
            _ => {
                let sizing = SizingRequest {
                    instrument,
                    size: request.size,
                    sizer: slot.sizer.as_ref(),
                    feed: slot.feed.as_ref(),
                    adds,
                    equity: self.portfolio.accounts[venue].equity.as_f64(),
                    budget: margin.map_or(free, |m| m.available),
                    fill_cost: exchange.fill_cost(
                        instrument_index,
                        request.side,
                        LiquiditySide::Taker,
                    ),
                    reference_price,
                };
                let closed_pnls = || {
                    let filter = Filter {
                        strategy: Some(strategy),
                        instrument: None,
                        side: None,
                    };
                    self.cache
                        .positions_closed(filter)
                        .map(|p| p.realized_pnl().as_f64())
                        .collect()
                };
                size_order(&sizing, closed_pnls).map_err(|m| self.strategy_error(strategy, m))?
            }
        };
        // A fraction is sized again at the fill, and cut to the limits
        // there: the check sees it cut the same way now.
        let venue_cap = exchange.config.max_order_notional;
        let quantity = match (fraction, reference_price) {
            (Some(_), Some(price)) if self.risk.limits().cap_anything(venue_cap) => self
                .risk
                .limits()
                .cap_quantity(
                    instrument,
                    request.side,
                    quantity,
                    price,
                    self.cache.net_qty_raw(None, instrument_index),
                    venue_cap,
                )
                .map_err(BacktestError::at(EngineStep::ApplyOrderEvent))?,
            _ => quantity,
        };
        // The venue caps a reduce-only order at the position left when it
        // fills, so other reduce-only orders never add to what a new one
        // could oversell: only the others count against it.
        let pending_raw = if request.reduce_only {
            let filter = Filter {
                strategy: None,
                instrument: Some(instrument_index),
                side: Some(request.side),
            };
            self.cache
                .orders_open(filter)
                .filter(|o| !o.reduce_only)
                .map(|o| o.leaves_qty().signed_raw())
                .sum()
        } else {
            self.cache.open_leaves_raw(instrument_index, request.side)
        };
        let check = RiskCheck {
            instrument,
            side: request.side,
            quantity,
            reference_price: reference_price.unwrap_or_default(),
            net_qty_raw: self.cache.net_qty_raw(None, instrument_index),
            own_qty_raw: match &request.position_id {
                // On a hedging venue an order that names a position trades
                // that position alone.
                Some(id) if exchange.config.oms == OmsType::Hedging => self
                    .cache
                    .open_position_by_id(id)
                    .and_then(|p| self.cache.position(p))
                    .map_or(0, |p| p.signed_qty_raw),
                _ => net_raw,
            },
            pending_qty_raw: pending_raw,
            cash_free: exchange.account.is_cash().then_some(free),
            margin,
            fee_rate_raw: fee_rate,
            venue_max_notional: exchange.config.max_order_notional,
            reduce_only: request.reduce_only,
        };
        let mut verdict = match (request.time_in_force, request.expire_time, reference_price) {
            (TimeInForce::AtTheOpen | TimeInForce::AtTheClose, _, _) => Err(format!(
                "time in force {} is not supported yet",
                request.time_in_force
            )),
            _ if self.trade_from.is_some_and(|from| now < from) => Err(format!(
                "warm-up: no order is accepted before {}",
                self.trade_from.unwrap_or_default()
            )),
            (TimeInForce::Gtd, None, _) => Err("GTD needs an expire time".to_string()),
            (_, _, None) => Err("no price yet to size or check the order".to_string()),
            _ => match unsized_reason {
                Some(reason) => Err(format!("sizer: {reason}")),
                None if released => Ok(()),
                // A fraction the budget buys nothing of now may buy some at
                // the fill (a close ahead of it frees the balance): the
                // venue sizes it then, and cancels it if it still buys none.
                None if fraction.is_some() && quantity.is_zero() => Ok(()),
                None => self.risk.check(&check),
            },
        };
        // A fraction is of the budget, so at most all of it.
        let size_fraction = fraction.map(u32::try_from);
        if let Some(Err(_)) = size_fraction
            && verdict.is_ok()
        {
            verdict = Err(format!(
                "a fractional size is in (0, 1], got {}",
                crate::core::fixed::format_raw(fraction.unwrap_or_default(), 4)
            ));
        }
        if verdict.is_ok() {
            // The limit price, then the trigger (its error wins if both are off).
            for price in [request.kind.price(), request.kind.trigger_price()] {
                if let Some(price) = price
                    && let Err(e) = instrument.validate_price(price)
                {
                    verdict = Err(e.to_string());
                }
            }
        }
        let index = self.cache.next_order_index();
        if let Some(spec) = request.trailing.take() {
            self.cache.trailing.insert(index, *spec);
        }
        let init = OrderInit {
            strategy,
            instrument: instrument_index,
            side: request.side,
            kind: request.kind,
            quantity,
            time_in_force: request.time_in_force,
            expire_time: request.expire_time,
            reduce_only: request.reduce_only,
            position_id: request.position_id.take(),
            tag: request.tags.take().map(|text| self.cache.intern_tag(text)),
            size_fraction: size_fraction.and_then(Result::ok),
        };
        let slot = &mut self.strategies[strategy.get()];
        let order = slot
            .factory
            .create(index, request.client_order_id.take(), init, now);
        self.cache.add_order(order);
        let kind = match verdict {
            Ok(()) => OrderEventKind::Submitted,
            Err(reason) => OrderEventKind::Denied {
                reason: Arc::from(reason),
            },
        };
        Ok(Submission {
            event: OrderEvent {
                order: index,
                kind,
                ts_event: now,
                ts_init: now,
            },
            venue,
        })
    }

    /// The liability of the working bets on `side` of `instrument` (at
    /// `index`) that may add to the book (not reduce-only), each at its
    /// own price (a market bet at `reference`); an overflow counts as
    /// unaffordable.
    fn working_liability_raw(
        &self,
        instrument: &crate::model::instruments::Instrument,
        index: InstrumentIndex,
        side: OrderSide,
        reference: Option<crate::core::Price>,
    ) -> i128 {
        let filter = Filter {
            strategy: None,
            instrument: Some(index),
            side: Some(side),
        };
        self.cache
            .orders_open(filter)
            .filter(|o| !o.reduce_only)
            .map(|o| {
                let leaves = o.leaves_qty().signed_raw();
                let signed = if side == OrderSide::Buy {
                    leaves
                } else {
                    -leaves
                };
                o.kind
                    .price()
                    .or(reference)
                    .ok_or(crate::core::fixed::FixedError::Overflow("no price"))
                    .and_then(|price| instrument.notional_raw(leaves, price))
                    .and_then(|notional| instrument.liability_raw(signed, notional))
                    .unwrap_or(i128::MAX / 4)
            })
            .fold(0i128, i128::saturating_add)
    }

    /// Submits a strategy's order: stored, sized and checked (see
    /// `submit::new_order`), its SUBMITTED or DENIED event handled, and a
    /// submitted order sent to its venue.
    pub(super) fn submit(
        &mut self,
        strategy: StrategyIndex,
        request: &mut SubmitOrder,
    ) -> Result<(), BacktestError> {
        let submission = self.new_order(strategy, request, false)?;
        self.send(submission)
    }

    /// Handles a new order's SUBMITTED or DENIED event and sends a
    /// submitted order to its venue (held there until its parent fills,
    /// if it has an unfilled one).
    pub(super) fn send(&mut self, submission: Submission) -> Result<(), BacktestError> {
        let Submission { event, venue } = submission;
        let (index, now) = (event.order, event.ts_event);
        let submitted = matches!(event.kind, OrderEventKind::Submitted);
        self.handle_event(event)?;
        if submitted && let Some(order) = self.cache.order(index) {
            let held_by = self
                .cache
                .contingencies
                .of(index)
                .and_then(|c| c.parent)
                .filter(|p| self.cache.order(*p).is_some_and(|o| o.filled_qty.is_zero()));
            // Few orders trail: skip hashing the key when none does.
            let trailing = if self.cache.trailing.is_empty() {
                None
            } else {
                self.cache.trailing.get(&index).copied().map(Box::new)
            };
            let routing = Routing { held_by, trailing };
            self.venues[venue].submit_order(order, routing, now);
        }
        Ok(())
    }
}
