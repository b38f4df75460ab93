//! A position: one open-to-flat cycle of an instrument for a strategy.
//!
//! Quantities and money stay fixed-point: `signed_qty_raw` (+ long, − short)
//! and `cost_basis_raw` (the notional paid for the open quantity) are exact,
//! so a full close realizes exactly `exit notional − entry notional`. A fill
//! that crosses zero is split by [`Position::split_fill`]: the closing part
//! ends this position and the rest opens the next one.

use serde::Serialize;

use crate::core::enums::{OrderSide, PositionSide};
use crate::core::fixed::{self, FIXED_SCALAR, FixedError};
use crate::core::identifiers::{InstrumentIndex, PositionId, StrategyIndex};
use crate::core::{Currency, Money, Price, Quantity, UnixNanos};

use super::instruments::{Instrument, NotionalTerms};

/// The part of a fill a position takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PositionFill {
    pub side: OrderSide,
    pub qty: Quantity,
    pub px: Price,
    pub commission_raw: i128,
    pub ts: UnixNanos,
}

/// An open-to-flat cycle.
#[derive(Debug, Clone, Serialize)]
pub struct Position {
    pub id: PositionId,
    #[serde(skip)]
    pub strategy: StrategyIndex,
    #[serde(skip)]
    pub instrument: InstrumentIndex,
    pub entry: OrderSide,
    pub side: PositionSide,
    pub signed_qty_raw: i128,
    pub size_precision: u8,
    pub currency: Currency,
    /// Notional of the open quantity at entry prices (always ≥ 0).
    pub cost_basis_raw: i128,
    /// Realized PnL after commissions, in `currency`.
    pub realized_pnl_raw: i128,
    pub commissions_raw: i128,
    /// Funding received (+) or paid (−) while open, in `currency`: booked
    /// to the account when charged, and kept out of the realized PnL.
    pub funding_raw: i128,
    /// Largest absolute quantity held.
    pub peak_qty_raw: i128,
    /// Σ opened quantity and notional, for the average entry price.
    pub opened_qty_raw: i128,
    pub opened_value_raw: i128,
    /// Σ closed quantity and notional, for the average exit price.
    pub closed_qty_raw: i128,
    pub closed_value_raw: i128,
    pub ts_opened: UnixNanos,
    pub ts_last: UnixNanos,
    pub ts_closed: Option<UnixNanos>,
    pub fill_count: u32,
}

/// What a position is worth to its account: cash accounts hold its market
/// value, margin accounts its unrealized PnL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    MarketValue,
    UnrealizedPnl,
}

/// A position's quantity and cost with its instrument's notional terms:
/// revaluing it on every bar reads this small copy, not the position and
/// the instrument. It goes stale when the position trades.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub instrument: InstrumentIndex,
    pub currency: Currency,
    kind: MarkKind,
    signed_qty_raw: i128,
    cost_basis_raw: i128,
    terms: NotionalTerms,
    /// The worth as `slope × price raw + intercept` when that is exact: a
    /// linear instrument whose quantity (times multiplier) is a whole
    /// number of units, so the notional needs no rounding. Revaluing on
    /// every bar is then one multiply.
    linear: Option<Linear>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Linear {
    slope: i64,
    intercept: i128,
}

impl Mark {
    fn new(
        instrument: InstrumentIndex,
        currency: Currency,
        kind: MarkKind,
        signed_qty_raw: i128,
        cost_basis_raw: i128,
        terms: NotionalTerms,
    ) -> Self {
        let linear = terms.whole_units(signed_qty_raw).map(|slope| Linear {
            slope,
            intercept: match kind {
                MarkKind::MarketValue => 0,
                // value − cost for a long, cost − value for a short, where
                // value = |units| × price.
                MarkKind::UnrealizedPnl => -cost_basis_raw * signed_qty_raw.signum(),
            },
        });
        Self {
            instrument,
            currency,
            kind,
            signed_qty_raw,
            cost_basis_raw,
            terms,
            linear,
        }
    }

    /// `(slope, intercept)` when the worth at any price is exactly
    /// `slope × price raw + intercept`.
    #[must_use]
    pub fn linear(&self) -> Option<(i64, i128)> {
        self.linear.map(|l| (l.slope, l.intercept))
    }

