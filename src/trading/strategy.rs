//! The strategy API: lifecycle hooks that read a [`StrategyContext`] and
//! write commands into it. Strategies never hold references into the engine.

use std::sync::Arc;

use crate::core::clock::TimeEvent;
use crate::core::enums::{OrderSide, PositionSide};
use crate::core::events::{OrderEvent, OrderFilled, PositionEvent};
use crate::core::identifiers::{ClientOrderId, InstrumentIndex, StrategyIndex};
use crate::core::pool;
use crate::core::{Money, Price, Quantity, UnixNanos};
use crate::engine::commands::{OrderList, OrderSize, SubmitOrder, TradingCommand};
use crate::engine::risk::{FillCost, fraction_to_quantity};
use crate::indicators::BarIndicator;
use crate::model::data::{Bar, QuoteTick, TradeTick};
use crate::model::instruments::Instrument;
use crate::model::orders::trailing::TrailingSpec;
use crate::model::orders::{Order, OrderFactory, OrderKind};
use crate::state::cache::{Cache, Filter};
use crate::trading::script::ScriptError;

/// A strategy failed; the run stops with this message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StrategyError {
    pub message: String,
    /// Where in a strategy script it failed (None for Rust strategies).
    pub script: Option<Box<ScriptError>>,
}

impl StrategyError {
    /// A script failed at a known place.
    #[must_use]
    pub fn script(error: ScriptError) -> Self {
        Self {
            message: error.message.clone(),
            script: Some(Box::new(error)),
        }
    }
}

/// What a hook returns.
pub type HookResult = Result<(), StrategyError>;

/// Balances of the venue a strategy trades, as of the current event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountSnapshot {
    /// Free balance in the venue's base currency.
    pub cash: Money,
    /// Balance plus the value of open positions (cash accounts) or plus
    /// unrealized PnL (margin accounts), at the last prices.
    pub equity: Money,
    /// The venue's taker fee rate raw, which fractional sizing reserves.
    pub taker_fee_raw: i128,
}

/// A strategy's read-only view of the run plus its command buffer.
#[derive(Debug)]
pub struct StrategyContext<'a> {
    pub strategy: StrategyIndex,
    pub now: UnixNanos,
    pub cache: &'a Cache,
    /// One snapshot per venue, by venue index.
    pub accounts: &'a [AccountSnapshot],
    /// The venue index of each instrument, by instrument index.
    pub instrument_venues: &'a [usize],
    /// The engine's command queue, in the order commands were given.
    commands: &'a mut Vec<(StrategyIndex, TradingCommand)>,
    /// Numbers the strategy's orders, so a submit can return the id.
    pub factory: &'a mut OrderFactory,
}

impl<'a> StrategyContext<'a> {
    /// A context for one hook call of `strategy`; what it is asked to do
    /// lands on `commands`, tagged with the strategy.
    #[must_use]
    pub fn new(
        strategy: StrategyIndex,
        now: UnixNanos,
        cache: &'a Cache,
        accounts: &'a [AccountSnapshot],
        instrument_venues: &'a [usize],
        commands: &'a mut Vec<(StrategyIndex, TradingCommand)>,
        factory: &'a mut OrderFactory,
    ) -> Self {
        Self {
            strategy,
            now,
            cache,
            accounts,
            instrument_venues,
            commands,
            factory,
        }
    }

    /// Queues a command of this strategy for the engine.
    #[inline]
    pub fn queue(&mut self, command: TradingCommand) {
        self.commands.push((self.strategy, command));
    }

    #[must_use]
    pub fn instrument(&self, instrument: InstrumentIndex) -> Option<&Instrument> {
        self.cache.instrument(instrument)
    }

    /// The strategy's net signed quantity raw in `instrument`.
    #[must_use]
    pub fn position_raw(&self, instrument: InstrumentIndex) -> i128 {
        self.cache.net_qty_raw(Some(self.strategy), instrument)
    }

    /// The strategy's net position side in `instrument`.
    #[must_use]
    pub fn position_side(&self, instrument: InstrumentIndex) -> PositionSide {
        match self.position_raw(instrument) {
            0 => PositionSide::Flat,
            q if q > 0 => PositionSide::Long,
            _ => PositionSide::Short,
        }
    }

    #[must_use]
    pub fn is_flat(&self, instrument: InstrumentIndex) -> bool {
        self.position_raw(instrument) == 0
    }

    /// The account of the venue trading `instrument`.
    #[must_use]
    pub fn account(&self, instrument: InstrumentIndex) -> Option<AccountSnapshot> {
        let venue = *self.instrument_venues.get(instrument.get())?;
        self.accounts.get(venue).copied()
    }

