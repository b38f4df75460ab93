//! Instruments: one struct for what every instrument has, and an enum for
//! what each of the seven kinds adds.

use serde::Serialize;

use crate::core::enums::AssetClass;
use crate::core::fixed::{self, FIXED_SCALAR, FixedError};
use crate::core::identifiers::InstrumentId;
use crate::core::{Currency, Money, Price, Quantity, UnixNanos};

/// Put or call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OptionRight {
    Call,
    Put,
}

/// What a kind of instrument adds to the common fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InstrumentKind {
    Equity,
    CurrencyPair {
        base_currency: Currency,
    },
    /// A perpetual swap; an inverse one is quoted in the quote currency but
    /// margined and settled in the base currency (e.g. XBTUSD in BTC).
    CryptoPerpetual {
        base_currency: Currency,
        is_inverse: bool,
    },
    Future {
        underlying: String,
        expiry: UnixNanos,
    },
    Option {
        underlying: String,
        strike: Price,
        right: OptionRight,
        expiry: UnixNanos,
    },
    /// A back/lay market: the price is decimal odds, the quantity the
    /// payout if the selection wins (stake × odds), so bets at any odds
    /// net like shares; a quantity's notional is its stake, payout / odds.
    /// As in NautilusTrader, a back is a SELL (a backer wants the odds
    /// high, as a seller wants the price) and a lay a BUY.
    Betting {
        market: String,
        selection: String,
    },
    /// A binary outcome share priced in (0, 1].
    PredictionMarket {
        outcome: String,
        expiry: Option<UnixNanos>,
    },
}

/// A tradable instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instrument {
    pub id: InstrumentId,
    pub kind: InstrumentKind,
    pub asset_class: AssetClass,
    pub quote_currency: Currency,
    pub price_precision: u8,
    pub size_precision: u8,
    pub price_increment: Price,
    pub size_increment: Quantity,
    /// Contract multiplier (1 for spot); raw at the global scale.
    pub multiplier: Quantity,
    pub min_quantity: Option<Quantity>,
    pub max_quantity: Option<Quantity>,
}

/// A price or quantity that the instrument does not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstrumentError {
    #[error("{instrument}: {what} {value} is not a multiple of the increment {increment}")]
    Increment {
        instrument: String,
        what: &'static str,
        value: String,
        increment: String,
    },
    #[error("{instrument}: quantity {value} is outside [{min}, {max}]")]
    QuantityBounds {
        instrument: String,
        value: String,
        min: String,
        max: String,
    },
    #[error("{instrument}: price {value} is outside {bounds}")]
    PriceBounds {
        instrument: String,
        value: String,
        bounds: &'static str,
    },
    #[error("{instrument}: {source}")]
    Fixed {
        instrument: String,
        source: FixedError,
    },
}

impl Instrument {
    /// A plain instrument of `kind` with increments of one unit of each
    /// precision and a multiplier of 1.
    ///
    /// # Errors
    /// When a precision exceeds the global scale.
    pub fn new(
        id: InstrumentId,
        kind: InstrumentKind,
        quote_currency: Currency,
        price_precision: u8,
        size_precision: u8,
    ) -> Result<Self, FixedError> {
        let asset_class = match &kind {
            InstrumentKind::Equity => AssetClass::Equity,
            InstrumentKind::CurrencyPair { .. } => AssetClass::Fx,
            InstrumentKind::CryptoPerpetual { .. } => AssetClass::Cryptocurrency,
            InstrumentKind::Future { .. } | InstrumentKind::Option { .. } => AssetClass::Index,
            InstrumentKind::Betting { .. } | InstrumentKind::PredictionMarket { .. } => {
                AssetClass::Alternative
            }
        };
        Ok(Self {
            id,
            kind,
            asset_class,
            quote_currency,
            price_precision,
            size_precision,
            price_increment: Price::from_raw(
                fixed::pow10(fixed::FIXED_PRECISION - price_precision.min(9)),
                price_precision,
            )?,
            size_increment: Quantity::from_raw(
                fixed::pow10(fixed::FIXED_PRECISION - size_precision.min(9)),
                size_precision,
            )?,
            multiplier: Quantity::from_raw(FIXED_SCALAR, 0)?,
            min_quantity: None,
            max_quantity: None,
        })
    }

    /// Inverse instruments settle in their base currency.
    #[must_use]
    pub fn is_inverse(&self) -> bool {
        matches!(
            self.kind,
            InstrumentKind::CryptoPerpetual {
                is_inverse: true,
                ..
            }
        )
    }

    /// A binary instrument (betting, prediction market): each unit pays 1
    /// when the outcome happens and nothing otherwise.
    #[must_use]
    pub const fn is_binary(&self) -> bool {
        matches!(
            self.kind,
            InstrumentKind::Betting { .. } | InstrumentKind::PredictionMarket { .. }
        )
    }

