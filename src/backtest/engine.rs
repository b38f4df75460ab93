//! The one wiring point: clock, cache, engines, venues and strategies,
//! and the event loop that replays bars through them.
//!
//! Per bar: the clock moves (firing timers), the venue matches working
//! orders against the bar, the resulting events reach orders, positions,
//! accounts and strategies, and only then do the bar's subscribers see it.
//! Commands a strategy emits go through risk, then to the venue.

use std::sync::Arc;

use crate::analysis::observers::{Observation, Observer};
use crate::analysis::sizers::Sizer;
use crate::core::clock::{Clock, TestClock, TimeEvent};
use crate::core::enums::OmsType;
use crate::core::events::{OrderEvent, OrderEventKind, PositionEvent, PositionEventKind};
use crate::core::identifiers::{
    AccountId, InstrumentIndex, OrderIndex, PositionId, StrategyId, StrategyIndex,
};
use crate::core::{Currency, UnixNanos};
use crate::engine::commands::TradingCommand;
use crate::engine::execution::{ExecutionClient, ExecutionEngine, FillTerms};
use crate::engine::replay::{BarStream, ReplayMerge};
use crate::engine::risk::RiskEngine;
use crate::indicators::BarIndicator;
use crate::model::data::{Bar, bars_within};
use crate::model::orders::OrderFactory;
use crate::state::cache::Cache;
use crate::trading::strategy::{Strategy, StrategyContext};
use crate::venues::account::Account;
use crate::venues::exchange::SimulatedExchange;

mod contingent;
mod equity;
mod funding;
mod settle;
mod submit;

pub use equity::EquityCurve;
pub use funding::FundingPayment;

use super::config::BacktestConfig;
use super::portfolio::Portfolio;
use super::sizer_feed::SizerFeed;
use super::{BacktestError, EngineStep};

/// Bound on command/event rounds after one event, so a strategy that keeps
/// answering its own events cannot hang the run.
const MAX_ROUNDS: usize = 10_000;

struct StrategySlot {
    id: StrategyId,
    strategy: Box<dyn Strategy>,
    factory: OrderFactory,
    instrument: InstrumentIndex,
    sizer: Option<Sizer>,
    /// What the sizer reads from the market, fed every bar of `instrument`.
    feed: Option<SizerFeed>,
    /// The strategy does nothing with its orders' status events (see
    /// `Strategy::wants_order_events`): they skip it.
    declines_order_events: bool,
}

/// Where one stream's bars go, resolved once before the loop: the venue
/// that matches them, the strategies subscribed to their bar type
/// (subscriptions are all made when the engine is built), and whether
/// they move an FX rate.
#[derive(Debug)]
struct BarRoute {
    venue: usize,
    subscribers: Vec<StrategyIndex>,
    moves_fx: bool,
}

/// Bars between two updates of the progress count.
const PROGRESS_EVERY: usize = 1 << 16;

/// The bar loop's shape parameter: the loop of any run.
const GENERAL: bool = true;
/// The bar loop's shape parameter: the loop of a run `is_plain` approves.
const PLAIN: bool = false;

