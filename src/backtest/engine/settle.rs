//! Settlement at the end of a run (`close_at_end`): every working order is
//! canceled and every open position closed at the last close of its
//! instrument, as Backtesting.py's `finalize_trades=True` closes trades,
//! so the run's trades are all closed ones.

use crate::core::UnixNanos;
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
            self.close_positions(index(i), None)?;
        }
        self.deliver_all(ts)?;
        // The closing orders fill on a bar that is the last close and
        // nothing else: open, high, low and close alike.
        let last: Vec<Bar> = (0..self.cache.instruments().len())
            .filter_map(|i| {
                let instrument =
                    crate::core::identifiers::InstrumentIndex(u32::try_from(i).unwrap_or(u32::MAX));
                self.cache.last_bar(instrument).copied()
            })
            .collect();
        for bar in last {
            let close = bar.close;
            let settle = Bar {
                open: close,
                high: close,
                low: close,
                volume: 0,
                ..bar
            };
            let venue = self.instrument_venues[bar.instrument.get()];
            self.cache.set_last_bar(&settle);
            self.match_bar(venue, &settle)?;
            self.pump()?;
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
}
