//! Currency conversion for accounts that hold or trade in currencies other
//! than their base (and venues whose base is not the report's): at the last
//! close of an FX pair instrument fed in the run, or at a fixed rate from
//! `[fx_rates]`. Conversions are fixed-point, rounded half up.

use crate::core::Currency;
use crate::core::fixed::{self, FIXED_SCALAR};
use crate::core::identifiers::InstrumentIndex;
use crate::model::instruments::{Instrument, InstrumentKind};
use crate::state::cache::Cache;

/// Where a rate comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateSource {
    /// Units of `to` per unit of `from`, raw at the global scale.
    Fixed(i128),
    /// The last close of a pair quoting `from` in `to` (or `to` in `from`
    /// when `inverted`).
    Pair {
        instrument: InstrumentIndex,
        inverted: bool,
    },
}

/// A way from one currency to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FxRoute {
    pub from: Currency,
    pub to: Currency,
    pub source: RateSource,
}

/// Every conversion a run may need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FxTable {
    routes: Vec<FxRoute>,
}

/// No rate for a conversion, or none yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FxError {
    #[error(
        "no {from}/{to} rate: add an fx_pair instrument with data, or [fx_rates] \"{from}/{to}\""
    )]
    NoRoute { from: Currency, to: Currency },
    #[error("no {from}/{to} rate yet: the FX data starts after the balances need converting")]
    NotYet { from: Currency, to: Currency },
    #[error("{0}")]
    Arithmetic(String),
}

impl FxTable {
    /// Routes from fixed rates (`(from, to, raw rate)`) and from every
    /// fx_pair instrument in `fed` (instruments with data), both directions.
    #[must_use]
    pub fn new(
        fixed: &[(Currency, Currency, i128)],
        instruments: &[Instrument],
        fed: &[bool],
    ) -> Self {
        let mut routes: Vec<FxRoute> = fixed
            .iter()
            .flat_map(|&(from, to, rate)| {
                let inverse = fixed::div_round_half_up(FIXED_SCALAR * FIXED_SCALAR, rate).ok();
                [
                    Some(FxRoute {
                        from,
                        to,
                        source: RateSource::Fixed(rate),
                    }),
                    inverse.map(|r| FxRoute {
                        from: to,
                        to: from,
                        source: RateSource::Fixed(r),
                    }),
                ]
            })
            .flatten()
            .collect();
        for (i, inst) in instruments.iter().enumerate() {
            let (InstrumentKind::CurrencyPair { base_currency }, true) =
                (&inst.kind, fed.get(i).copied().unwrap_or(false))
            else {
                continue;
            };
            let instrument = InstrumentIndex(u32::try_from(i).unwrap_or(u32::MAX));
            for (from, to, inverted) in [
                (*base_currency, inst.quote_currency, false),
                (inst.quote_currency, *base_currency, true),
            ] {
                routes.push(FxRoute {
                    from,
                    to,
                    source: RateSource::Pair {
                        instrument,
                        inverted,
                    },
                });
            }
        }
        Self { routes }
    }

    fn route(&self, from: Currency, to: Currency) -> Option<&FxRoute> {
        // Market rates first: a fixed rate is the fallback.
        self.routes
            .iter()
            .filter(|r| r.from == from && r.to == to)
            .min_by_key(|r| matches!(r.source, RateSource::Fixed(_)))
    }

    /// Whether `from` can be converted to `to`.
    #[must_use]
    pub fn can_convert(&self, from: Currency, to: Currency) -> bool {
        from == to || self.route(from, to).is_some()
    }

    /// Whether bars of `instrument` move a rate this table uses.
    #[must_use]
    pub fn moves_with(&self, instrument: InstrumentIndex) -> bool {
        self.routes
            .iter()
            .any(|r| matches!(r.source, RateSource::Pair { instrument: i, .. } if i == instrument))
    }

    /// `raw` units of `from` in `to`, at the current rate. A zero amount
    /// needs no rate.
    ///
    /// # Errors
    /// Without a route, before the pair's first bar, or on overflow.
    pub fn convert(
        &self,
        raw: i128,
        from: Currency,
        to: Currency,
        cache: &Cache,
    ) -> Result<i128, FxError> {
        if from == to || raw == 0 {
            return Ok(raw);
        }
        let route = self.route(from, to).ok_or(FxError::NoRoute { from, to })?;
        let arithmetic = |e: fixed::FixedError| FxError::Arithmetic(e.to_string());
        match route.source {
            RateSource::Fixed(rate) => fixed::mul_raw(raw, rate).map_err(arithmetic),
            RateSource::Pair {
                instrument,
                inverted,
            } => {
                let close = cache
                    .last_bar(instrument)
                    .map(|b| i128::from(b.close().raw))
                    .filter(|c| *c > 0)
                    .ok_or(FxError::NotYet { from, to })?;
                if inverted {
                    let scaled = raw
                        .checked_mul(FIXED_SCALAR)
                        .ok_or(FxError::Arithmetic("overflow".into()))?;
                    fixed::div_round_half_up(scaled, close).map_err(arithmetic)
                } else {
                    fixed::mul_raw(raw, close).map_err(arithmetic)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(x: &str) -> i128 {
        fixed::parse_raw(x).unwrap().0
    }

    #[test]
    fn fixed_rates_convert_both_ways() {
        let table = FxTable::new(&[(Currency::EUR, Currency::USD, raw("1.25"))], &[], &[]);
        let cache = Cache::new(Vec::new());
        assert_eq!(
            table.convert(raw("100"), Currency::EUR, Currency::USD, &cache),
            Ok(raw("125"))
        );
        assert_eq!(
            table.convert(raw("125"), Currency::USD, Currency::EUR, &cache),
            Ok(raw("100"))
        );
        assert_eq!(
            table.convert(raw("7"), Currency::USD, Currency::USD, &cache),
            Ok(raw("7"))
        );
        assert_eq!(
            table.convert(0, Currency::GBP, Currency::USD, &cache),
            Ok(0),
            "nothing to convert"
        );
        assert_eq!(
            table.convert(raw("1"), Currency::GBP, Currency::USD, &cache),
            Err(FxError::NoRoute {
                from: Currency::GBP,
                to: Currency::USD
            })
        );
        assert!(table.can_convert(Currency::USD, Currency::EUR));
        assert!(!table.moves_with(InstrumentIndex(0)));
    }
}
