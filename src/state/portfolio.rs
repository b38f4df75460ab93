//! The portfolio: positions valued at the last prices, and the balances each
//! venue last reported.

use std::collections::BTreeMap;

use crate::core::events::AccountState;
use crate::core::fixed::FixedError;
use crate::core::identifiers::{InstrumentIndex, VenueIndex};
use crate::core::{AccountBalance, Currency, Money};

use super::cache::{Cache, Filter};

/// Valuations over the cache.
#[derive(Debug, Default)]
pub struct Portfolio {
    balances: BTreeMap<VenueIndex, Vec<AccountBalance>>,
}

impl Portfolio {
    /// Records what a venue's account reported.
    pub fn update_account(&mut self, venue: VenueIndex, state: &AccountState) {
        self.balances.insert(venue, state.balances.clone());
    }

    /// The balances a venue last reported.
    #[must_use]
    pub fn balances(&self, venue: VenueIndex) -> &[AccountBalance] {
        self.balances.get(&venue).map_or(&[], Vec::as_slice)
    }

    /// Net signed quantity raw across strategies.
    #[must_use]
    pub fn net_position(cache: &Cache, instrument: InstrumentIndex) -> i128 {
        cache.net_qty_raw(None, instrument)
    }

    /// Signed market value of the open positions in `instrument` at its last
    /// close, or zero before any bar.
    ///
    /// # Errors
    /// On overflow.
    pub fn net_exposure(
        cache: &Cache,
        instrument: InstrumentIndex,
    ) -> Result<Option<Money>, FixedError> {
        let (Some(inst), Some(bar)) = (cache.instrument(instrument), cache.last_bar(instrument))
        else {
            return Ok(None);
        };
        let qty = Self::net_position(cache, instrument);
        Ok(Some(Money::new(
            inst.notional_raw(qty, bar.close())?,
            inst.settlement_currency(),
        )))
    }

    /// Unrealized PnL of the open positions in `instrument` at its last close.
    ///
    /// # Errors
    /// On overflow.
    pub fn unrealized_pnl(
        cache: &Cache,
        instrument: InstrumentIndex,
    ) -> Result<Option<Money>, FixedError> {
        let (Some(inst), Some(bar)) = (cache.instrument(instrument), cache.last_bar(instrument))
        else {
            return Ok(None);
        };
        let mut total = 0i128;
        for position in cache.positions_open(Filter::default().instrument(instrument)) {
            total += position.unrealized_pnl_raw(inst, bar.close())?;
        }
        Ok(Some(Money::new(total, inst.settlement_currency())))
    }

    /// Realized PnL (after commissions) of every position in `instrument`.
    #[must_use]
    pub fn realized_pnl(cache: &Cache, instrument: InstrumentIndex) -> Option<Money> {
        let inst = cache.instrument(instrument)?;
        let total = cache
            .positions()
            .iter()
            .filter(|p| p.instrument == instrument)
            .map(|p| p.realized_pnl_raw)
            .sum();
        Some(Money::new(total, inst.settlement_currency()))
    }

    /// Realized plus unrealized PnL per settlement currency, over every
    /// instrument.
    ///
    /// # Errors
    /// On overflow.
    pub fn total_pnl(cache: &Cache) -> Result<BTreeMap<Currency, Money>, FixedError> {
        let mut totals: BTreeMap<Currency, Money> = BTreeMap::new();
        for index in 0..cache.instruments().len() {
            let instrument = InstrumentIndex(u32::try_from(index).unwrap_or(u32::MAX));
            let parts = [
                Self::realized_pnl(cache, instrument),
                Self::unrealized_pnl(cache, instrument)?,
            ];
            for money in parts.into_iter().flatten() {
                let entry = totals
                    .entry(money.currency)
                    .or_insert_with(|| Money::zero(money.currency));
                *entry = entry.checked_add(money)?;
            }
        }
        Ok(totals)
    }
}
