//! The run's portfolio: every venue account valued at the last prices and
//! rates — its positions as marks, its equity — and
//! the equity of all of them in the report currency. The one place that
//! values; the engine tells it when fills made a valuation stale.
//!
//! It sits beside the engine, not in `state`: valuing an account reads the
//! venues' accounts, and `state` sits below `venues`.

use crate::core::identifiers::InstrumentIndex;
use crate::core::{Currency, Money, UnixNanos};
use crate::model::position::{Mark, MarkKind};
use crate::state::cache::Cache;
use crate::trading::strategy::AccountSnapshot;
use crate::venues::exchange::SimulatedExchange;

use super::fx::{FxError, FxTable};
use super::{BacktestError, EngineStep};

/// What valuing one venue's account needs, kept between bars.
#[derive(Debug, Clone)]
struct VenueValuation {
    /// Fills since the marks were built: the snapshot needs a full refresh.
    dirty: bool,
    /// The open positions as marks, rebuilt after fills (the only thing
    /// that opens, closes or changes one), so valuing a bar neither scans
    /// every position nor reads positions and instruments.
    marks: Vec<Mark>,
    /// The equity as a sum of units × last close, when it can be (rebuilt
    /// with the marks).
    linear: Option<LinearEquity>,
    /// The account holds only its base currency (balances in other
    /// currencies only come from the starting balances, as the config
    /// requires them).
    single_currency: bool,
}

/// A venue's equity between two fills, when it is exactly
/// `constant + Σ units × last close`: one currency in the account and its
/// positions, every mark linear and its instrument priced. Balances change
/// only with fills, so the constant holds the balance too.
#[derive(Debug, Clone)]
struct LinearEquity {
    constant_raw: i128,
    terms: Vec<(InstrumentIndex, i64)>,
}

/// Why an account could not be valued.
enum Unvalued {
    /// A rate's FX pair has had no bar yet.
    RateNotYet(FxError),
    Failed(BacktestError),
}

/// Every account's valuation and the snapshots strategies read.
#[derive(Debug)]
pub(super) struct Portfolio {
    valuations: Vec<VenueValuation>,
    /// Cash and equity of each venue's account in its base currency, as
    /// strategies and sizers read them.
    pub(super) accounts: Vec<AccountSnapshot>,
    /// The venue of each instrument, by instrument index.
    instrument_venues: Vec<usize>,
    /// Converts balances and positions held in other currencies.
    fx: FxTable,
    pub(super) report_currency: Currency,
    /// Some account's valuation waits for an FX rate (see
    /// [`Self::refresh`]).
    waiting: bool,
}

impl Portfolio {
    /// The portfolio of `venues`' accounts, at their starting balances.
    pub(super) fn new(
        venues: &[SimulatedExchange],
        instrument_venues: Vec<usize>,
        fx: FxTable,
        report_currency: Currency,
    ) -> Self {
        let accounts = venues
            .iter()
            .map(|v| {
                let free = v.account.free(v.account.base_currency);
                AccountSnapshot {
                    cash: free,
                    equity: free,
                    taker_fee_raw: v.config.fees.taker_rate_raw(),
                }
            })
            .collect();
        let valuations: Vec<VenueValuation> = venues
            .iter()
            .map(|v| {
                let single_currency = v.account.currencies().all(|c| c == v.account.base_currency);
                VenueValuation {
                    // Balances in other currencies count from the first bar on.
                    dirty: !single_currency,
                    marks: Vec::new(),
                    linear: None,
                    single_currency,
                }
            })
            .collect();
        // Accounts holding other currencies are valued by the first point
        // recorded at the latest, even on a venue no bar reaches.
        let waiting = valuations.iter().any(|v| v.dirty);
        Self {
            valuations,
            accounts,
            instrument_venues,
            fx,
            report_currency,
            waiting,
        }
    }

    /// Fills changed the venue's positions or balances: its marks are
    /// stale.
    #[inline]
    pub(super) fn touch(&mut self, venue: usize) {
        self.valuations[venue].dirty = true;
    }

    /// Whether there is one account and its equity is in the report
    /// currency (the plain bar loop records it as it is).
    pub(super) fn is_one_account_in_report_currency(&self) -> bool {
        match self.accounts.as_slice() {
            [only] => only.equity.currency == self.report_currency,
            _ => false,
        }
    }