/// A built engine, ready to run over loaded bars.
pub struct BacktestEngine {
    clock: TestClock,
    cache: Cache,
    execution: ExecutionEngine,
    risk: RiskEngine,
    venues: Vec<SimulatedExchange>,
    instrument_venues: Vec<usize>,
    /// The OMS type of each instrument's venue, by instrument index.
    instrument_oms: Vec<OmsType>,
    strategies: Vec<StrategySlot>,
    /// The strategies subscribed to each bar type (by its name), in
    /// strategy order: resolved into each stream's route once, when the
    /// run starts (see docs/architecture.md on why there is no bus).
    subscriptions: Vec<(String, Vec<StrategyIndex>)>,
    /// Commands of the strategies, in the order they were given.
    pending: Vec<(StrategyIndex, TradingCommand)>,
    events: Vec<OrderEvent>,
    /// Emptied buffers that `pending` and `events` swap with each round, so
    /// handing work on keeps the buffers' room instead of reallocating.
    spare_pending: Vec<(StrategyIndex, TradingCommand)>,
    spare_events: Vec<OrderEvent>,
    /// The orders a cancel-all lists, kept for the next one.
    to_cancel: Vec<OrderIndex>,
    /// The positions a close command works through, kept like `to_cancel`.
    to_close: Vec<(InstrumentIndex, i128, PositionId)>,
    position_events: Vec<PositionEvent>,
    timer_events: Vec<TimeEvent>,
    /// Every account valued, and the snapshots strategies read.
    portfolio: Portfolio,
    /// Records equity, cash and positions when the config asks.
    observer: Option<Observer>,
    /// Instruments whose bars move an FX rate (all accounts then revalue).
    fx_instruments: Vec<bool>,
    /// Some strategy's sizer needs market figures fed every bar.
    has_feeds: bool,
    /// Some venue keeps a margin account (its equity is checked against
    /// the maintenance margin at every bar; a betting account's is not).
    has_margin: bool,
    /// Some venue charges funding on its perpetuals.
    has_funding: bool,
    /// Every funding payment, in the order charged.
    funding_payments: Vec<FundingPayment>,
    /// What each margin call said, in order.
    margin_calls: Vec<String>,
    /// Each venue's equity is below its maintenance margin (called).
    margin_called: Vec<bool>,
    /// The orders that liquidated positions.
    liquidations: Vec<OrderIndex>,
    curve: EquityCurve,
    start: Option<UnixNanos>,
    end: Option<UnixNanos>,
    /// Settle at the end: see `settle`.
    close_at_end: bool,
    /// Binary instruments' outcomes, settled after the last bar.
    settlements: Vec<Option<bool>>,
    /// Where the bars replayed so far are counted, for a progress bar.
    progress: Option<Arc<std::sync::atomic::AtomicUsize>>,
    /// With a warm-up: where trading starts (the bars from `start`, where
    /// the replay starts, up to here feed the strategies, but no order is
    /// accepted and no equity recorded).
    trade_from: Option<UnixNanos>,
}

impl std::fmt::Debug for BacktestEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BacktestEngine")
            .field("venues", &self.venues.len())
            .field("strategies", &self.strategies.len())
            .finish_non_exhaustive()
    }
}

/// What a finished run leaves behind.
#[derive(Debug)]
pub struct RunOutput {
    pub cache: Cache,
    pub curve: EquityCurve,
    pub accounts: Vec<Account>,
    pub strategy_ids: Vec<StrategyId>,
    pub report_currency: Currency,
    pub warmup: usize,
    /// Why the venue canceled orders itself, by order index.
    pub cancel_reasons: Vec<(OrderIndex, Arc<str>)>,
    /// What the observers recorded (empty without `[observers]`).
    pub observations: Vec<Observation>,
    /// The first strategy's overlays, for the report.
    pub overlays: Vec<(String, BarIndicator)>,
    /// What each margin call said.
    pub margin_calls: Vec<String>,
    /// The orders that liquidated positions after a margin call.
    pub liquidations: Vec<OrderIndex>,
    /// Every funding payment, in the order charged.
    pub funding_payments: Vec<FundingPayment>,
}

