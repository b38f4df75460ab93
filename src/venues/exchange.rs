//! `SimulatedExchange`: one venue's matching cores, models, account and
//! latency queue. It implements the engine's `ExecutionClient` and emits
//! order events; the backtest engine applies them.

use std::sync::Arc;

use crate::core::enums::{LiquiditySide, OmsType, OrderSide, TimeInForce};
use crate::core::events::{OrderEvent, OrderEventKind};
use crate::core::fixed::FixedError;
use crate::core::identifiers::{
    IdPrefix, IdentifierError, InstrumentIndex, OrderIndex, Venue, VenueOrderId,
};
use crate::core::pool;
use crate::core::rng::SeededRng;
use crate::core::{Money, UnixNanos};
use crate::engine::execution::{ExecutionClient, Routing};
use crate::engine::matching::{Match, MatchingCore, Triggered};
use crate::model::data::Bar;
use crate::model::instruments::Instrument;
use crate::model::orders::trailing::TrailingSpec;
use crate::model::orders::{Order, OrderKind};
use crate::state::cache::Cache;

use super::account::Account;
use super::funding::{FundingSchedule, FundingSource};

mod contingent;
mod fill;
mod funds;
use super::models::{FeeModel, FillModel, LatencyModel, SlippageModel};
use crate::engine::risk::{FillCost, MarginRates, RiskLimits};

/// A venue's settings.
#[derive(Debug, Clone)]
pub struct VenueConfig {
    pub venue: Venue,
    pub oms: OmsType,
    pub fill: FillModel,
    pub fees: FeeModel,
    pub slippage: SlippageModel,
    pub latency: LatencyModel,
    pub max_order_notional: Option<Money>,
    /// Margin accounts: positions are closed when the equity falls below
    /// the maintenance margin (else the margin call is only recorded).
    pub liquidation: bool,
    /// At most this share (raw) of a bar's volume fills on it; the rest
    /// stays working.
    pub max_volume_share: Option<i128>,
    /// Where each instrument's funding rates come from, by instrument
    /// index (empty: the venue charges no funding).
    pub funding: Vec<Option<FundingSource>>,
}

#[derive(Debug, Clone)]
enum InflightCommand {
    Submit {
        terms: WorkingTerms,
        /// The order whose fill releases this one (held until then).
        held_by: Option<OrderIndex>,
    },
    Cancel {
        order: OrderIndex,
        instrument: InstrumentIndex,
    },
}

/// What the venue keeps of a working order.
#[derive(Debug, Clone, Copy)]
struct WorkingTerms {
    order: OrderIndex,
    instrument: InstrumentIndex,
    side: OrderSide,
    kind: OrderKind,
    time_in_force: TimeInForce,
    expire_time: Option<UnixNanos>,
}

#[derive(Debug, Clone)]
struct Inflight {
    arrival: UnixNanos,
    sequence: u64,
    command: InflightCommand,
}

