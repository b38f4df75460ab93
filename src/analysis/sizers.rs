//! Sizers: how large an order that opens or adds to a position is, decided
//! from the account and the market rather than by the strategy (the
//! Backtrader pattern). A sizer answers with an exact quantity or a
//! fraction of the free balance; the engine turns a fraction into whole
//! lots the balance buys with the taker fee on top (Backtesting.py's
//! fractional `size`).

use crate::core::fixed::{self, FIXED_SCALAR};
use crate::core::{Price, Quantity};
use crate::model::instruments::Instrument;

use super::stats::kelly_fraction;

/// How a sized order's quantity is given (mirrors the engine's `OrderSize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sized {
    Quantity(Quantity),
    /// A fraction of the free balance, raw at the global scale.
    Fraction(i128),
    /// Nothing can be sized yet (an indicator still warming up).
    Nothing(&'static str),
}

/// A configured sizer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sizer {
    /// Always this quantity.
    FixedQuantity(Quantity),
    /// This fraction (raw) of the free balance; `1.0` is all-in.
    FractionOfEquity(i128),
    /// Risk `risk` (a fraction of equity) between the entry and a stop
    /// `atr_multiple` ATRs away: quantity = equity × risk / (ATR × multiple
    /// × instrument multiplier), in whole lots.
    FixedRisk {
        risk: f64,
        atr_period: usize,
        atr_multiple: f64,
    },
    /// The Kelly fraction W − (1 − W) / R of the strategy's closed trades
    /// (W win rate, R mean win / mean loss), clipped to [0, `cap`]; `cap`
    /// until `min_trades` trades have closed.
    Kelly { cap: f64, min_trades: usize },
    /// target / (σ × sqrt(bars a year)), σ the standard deviation of the
    /// last `lookback` close-to-close returns, capped at 1: holds more when
    /// the market is calm, less when it is wild.
    VolatilityTarget { target: f64, lookback: usize },
}

/// What a sizer reads when an order is sized. The market figures come from
/// the engine, which feeds them every bar (see `backtest::sizer_feed`).
#[derive(Debug, Clone, Copy)]
pub struct SizingInput<'a> {
    pub instrument: &'a Instrument,
    /// Equity of the account in its base currency.
    pub equity: f64,
    /// Realized PnL of each of the strategy's closed positions.
    pub closed_pnls: &'a [f64],
    /// The current ATR (fixed-risk sizers), once warmed up.
    pub atr: Option<f64>,
    /// σ of recent close-to-close returns and bars a year (volatility
    /// targeting), once warmed up.
    pub volatility: Option<(f64, f64)>,
}

impl Sizer {
    /// The ATR period this sizer needs fed, if any.
    #[must_use]
    pub const fn atr_period(&self) -> Option<usize> {
        match self {
            Self::FixedRisk { atr_period, .. } => Some(*atr_period),
            _ => None,
        }
    }

    /// The number of returns this sizer's volatility needs, if any.
    #[must_use]
    pub const fn volatility_lookback(&self) -> Option<usize> {
        match self {
            Self::VolatilityTarget { lookback, .. } => Some(*lookback),
            _ => None,
        }
    }
}

fn fraction_raw(fraction: f64) -> i128 {
    fixed::raw_from_f64(fraction.clamp(0.0, 1.0), fixed::FIXED_PRECISION).unwrap_or(0)
}

impl Sizer {
    /// The size of an order that opens or adds, at `price`.
    #[must_use]
    pub fn size(&self, input: &SizingInput<'_>, price: Price) -> Sized {
        match *self {
            Self::FixedQuantity(q) => Sized::Quantity(q),
            Self::FractionOfEquity(f) => Sized::Fraction(f),
            Self::FixedRisk {
                risk, atr_multiple, ..
            } => {
                let Some(atr) = input.atr else {
                    return Sized::Nothing("the ATR of the fixed-risk sizer is warming up");
                };
                let multiplier = input.instrument.multiplier.as_f64();
                let per_unit = atr * atr_multiple * multiplier;
                if per_unit <= 0.0 || price.raw <= 0 {
                    return Sized::Nothing("a zero stop distance cannot be sized");
                }
                let units = input.equity * risk / per_unit;
                let raw = fixed::raw_from_f64(units.max(0.0), FIXED_PRECISION_SIZE)
                    .map_or(0, |r| round_down_to_lot(r, input.instrument));
                input.instrument.make_qty(raw).map_or(
                    Sized::Nothing("the risk budget is out of range"),
                    Sized::Quantity,
                )
            }
            Self::Kelly { cap, min_trades } => {
                if input.closed_pnls.len() < min_trades {
                    return Sized::Fraction(fraction_raw(cap));
                }
                let kelly = kelly_fraction(input.closed_pnls).unwrap_or(0.0);
                Sized::Fraction(fraction_raw(kelly.min(cap)))
            }
            Self::VolatilityTarget { target, .. } => {
                let Some((sigma, bars_a_year)) = input.volatility else {
                    return Sized::Nothing("the volatility of the target sizer is warming up");
                };
                let annual = sigma * bars_a_year.sqrt();
                if annual <= 0.0 {
                    return Sized::Fraction(FIXED_SCALAR);
                }
                Sized::Fraction(fraction_raw(target / annual))
            }
        }
    }
}

