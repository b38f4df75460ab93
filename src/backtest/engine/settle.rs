//! Settlement at the end of a run (`close_at_end`): every working order is
//! canceled and every open position closed at the last close of its
//! instrument, as Backtesting.py's `finalize_trades=True` closes trades,
//! so the run's trades are all closed ones. And the settlement of binary
//! instruments at their outcome (`settlement = 1 | 0`).

use crate::core::UnixNanos;
use crate::core::fixed::FIXED_SCALAR;
use crate::core::identifiers::InstrumentIndex;
use crate::model::data::Bar;
use crate::state::cache::Filter;

use super::{BacktestEngine, BacktestError, EngineStep, StrategyIndex};

impl BacktestEngine {
    /// Settles the run at `ts`, its last bar's time. The closing orders are
    /// market orders (taker fee and slippage apply) that fill at the last
    /// close; latency does not delay them, since no later bar exists to
    /// deliver them on.
    pub(super) fn settle(&mut self, ts: UnixNanos) -> Result<(), BacktestError> {
        let strategies = self.strategies.len();
        let index = |i: usize| StrategyIndex(u32::try_from(i).unwrap_or(u32::MAX));
        for i in 0..strategies {
            let filter = Filter {
                strategy: Some(index(i)),
                instrument: None,
                side: None,
            };
            let open: Vec<_> = self.cache.orders_open(filter).map(|o| o.index).collect();
            for order in open {
                self.cancel(index(i), order, ts);
            }
        }
        self.deliver_all(ts)?;
        for i in 0..strategies {
            self.close_positions(index(i), None, None)?;
        }
        self.fill_at_last_close(ts, None)
    }

    /// Settles the binary instruments whose outcome the config gives, at
    /// `ts`, the last bar's time: their working orders are canceled and
    /// their open positions closed by market orders tagged `settlement`
    /// that fill at 1 (the outcome happened; a selection's odds of 1.00)
    /// or 0, free of fees and slippage.
    pub(super) fn settle_outcomes(&mut self, ts: UnixNanos) -> Result<(), BacktestError> {
        // 1.00 at the global scale, as a bar's price.
        const WON: i64 = 1_000_000_000;
        const _: () = assert!(WON as i128 == FIXED_SCALAR);
        let outcomes: Vec<(InstrumentIndex, Option<i64>)> = self
            .settlements
            .iter()
            .enumerate()
            .filter_map(|(i, outcome)| {
                let won = (*outcome)?;
                Some((
                    InstrumentIndex(u32::try_from(i).ok()?),
                    Some(if won { WON } else { 0 }),
                ))
            })
            .collect();
        if outcomes.is_empty() {
            return Ok(());
        }
        let index = |i: usize| StrategyIndex(u32::try_from(i).unwrap_or(u32::MAX));
        for i in 0..self.strategies.len() {
            for &(instrument, _) in &outcomes {
                let filter = Filter {
                    strategy: Some(index(i)),
                    instrument: Some(instrument),
                    side: None,
                };
                let open: Vec<_> = self.cache.orders_open(filter).map(|o| o.index).collect();
                for order in open {
                    self.cancel(index(i), order, ts);
                }
            }
        }
        self.deliver_all(ts)?;
        for i in 0..self.strategies.len() {
            for &(instrument, _) in &outcomes {
                self.close_positions(index(i), Some(instrument), Some("settlement"))?;
            }
        }
        for &(instrument, _) in &outcomes {
            self.venues[self.instrument_venues[instrument.get()]].settling = true;
        }
        let settled = self.fill_on_flat_bars(ts, &outcomes);
        for venue in &mut self.venues {
            venue.settling = false;
        }
        settled
    }

    /// Delivers every command on its way to a venue at `ts`, then fills
    /// what can fill at each instrument's last close (of `venue`'s
    /// instruments, or every one): on a bar that is that close and
    /// nothing else, open, high, low and close alike. The accounts are
    /// valued again after.
    pub(super) fn fill_at_last_close(
        &mut self,
        ts: UnixNanos,
        venue: Option<usize>,
    ) -> Result<(), BacktestError> {
        let prices: Vec<(InstrumentIndex, Option<i64>)> = (0..self.cache.instruments().len())
            .filter(|i| venue.is_none_or(|v| self.instrument_venues[*i] == v))
            .map(|i| (InstrumentIndex(u32::try_from(i).unwrap_or(u32::MAX)), None))
            .collect();
        self.fill_on_flat_bars(ts, &prices)
    }

