//! Behaviour models a venue is configured with: fill, fee, slippage and
//! latency. Randomness comes only from the venue's seeded stream.

use crate::core::enums::LiquiditySide;
use crate::core::fixed::{self, FIXED_SCALAR, FixedError};
use crate::core::rng::SeededRng;
use crate::core::{Money, Quantity, UnixNanos};
use crate::engine::matching::{MarketPrice, PathOrder};
use crate::engine::risk::FillCost;

/// How bars fill orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FillModel {
    /// The price market orders get on the bar they fill on.
    pub market_price: MarketPrice,
    /// Assume the extreme adverse to the open position comes first inside a
    /// bar (Backtesting.py's rule), instead of the extreme nearer the open.
    pub pessimistic: bool,
}

impl FillModel {
    /// The intrabar path for a bar, given the venue's net position sign.
    #[must_use]
    pub const fn path(self, net_position_sign: i32) -> PathOrder {
        match (self.pessimistic, net_position_sign) {
            (true, s) if s > 0 => PathOrder::LowFirst,
            (true, s) if s < 0 => PathOrder::HighFirst,
            _ => PathOrder::Nearest,
        }
    }
}

/// What a fill costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeModel {
    /// Rates of the notional (raw at the global scale: 0.001 = 1_000_000).
    Percentage { maker_raw: i128, taker_raw: i128 },
    /// A fixed amount per order, charged with its first fill.
    FlatPerOrder { amount: Money },
    /// A fixed amount per unit traded.
    PerUnit { amount: Money },
}

impl Default for FeeModel {
    fn default() -> Self {
        Self::Percentage {
            maker_raw: 0,
            taker_raw: 0,
        }
    }
}

impl FeeModel {
    /// The commission raw for one fill, in the settlement currency.
    ///
    /// # Errors
    /// On overflow.
    pub fn commission_raw(
        self,
        liquidity: LiquiditySide,
        notional_raw: i128,
        qty: Quantity,
        first_fill: bool,
    ) -> Result<i128, FixedError> {
        match self {
            Self::Percentage {
                maker_raw,
                taker_raw,
            } => {
                let rate = if liquidity == LiquiditySide::Maker {
                    maker_raw
                } else {
                    taker_raw
                };
                fixed::mul_raw(notional_raw.abs(), rate)
            }
            Self::FlatPerOrder { amount } => Ok(if first_fill { amount.raw } else { 0 }),
            Self::PerUnit { amount } => fixed::mul_raw(qty.signed_raw(), amount.raw),
        }
    }

    /// What the fees add to buying, for sizing a fraction (see
    /// [`FillCost`]); a cash account's costs, without margin.
    #[must_use]
    pub const fn fill_cost(self, liquidity: LiquiditySide) -> FillCost {
        let mut fill_cost = FillCost::cash(0);
        match self {
            Self::Percentage {
                maker_raw,
                taker_raw,
            } => {
                fill_cost.fee_rate_raw = match liquidity {
                    LiquiditySide::Maker => maker_raw,
                    _ => taker_raw,
                };
            }
            Self::FlatPerOrder { amount } => fill_cost.fee_per_order_raw = amount.raw,
            Self::PerUnit { amount } => fill_cost.fee_per_unit_raw = amount.raw,
        }
        fill_cost
    }

    /// The rate used to reserve fees when sizing and checking balances.
    #[must_use]
    pub const fn taker_rate_raw(self) -> i128 {
        match self {
            Self::Percentage { taker_raw, .. } => taker_raw,
            Self::FlatPerOrder { .. } | Self::PerUnit { .. } => 0,
        }
    }
}

/// Slippage applied to taker fills (market and stop), against the trader:
/// a fixed number of ticks, plus a price impact that grows with the
/// square of the fill's share of the bar's volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SlippageModel {
    pub ticks: u32,
    /// `impact` raw: a fill of share `s` of the bar's volume (at most 1)
    /// moves its price by `price × impact × s²`, rounded up to a tick (0:
    /// none). Zipline's `VolumeShareSlippage` impact.
    pub volume_impact_raw: i128,
}

impl SlippageModel {
    /// The volume impact on a fill of `qty_raw` at `price_raw` on a bar of
    /// `volume_raw`, in price raw, a whole number of `tick_raw`.
    ///
    /// # Errors
    /// On overflow.
    pub fn volume_slip_raw(
        &self,
        price_raw: i64,
        qty_raw: i128,
        volume_raw: i128,
        tick_raw: i64,
    ) -> Result<i64, FixedError> {
        if self.volume_impact_raw == 0 || volume_raw <= 0 {
            return Ok(0);
        }
        let share = fixed::div_round_half_up(
            qty_raw
                .checked_mul(FIXED_SCALAR)
                .ok_or(FixedError::Overflow("volume share"))?,
            volume_raw,
        )?
        .min(FIXED_SCALAR);
        let impact = fixed::mul_raw(
            fixed::mul_raw(i128::from(price_raw), self.volume_impact_raw)?,
            fixed::mul_raw(share, share)?,
        )?;
        let tick = i128::from(tick_raw.max(1));
        let ticks = (impact + tick - 1) / tick;
        i64::try_from(ticks * tick).map_err(|_| FixedError::Overflow("volume slippage"))
    }
}