/// Quantities are computed at the global scale, then cut to whole lots.
const FIXED_PRECISION_SIZE: u8 = fixed::FIXED_PRECISION;

/// Rounds a raw quantity down to the instrument's lot (never up: a sizer
/// must not risk more than asked).
fn round_down_to_lot(raw: i128, instrument: &Instrument) -> i128 {
    let lot = instrument.size_increment.signed_raw().max(1);
    raw - raw.rem_euclid(lot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Currency;
    use crate::model::instruments::InstrumentKind;

    fn equity_instrument() -> Instrument {
        Instrument::new(
            "X.SIM".parse().unwrap(),
            InstrumentKind::Equity,
            Currency::USD,
            2,
            0,
        )
        .unwrap()
    }

    fn input<'a>(instrument: &'a Instrument, pnls: &'a [f64]) -> SizingInput<'a> {
        SizingInput {
            instrument,
            equity: 100_000.0,
            closed_pnls: pnls,
            atr: None,
            volatility: None,
        }
    }

    fn price() -> Price {
        Price::parse("100", 2).unwrap()
    }

    fn raw(x: f64) -> i128 {
        fixed::raw_from_f64(x, 9).unwrap()
    }

    #[test]
    fn fixed_risk_sizes_by_the_atr_stop() {
        let instrument = equity_instrument();
        let sizer = Sizer::FixedRisk {
            risk: 0.01,
            atr_period: 2,
            atr_multiple: 2.0,
        };
        assert!(matches!(
            sizer.size(&input(&instrument, &[]), price()),
            Sized::Nothing(_)
        ));
        // 1 % of 100,000 = 1,000 at risk; stop 2 × 2.25 = 4.5 away: 222.2 → 222 units.
        let with_atr = SizingInput {
            atr: Some(2.25),
            ..input(&instrument, &[])
        };
        assert_eq!(
            sizer.size(&with_atr, price()),
            Sized::Quantity(Quantity::parse("222", 0).unwrap())
        );
    }

    #[test]
    fn kelly_is_capped_and_waits_for_trades() {
        let instrument = equity_instrument();
        let sizer = Sizer::Kelly {
            cap: 0.5,
            min_trades: 4,
        };
        assert_eq!(
            sizer.size(&input(&instrument, &[1.0]), price()),
            Sized::Fraction(raw(0.5))
        );
        // W 0.5, R 2: 0.25.
        let pnls = [2.0, -1.0, 4.0, -2.0];
        assert_eq!(
            sizer.size(&input(&instrument, &pnls), price()),
            Sized::Fraction(raw(0.25))
        );
        // A losing record sizes nothing rather than a negative fraction.
        let losing = [1.0, -5.0, -5.0, -5.0];
        assert_eq!(
            sizer.size(&input(&instrument, &losing), price()),
            Sized::Fraction(0)
        );
    }

    #[test]
    fn volatility_target_holds_more_when_calm() {
        let instrument = equity_instrument();
        let sizer = Sizer::VolatilityTarget {
            target: 0.1,
            lookback: 3,
        };
        assert!(matches!(
            sizer.size(&input(&instrument, &[]), price()),
            Sized::Nothing(_)
        ));
        // σ 1 % a day over 256 days a year: 16 % a year; target 10 %: 0.625.
        let stormy = SizingInput {
            volatility: Some((0.01, 256.0)),
            ..input(&instrument, &[])
        };
        assert_eq!(sizer.size(&stormy, price()), Sized::Fraction(raw(0.625)));
        // σ 0.1 % a day is 1.6 % a year: 6.25, capped at all-in.
        let calm = SizingInput {
            volatility: Some((0.001, 256.0)),
            ..input(&instrument, &[])
        };
        assert_eq!(sizer.size(&calm, price()), Sized::Fraction(raw(1.0)));
    }

    #[test]
    fn fixed_and_fractional_pass_through() {
        let instrument = equity_instrument();
        let q = Quantity::parse("10", 0).unwrap();
        let plain = input(&instrument, &[]);
        assert_eq!(
            Sizer::FixedQuantity(q).size(&plain, price()),
            Sized::Quantity(q)
        );
        assert_eq!(
            Sizer::FractionOfEquity(FIXED_SCALAR).size(&plain, price()),
            Sized::Fraction(FIXED_SCALAR)
        );
        assert_eq!(Sizer::FractionOfEquity(1).atr_period(), None);
    }
}