    /// Delivers every command on its way to a venue at `ts`, then fills
    /// what can fill on a bar of each instrument of `prices` that is one
    /// price and nothing else, open, high, low and close alike: the price
    /// given, or the instrument's last close. The accounts are valued
    /// again after.
    fn fill_on_flat_bars(
        &mut self,
        ts: UnixNanos,
        prices: &[(InstrumentIndex, Option<i64>)],
    ) -> Result<(), BacktestError> {
        self.deliver_all(ts)?;
        for &(instrument, price) in prices {
            let Some(bar) = self.cache.last_bar(instrument).copied() else {
                continue;
            };
            let price = price.unwrap_or(bar.close);
            let settle = Bar {
                open: price,
                high: price,
                low: price,
                close: price,
                volume: 0,
                ..bar
            };
            let venue = self.instrument_venues[bar.instrument.get()];
            self.cache.set_last_bar(&settle);
            self.match_bar(venue, &settle)?;
            self.pump()?;
            // Strategies go on reading the bar as it was.
            self.cache.set_last_bar(&bar);
        }
        // The equity recorded next is the settled one.
        for venue in 0..self.venues.len() {
            self.refresh_account(venue)?;
        }
        Ok(())
    }

    /// Delivers every command still on its way to a venue at `ts`, then
    /// handles what follows.
    fn deliver_all(&mut self, ts: UnixNanos) -> Result<(), BacktestError> {
        self.pump()?;
        for venue in &mut self.venues {
            venue
                .deliver_all(ts)
                .map_err(BacktestError::at(EngineStep::Settle))?;
        }
        self.pump()
    }

    /// A margin account whose equity fell below its maintenance margin
    /// (half the margin its positions lock) at the close of a bar: a
    /// margin call (said once until the equity recovers). With
    /// `liquidation` (the default) every position on the
    /// venue is closed by reduce-only market orders tagged `liquidation`,
    /// filled at the bar's close.
    #[inline(never)]
    pub(super) fn margin_call(&mut self, venue: usize, ts: UnixNanos) -> Result<(), BacktestError> {
        let exchange = &self.venues[venue];
        let base = exchange.account.base_currency;
        let maintenance = exchange
            .maintenance_margin(base, &self.cache)
            .map_err(BacktestError::at(EngineStep::LockMargin))?;
        let account = &exchange.account;
        let equity = self.portfolio.accounts[venue].equity.raw;
        if equity >= maintenance {
            self.margin_called[venue] = false;
            return Ok(());
        }
        // One call while the equity stays below: a kept position is not
        // called again every bar.
        if std::mem::replace(&mut self.margin_called[venue], true) {
            return Ok(());
        }
        let liquidate = self.venues[venue].config.liquidation;
        let precision = base.precision();
        let note = format!(
            "margin call at {ts} on {}: equity {} {base} below the maintenance margin {} {base}{}",
            account.id,
            crate::core::fixed::format_raw(equity, precision),
            crate::core::fixed::format_raw(maintenance, precision),
            if liquidate {
                "; positions liquidated at the close"
            } else {
                " (liquidation = false: positions kept)"
            }
        );
        self.margin_calls.push(note);
        if !liquidate {
            return Ok(());
        }
        let first_new = self.cache.next_order_index();
        let instruments: Vec<crate::core::identifiers::InstrumentIndex> = self
            .cache
            .positions_open(Filter::default())
            .map(|p| p.instrument)
            .filter(|i| self.instrument_venues[i.get()] == venue)
            .collect();
        for i in 0..self.strategies.len() {
            let strategy = StrategyIndex(u32::try_from(i).unwrap_or(u32::MAX));
            for instrument in &instruments {
                self.close_positions(strategy, Some(*instrument), Some("liquidation"))?;
            }
        }
        let made = first_new.get()..self.cache.next_order_index().get();
        self.liquidations.extend(
            made.map(|k| {
                crate::core::identifiers::OrderIndex(u32::try_from(k).unwrap_or(u32::MAX))
            }),
        );
        self.fill_at_last_close(ts, Some(venue))
    }
}