/// How long an order takes to reach the venue: `base + uniform[0, jitter]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LatencyModel {
    pub base_ns: i64,
    pub jitter_ns: i64,
}

impl LatencyModel {
    /// When a command sent at `ts` arrives.
    pub fn arrival(self, ts: UnixNanos, rng: &mut SeededRng) -> UnixNanos {
        let jitter = if self.jitter_ns > 0 {
            i64::try_from(rng.below(u64::try_from(self.jitter_ns).unwrap_or(0) + 1)).unwrap_or(0)
        } else {
            0
        };
        UnixNanos(ts.0.saturating_add(self.base_ns).saturating_add(jitter))
    }

    #[must_use]
    pub const fn is_zero(self) -> bool {
        self.base_ns == 0 && self.jitter_ns == 0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn volume_slippage_grows_with_the_square_of_the_volume_share() {
        let unit = crate::core::fixed::FIXED_SCALAR;
        let model = SlippageModel {
            ticks: 0,
            volume_impact_raw: unit / 10,
        };
        let price = i64::try_from(100 * unit).unwrap();
        let tick = i64::try_from(unit / 100).unwrap();
        let slip = |qty: i128, volume: i128| {
            model
                .volume_slip_raw(price, qty * unit, volume * unit, tick)
                .unwrap()
        };
        // 250 of 1,000: 100 × 0.1 × 0.25² = 0.625, rounded up to 0.63.
        assert_eq!(slip(250, 1_000), 63 * tick);
        // The whole bar or more: 100 × 0.1 = 10.
        assert_eq!(slip(2_000, 1_000), 1_000 * tick);
        // No volume, or no impact: none.
        assert_eq!(slip(250, 0), 0);
        let none = SlippageModel::default();
        assert_eq!(none.volume_slip_raw(price, unit, unit, tick).unwrap(), 0);
    }

    use super::*;
    use crate::core::Currency;
    use crate::core::fixed::FIXED_SCALAR;

    #[test]
    fn percentage_fees_use_maker_or_taker_rate() {
        let fees = FeeModel::Percentage {
            maker_raw: 200_000,
            taker_raw: 1_000_000,
        };
        let qty = Quantity::parse("1", 0).unwrap();
        assert_eq!(
            fees.commission_raw(LiquiditySide::Taker, 10_000 * FIXED_SCALAR, qty, true)
                .unwrap(),
            10 * FIXED_SCALAR
        );
        assert_eq!(
            fees.commission_raw(LiquiditySide::Maker, -10_000 * FIXED_SCALAR, qty, true)
                .unwrap(),
            2 * FIXED_SCALAR
        );
        assert_eq!(fees.taker_rate_raw(), 1_000_000);
    }

    #[test]
    fn flat_and_per_unit_fees() {
        let flat = FeeModel::FlatPerOrder {
            amount: Money::new(FIXED_SCALAR, Currency::USD),
        };
        let qty = Quantity::parse("250", 0).unwrap();
        assert_eq!(
            flat.commission_raw(LiquiditySide::Taker, 1, qty, true)
                .unwrap(),
            FIXED_SCALAR
        );
        assert_eq!(
            flat.commission_raw(LiquiditySide::Taker, 1, qty, false)
                .unwrap(),
            0
        );
        let per_unit = FeeModel::PerUnit {
            amount: Money::new(5_000_000, Currency::USD),
        };
        assert_eq!(
            per_unit
                .commission_raw(LiquiditySide::Maker, 1, qty, true)
                .unwrap(),
            1_250_000_000
        );
    }

    #[test]
    fn latency_is_seeded_and_bounded() {
        let model = LatencyModel {
            base_ns: 100,
            jitter_ns: 10,
        };
        let mut a = SeededRng::new(7);
        let mut b = SeededRng::new(7);
        for _ in 0..100 {
            let x = model.arrival(UnixNanos(1000), &mut a);
            assert_eq!(x, model.arrival(UnixNanos(1000), &mut b));
            assert!((1100..=1110).contains(&x.0));
        }
        assert!(LatencyModel::default().is_zero());
    }

    #[test]
    fn pessimistic_path_follows_the_position() {
        let model = FillModel {
            pessimistic: true,
            ..FillModel::default()
        };
        assert_eq!(model.path(1), PathOrder::LowFirst);
        assert_eq!(model.path(-1), PathOrder::HighFirst);
        assert_eq!(model.path(0), PathOrder::Nearest);
        assert_eq!(FillModel::default().path(1), PathOrder::Nearest);
    }
}
