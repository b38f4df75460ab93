//! The portfolio: positions valued at the last prices. The balances per
//! venue are the venue's account's own (`Account::state`): the portfolio
//! keeps no copy of them to fall out of step.

use std::collections::BTreeMap;

use crate::core::fixed::FixedError;
use crate::core::identifiers::InstrumentIndex;
use crate::core::{Currency, Money, Price};
use crate::model::instruments::Instrument;

use super::cache::{Cache, Filter};

/// Valuations over the cache.
#[derive(Debug)]
pub struct Portfolio;

impl Portfolio {
    /// Net signed quantity raw across strategies.
    #[must_use]
    pub fn net_position(cache: &Cache, instrument: InstrumentIndex) -> i128 {
        cache.net_qty_raw(None, instrument)
    }

    /// The instrument and its last close, once it has one.
    fn priced(cache: &Cache, instrument: InstrumentIndex) -> Option<(&Instrument, Price)> {
        Some((
            cache.instrument(instrument)?,
            cache.last_bar(instrument)?.close(),
        ))
    }

    /// Signed market value of the open positions in `instrument` at its last
    /// close; `None` before its first bar.
    ///
    /// # Errors
    /// On overflow.
    pub fn net_exposure(
        cache: &Cache,
        instrument: InstrumentIndex,
    ) -> Result<Option<Money>, FixedError> {
        let Some((inst, close)) = Self::priced(cache, instrument) else {
            return Ok(None);
        };
        let qty = Self::net_position(cache, instrument);
        Ok(Some(Money::new(
            inst.notional_raw(qty, close)?,
            inst.settlement_currency(),
        )))
    }

    /// Unrealized PnL of the open positions in `instrument` at its last
    /// close; `None` before its first bar.
    ///
    /// # Errors
    /// On overflow.
    pub fn unrealized_pnl(
        cache: &Cache,
        instrument: InstrumentIndex,
    ) -> Result<Option<Money>, FixedError> {
        let Some((inst, close)) = Self::priced(cache, instrument) else {
            return Ok(None);
        };
        let mut total = 0i128;
        for position in cache.positions_open(Filter::default().instrument(instrument)) {
            total += position.unrealized_pnl_raw(inst, close)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::enums::OrderSide;
    use crate::core::fixed::FIXED_SCALAR;
    use crate::core::identifiers::{PositionId, StrategyIndex};
    use crate::core::{Price, Quantity, UnixNanos};
    use crate::model::data::Bar;
    use crate::model::instruments::{Instrument, InstrumentKind};
    use crate::model::position::{Position, PositionFill};

    #[test]
    fn values_positions_at_the_last_close() {
        let instrument = Instrument::new(
            "X.SIM".parse().unwrap(),
            InstrumentKind::Equity,
            Currency::USD,
            2,
            0,
        )
        .unwrap();
        let mut cache = Cache::new(vec![instrument.clone()]);
        let index = InstrumentIndex(0);
        assert_eq!(
            Portfolio::net_exposure(&cache, index).unwrap(),
            None,
            "no price yet"
        );
        let fill = PositionFill {
            side: OrderSide::Buy,
            qty: Quantity::parse("10", 0).unwrap(),
            px: Price::parse("100.00", 2).unwrap(),
            commission_raw: FIXED_SCALAR,
            ts: UnixNanos(0),
        };
        let position = Position::open(
            PositionId::new("P-1").unwrap(),
            StrategyIndex(0),
            &instrument,
            index,
            fill,
        )
        .unwrap();
        cache.add_position(position, true);
        let close = Price::parse("103.00", 2).unwrap().raw;
        cache.set_last_bar(&Bar {
            ts_event: UnixNanos(0),
            ts_init: UnixNanos(0),
            open: close,
            high: close,
            low: close,
            close,
            volume: 0,
            instrument: index,
            price_precision: 2,
            size_precision: 0,
        });
        assert_eq!(Portfolio::net_position(&cache, index), 10 * FIXED_SCALAR);
        assert_eq!(
            Portfolio::net_exposure(&cache, index)
                .unwrap()
                .unwrap()
                .to_string(),
            "1030.00 USD"
        );
        assert_eq!(
            Portfolio::unrealized_pnl(&cache, index)
                .unwrap()
                .unwrap()
                .to_string(),
            "30.00 USD"
        );
        assert_eq!(
            Portfolio::realized_pnl(&cache, index).unwrap().to_string(),
            "-1.00 USD"
        );
        let total = Portfolio::total_pnl(&cache).unwrap();
        assert_eq!(total[&Currency::USD].to_string(), "29.00 USD");
    }
}