    /// The position's worth at `price`, in its currency.
    ///
    /// # Errors
    /// On overflow.
    #[inline]
    pub fn value_raw(&self, price: Price) -> Result<i128, FixedError> {
        if let Some(Linear { slope, intercept }) = self.linear {
            // Two 64-bit factors cannot overflow 128 bits.
            return (i128::from(slope) * i128::from(price.raw))
                .checked_add(intercept)
                .ok_or(FixedError::Overflow("position value"));
        }
        self.general_value_raw(price)
    }

    fn general_value_raw(&self, price: Price) -> Result<i128, FixedError> {
        if self.kind == MarkKind::MarketValue {
            return self.terms.notional_raw(self.signed_qty_raw, price);
        }
        if self.signed_qty_raw == 0 {
            return Ok(0);
        }
        let value = self.terms.notional_raw(self.signed_qty_raw.abs(), price)?;
        let gain = if self.terms.is_inverse() {
            self.cost_basis_raw - value
        } else {
            value - self.cost_basis_raw
        };
        Ok(if self.signed_qty_raw > 0 { gain } else { -gain })
    }
}

const fn signed(side: OrderSide, raw: i128) -> i128 {
    match side {
        OrderSide::Buy => raw,
        OrderSide::Sell => -raw,
    }
}

impl Position {
    /// Opens a position with its first fill.
    ///
    /// # Errors
    /// On arithmetic overflow.
    pub fn open(
        id: PositionId,
        strategy: StrategyIndex,
        instrument: &Instrument,
        instrument_index: InstrumentIndex,
        fill: PositionFill,
    ) -> Result<Self, FixedError> {
        let mut position = Self {
            id,
            strategy,
            instrument: instrument_index,
            entry: fill.side,
            side: PositionSide::Flat,
            signed_qty_raw: 0,
            size_precision: instrument.size_precision,
            currency: instrument.settlement_currency(),
            cost_basis_raw: 0,
            realized_pnl_raw: 0,
            commissions_raw: 0,
            funding_raw: 0,
            peak_qty_raw: 0,
            opened_qty_raw: 0,
            opened_value_raw: 0,
            closed_qty_raw: 0,
            closed_value_raw: 0,
            ts_opened: fill.ts,
            ts_last: fill.ts,
            ts_closed: None,
            fill_count: 0,
        };
        position.apply(instrument, fill)?;
        Ok(position)
    }

    #[must_use]
    pub const fn is_open(&self) -> bool {
        self.signed_qty_raw != 0
    }

    #[must_use]
    pub const fn is_closed(&self) -> bool {
        self.ts_closed.is_some()
    }

    /// The absolute quantity held.
    #[must_use]
    pub fn quantity(&self) -> Quantity {
        Quantity {
            raw: self.signed_qty_raw.unsigned_abs(),
            precision: self.size_precision,
        }
    }

    /// Splits a fill of `qty` on `side` into the part that reduces this
    /// position and the part that would open the other way.
    #[must_use]
    pub fn split_fill(&self, side: OrderSide, qty: Quantity) -> (Quantity, Quantity) {
        let reduces =
            self.signed_qty_raw != 0 && (self.signed_qty_raw > 0) != (side == OrderSide::Buy);
        if !reduces {
            return (Quantity::zero(qty.precision), qty);
        }
        let held = self.quantity();
        let closing = qty.min(held);
        (
            closing,
            Quantity {
                raw: qty.raw - closing.raw,
                precision: qty.precision,
            },
        )
    }

    /// Applies a fill that either adds to the position or reduces it by at
    /// most its size (split crossing fills first with [`Self::split_fill`]).
    ///
    /// # Errors
    /// On overflow, or a fill that would cross zero.
    pub fn apply(&mut self, instrument: &Instrument, fill: PositionFill) -> Result<(), FixedError> {
        let qty = fill.qty.signed_raw();
        let notional = instrument.notional_raw(qty, fill.px)?;
        let delta = signed(fill.side, qty);
        let reduces = self.signed_qty_raw != 0 && (self.signed_qty_raw > 0) != (delta > 0);
        if reduces {
            let held = self.signed_qty_raw.abs();
            if qty > held {
                return Err(FixedError::Overflow("fill crosses zero: split it first"));
            }
            let released = if qty == held {
                self.cost_basis_raw
            } else {
                fixed::div_round_half_up(
                    self.cost_basis_raw
                        .checked_mul(qty)
                        .ok_or(FixedError::Overflow("cost basis"))?,
                    held,
                )?
            };
            // Long gains when the exit notional exceeds the entry; inverse
            // notionals fall as prices rise, so their sign flips.
            let long = self.signed_qty_raw > 0;
            let gain = if instrument.notional_terms().is_inverse() {
                released - notional
            } else {
                notional - released
            };
            self.realized_pnl_raw += if long { gain } else { -gain };
            self.cost_basis_raw -= released;
            self.closed_qty_raw += qty;
            self.closed_value_raw += notional;
        } else {
            self.cost_basis_raw += notional;
            self.opened_qty_raw += qty;
            self.opened_value_raw += notional;
        }
        self.realized_pnl_raw -= fill.commission_raw;
        self.commissions_raw += fill.commission_raw;
        self.signed_qty_raw += delta;
        self.peak_qty_raw = self.peak_qty_raw.max(self.signed_qty_raw.abs());
        self.side = match self.signed_qty_raw {
            0 => PositionSide::Flat,
            q if q > 0 => PositionSide::Long,
            _ => PositionSide::Short,
        };
        self.fill_count += 1;
        self.ts_last = fill.ts;
        if self.signed_qty_raw == 0 {
            self.ts_closed = Some(fill.ts);
        }
        Ok(())
    }