    /// Values a venue's account at the last prices and refreshes its snapshot.
    #[inline(always)]
    pub(super) fn refresh(
        &mut self,
        venue: usize,
        venues: &[SimulatedExchange],
        cache: &Cache,
    ) -> Result<(), BacktestError> {
        let valuation = &self.valuations[venue];
        if !valuation.dirty {
            match &valuation.linear {
                Some(linear) => {
                    let mut equity = linear.constant_raw;
                    for &(instrument, units) in &linear.terms {
                        if let Some(bar) = cache.last_bar(instrument) {
                            // Two 64-bit factors cannot overflow 128 bits.
                            equity += i128::from(units) * i128::from(bar.close);
                        }
                    }
                    self.accounts[venue].equity.raw = equity;
                    return Ok(());
                }
                // Without fills or open positions nothing moved.
                None if valuation.marks.is_empty() => return Ok(()),
                None => {}
            }
        }
        self.value_account(venue, venues, cache)
    }

    #[inline(never)]
    fn value_account(
        &mut self,
        venue: usize,
        venues: &[SimulatedExchange],
        cache: &Cache,
    ) -> Result<(), BacktestError> {
        match self.revalue(venue, venues, cache) {
            Ok(()) => Ok(()),
            // A rate's pair has no bar yet, though its first may still come
            // at this timestamp: value again at the next chance, and at the
            // latest before the timestamp's equity is recorded.
            Err(Unvalued::RateNotYet(_)) => {
                self.valuations[venue].dirty = true;
                self.waiting = true;
                Ok(())
            }
            Err(Unvalued::Failed(e)) => Err(e),
        }
    }

    /// Rebuilds the venue's marks when fills made them stale, and values
    /// its account into the snapshot.
    fn revalue(
        &mut self,
        venue: usize,
        venues: &[SimulatedExchange],
        cache: &Cache,
    ) -> Result<(), Unvalued> {
        let exchange = &venues[venue];
        let base = exchange.account.base_currency;
        let valuation = &mut self.valuations[venue];
        if std::mem::take(&mut valuation.dirty) {
            let kind = if exchange.account.is_cash() {
                MarkKind::MarketValue
            } else {
                MarkKind::UnrealizedPnl
            };
            let marks = &mut valuation.marks;
            marks.clear();
            marks.extend(
                cache
                    .open_position_indices()
                    .iter()
                    .filter_map(|p| cache.position(*p))
                    .filter(|p| self.instrument_venues[p.instrument.get()] == venue)
                    .filter_map(|p| Some(p.mark(cache.instrument(p.instrument)?, kind))),
            );
            // The last valuation's terms lend their buffer.
            let mut terms = valuation.linear.take().map(|l| l.terms).unwrap_or_default();
            terms.clear();
            let mut linear = LinearEquity {
                constant_raw: exchange.account.total_raw(base),
                terms,
            };
            let all_linear = valuation.single_currency
                && marks.iter().all(|m| {
                    let priced = cache.last_bar(m.instrument).is_some();
                    match (m.linear(), m.currency == base && priced) {
                        (Some((units, intercept)), true) => {
                            linear.constant_raw += intercept;
                            linear.terms.push((m.instrument, units));
                            true
                        }
                        _ => false,
                    }
                });
            valuation.linear = all_linear.then_some(linear);
        }
        let equity = self.account_equity_raw(venue, venues, cache)?;
        // The currency and the fee rate were set when the portfolio was made.
        let snapshot = &mut self.accounts[venue];
        snapshot.cash.raw = venues[venue].account.free(base).raw;
        snapshot.equity.raw = equity;
        Ok(())
    }