impl BacktestEngine {
    /// Wires a validated config with the given strategies (one per
    /// `config.strategies` entry, in order).
    ///
    /// # Errors
    /// When an account cannot be opened.
    pub fn new(
        config: &BacktestConfig,
        strategies: Vec<Box<dyn Strategy>>,
    ) -> Result<Self, BacktestError> {
        let cache = Cache::new(config.instruments.clone());
        let mut venues = Vec::with_capacity(config.venues.len());
        for (i, spec) in config.venues.iter().enumerate() {
            let account_id = AccountId::new(&format!("{}-001", spec.config.venue))
                .map_err(BacktestError::at(EngineStep::OpenAccounts))?;
            let account = Account::new(
                account_id,
                spec.account_type,
                spec.base_currency,
                &spec.starting_balances,
                spec.leverage_raw,
            )
            .map_err(BacktestError::at(EngineStep::OpenAccounts))?;
            let trades: Vec<bool> = config
                .instrument_venues
                .iter()
                .map(|v| v.get() == i)
                .collect();
            // One stream per venue derived from the run's seed, stable across versions.
            let seed = config.seed ^ (0x9E37_79B9_7F4A_7C15u64.wrapping_mul(i as u64 + 1));
            venues.push(
                SimulatedExchange::new(spec.config.clone(), account, &trades, seed)
                    .with_instrument_fees(config.instrument_fees.clone())
                    .with_instrument_margins(config.instrument_margins.clone())
                    .with_risk_limits(config.risk.clone()),
            );
        }
        let strategy_ids: Vec<StrategyId> =
            config.strategies.iter().map(|s| s.id.clone()).collect();
        let mut subscriptions: Vec<(String, Vec<StrategyIndex>)> = Vec::new();
        let mut slots = Vec::with_capacity(strategies.len());
        for (i, (strategy, spec)) in strategies.into_iter().zip(&config.strategies).enumerate() {
            // Strategies subscribe to the bars of their instrument.
            for data in config
                .data
                .iter()
                .filter(|d| d.file.instrument == spec.instrument)
            {
                let name = data.bar_type.to_string();
                let index = StrategyIndex(u32::try_from(i).unwrap_or(u32::MAX));
                match subscriptions.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, subscribers)) => subscribers.push(index),
                    None => subscriptions.push((name, vec![index])),
                }
            }
            slots.push(StrategySlot {
                id: spec.id.clone(),
                declines_order_events: !strategy.wants_order_events(),
                strategy,
                factory: OrderFactory::new(&spec.id),
                instrument: spec.instrument,
                sizer: spec.sizer,
                feed: spec.sizer.as_ref().and_then(SizerFeed::for_sizer),
            });
        }
        let report_currency = config
            .venues
            .first()
            .map_or(Currency::USD, |v| v.base_currency);
        let has_feeds = slots.iter().any(|s| s.feed.is_some());
        // Betting accounts fund their liabilities whole: no margin calls.
        let has_margin = venues
            .iter()
            .any(|v| !v.account.is_cash() && !v.account.is_betting());
        let has_funding = venues.iter().any(|v| !v.funding.is_empty());
        let instrument_venues: Vec<usize> =
            config.instrument_venues.iter().map(|v| v.get()).collect();
        let portfolio = Portfolio::new(
            &venues,
            instrument_venues.clone(),
            config.fx.clone(),
            report_currency,
        );
        let instrument_oms = config
            .instrument_venues
            .iter()
            .map(|v| venues[v.get()].config.oms)
            .collect();
        Ok(Self {
            clock: TestClock::new(UnixNanos(0)),
            cache,
            execution: ExecutionEngine::new(strategy_ids),
            risk: RiskEngine::new(config.risk.clone()),
            venues,
            instrument_venues,
            instrument_oms,
            strategies: slots,
            subscriptions,
            pending: Vec::new(),
            events: Vec::new(),
            spare_pending: Vec::new(),
            to_cancel: Vec::new(),
            to_close: Vec::new(),
            spare_events: Vec::new(),
            position_events: Vec::new(),
            timer_events: Vec::new(),
            portfolio,
            observer: config.observe_every.map(Observer::new),
            fx_instruments: (0..config.instruments.len())
                .map(|i| {
                    config
                        .fx
                        .moves_with(InstrumentIndex(u32::try_from(i).unwrap_or(u32::MAX)))
                })
                .collect(),
            has_feeds,
            has_margin,
            has_funding,
            funding_payments: Vec::new(),
            margin_calls: Vec::new(),
            margin_called: vec![false; config.venues.len()],
            liquidations: Vec::new(),
            curve: EquityCurve::default(),
            start: config.replay_from.or(config.start),
            end: config.end,
            close_at_end: config.close_at_end,
            settlements: config.settlements.clone(),
            trade_from: config.replay_from.and(config.start),
            progress: None,
        })
    }

    /// Calls one strategy hook with a fresh context; what it asks for lands
    /// on the command queue.
    #[inline(always)]
    fn call(
        &mut self,
        strategy: StrategyIndex,
        hook: impl FnOnce(
            &mut dyn Strategy,
            &mut StrategyContext<'_>,
        ) -> crate::trading::strategy::HookResult,
    ) -> Result<(), BacktestError> {
        let Some(slot) = self.strategies.get_mut(strategy.get()) else {
            return Ok(());
        };
        let StrategySlot {
            id,
            strategy: logic,
            factory,
            ..
        } = slot;
        // Commands go straight onto the engine's queue (in `pump_rounds`
        // the queue being worked on was swapped out first).
        let mut ctx = StrategyContext::new(
            strategy,
            self.clock.timestamp_ns(),
            &self.cache,
            &self.portfolio.accounts,
            &self.instrument_venues,
            &mut self.pending,
            factory,
        );
        hook(logic.as_mut(), &mut ctx).map_err(|e| match e.script {
            Some(error) => BacktestError::Script {
                strategy: id.to_string(),
                ts: ctx.now,
                error,
            },
            None => BacktestError::Strategy {
                strategy: id.to_string(),
                ts: ctx.now,
                message: e.message,
            },
        })?;
        Ok(())
    }

    /// Adds the bars replayed to `counter` as the run goes, every
    /// [`PROGRESS_EVERY`] bars (another thread draws a progress bar).
    pub fn count_bars_into(&mut self, counter: Arc<std::sync::atomic::AtomicUsize>) {
        self.progress = Some(counter);
    }

    /// Replays `streams` (one per data spec, with its bar type name and
    /// priority) and returns what the run produced.
    ///
    /// # Errors
    /// When a strategy fails or the accounting breaks an invariant.
    pub fn run(
        mut self,
        streams: Vec<(String, BarStream<'_>)>,
    ) -> Result<RunOutput, BacktestError> {
        let routes: Vec<BarRoute> = streams
            .iter()
            .map(|(name, stream)| {
                let instrument = stream.bars.first().map(|b| b.instrument);
                BarRoute {
                    venue: instrument.map_or(0, |i| self.instrument_venues[i.get()]),
                    subscribers: self
                        .subscriptions
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, subscribers)| subscribers.clone())
                        .unwrap_or_default(),
                    moves_fx: instrument.is_some_and(|i| self.fx_instruments[i.get()]),
                }
            })
            .collect();
        let first_ts = streams
            .iter()
            .filter_map(|(_, s)| s.bars.first().map(|b| b.ts_init))
            .min()
            .unwrap_or_default();
        self.clock.set_time(first_ts);
        for i in 0..self.strategies.len() {
            let index = StrategyIndex(u32::try_from(i).unwrap_or(u32::MAX));
            self.call(index, |s, ctx| s.on_start(ctx))?;
        }
        self.pump()?;
        let total: usize = streams.iter().map(|(_, s)| s.bars.len()).sum();
        self.curve = EquityCurve::with_capacity(total);
        let mut current_ts: Option<UnixNanos> = None;
        let streams: Vec<BarStream<'_>> = streams.into_iter().map(|(_, s)| s).collect();
        if let ([only], [route]) = (streams.as_slice(), routes.as_slice()) {
            if self.is_plain(route) {
                self.replay_one::<PLAIN>(route, only.bars, &mut current_ts)?;
            } else {
                self.replay_one::<GENERAL>(route, only.bars, &mut current_ts)?;
            }
        } else {
            self.replay(&routes, ReplayMerge::new(streams), &mut current_ts)?;
        }
        if let Some(ts) = current_ts {
            self.settle_outcomes(ts)?;
            if self.close_at_end {
                self.settle(ts)?;
            }
            self.record_equity::<GENERAL>(ts)?;
        }
        for i in 0..self.strategies.len() {
            let index = StrategyIndex(u32::try_from(i).unwrap_or(u32::MAX));
            self.call(index, |s, ctx| s.on_stop(ctx))?;
        }
        self.pump()?;
        let warmup = self
            .strategies
            .first()
            .map_or(0, |s| s.strategy.warmup_bars());
        let cancel_reasons = self
            .venues
            .iter_mut()
            .flat_map(|v| std::mem::take(&mut v.cancel_reasons))
            .collect();
        Ok(RunOutput {
            strategy_ids: self.strategies.iter().map(|s| s.id.clone()).collect(),
            accounts: self.venues.into_iter().map(|v| v.account).collect(),
            cache: self.cache,
            curve: self.curve,
            report_currency: self.portfolio.report_currency,
            warmup,
            cancel_reasons,
            observations: self.observer.map(Observer::finish).unwrap_or_default(),
            overlays: self
                .strategies
                .first()
                .map(|s| s.strategy.overlays())
                .unwrap_or_default(),
            margin_calls: self.margin_calls,
            liquidations: self.liquidations,
            funding_payments: self.funding_payments,
        })
    }

    /// The bar loop, a function of its own: its code does not move with
    /// the rest of `run` (measured: the same instructions ran at half the
    /// speed when an unrelated change shifted them inside `run`).
    #[inline(never)]
    fn replay(
        &mut self,
        routes: &[BarRoute],
        merge: ReplayMerge<'_>,
        current_ts: &mut Option<UnixNanos>,
    ) -> Result<(), BacktestError> {
        let mut replayed: usize = 0;
        for (stream, bar) in merge {
            let ts = bar.ts_init;
            if self.start.is_some_and(|s| ts < s) || self.end.is_some_and(|e| ts > e) {
                continue;
            }
            self.replay_bar::<GENERAL>(&routes[stream], bar, current_ts)?;
            replayed += 1;
            if replayed.is_multiple_of(PROGRESS_EVERY) {
                self.count_progress(PROGRESS_EVERY);
            }
        }
        self.count_progress(replayed % PROGRESS_EVERY);
        Ok(())
    }

    #[cold]
    fn count_progress(&self, bars: usize) {
        if let Some(progress) = &self.progress {
            progress.fetch_add(bars, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Whether a run over the one stream of `route` has the plain shape:
    /// one venue whose equity is in the report currency, one strategy on
    /// the stream, and no sizer feeds, FX moves, observers or funding. The bar loop
    /// of such a run leaves their checks out (measured: W1 74 -> 85 M bars/s,
    /// W2 44 -> 48 M), and what it leaves out cannot change during the run.
    fn is_plain(&self, route: &BarRoute) -> bool {
        self.portfolio.is_one_account_in_report_currency()
            && route.subscribers.len() == 1
            && !route.moves_fx
            && !self.has_feeds
            && self.observer.is_none()
            && self.trade_from.is_none()
            && !self.has_funding
    }

    /// The bar loop of a run over one stream: no merge, and the bars
    /// outside `[start, end]` cut off once (the stream is sorted). `G` is
    /// [`GENERAL`], or [`PLAIN`] for a run [`Self::is_plain`] approves.
    #[inline(never)]
    fn replay_one<const G: bool>(
        &mut self,
        route: &BarRoute,
        bars: &[Bar],
        current_ts: &mut Option<UnixNanos>,
    ) -> Result<(), BacktestError> {
        // In chunks, so the count costs nothing per bar.
        for chunk in bars_within(bars, self.start, self.end).chunks(PROGRESS_EVERY) {
            for bar in chunk {
                self.replay_bar::<G>(route, bar, current_ts)?;
            }
            self.count_progress(chunk.len());
        }
        Ok(())
    }

    /// One bar of the replay: a new timestamp first records the equity of
    /// the last one and moves the clock.
    #[inline(always)]
    fn replay_bar<const G: bool>(
        &mut self,
        route: &BarRoute,
        bar: &Bar,
        current_ts: &mut Option<UnixNanos>,
    ) -> Result<(), BacktestError> {
        let ts = bar.ts_init;
        if *current_ts != Some(ts) {
            if let Some(last) = *current_ts {
                self.record_equity::<G>(last)?;
            }
            *current_ts = Some(ts);
            self.advance_clock(ts)?;
        }
        self.on_bar::<G>(route, bar)
    }

    #[inline]
    fn advance_clock(&mut self, ts: UnixNanos) -> Result<(), BacktestError> {
        self.clock.advance_time(ts, &mut self.timer_events);
        if self.timer_events.is_empty() {
            return Ok(());
        }
        self.fire_timers()
    }

    /// Hands the timers that fired to their strategies.
    #[inline(never)]
    fn fire_timers(&mut self) -> Result<(), BacktestError> {
        let fired = std::mem::take(&mut self.timer_events);
        for event in &fired {
            // Timer names are "<strategy index>:<name>"; the strategy sees its own name.
            let Some((owner, name)) = event.name.split_once(':') else {
                continue;
            };
            let Ok(owner) = owner.parse::<u32>() else {
                continue;
            };
            let local = TimeEvent {
                name: Arc::from(name),
                ..event.clone()
            };
            self.call(StrategyIndex(owner), |s, ctx| s.on_timer(ctx, &local))?;
            self.pump()?;
        }
        Ok(())
    }

    // One caller, once per bar.
    #[inline(always)]
    fn on_bar<const G: bool>(&mut self, route: &BarRoute, bar: &Bar) -> Result<(), BacktestError> {
        if G && self.has_funding
            && self.venues[route.venue]
                .funding
                .is_due(bar.instrument, bar.ts_init)
        {
            // Before the bar is the last one: funding marks at the close before it.
            self.pay_funding(route.venue, bar)?;
        }
        self.cache.set_last_bar(bar);
        if G && self.has_feeds {
            self.feed_sizers(bar);
        }
        let venue = route.venue;
        // Most bars meet no working order: decide that without a call.
        if self.venues[venue].has_work(bar) {
            self.match_bar(venue, bar)?;
            self.pump()?;
        } else {
            // Every hook call is followed by a pump, which leaves no
            // command or venue event behind: a bar that matched nothing
            // has nothing to pump.
            debug_assert!(
                self.pending.is_empty() && self.venues.iter().all(|v| !v.has_events()),
                "a command or venue event was left unpumped"
            );
        }
        self.refresh_account(venue)?;
        if self.has_margin
            && !self.venues[venue].account.is_cash()
            && !self.venues[venue].account.is_betting()
        {
            self.margin_call(venue, bar.ts_init)?;
        }
        if G && route.moves_fx {
            // A new rate changes every account holding that currency.
            self.portfolio.revalue_all(&self.venues, &self.cache)?;
        }
        if G {
            for &subscriber in &route.subscribers {
                self.deliver_bar(subscriber, venue, bar)?;
            }
        } else if let Some(&only) = route.subscribers.first() {
            self.deliver_bar(only, venue, bar)?;
        }
        Ok(())
    }

    /// Hands `bar` to one subscriber, and carries out what it asked for.
    #[inline(always)]
    fn deliver_bar(
        &mut self,
        subscriber: StrategyIndex,
        venue: usize,
        bar: &Bar,
    ) -> Result<(), BacktestError> {
        self.call(subscriber, |s, ctx| s.on_bar(ctx, bar))?;
        if !self.pending.is_empty() {
            self.pump()?;
            self.refresh_account(venue)?;
        }
        Ok(())
    }

    #[inline(never)]
    fn feed_sizers(&mut self, bar: &Bar) {
        for slot in &mut self.strategies {
            if let (Some(feed), true) = (&mut slot.feed, slot.instrument == bar.instrument) {
                feed.update(bar);
            }
        }
    }

    /// The venue matches its working orders against the bar and fills
    /// them one by one, each fill's events taken before the next: a fill
    /// sees the balances, margin and positions the ones before it left.
    /// Commands the strategies issue meanwhile wait for the pump after.
    #[inline(never)]
    fn match_bar(&mut self, venue: usize, bar: &Bar) -> Result<(), BacktestError> {
        let exchange = &mut self.venues[venue];
        // Only the pessimistic path depends on the position's direction.
        let sign = if exchange.config.fill.pessimistic {
            let net = self.cache.net_qty_raw(None, bar.instrument);
            i32::from(net > 0) - i32::from(net < 0)
        } else {
            0
        };
        let fills_wait = exchange
            .process_bar(bar, sign, &self.cache)
            .map_err(BacktestError::at(EngineStep::MatchBar))?;
        if !fills_wait {
            return Ok(());
        }
        loop {
            self.handle_venue_events()?;
            let Some(instrument) = self.cache.instrument(bar.instrument) else {
                return Ok(());
            };
            let filled = self.venues[venue]
                .fill_next(bar, instrument, &self.cache)
                .map_err(BacktestError::at(EngineStep::MatchBar))?;
            if !filled {
                return Ok(());
            }
        }
    }

    /// Handles the events the venues queued, leaving commands queued.
    fn handle_venue_events(&mut self) -> Result<(), BacktestError> {
        let spare = std::mem::take(&mut self.spare_events);
        let mut events = std::mem::replace(&mut self.events, spare);
        for venue in &mut self.venues {
            venue.drain_events(&mut events);
        }
        for event in events.drain(..) {
            self.handle_event(event)?;
        }
        self.spare_events = events;
        Ok(())
    }

    /// Drains venue events and queued commands until both are empty.
    #[inline]
    fn pump(&mut self) -> Result<(), BacktestError> {
        // Most bars have neither: decide that without a call.
        if self.pending.is_empty() && self.venues.iter().all(|v| !v.has_events()) {
            return Ok(());
        }
        self.pump_rounds()
    }

    #[inline(never)]
    fn pump_rounds(&mut self) -> Result<(), BacktestError> {
        for _ in 0..MAX_ROUNDS {
            for venue in &mut self.venues {
                venue.drain_events(&mut self.events);
            }
            if self.events.is_empty() && self.pending.is_empty() {
                return Ok(());
            }
            // What handling adds lands in the swapped-in spare, for the
            // next round.
            let spare = std::mem::take(&mut self.spare_events);
            let mut events = std::mem::replace(&mut self.events, spare);
            for event in events.drain(..) {
                self.handle_event(event)?;
            }
            self.spare_events = events;
            let spare = std::mem::take(&mut self.spare_pending);
            let mut commands = std::mem::replace(&mut self.pending, spare);
            // Handled in place: a command is large, and moving each out of
            // the buffer costs more than reading it where it is.
            for (strategy, command) in &mut commands {
                self.handle_command(*strategy, command)?;
            }
            commands.clear();
            self.spare_pending = commands;
        }
        Err(BacktestError::CommandLoop {
            rounds: MAX_ROUNDS,
            ts: self.clock.timestamp_ns(),
        })
    }

    /// Applies a venue's or the engine's event and tells the order's
    /// strategy. Most events only move a status; fills take the call.
    #[inline]
    fn handle_event(&mut self, event: OrderEvent) -> Result<(), BacktestError> {
        if let OrderEventKind::Filled(fill) = &event.kind {
            let terms = FillTerms::of(fill);
            return self.handle_fill(event, terms);
        }
        let strategy = ExecutionEngine::apply_status(&mut self.cache, &event)
            .map_err(BacktestError::at(EngineStep::ApplyOrderEvent))?;
        if self
            .strategies
            .get(strategy.get())
            .is_some_and(|slot| slot.declines_order_events)
        {
            return Ok(());
        }
        self.call(strategy, |s, ctx| s.on_order_event(ctx, &event))
    }

    #[inline(never)]
    fn handle_fill(&mut self, event: OrderEvent, fill: FillTerms) -> Result<(), BacktestError> {
        let currency = fill.currency();
        let outcome = self
            .execution
            .process_fill(
                &mut self.cache,
                &self.instrument_oms,
                &event,
                fill,
                &mut self.position_events,
            )
            .map_err(BacktestError::at(EngineStep::ApplyFill))?;
        let strategy = outcome.strategy;
        let venue = self.instrument_venues[outcome.instrument.get()];
        let exchange = &mut self.venues[venue];
        exchange
            .account
            .apply_realized(currency, outcome.realized_raw);
        self.portfolio.touch(venue);
        if !exchange.account.is_cash() {
            let margin = exchange
                .margin_in_use(currency, &self.cache)
                .map_err(BacktestError::at(EngineStep::LockMargin))?;
            exchange.account.set_locked_raw(currency, margin);
        }
        self.call(strategy, |s, ctx| {
            s.on_order_event(ctx, &event)?;
            if let OrderEventKind::Filled(fill) = &event.kind {
                s.on_order_filled(ctx, &event, fill)?;
            }
            Ok(())
        })?;
        if !self.position_events.is_empty() {
            let mut position_events = std::mem::take(&mut self.position_events);
            for position_event in &position_events {
                self.call(strategy, |s, ctx| match position_event.kind {
                    PositionEventKind::Opened => s.on_position_opened(ctx, position_event),
                    PositionEventKind::Changed => s.on_position_changed(ctx, position_event),
                    PositionEventKind::Closed => s.on_position_closed(ctx, position_event),
                })?;
            }
            // Keep the buffer for the next fill.
            position_events.clear();
            self.position_events = position_events;
        }
        Ok(())
    }

    /// Values a venue's account at the last prices and refreshes its snapshot.
    // Once per bar, a few instructions when nothing filled: worth more than
    // a call (measured: 17 instructions a bar of W1 when it was one).
    #[inline(always)]
    fn refresh_account(&mut self, venue: usize) -> Result<(), BacktestError> {
        self.portfolio.refresh(venue, &self.venues, &self.cache)
    }
}
