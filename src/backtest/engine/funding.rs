//! Funding payments on perpetuals (see `venues::funding`): charged when
//! the first bar at or after a funding time arrives, before that bar's
//! orders fill, on the positions held through the funding time, at the
//! last price known then (the close before that bar).

use crate::core::fixed;
use crate::core::identifiers::{InstrumentIndex, PositionId, PositionIndex};
use crate::core::{Money, Price, UnixNanos};
use crate::model::data::Bar;

use super::{BacktestEngine, BacktestError, EngineStep};

/// One position's payment at one funding time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundingPayment {
    /// The funding time.
    pub ts: UnixNanos,
    pub position_id: PositionId,
    pub instrument: InstrumentIndex,
    /// The position's signed quantity (raw) when charged.
    pub signed_qty_raw: i128,
    /// The rate (raw): longs pay `notional × rate`, shorts receive it.
    pub rate_raw: i128,
    /// The price the notional was taken at.
    pub mark: Price,
    /// Received (+) or paid (−), in the position's settlement currency.
    pub amount: Money,
}

impl BacktestEngine {
    /// Charges every funding time of `bar`'s instrument that `bar` reaches.
    #[cold]
    #[inline(never)]
    pub(super) fn pay_funding(&mut self, venue: usize, bar: &Bar) -> Result<(), BacktestError> {
        let instrument = bar.instrument;
        let mut open: Vec<PositionIndex> = Vec::new();
        while self.venues[venue].funding.is_due(instrument, bar.ts_init) {
            let Some((ts, rate_raw)) = self.venues[venue].funding.next_due(instrument, bar.ts_init)
            else {
                continue;
            };
            // No bar before this one: nothing can be open yet.
            let (Some(last), Some(terms)) = (
                self.cache.last_bar(instrument),
                self.cache
                    .instrument(instrument)
                    .map(|i| i.notional_terms()),
            ) else {
                continue;
            };
            let mark = last.close();
            open.clear();
            open.extend(
                self.cache
                    .open_position_indices()
                    .iter()
                    .copied()
                    .filter(|i| {
                        self.cache
                            .position(*i)
                            .is_some_and(|p| p.instrument == instrument)
                    }),
            );
            for &index in &open {
                let Some(position) = self.cache.position(index) else {
                    continue;
                };
                let notional = terms
                    .notional_raw(position.signed_qty_raw, mark)
                    .map_err(BacktestError::at(EngineStep::PayFunding))?;
                let amount_raw = -fixed::mul_raw(notional, rate_raw)
                    .map_err(BacktestError::at(EngineStep::PayFunding))?;
                let payment = FundingPayment {
                    ts,
                    position_id: position.id.clone(),
                    instrument,
                    signed_qty_raw: position.signed_qty_raw,
                    rate_raw,
                    mark,
                    amount: Money::new(amount_raw, position.currency),
                };
                self.venues[venue]
                    .account
                    .apply_funding(position.currency, amount_raw);
                self.cache.credit_funding(index, amount_raw);
                self.funding_payments.push(payment);
            }
            self.portfolio.touch(venue);
        }
        Ok(())
    }
}