    /// What a fractional `size` (raw, 1.0 = all) of the free balance buys
    /// at the last close with the taker fee, as a cash account pays for
    /// it: an estimate, since the venue sizes the order again at its fill
    /// price (and a margin account from its available margin). `Ok(None)`
    /// before the first bar or when the instrument settles in another
    /// currency than the venue's; an error when the quantity is beyond
    /// what one can hold.
    ///
    /// # Errors
    /// When the quantity overflows (the engine then fails the same way).
    pub fn affordable_quantity(
        &self,
        instrument: InstrumentIndex,
        fraction_raw: i128,
    ) -> Result<Option<Quantity>, crate::core::fixed::FixedError> {
        let (Some(inst), Some(account)) =
            (self.cache.instrument(instrument), self.account(instrument))
        else {
            return Ok(None);
        };
        if inst.settlement_currency() != account.cash.currency {
            return Ok(None);
        }
        let Some(price) = self.cache.last_bar(instrument).map(Bar::close) else {
            return Ok(None);
        };
        fraction_to_quantity(
            inst,
            account.cash.raw,
            fraction_raw,
            price,
            &FillCost::cash(account.taker_fee_raw),
        )
        .map(Some)
    }

    /// The strategy's open orders.
    pub fn open_orders(
        &self,
        instrument: Option<InstrumentIndex>,
    ) -> impl Iterator<Item = &Order> + '_ {
        let filter = Filter {
            strategy: Some(self.strategy),
            instrument,
            side: None,
        };
        self.cache.orders_open(filter)
    }

    /// Submits an order; returns the id it will have.
    #[inline]
    pub fn submit(&mut self, mut order: SubmitOrder) -> ClientOrderId {
        let id = order
            .client_order_id
            .get_or_insert_with(|| self.factory.reserve())
            .clone();
        self.queue(TradingCommand::Submit(order));
        id
    }

    /// Submits orders tied together (a bracket, OTO or OCO list); returns
    /// the ids they will have, in list order.
    pub fn submit_list(&mut self, mut list: OrderList) -> Vec<ClientOrderId> {
        let ids = list
            .orders
            .iter_mut()
            .map(|order| {
                order
                    .client_order_id
                    .get_or_insert_with(|| self.factory.reserve())
                    .clone()
            })
            .collect();
        self.queue(TradingCommand::SubmitList(Box::new(list)));
        ids
    }

    /// Submits `entry` with a stop-loss at `stop_loss` (a stop market
    /// order) and a take-profit at `take_profit` (a limit order), either
    /// optional: the exits work from the entry's fill (on the entry's bar
    /// too), close what it filled, and the first to fill cancels the
    /// other. Returns the ids of the entry, then of the exits given.
    pub fn bracket(
        &mut self,
        entry: SubmitOrder,
        stop_loss: Option<Price>,
        take_profit: Option<Price>,
    ) -> Vec<ClientOrderId> {
        self.submit_list(OrderList::bracket(entry, stop_loss, take_profit))
    }

    /// Submits a GTC order with no extras, made where it is queued (see
    /// [`pool::push_with`]): the helpers below are what most strategies
    /// call per order, and an order made first and then queued is copied
    /// through the stack.
    #[inline]
    fn submit_plain(
        &mut self,
        instrument: InstrumentIndex,
        side: OrderSide,
        kind: OrderKind,
        size: OrderSize,
    ) -> ClientOrderId {
        let id = self.factory.reserve();
        let strategy = self.strategy;
        pool::push_with(self.commands, || {
            let mut order = SubmitOrder::new(instrument, side, kind, size);
            order.client_order_id = Some(id.clone());
            (strategy, TradingCommand::Submit(order))
        });
        id
    }

    /// A market buy of `size`.
    #[inline]
    pub fn buy(&mut self, instrument: InstrumentIndex, size: OrderSize) -> ClientOrderId {
        self.submit_plain(instrument, OrderSide::Buy, OrderKind::Market, size)
    }

    /// A market sell of `size`.
    #[inline]
    pub fn sell(&mut self, instrument: InstrumentIndex, size: OrderSize) -> ClientOrderId {
        self.submit_plain(instrument, OrderSide::Sell, OrderKind::Market, size)
    }

    /// A GTC limit order.
    #[inline]
    pub fn limit(
        &mut self,
        instrument: InstrumentIndex,
        side: OrderSide,
        price: Price,
        quantity: Quantity,
    ) -> ClientOrderId {
        self.submit_plain(
            instrument,
            side,
            OrderKind::Limit { price },
            OrderSize::Quantity(quantity),
        )
    }

    /// A GTC stop-market order.
    #[inline]
    pub fn stop(
        &mut self,
        instrument: InstrumentIndex,
        side: OrderSide,
        trigger_price: Price,
        quantity: Quantity,
    ) -> ClientOrderId {
        self.submit_plain(
            instrument,
            side,
            OrderKind::StopMarket { trigger_price },
            OrderSize::Quantity(quantity),
        )
    }

    /// A GTC stop-limit order.
    #[inline]
    pub fn stop_limit(
        &mut self,
        instrument: InstrumentIndex,
        side: OrderSide,
        trigger_price: Price,
        price: Price,
        quantity: Quantity,
    ) -> ClientOrderId {
        self.submit_plain(
            instrument,
            side,
            OrderKind::StopLimit {
                price,
                trigger_price,
            },
            OrderSize::Quantity(quantity),
        )
    }

    /// A GTC trailing stop of `quantity` that trails as `spec` says (a
    /// stop-limit when it has a `limit_offset`): its first trigger is the
    /// trail's distance from the activation price, else from the last
    /// close. `None`, and nothing submitted, before the instrument's
    /// first bar.
    pub fn trailing_stop(
        &mut self,
        instrument: InstrumentIndex,
        side: OrderSide,
        quantity: Quantity,
        spec: TrailingSpec,
    ) -> Option<ClientOrderId> {
        let precision = self.cache.instrument(instrument)?.price_precision;
        let last = self.cache.last_bar(instrument).map(|b| b.close);
        let (trigger, limit) = spec.start(side, None, last)?;
        let at = |raw| Price { raw, precision };
        let kind = match limit {
            None => OrderKind::TrailingStopMarket {
                trigger_price: at(trigger),
            },
            Some(limit) => OrderKind::TrailingStopLimit {
                price: at(limit),
                trigger_price: at(trigger),
            },
        };
        let mut order = SubmitOrder::new(instrument, side, kind, OrderSize::Quantity(quantity));
        order.trailing = Some(Box::new(spec));
        Some(self.submit(order))
    }

    pub fn cancel(&mut self, order: ClientOrderId) {
        self.queue(TradingCommand::Cancel(order));
    }

    pub fn cancel_all(&mut self, instrument: Option<InstrumentIndex>) {
        self.queue(TradingCommand::CancelAll { instrument });
    }

    /// Closes the strategy's position in `instrument` at market.
    pub fn close_position(&mut self, instrument: InstrumentIndex) {
        self.queue(TradingCommand::ClosePosition { instrument });
    }

    pub fn close_all(&mut self) {
        self.queue(TradingCommand::CloseAll);
    }

    /// A repeating timer; `on_timer` gets its events.
    pub fn set_timer(&mut self, name: &str, interval_ns: i64) {
        self.queue(TradingCommand::SetTimer {
            name: Arc::from(name),
            interval_ns,
        });
    }

    pub fn cancel_timer(&mut self, name: &str) {
        self.queue(TradingCommand::CancelTimer {
            name: Arc::from(name),
        });
    }
}

