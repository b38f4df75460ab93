//! The run's equity curve in the report currency, one point per
//! timestamp, and the observers' points beside it.

use crate::analysis::observers::Observation;
use crate::core::UnixNanos;
use crate::core::identifiers::InstrumentIndex;
use crate::core::pool::{self, pools};

use super::{BacktestEngine, BacktestError};

/// The equity curve in the report currency, one point per timestamp. Its
/// buffers go back to the thread's pool when it drops, for the next run's
/// curve (see [`crate::core::pool`]).
#[derive(Debug, Default, Clone)]
pub struct EquityCurve {
    pub ts: Vec<UnixNanos>,
    pub equity_raw: Vec<i128>,
}

pools!(UnixNanos => CURVE_TIMES, i128 => CURVE_EQUITY);

impl Drop for EquityCurve {
    fn drop(&mut self) {
        pool::give(std::mem::take(&mut self.ts));
        pool::give(std::mem::take(&mut self.equity_raw));
    }
}

impl EquityCurve {
    /// How many timestamp buffers this thread's pool keeps (tests: the
    /// pool stays bounded however many runs a thread makes).
    #[cfg(test)]
    pub(crate) fn pooled_buffers() -> usize {
        <UnixNanos as pool::Pooled>::with_pool(|p| p.len()).unwrap_or(0)
    }

    /// An empty curve with room for `points`.
    #[must_use]
    pub fn with_capacity(points: usize) -> Self {
        Self {
            ts: pool::take(points),
            equity_raw: pool::take(points),
        }
    }

    /// The equity as `f64` (for ratios and charts, never for money).
    #[must_use]
    pub fn values(&self) -> Vec<f64> {
        self.equity_raw
            .iter()
            .map(|raw| crate::core::fixed::raw_to_f64(*raw))
            .collect()
    }
}

impl BacktestEngine {
    /// Records the total equity of every account in the report currency.
    // Once per timestamp, a few instructions: worth more than a call.
    #[inline(always)]
    pub(super) fn record_equity<const G: bool>(
        &mut self,
        ts: UnixNanos,
    ) -> Result<(), BacktestError> {
        // The warm-up is not part of the run's equity.
        if G && self.trade_from.is_some_and(|from| ts < from) {
            return Ok(());
        }
        if self.portfolio.is_waiting() {
            self.portfolio
                .value_waiting(ts, &self.venues, &self.cache)?;
        }
        let total = if G {
            self.portfolio.total_equity_raw(ts, &self.cache)?
        } else {
            // One account, in the report currency.
            self.portfolio.only_equity_raw()
        };
        self.curve.ts.push(ts);
        self.curve.equity_raw.push(total);
        if G && self.observer.is_some() {
            self.observe(ts, total)?;
        }
        Ok(())
    }

    /// Records a point of the observers: the free cash is every free
    /// balance of every account, in the report currency like the equity.
    #[inline(never)]
    fn observe(&mut self, ts: UnixNanos, total: i128) -> Result<(), BacktestError> {
        let cash_raw = self
            .portfolio
            .free_cash_raw(ts, &self.venues, &self.cache)?;
        if let Some(observer) = &mut self.observer {
            let positions_raw = (0..self.instrument_venues.len())
                .map(|i| {
                    let index = InstrumentIndex(u32::try_from(i).unwrap_or(u32::MAX));
                    self.cache.net_qty_raw(None, index)
                })
                .collect();
            observer.observe(Observation {
                ts,
                equity_raw: total,
                cash_raw,
                positions_raw,
            });
        }
        Ok(())
    }
}