    /// The market value of the open quantity at `price` (signed: a short is
    /// negative), in the settlement currency.
    ///
    /// # Errors
    /// On overflow.
    pub fn market_value_raw(
        &self,
        instrument: &Instrument,
        price: Price,
    ) -> Result<i128, FixedError> {
        self.mark(instrument, MarkKind::MarketValue)
            .value_raw(price)
    }

    /// Unrealized PnL at `price`.
    ///
    /// # Errors
    /// On overflow.
    pub fn unrealized_pnl_raw(
        &self,
        instrument: &Instrument,
        price: Price,
    ) -> Result<i128, FixedError> {
        self.mark(instrument, MarkKind::UnrealizedPnl)
            .value_raw(price)
    }

    /// What valuing this position at later prices needs, as of now.
    #[must_use]
    pub fn mark(&self, instrument: &Instrument, kind: MarkKind) -> Mark {
        Mark::new(
            self.instrument,
            self.currency,
            kind,
            self.signed_qty_raw,
            self.cost_basis_raw,
            instrument.notional_terms(),
        )
    }

    #[must_use]
    pub const fn realized_pnl(&self) -> Money {
        Money::new(self.realized_pnl_raw, self.currency)
    }

    fn average(value_raw: i128, qty_raw: i128, instrument: &Instrument) -> Option<Price> {
        if qty_raw == 0 {
            return None;
        }
        // value = qty × px × multiplier  ⇒  px = value / (qty × multiplier).
        let units = fixed::mul_raw(qty_raw, instrument.multiplier.signed_raw()).ok()?;
        let raw = if instrument.notional_terms().is_inverse() {
            fixed::div_round_half_up(units.checked_mul(FIXED_SCALAR)?, value_raw).ok()?
        } else {
            fixed::div_round_half_up(value_raw.checked_mul(FIXED_SCALAR)?, units).ok()?
        };
        // Show the instrument's precision when the average is exact there.
        let step = fixed::pow10(
            fixed::FIXED_PRECISION - instrument.price_precision.min(fixed::FIXED_PRECISION),
        );
        let precision = if raw % step == 0 {
            instrument.price_precision
        } else {
            fixed::FIXED_PRECISION
        };
        Price::from_raw(raw, precision).ok()
    }

    /// Volume-weighted average entry price over the cycle.
    #[must_use]
    pub fn avg_px_open(&self, instrument: &Instrument) -> Option<Price> {
        Self::average(self.opened_value_raw, self.opened_qty_raw, instrument)
    }