/// A trading strategy. Every hook has a no-op default.
pub trait Strategy: Send {
    /// Before the first event.
    fn on_start(&mut self, _ctx: &mut StrategyContext<'_>) -> HookResult {
        Ok(())
    }
    /// After the venue matched the bar and indicators were updated.
    fn on_bar(&mut self, _ctx: &mut StrategyContext<'_>, _bar: &Bar) -> HookResult {
        Ok(())
    }
    fn on_quote_tick(&mut self, _ctx: &mut StrategyContext<'_>, _tick: &QuoteTick) -> HookResult {
        Ok(())
    }
    fn on_trade_tick(&mut self, _ctx: &mut StrategyContext<'_>, _tick: &TradeTick) -> HookResult {
        Ok(())
    }
    /// Every event of the strategy's orders, fills included (status events
    /// only while [`Self::wants_order_events`]).
    fn on_order_event(
        &mut self,
        _ctx: &mut StrategyContext<'_>,
        _event: &OrderEvent,
    ) -> HookResult {
        Ok(())
    }
    /// Whether the engine calls [`Self::on_order_event`] for the status
    /// events of the strategy's orders (submitted, accepted, canceled and
    /// the rest), asked once when the engine is built. A strategy whose
    /// `on_order_event` does nothing may say `false`: three status events
    /// per order cost an order-heavy run (W3) about 7 % of its time. Fills
    /// reach `on_order_event` and `on_order_filled` either way.
    fn wants_order_events(&self) -> bool {
        true
    }
    /// After `on_order_event`, for fills.
    fn on_order_filled(
        &mut self,
        _ctx: &mut StrategyContext<'_>,
        _event: &OrderEvent,
        _fill: &OrderFilled,
    ) -> HookResult {
        Ok(())
    }
    fn on_position_opened(
        &mut self,
        _ctx: &mut StrategyContext<'_>,
        _event: &PositionEvent,
    ) -> HookResult {
        Ok(())
    }
    fn on_position_changed(
        &mut self,
        _ctx: &mut StrategyContext<'_>,
        _event: &PositionEvent,
    ) -> HookResult {
        Ok(())
    }
    fn on_position_closed(
        &mut self,
        _ctx: &mut StrategyContext<'_>,
        _event: &PositionEvent,
    ) -> HookResult {
        Ok(())
    }
    fn on_timer(&mut self, _ctx: &mut StrategyContext<'_>, _event: &TimeEvent) -> HookResult {
        Ok(())
    }
    /// After the last event.
    fn on_stop(&mut self, _ctx: &mut StrategyContext<'_>) -> HookResult {
        Ok(())
    }
    /// Bars of warm-up before the strategy trades (for Buy & Hold Return).
    fn warmup_bars(&self) -> usize {
        0
    }
    /// Indicators to draw over the price in the report: fresh instances
    /// (never fed), named, that the report replays over the strategy's bars.
    fn overlays(&self) -> Vec<(String, BarIndicator)> {
        Vec::new()
    }
}