    /// The most that holding `signed_qty_raw` of a binary instrument with
    /// `notional_raw` can lose — the liability a betting account locks: a
    /// bet on the outcome (a back, short in odds; a prediction share held
    /// long) its stake, the notional; a bet against it (a lay; a share
    /// sold short) the payout less the stake it took.
    ///
    /// # Errors
    /// On overflow.
    pub fn liability_raw(
        &self,
        signed_qty_raw: i128,
        notional_raw: i128,
    ) -> Result<i128, FixedError> {
        let terms = self.notional_terms();
        let backs = if terms.shape == NotionalShape::Odds {
            signed_qty_raw < 0
        } else {
            signed_qty_raw > 0
        };
        if backs {
            return Ok(notional_raw.abs());
        }
        let payout = terms.units_raw(signed_qty_raw.abs())?;
        Ok((payout - notional_raw.abs()).max(0))
    }

    /// The currency that PnL, margin and fees are paid in.
    #[must_use]
    pub fn settlement_currency(&self) -> Currency {
        match &self.kind {
            InstrumentKind::CryptoPerpetual {
                base_currency,
                is_inverse: true,
            } => *base_currency,
            _ => self.quote_currency,
        }
    }

    fn fixed_err(&self) -> impl Fn(FixedError) -> InstrumentError + '_ {
        move |source| InstrumentError::Fixed {
            instrument: self.id.to_string(),
            source,
        }
    }

    /// A price at this instrument's precision (rounded half up).
    ///
    /// # Errors
    /// When out of range.
    pub fn make_price(&self, raw: i128) -> Result<Price, InstrumentError> {
        Price::from_raw(raw, self.price_precision).map_err(self.fixed_err())
    }

    /// A quantity at this instrument's precision (rounded half up).
    ///
    /// # Errors
    /// When negative or out of range.
    pub fn make_qty(&self, raw: i128) -> Result<Quantity, InstrumentError> {
        Quantity::from_raw(raw, self.size_precision).map_err(self.fixed_err())
    }

    /// Checks a price an order names: on the tick grid and in range for the kind.
    ///
    /// # Errors
    /// When off the grid or out of the kind's range.
    // Inlined with the error built out of line: every order is checked,
    // and a large error returned through memory stalled the caller.
    #[inline]
    pub fn validate_price(&self, price: Price) -> Result<(), InstrumentError> {
        if price.is_multiple_of(self.price_increment) && self.price_bounds(price).is_none() {
            Ok(())
        } else {
            Err(self.price_error(price))
        }
    }

    /// The range of the kind's prices that `price` falls outside, if any.
    #[inline]
    fn price_bounds(&self, price: Price) -> Option<&'static str> {
        match self.kind {
            InstrumentKind::PredictionMarket { .. }
                if price.raw <= 0 || i128::from(price.raw) > FIXED_SCALAR =>
            {
                Some("(0, 1]")
            }
            InstrumentKind::Betting { .. } if i128::from(price.raw) <= FIXED_SCALAR => {
                Some("(1, ∞) decimal odds")
            }
            InstrumentKind::Equity
            | InstrumentKind::CurrencyPair { .. }
            | InstrumentKind::CryptoPerpetual { .. }
                if price.raw <= 0 =>
            {
                Some("(0, ∞)")
            }
            _ => None,
        }
    }

    #[cold]
    #[inline(never)]
    fn price_error(&self, price: Price) -> InstrumentError {
        match self.price_bounds(price) {
            Some(bounds) if price.is_multiple_of(self.price_increment) => {
                InstrumentError::PriceBounds {
                    instrument: self.id.to_string(),
                    value: price.to_string(),
                    bounds,
                }
            }
            _ => InstrumentError::Increment {
                instrument: self.id.to_string(),
                what: "price",
                value: price.to_string(),
                increment: self.price_increment.to_string(),
            },
        }
    }

    /// Checks an order quantity: positive, on the lot grid and within bounds.
    ///
    /// # Errors
    /// When off the grid or out of bounds.
    #[inline]
    pub fn validate_qty(&self, qty: Quantity) -> Result<(), InstrumentError> {
        let min = self.min_qty();
        let too_big = self.max_quantity.is_some_and(|max| qty > max);
        if qty.is_multiple_of(self.size_increment) && qty >= min && !too_big {
            Ok(())
        } else {
            Err(self.qty_error(qty))
        }
    }

    /// The smallest quantity an order may have: the minimum, else one lot.
    fn min_qty(&self) -> Quantity {
        self.min_quantity.unwrap_or(self.size_increment)
    }

    #[cold]
    #[inline(never)]
    fn qty_error(&self, qty: Quantity) -> InstrumentError {
        if !qty.is_multiple_of(self.size_increment) {
            return InstrumentError::Increment {
                instrument: self.id.to_string(),
                what: "quantity",
                value: qty.to_string(),
                increment: self.size_increment.to_string(),
            };
        }
        InstrumentError::QuantityBounds {
            instrument: self.id.to_string(),
            value: qty.to_string(),
            min: self.min_qty().to_string(),
            max: self
                .max_quantity
                .map_or_else(|| "∞".to_string(), |m| m.to_string()),
        }
    }

    /// The value of `qty` at `price` in the settlement currency:
    /// `qty × price × multiplier`, or `qty × multiplier / price` for inverse.
    ///
    /// # Errors
    /// On overflow, or a zero price for an inverse instrument.
    pub fn notional(&self, qty: Quantity, price: Price) -> Result<Money, FixedError> {
        let raw = self.notional_raw(qty.signed_raw(), price)?;
        Ok(Money::new(raw, self.settlement_currency()))
    }

    /// [`Instrument::notional`] on a signed quantity raw (negative for shorts).
    ///
    /// # Errors
    /// On overflow, or a zero price for an inverse instrument.
    pub fn notional_raw(&self, signed_qty_raw: i128, price: Price) -> Result<i128, FixedError> {
        self.notional_terms().notional_raw(signed_qty_raw, price)
    }

    /// What [`Instrument::notional_raw`] reads of the instrument.
    #[must_use]
    pub fn notional_terms(&self) -> NotionalTerms {
        let shape = match self.kind {
            InstrumentKind::CryptoPerpetual {
                is_inverse: true, ..
            } => NotionalShape::Inverse,
            InstrumentKind::Betting { .. } => NotionalShape::Odds,
            _ => NotionalShape::Linear,
        };
        NotionalTerms::new(self.multiplier.signed_raw(), shape)
    }
}