    /// The account's equity in its base currency at the last prices and
    /// rates, from the marks its valuation holds.
    fn account_equity_raw(
        &self,
        venue: usize,
        venues: &[SimulatedExchange],
        cache: &Cache,
    ) -> Result<i128, Unvalued> {
        let exchange = &venues[venue];
        let base = exchange.account.base_currency;
        let convert =
            |raw: i128, currency: Currency| match self.fx.convert(raw, currency, base, cache) {
                Ok(converted) => Ok(converted),
                Err(e @ FxError::NotYet { .. }) => Err(Unvalued::RateNotYet(e)),
                Err(e) => Err(Unvalued::Failed(BacktestError::Engine {
                    step: EngineStep::Value,
                    detail: format!(" {}", exchange.account.id),
                    source: Box::new(e),
                })),
            };
        let mut valuation: i128 = 0;
        let state = &self.valuations[venue];
        for mark in &state.marks {
            let Some(bar) = cache.last_bar(mark.instrument) else {
                continue;
            };
            let value = mark
                .value_raw(bar.close())
                .map_err(|e| Unvalued::Failed(BacktestError::at(EngineStep::Value)(e)))?;
            valuation += if mark.currency == base {
                value
            } else {
                convert(value, mark.currency)?
            };
        }
        let mut total = exchange.account.total_raw(base);
        if !state.single_currency {
            for currency in exchange.account.currencies().filter(|c| *c != base) {
                total += convert(exchange.account.total_raw(currency), currency)?;
            }
        }
        Ok(total + valuation)
    }

    /// Whether some account waits for an FX rate to be valued.
    #[inline(always)]
    pub(super) fn is_waiting(&self) -> bool {
        self.waiting
    }

    /// Values the accounts whose valuation waited for a rate; now, at the
    /// end of a timestamp, a rate still missing is an error.
    #[inline(never)]
    pub(super) fn value_waiting(
        &mut self,
        ts: UnixNanos,
        venues: &[SimulatedExchange],
        cache: &Cache,
    ) -> Result<(), BacktestError> {
        self.waiting = false;
        for venue in 0..venues.len() {
            if !self.valuations[venue].dirty {
                continue;
            }
            match self.revalue(venue, venues, cache) {
                Ok(()) => {}
                Err(Unvalued::RateNotYet(e)) => {
                    return Err(BacktestError::Engine {
                        step: EngineStep::Value,
                        detail: format!(" {} at {ts}", venues[venue].account.id),
                        source: Box::new(e),
                    });
                }
                Err(Unvalued::Failed(e)) => return Err(e),
            }
        }
        Ok(())
    }

    /// A rate moved: every account holding its currency is stale, and is
    /// valued again now.
    pub(super) fn revalue_all(
        &mut self,
        venues: &[SimulatedExchange],
        cache: &Cache,
    ) -> Result<(), BacktestError> {
        for venue in 0..venues.len() {
            self.touch(venue);
            self.refresh(venue, venues, cache)?;
        }
        Ok(())
    }

    /// The total equity of every account in the report currency.
    #[inline(always)]
    pub(super) fn total_equity_raw(
        &self,
        ts: UnixNanos,
        cache: &Cache,
    ) -> Result<i128, BacktestError> {
        let mut total: i128 = 0;
        for account in &self.accounts {
            total += self.in_report_currency(&account.equity, ts, cache)?;
        }
        Ok(total)
    }

    /// The first account's equity, for a run [`Self::is_one_account_in_report_currency`]
    /// approves.
    #[inline(always)]
    pub(super) fn only_equity_raw(&self) -> i128 {
        self.accounts.first().map_or(0, |a| a.equity.raw)
    }

    /// Every free balance of every account, in the report currency (what
    /// the observers record as cash).
    pub(super) fn free_cash_raw(
        &self,
        ts: UnixNanos,
        venues: &[SimulatedExchange],
        cache: &Cache,
    ) -> Result<i128, BacktestError> {
        let mut cash_raw: i128 = 0;
        for venue in venues {
            for currency in venue.account.currencies() {
                cash_raw += self.in_report_currency(&venue.account.free(currency), ts, cache)?;
            }
        }
        Ok(cash_raw)
    }

    /// `amount` in the report currency (raw), converted only when it is
    /// in another.
    #[inline(always)]
    fn in_report_currency(
        &self,
        amount: &Money,
        ts: UnixNanos,
        cache: &Cache,
    ) -> Result<i128, BacktestError> {
        if amount.currency == self.report_currency {
            Ok(amount.raw)
        } else {
            self.convert_to_report(*amount, ts, cache)
        }
    }

    #[inline(never)]
    fn convert_to_report(
        &self,
        amount: Money,
        ts: UnixNanos,
        cache: &Cache,
    ) -> Result<i128, BacktestError> {
        self.fx
            .convert(amount.raw, amount.currency, self.report_currency, cache)
            .map_err(|e| BacktestError::Engine {
                step: EngineStep::Value,
                detail: format!(" in the report currency at {ts}"),
                source: Box::new(e),
            })
    }
}