    /// Volume-weighted average exit price over the cycle.
    #[must_use]
    pub fn avg_px_close(&self, instrument: &Instrument) -> Option<Price> {
        Self::average(self.closed_value_raw, self.closed_qty_raw, instrument)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::instruments::{InstrumentKind, NotionalShape};
    use proptest::prelude::*;

    fn equity() -> Instrument {
        Instrument::new(
            "AAPL.XNAS".parse().unwrap(),
            InstrumentKind::Equity,
            Currency::USD,
            2,
            0,
        )
        .unwrap()
    }

    fn fill(side: OrderSide, qty: &str, px: &str, commission: &str) -> PositionFill {
        PositionFill {
            side,
            qty: Quantity::parse(qty, 0).unwrap(),
            px: Price::parse(px, 2).unwrap(),
            commission_raw: fixed::parse_raw(commission).unwrap().0,
            ts: UnixNanos(0),
        }
    }

    fn open(f: PositionFill) -> Position {
        let instrument = equity();
        Position::open(
            PositionId::new("P-1").unwrap(),
            StrategyIndex(0),
            &instrument,
            InstrumentIndex(0),
            f,
        )
        .unwrap()
    }

    #[test]
    fn long_round_trip_pnl_is_price_move_times_qty_minus_commissions() {
        let instrument = equity();
        let mut p = open(fill(OrderSide::Buy, "100", "10.00", "1.00"));
        assert_eq!(p.side, PositionSide::Long);
        assert_eq!(
            p.unrealized_pnl_raw(&instrument, Price::parse("10.50", 2).unwrap())
                .unwrap(),
            50 * FIXED_SCALAR
        );
        p.apply(&instrument, fill(OrderSide::Sell, "100", "11.00", "1.10"))
            .unwrap();
        assert!(p.is_closed());
        // (11 − 10) × 100 − 1.00 − 1.10
        assert_eq!(fixed::format_raw(p.realized_pnl_raw, 2), "97.90");
        assert_eq!(fixed::format_raw(p.commissions_raw, 2), "2.10");
        assert_eq!(p.avg_px_close(&instrument).unwrap().raw, 11 * 1_000_000_000);
    }

    #[test]
    fn short_scale_in_and_partial_close() {
        let instrument = equity();
        let mut p = open(fill(OrderSide::Sell, "50", "20.00", "0"));
        p.apply(&instrument, fill(OrderSide::Sell, "50", "22.00", "0"))
            .unwrap();
        assert_eq!(p.avg_px_open(&instrument).unwrap().raw, 21_000_000_000);
        p.apply(&instrument, fill(OrderSide::Buy, "40", "20.00", "0"))
            .unwrap();
        // 40 × (21 − 20)
        assert_eq!(p.realized_pnl_raw, 40 * FIXED_SCALAR);
        assert_eq!(p.signed_qty_raw, -60 * FIXED_SCALAR);
        assert_eq!(p.peak_qty_raw, 100 * FIXED_SCALAR);
        assert_eq!(
            p.market_value_raw(&instrument, Price::parse("20.00", 2).unwrap())
                .unwrap(),
            -1200 * FIXED_SCALAR
        );
    }

    #[test]
    fn reversal_is_split_into_close_and_open() {
        // Buy 100, sell 150 → short 50.
        let instrument = equity();
        let mut p = open(fill(OrderSide::Buy, "100", "10.00", "0"));
        let (closing, opening) = p.split_fill(OrderSide::Sell, Quantity::parse("150", 0).unwrap());
        assert_eq!(
            (closing.to_string(), opening.to_string()),
            ("100".into(), "50".into())
        );
        assert!(
            p.apply(&instrument, fill(OrderSide::Sell, "150", "12.00", "0"))
                .is_err()
        );
        p.apply(&instrument, fill(OrderSide::Sell, "100", "12.00", "0"))
            .unwrap();
        let next = Position::open(
            PositionId::new("P-2").unwrap(),
            StrategyIndex(0),
            &instrument,
            InstrumentIndex(0),
            fill(OrderSide::Sell, "50", "12.00", "0"),
        )
        .unwrap();
        assert_eq!(p.realized_pnl_raw, 200 * FIXED_SCALAR);
        assert_eq!(next.side, PositionSide::Short);
        assert_eq!(next.quantity().to_string(), "50");
    }

    #[test]
    fn bets_net_as_payouts_and_settle_exactly() {
        let market = Instrument::new(
            "WIN.BETFAIR".parse().unwrap(),
            InstrumentKind::Betting {
                market: "1.2".into(),
                selection: "A".into(),
            },
            Currency::GBP,
            2,
            4,
        )
        .unwrap();
        let f = |side, payout: &str, odds: &str| PositionFill {
            side,
            qty: Quantity::parse(payout, 4).unwrap(),
            px: Price::parse(odds, 2).unwrap(),
            commission_raw: 0,
            ts: UnixNanos(0),
        };
        let gbp = |raw: i128| fixed::format_raw(raw, 9);
        // Back (sell) 100 at 3.0 (payout 300, stake 100), lay (buy) 100 at
        // 2.0 (payout 200): a win pays 300 − 100 − (200 − 100) = 100, a
        // loss 0.
        for (settle, total) in [("1.00", "100.000000000"), ("0", "0.000000000")] {
            let mut p = Position::open(
                PositionId::new("P-1").unwrap(),
                StrategyIndex(0),
                &market,
                InstrumentIndex(0),
                f(OrderSide::Sell, "300", "3.00"),
            )
            .unwrap();
            assert_eq!(gbp(p.cost_basis_raw), "100.000000000");
            assert_eq!(
                market
                    .liability_raw(p.signed_qty_raw, p.cost_basis_raw)
                    .unwrap(),
                100 * FIXED_SCALAR
            );
            p.apply(&market, f(OrderSide::Buy, "200", "2.00")).unwrap();
            p.apply(&market, f(OrderSide::Buy, "100", settle)).unwrap();
            assert_eq!(gbp(p.realized_pnl_raw), total);
        }
        // A lay (buy) of 100 at 4.0 (payout 400) risks 300 and wins 100.
        let lay = Position::open(
            PositionId::new("P-2").unwrap(),
            StrategyIndex(0),
            &market,
            InstrumentIndex(0),
            f(OrderSide::Buy, "400", "4.00"),
        )
        .unwrap();
        assert_eq!(
            market
                .liability_raw(lay.signed_qty_raw, lay.cost_basis_raw)
                .unwrap(),
            300 * FIXED_SCALAR
        );
        // Marked at 2.0 (50 %), the lay owes 400 / 2 − 100 = 100.
        assert_eq!(
            gbp(lay
                .unrealized_pnl_raw(&market, Price::parse("2.00", 2).unwrap())
                .unwrap()),
            "-100.000000000"
        );
        assert_eq!(
            i128::from(lay.avg_px_open(&market).unwrap().raw),
            4 * FIXED_SCALAR
        );
    }

    #[test]
    fn inverse_long_gains_in_base_currency_when_price_rises() {
        let inverse = Instrument::new(
            "XBTUSD.BITMEX".parse().unwrap(),
            InstrumentKind::CryptoPerpetual {
                base_currency: Currency::BTC,
                is_inverse: true,
            },
            Currency::USD,
            1,
            0,
        )
        .unwrap();
        let f = |side, qty: &str, px: &str| PositionFill {
            side,
            qty: Quantity::parse(qty, 0).unwrap(),
            px: Price::parse(px, 1).unwrap(),
            commission_raw: 0,
            ts: UnixNanos(0),
        };
        let mut p = Position::open(
            PositionId::new("P-1").unwrap(),
            StrategyIndex(0),
            &inverse,
            InstrumentIndex(0),
            f(OrderSide::Buy, "10000", "50000.0"),
        )
        .unwrap();
        p.apply(&inverse, f(OrderSide::Sell, "10000", "100000.0"))
            .unwrap();
        // 10000 × (1/50000 − 1/100000) = 0.1 BTC
        assert_eq!(p.realized_pnl().to_string(), "0.10000000 BTC");
        assert_eq!(
            i128::from(p.avg_px_open(&inverse).unwrap().raw),
            50_000 * FIXED_SCALAR
        );
    }

    proptest! {
        /// Any book of backs and lays, netted as payouts and settled,
        /// realizes exactly what its bets win or lose one by one: a back
        /// of S at O wins S × (O − 1) or loses S, a lay the other way.
        #[test]
        fn a_settled_book_realizes_each_bets_outcome_exactly(
            bets in proptest::collection::vec((any::<bool>(), 1i128..10_000, 101i128..2_000), 1..12),
            won: bool,
        ) {
            let market = Instrument::new(
                "WIN.BETFAIR".parse().unwrap(),
                InstrumentKind::Betting { market: "1".into(), selection: "A".into() },
                Currency::GBP,
                2,
                4,
            )
            .unwrap();
            let cents = FIXED_SCALAR / 100;
            let mut positions: Vec<Position> = Vec::new();
            let mut expected = 0i128;
            let apply = |positions: &mut Vec<Position>, side: OrderSide, qty_raw: i128, odds_raw: i64| {
                let mut left = Quantity::from_raw(qty_raw, 4).unwrap();
                while !left.is_zero() {
                    let open = positions.last_mut().filter(|p| !p.is_closed());
                    let fill = |qty| PositionFill { side, qty, px: Price { raw: odds_raw, precision: 2 }, commission_raw: 0, ts: UnixNanos(0) };
                    match open {
                        Some(p) => {
                            let (closing, opening) = p.split_fill(side, left);
                            let part = if closing.is_zero() { opening } else { closing };
                            p.apply(&market, fill(part)).unwrap();
                            left = Quantity { raw: left.raw - part.raw, precision: 4 };
                            if p.signed_qty_raw == 0 { p.ts_closed = Some(UnixNanos(0)); }
                        }
                        None => {
                            positions.push(Position::open(PositionId::new("P-1").unwrap(), StrategyIndex(0), &market, InstrumentIndex(0), fill(left)).unwrap());
                            left = Quantity::zero(4);
                        }
                    }
                }
            };
            for (back, stake_cents, odds_cents) in bets {
                let (stake, odds) = (stake_cents * cents, odds_cents * cents);
                let payout = stake * odds / FIXED_SCALAR;
                let side = if back { OrderSide::Sell } else { OrderSide::Buy };
                apply(&mut positions, side, payout, i64::try_from(odds).unwrap());
                let win = payout - stake;
                expected += match (back, won) {
                    (true, true) => win,
                    (true, false) => -stake,
                    (false, true) => -win,
                    (false, false) => stake,
                };
            }
            // Settle what is left at 1.00 (won) or 0.
            if let Some(held) = positions.last().map(|p| p.signed_qty_raw).filter(|q| *q != 0) {
                let side = if held > 0 { OrderSide::Sell } else { OrderSide::Buy };
                apply(&mut positions, side, held.abs(), if won { i64::try_from(FIXED_SCALAR).unwrap() } else { 0 });
            }
            let realized: i128 = positions.iter().map(|p| p.realized_pnl_raw).sum();
            prop_assert_eq!(realized, expected);
        }

        #[test]
        fn closing_in_pieces_realizes_the_same_as_closing_at_once(
            qty in 1u32..1000, entry in 100u32..100_000, exit in 100u32..100_000, cut in 1u32..1000,
        ) {
            let instrument = equity();
            let cut = cut.min(qty);
            let px = |cents: u32| Price::from_raw(i128::from(cents) * 10_000_000, 2).unwrap();
            let q = |n: u32| Quantity::from_raw(i128::from(n) * FIXED_SCALAR, 0).unwrap();
            let opening = PositionFill { side: OrderSide::Buy, qty: q(qty), px: px(entry), commission_raw: 0, ts: UnixNanos(0) };
            let mut whole = open(opening);
            let mut pieces = open(opening);
            whole.apply(&instrument, PositionFill { side: OrderSide::Sell, qty: q(qty), ..opening }).unwrap();
            whole.apply(&instrument, PositionFill { px: px(exit), ..opening }).ok();
            let mut whole2 = open(opening);
            whole2.apply(&instrument, PositionFill { side: OrderSide::Sell, qty: q(qty), px: px(exit), ..opening }).unwrap();
            pieces.apply(&instrument, PositionFill { side: OrderSide::Sell, qty: q(cut), px: px(exit), ..opening }).unwrap();
            if qty > cut {
                pieces.apply(&instrument, PositionFill { side: OrderSide::Sell, qty: q(qty - cut), px: px(exit), ..opening }).unwrap();
            }
            prop_assert_eq!(pieces.realized_pnl_raw, whole2.realized_pnl_raw);
            prop_assert_eq!(whole2.realized_pnl_raw, (i128::from(exit) - i128::from(entry)) * i128::from(qty) * 10_000_000);
        }

        #[test]
        fn the_one_multiply_valuation_equals_the_general_one(
            qty_raw in -10_000_000_000_000i128..10_000_000_000_000,
            cost_raw in 0i128..1_000_000_000_000_000_000,
            price_raw in 1i64..1_000_000_000_000_000,
            multiplier in prop_oneof![Just("1"), Just("0.5"), Just("50"), Just("0.001")],
            margin in any::<bool>(),
            inverse in any::<bool>(),
        ) {
            let kind = if margin { MarkKind::UnrealizedPnl } else { MarkKind::MarketValue };
            let shape = if inverse { NotionalShape::Inverse } else { NotionalShape::Linear };
            let terms = NotionalTerms::new(fixed::parse_raw(multiplier).unwrap().0, shape);
            let mark = Mark::new(InstrumentIndex(0), Currency::USD, kind, qty_raw, cost_raw, terms);
            let price = Price { raw: price_raw, precision: 2 };
            if inverse {
                prop_assert!(mark.linear.is_none());
            } else if multiplier == "1" && qty_raw % FIXED_SCALAR == 0 {
                prop_assert!(mark.linear.is_some());
            }
            prop_assert_eq!(mark.value_raw(price), mark.general_value_raw(price));
        }
    }
}