/// How a quantity and a price make a notional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotionalShape {
    /// `units × price`.
    Linear,
    /// `units / price`, worth less as the price rises (a long gains when
    /// it rises all the same: its sign flips).
    Inverse,
    /// `units / odds`: a payout's stake, inverse in its gains (a back,
    /// short, gains as the odds shorten); a lost selection (odds 0 at
    /// settlement) is worth nothing.
    Odds,
}

/// The part of an instrument that turns a quantity and a price into a
/// notional, small enough to copy where a hot loop values positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotionalTerms {
    multiplier_raw: i128,
    shape: NotionalShape,
}

impl NotionalTerms {
    #[must_use]
    pub const fn new(multiplier_raw: i128, shape: NotionalShape) -> Self {
        Self {
            multiplier_raw,
            shape,
        }
    }

    /// Whether the notional is units divided by the price (inverse and
    /// odds shapes): a long's notional then falls as the price rises, so
    /// its gains are the notional's other way round.
    #[must_use]
    pub const fn is_inverse(&self) -> bool {
        !matches!(self.shape, NotionalShape::Linear)
    }

    /// Quantity times multiplier, at the global scale.
    pub(crate) fn units_raw(&self, signed_qty_raw: i128) -> Result<i128, FixedError> {
        // Most instruments have a multiplier of one: skip that product.
        if self.multiplier_raw == FIXED_SCALAR {
            Ok(signed_qty_raw)
        } else {
            fixed::mul_raw(signed_qty_raw, self.multiplier_raw)
        }
    }

    /// The signed number of units when the notional of `signed_qty_raw` is
    /// exactly that number times the price raw (a linear instrument and a
    /// whole number of units that fits 64 bits); `None` otherwise.
    #[must_use]
    pub fn whole_units(&self, signed_qty_raw: i128) -> Option<i64> {
        if self.is_inverse() {
            return None;
        }
        let units = self.units_raw(signed_qty_raw).ok()?;
        if units % FIXED_SCALAR != 0 {
            return None;
        }
        i64::try_from(units / FIXED_SCALAR).ok()
    }