/// Why the exchange could not process a bar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    #[error(transparent)]
    Fixed(#[from] FixedError),
    #[error(transparent)]
    Identifier(#[from] IdentifierError),
}

/// Queues an event of `kind()` for the engine on `events` (made in place:
/// see [`pool::push_with`]).
#[inline]
fn emit(
    events: &mut Vec<OrderEvent>,
    order: OrderIndex,
    ts: UnixNanos,
    kind: impl FnOnce() -> OrderEventKind,
) {
    pool::push_with(events, || OrderEvent {
        order,
        kind: kind(),
        ts_event: ts,
        ts_init: ts,
    });
}

/// A simulated venue.
#[derive(Debug)]
pub struct SimulatedExchange {
    pub config: VenueConfig,
    pub account: Account,
    cores: Vec<Option<MatchingCore>>,
    inflight: Vec<Inflight>,
    rng: SeededRng,
    events: Vec<OrderEvent>,
    matches: Vec<Match>,
    triggered: Vec<Triggered>,
    sequence: u64,
    trade_sequence: u64,
    /// `<venue>-` and `<venue>-T`: the heads of venue order and trade ids.
    order_id_prefix: IdPrefix,
    trade_id_prefix: IdPrefix,
    /// IOC/FOK orders: canceled after the first bar they could fill on.
    immediate: Vec<(InstrumentIndex, OrderIndex)>,
    /// GTD/DAY orders with their deadline.
    expiries: Vec<(UnixNanos, InstrumentIndex, OrderIndex)>,
    /// Why orders were canceled by the venue itself (for `orders.csv`).
    pub cancel_reasons: Vec<(OrderIndex, Arc<str>)>,
    /// The next of `matches` to fill: the engine takes each fill's events
    /// before the next one fills (see [`SimulatedExchange::fill_next`]).
    next_match: usize,
    /// Quantity (raw) filled on the current bar, against
    /// `max_volume_share`.
    bar_volume_raw: i128,
    /// Fees that replace the venue's for one instrument, by instrument
    /// index (`maker_fee`/`taker_fee` in `[[instruments]]`).
    instrument_fees: Vec<Option<FeeModel>>,
    /// Margin rates by instrument index (margin accounts).
    instrument_margins: Vec<MarginRates>,
    /// Accepted orders waiting for their parent's fill: (parent, order).
    held: Vec<(OrderIndex, WorkingTerms)>,
    /// How the trailing stops sent here trail, until they go to work.
    trailing_specs: Vec<(OrderIndex, TrailingSpec)>,
    /// When the perpetuals traded here pay funding, and at what rate.
    pub funding: FundingSchedule,
    /// Fills now settle binary instruments at their outcome: no fee, no
    /// slippage.
    pub settling: bool,
    /// The run's pre-trade limits: a size decided at the fill keeps to them.
    risk_limits: RiskLimits,
}

impl SimulatedExchange {
    /// A venue trading the instruments flagged in `trades_instrument`.
    #[must_use]
    pub fn new(
        config: VenueConfig,
        account: Account,
        trades_instrument: &[bool],
        seed: u64,
    ) -> Self {
        let cores = trades_instrument
            .iter()
            .map(|t| t.then(MatchingCore::new))
            .collect();
        Self {
            funding: FundingSchedule::new(config.funding.clone()),
            order_id_prefix: IdPrefix::after(config.venue.as_str(), '-'),
            trade_id_prefix: IdPrefix::after(&format!("{}-", config.venue), 'T'),
            config,
            account,
            cores,
            inflight: Vec::new(),
            rng: SeededRng::new(seed),
            events: Vec::new(),
            matches: Vec::new(),
            triggered: Vec::new(),
            sequence: 0,
            trade_sequence: 0,
            immediate: Vec::new(),
            expiries: Vec::new(),
            cancel_reasons: Vec::new(),
            next_match: 0,
            bar_volume_raw: 0,
            instrument_fees: Vec::new(),
            instrument_margins: Vec::new(),
            held: Vec::new(),
            trailing_specs: Vec::new(),
            settling: false,
            risk_limits: RiskLimits::default(),
        }
    }

    /// Charges `fees[i]`, where set, for instrument `i` instead of the
    /// venue's own fees.
    #[must_use]
    pub fn with_instrument_fees(mut self, fees: Vec<Option<FeeModel>>) -> Self {
        self.instrument_fees = fees;
        self
    }

    /// Keeps sizes decided at the fill within `limits` (`[risk]`).
    #[must_use]
    pub fn with_risk_limits(mut self, limits: RiskLimits) -> Self {
        self.risk_limits = limits;
        self
    }

    /// Uses `margins[i]` as instrument `i`'s margin rates.
    #[must_use]
    pub fn with_instrument_margins(mut self, margins: Vec<MarginRates>) -> Self {
        self.instrument_margins = margins;
        self
    }

    /// The fees charged for trading `instrument`: its own, or the venue's.
    #[must_use]
    #[inline]
    pub fn fees_for(&self, instrument: InstrumentIndex) -> &FeeModel {
        self.instrument_fees
            .get(instrument.get())
            .and_then(Option::as_ref)
            .unwrap_or(&self.config.fees)
    }

    /// What trading `instrument` on `side` costs this venue's account when
    /// the order takes `liquidity`: its fees, and on a margin account the
    /// initial margin in place of the notional (a lay on a betting
    /// account: its liability).
    #[must_use]
    pub fn fill_cost(
        &self,
        instrument: InstrumentIndex,
        side: OrderSide,
        liquidity: LiquiditySide,
    ) -> FillCost {
        let mut fill_cost = self.fees_for(instrument).fill_cost(liquidity);
        if !self.account.is_cash() {
            fill_cost.margin = Some((self.margin_rates(instrument), self.account.leverage_raw));
            fill_cost.bets = self.account.is_betting().then_some(side);
        }
        fill_cost
    }

    /// `true` when events wait to be drained.
    #[must_use]
    #[inline]
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// `true` when this venue trades `instrument`.
    #[must_use]
    pub fn trades(&self, instrument: InstrumentIndex) -> bool {
        self.cores
            .get(instrument.get())
            .is_some_and(Option::is_some)
    }

    /// `<venue>-<n>` for the order at cache index n − 1.
    fn venue_order_id(&self, order: OrderIndex) -> VenueOrderId {
        VenueOrderId::after(&self.order_id_prefix, u64::from(order.0))
    }

    fn execute(&mut self, command: InflightCommand, ts: UnixNanos) -> Result<(), ExchangeError> {
        match command {
            InflightCommand::Submit { terms, held_by } => {
                if !self.trades(terms.instrument) {
                    return Ok(());
                }
                let order = terms.order;
                match held_by {
                    Some(parent) => self.held.push((parent, terms)),
                    None => self.work(terms, ts),
                }
                let venue_order_id = self.venue_order_id(order);
                emit(&mut self.events, order, ts, || OrderEventKind::Accepted {
                    venue_order_id,
                });
            }
            InflightCommand::Cancel { order, instrument } => {
                let removed = self
                    .cores
                    .get_mut(instrument.get())
                    .and_then(Option::as_mut)
                    .is_some_and(|core| core.remove(order))
                    || self.unhold(order).is_some();
                if removed {
                    emit(&mut self.events, order, ts, || OrderEventKind::Canceled);
                    self.cancel_held_children(order, ts);
                }
            }
        }
        Ok(())
    }

    fn dispatch(&mut self, command: InflightCommand, ts: UnixNanos) -> Result<(), ExchangeError> {
        if self.config.latency.is_zero() {
            return self.execute(command, ts);
        }
        // One session to the venue: a command never overtakes an earlier
        // one (a cancel sent after its order arrives after it), whatever
        // the jitter drew.
        // An order held for its parent travels with it: sent together, it
        // arrives together (and draws no latency of its own).
        let rides_along = matches!(
            command,
            InflightCommand::Submit {
                held_by: Some(_),
                ..
            }
        );
        let arrival = match (self.inflight.last(), rides_along) {
            (Some(last), true) => last.arrival,
            (last, _) => {
                let drawn = self.config.latency.arrival(ts, &mut self.rng);
                last.map_or(drawn, |last| drawn.max(last.arrival))
            }
        };
        self.sequence += 1;
        let entry = Inflight {
            arrival,
            sequence: self.sequence,
            command,
        };
        let at = self
            .inflight
            .partition_point(|i| (i.arrival, i.sequence) <= (entry.arrival, entry.sequence));
        self.inflight.insert(at, entry);
        Ok(())
    }

    /// Delivers the commands that have reached the venue by `ts`.
    ///
    /// # Errors
    /// When an id cannot be built.
    pub fn advance(&mut self, ts: UnixNanos) -> Result<(), ExchangeError> {
        let due = self.inflight.partition_point(|i| i.arrival <= ts);
        if due == 0 {
            return Ok(());
        }
        let arrived: Vec<Inflight> = self.inflight.drain(..due).collect();
        for inflight in arrived {
            self.execute(inflight.command, inflight.arrival)?;
        }
        Ok(())
    }

    /// Delivers every command in flight at `ts`, whatever its latency: the
    /// run is over and no later bar exists to deliver it on.
    ///
    /// # Errors
    /// When an id cannot be built.
    pub fn deliver_all(&mut self, ts: UnixNanos) -> Result<(), ExchangeError> {
        for inflight in std::mem::take(&mut self.inflight) {
            self.execute(inflight.command, ts)?;
        }
        Ok(())
    }

    /// `true` when `bar` has something to do here: a command in flight, an
    /// order to expire, or working orders of its instrument that it may
    /// trade or that are immediate (IOC/FOK orders work in their core until
    /// their first bar). Most bars have none, and the engine then skips the
    /// venue.
    #[inline]
    #[must_use]
    pub fn has_work(&mut self, bar: &Bar) -> bool {
        if !self.inflight.is_empty() || !self.expiries.is_empty() {
            return true;
        }
        let Some(Some(core)) = self.cores.get_mut(bar.instrument.get()) else {
            return false;
        };
        !core.is_empty() && (!self.immediate.is_empty() || core.may_trade(bar))
    }

    /// Matches the working orders of `bar`'s instrument against it, and
    /// says whether fills wait: the engine then calls
    /// [`Self::fill_next`] until it returns `false`, taking each fill's
    /// events in between, so every fill sees the balances and positions
    /// the fills before it on the bar left. `net_sign` is the sign of the
    /// venue's net position in the instrument (for the pessimistic path).
    ///
    /// # Errors
    /// On a bad id.
    pub fn process_bar(
        &mut self,
        bar: &Bar,
        net_sign: i32,
        cache: &Cache,
    ) -> Result<bool, ExchangeError> {
        if !self.inflight.is_empty() {
            self.advance(bar.ts_init)?;
        }
        if !self.expiries.is_empty() {
            self.expire(bar.instrument, bar.ts_init);
        }
        let Some(Some(core)) = self.cores.get_mut(bar.instrument.get()) else {
            return Ok(false);
        };
        if core.is_empty() {
            return Ok(false);
        }
        let path = self.config.fill.path(net_sign);
        self.matches.clear();
        self.next_match = 0;
        self.bar_volume_raw = 0;
        core.process_bar(
            bar,
            path,
            self.config.fill.market_price,
            &mut self.matches,
            &mut self.triggered,
        );
        let ts = bar.ts_init;
        self.report_unfilled_changes(bar, cache);
        // Most bars trade nothing.
        if self.matches.is_empty() {
            self.finish_bar(bar.instrument, ts);
            return Ok(false);
        }
        Ok(true)
    }

    /// Fills the next order the bar matched (see [`Self::process_bar`]);
    /// `false` once none is left, when the bar's unfilled IOC/FOK orders
    /// are canceled.
    ///
    /// # Errors
    /// On arithmetic overflow or a bad id.
    // Out of line: the bars that trade nothing keep a short path.
    #[inline(never)]
    pub fn fill_next(
        &mut self,
        bar: &Bar,
        instrument: &Instrument,
        cache: &Cache,
    ) -> Result<bool, ExchangeError> {
        let Some(m) = self.matches.get(self.next_match).copied() else {
            self.finish_bar(bar.instrument, bar.ts_init);
            return Ok(false);
        };
        self.next_match += 1;
        self.fill(&m, bar, instrument, cache, bar.ts_init)?;
        Ok(true)
    }

    fn finish_bar(&mut self, instrument: InstrumentIndex, ts: UnixNanos) {
        if !self.immediate.is_empty() {
            self.cancel_unfilled_immediate(instrument, ts);
        }
    }

    /// Expires GTD/DAY orders of `instrument` whose deadline is before `ts`.
    fn expire(&mut self, instrument: InstrumentIndex, ts: UnixNanos) {
        let Some(Some(core)) = self.cores.get_mut(instrument.get()) else {
            return;
        };
        let mut expired = Vec::new();
        self.expiries.retain(|(deadline, inst, order)| {
            if *inst != instrument || *deadline >= ts {
                return true;
            }
            if core.remove(*order) {
                expired.push((*order, *deadline));
            }
            false
        });
        for (order, deadline) in expired {
            emit(&mut self.events, order, deadline.max(UnixNanos(0)), || {
                OrderEventKind::Expired
            });
            self.cancel_held_children(order, ts);
        }
    }

    /// Cancels what IOC/FOK orders of `instrument` did not fill on this bar.
    fn cancel_unfilled_immediate(&mut self, instrument: InstrumentIndex, ts: UnixNanos) {
        let Some(Some(core)) = self.cores.get_mut(instrument.get()) else {
            return;
        };
        let mut canceled = Vec::new();
        self.immediate.retain(|(inst, order)| {
            if *inst != instrument {
                return true;
            }
            if core.remove(*order) {
                canceled.push(*order);
            }
            false
        });
        for order in canceled {
            emit(&mut self.events, order, ts, || OrderEventKind::Canceled);
            self.cancel_held_children(order, ts);
        }
    }
}

impl ExecutionClient for SimulatedExchange {
    fn submit_order(&mut self, order: &Order, routing: Routing, ts: UnixNanos) {
        // Kept aside, so the in-flight command of every other order stays
        // small and plain.
        if let Some(spec) = routing.trailing {
            self.trailing_specs.push((order.index, *spec));
        }
        let command = InflightCommand::Submit {
            terms: WorkingTerms {
                order: order.index,
                instrument: order.instrument,
                side: order.side,
                kind: order.kind,
                time_in_force: order.time_in_force,
                expire_time: order.expire_time,
            },
            held_by: routing.held_by,
        };
        if let Err(e) = self.dispatch(command, ts) {
            emit(&mut self.events, order.index, ts, || {
                OrderEventKind::Rejected {
                    reason: Arc::from(e.to_string()),
                }
            });
        }
    }

    fn cancel_order(&mut self, order: &Order, ts: UnixNanos) {
        let command = InflightCommand::Cancel {
            order: order.index,
            instrument: order.instrument,
        };
        // A cancel command holds no ids to build, so it cannot fail.
        let _ = self.dispatch(command, ts);
    }

    fn drain_events(&mut self, out: &mut Vec<OrderEvent>) {
        // Usually `out` is empty, and swapping the buffers moves no events.
        if out.is_empty() {
            std::mem::swap(out, &mut self.events);
        } else {
            out.append(&mut self.events);
        }
    }
}