    /// See [`Instrument::notional_raw`].
    ///
    /// # Errors
    /// On overflow, or a zero price for an inverse instrument.
    #[inline]
    pub fn notional_raw(&self, signed_qty_raw: i128, price: Price) -> Result<i128, FixedError> {
        let units = self.units_raw(signed_qty_raw)?;
        match self.shape {
            NotionalShape::Linear => fixed::mul_raw(units, i128::from(price.raw)),
            NotionalShape::Odds if price.raw == 0 => Ok(0),
            NotionalShape::Inverse | NotionalShape::Odds => {
                let scaled = units
                    .checked_mul(FIXED_SCALAR)
                    .ok_or(FixedError::Overflow("inverse notional"))?;
                fixed::div_round_half_up(scaled, i128::from(price.raw))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instrument(kind: InstrumentKind, price_precision: u8, size_precision: u8) -> Instrument {
        Instrument::new(
            "X.SIM".parse().unwrap(),
            kind,
            Currency::USD,
            price_precision,
            size_precision,
        )
        .unwrap()
    }

    #[test]
    fn makes_prices_and_quantities_at_precision() {
        let equity = instrument(InstrumentKind::Equity, 2, 0);
        assert_eq!(
            equity.make_price(100_125_000_000).unwrap().to_string(),
            "100.13"
        );
        assert_eq!(equity.make_qty(1_500_000_000).unwrap().to_string(), "2");
        assert!(equity.make_qty(-1_000_000_000).is_err());
    }

    #[test]
    fn validates_ticks_and_lots() {
        let mut equity = instrument(InstrumentKind::Equity, 2, 0);
        assert!(
            equity
                .validate_price(Price::parse("1.01", 2).unwrap())
                .is_ok()
        );
        assert!(
            equity
                .validate_price(Price::parse("1.005", 3).unwrap())
                .is_err()
        );
        assert!(
            equity
                .validate_price(Price::parse("0", 2).unwrap())
                .is_err()
        );
        assert!(
            equity
                .validate_qty(Quantity::parse("0.5", 1).unwrap())
                .is_err()
        );
        assert!(
            equity
                .validate_qty(Quantity::parse("0", 0).unwrap())
                .is_err()
        );
        equity.max_quantity = Some(Quantity::parse("10", 0).unwrap());
        let err = equity
            .validate_qty(Quantity::parse("11", 0).unwrap())
            .unwrap_err();
        assert_eq!(err.to_string(), "X.SIM: quantity 11 is outside [1, 10]");
        // Off the grid is reported before out of range.
        let off_grid = |e: InstrumentError| matches!(e, InstrumentError::Increment { .. });
        let price = |text: &str, precision| {
            equity
                .validate_price(Price::parse(text, precision).unwrap())
                .unwrap_err()
        };
        assert!(off_grid(price("1.005", 3)));
        assert!(off_grid(price("-1.005", 3)));
        assert!(matches!(
            price("0", 2),
            InstrumentError::PriceBounds {
                bounds: "(0, ∞)",
                ..
            }
        ));
        let qty = |text: &str, precision| {
            equity
                .validate_qty(Quantity::parse(text, precision).unwrap())
                .unwrap_err()
        };
        assert!(off_grid(qty("0.5", 1)));
        assert!(matches!(
            qty("0", 0),
            InstrumentError::QuantityBounds { .. }
        ));
    }

    #[test]
    fn linear_and_inverse_notional() {
        let mut future = instrument(
            InstrumentKind::Future {
                underlying: "ES".into(),
                expiry: UnixNanos(0),
            },
            2,
            0,
        );
        future.multiplier = Quantity::parse("50", 0).unwrap();
        let n = future
            .notional(
                Quantity::parse("2", 0).unwrap(),
                Price::parse("4000.25", 2).unwrap(),
            )
            .unwrap();
        assert_eq!(n.to_string(), "400025.00 USD");

        let inverse = instrument(
            InstrumentKind::CryptoPerpetual {
                base_currency: Currency::BTC,
                is_inverse: true,
            },
            1,
            0,
        );
        assert_eq!(inverse.settlement_currency(), Currency::BTC);
        let n = inverse
            .notional(
                Quantity::parse("10000", 0).unwrap(),
                Price::parse("50000.0", 1).unwrap(),
            )
            .unwrap();
        assert_eq!(n.to_string(), "0.20000000 BTC");
    }

    #[test]
    fn kind_specific_price_ranges() {
        let pm = instrument(
            InstrumentKind::PredictionMarket {
                outcome: "YES".into(),
                expiry: None,
            },
            2,
            0,
        );
        assert!(pm.validate_price(Price::parse("0.55", 2).unwrap()).is_ok());
        assert!(pm.validate_price(Price::parse("1.01", 2).unwrap()).is_err());
        let bet = instrument(
            InstrumentKind::Betting {
                market: "M".into(),
                selection: "S".into(),
            },
            2,
            2,
        );
        assert!(
            bet.validate_price(Price::parse("1.00", 2).unwrap())
                .is_err()
        );
        assert!(bet.validate_price(Price::parse("2.50", 2).unwrap()).is_ok());
        let option = instrument(
            InstrumentKind::Option {
                underlying: "AAPL".into(),
                strike: Price::parse("150", 0).unwrap(),
                right: OptionRight::Call,
                expiry: UnixNanos(0),
            },
            2,
            0,
        );
        assert_eq!(option.asset_class, AssetClass::Index);
        let fx = instrument(
            InstrumentKind::CurrencyPair {
                base_currency: Currency::EUR,
            },
            5,
            0,
        );
        assert_eq!(fx.asset_class, AssetClass::Fx);
    }
}
