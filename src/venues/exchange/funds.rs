//! What a fill may spend: the margin (or liability) positions lock,
//! whether a margin account covers a fill, and what a fractional order
//! buys at its fill price with the balances then.

use crate::core::enums::{LiquiditySide, OmsType};
use crate::core::fixed::FixedError;
use crate::core::identifiers::InstrumentIndex;
use crate::core::{Currency, Price, Quantity};
use crate::engine::matching::Match;
use crate::engine::risk::MarginRates;
use crate::model::data::Bar;
use crate::model::instruments::Instrument;
use crate::model::orders::Order;
use crate::state::cache::{Cache, Filter};

use super::{ExchangeError, SimulatedExchange};

impl SimulatedExchange {
    /// The margin rates of `instrument` (the defaults when it sets none).
    #[must_use]
    pub fn margin_rates(&self, instrument: InstrumentIndex) -> MarginRates {
        self.instrument_margins
            .get(instrument.get())
            .copied()
            .unwrap_or_default()
    }

    /// The initial margin this venue's open positions in `currency` lock,
    /// on their cost basis: the notional over the leverage for instruments
    /// without a rate of their own (summed first, so the default is one
    /// exact division), plus each other position at its `margin_init`.
    ///
    /// # Errors
    /// On overflow.
    pub fn margin_in_use(&self, currency: Currency, cache: &Cache) -> Result<i128, FixedError> {
        self.margin(currency, cache, MarginRates::initial_raw)
    }

    /// The maintenance margin of this venue's open positions in
    /// `currency`: each instrument's `margin_maint`, else half the initial.
    ///
    /// # Errors
    /// On overflow.
    pub fn maintenance_margin(
        &self,
        currency: Currency,
        cache: &Cache,
    ) -> Result<i128, FixedError> {
        self.margin(currency, cache, MarginRates::maintenance_raw)
    }

    fn margin(
        &self,
        currency: Currency,
        cache: &Cache,
        of: fn(&MarginRates, i128, i128) -> Result<i128, FixedError>,
    ) -> Result<i128, FixedError> {
        let leverage = self.account.leverage_raw;
        let defaults = MarginRates::default();
        let (mut by_default, mut own) = (0i128, 0i128);
        for p in cache.positions_open(Filter::default()) {
            if !self.trades(p.instrument) || p.currency != currency {
                continue;
            }
            if self.account.is_betting() {
                // Liabilities are fully funded: maintenance is the same.
                if let Some(instrument) = cache.instrument(p.instrument) {
                    own += instrument.liability_raw(p.signed_qty_raw, p.cost_basis_raw)?;
                }
                continue;
            }
            let rates = self.margin_rates(p.instrument);
            if rates == defaults {
                by_default += p.cost_basis_raw;
            } else {
                own += of(&rates, p.cost_basis_raw.abs(), leverage)?;
            }
        }
        Ok(of(&defaults, by_default.abs(), leverage)? + own)
    }

    /// Whether a margin account covers a fill of `signed` units at `px`:
    /// the initial margin of the exposure it adds (netted with the
    /// position as it stands, earlier fills of the bar included) plus its
    /// commission, against the free balance with the open positions'
    /// profit and loss at the last prices. On a hedging venue an order
    /// that names no position opens one: all of it is added.
    pub(super) fn margin_covers(
        &self,
        order: &Order,
        signed: i128,
        px: Price,
        commission: i128,
        instrument: &Instrument,
        cache: &Cache,
    ) -> Result<bool, ExchangeError> {
        let held = cache.net_qty_raw(None, order.instrument);
        let added = if self.config.oms == OmsType::Hedging && order.position_id.is_none() {
            signed.abs()
        } else {
            ((held + signed).abs() - held.abs()).max(0)
        };
        if added == 0 || order.reduce_only {
            return Ok(true);
        }
        let currency = instrument.settlement_currency();
        let notional = instrument.notional_raw(added, px)?;
        let initial = if self.account.is_betting() {
            instrument.liability_raw(added * signed.signum(), notional)?
        } else {
            self.margin_rates(order.instrument)
                .initial_raw(notional, self.account.leverage_raw)?
        };
        let available = self.margin_available_raw(currency, cache)?;
        Ok(initial + commission <= available)
    }

    /// The quantity a fractional order spends `fraction` of its budget on
    /// at this fill: the free balance (a cash account) or the available
    /// margin (equity less the margin open positions lock), at the match
    /// price moved by the fixed slippage, fees and margin as
    /// [`Self::fill_cost`] prices them. With a volume impact the price
    /// depends on the size, so the size is priced once more at the price
    /// its first estimate moves to (a smaller size moves it less, so it
    /// stays affordable). The size is then cut to the `[risk]` limits and
    /// the venue's notional cap; the flag says whether that cut it.
    #[allow(clippy::too_many_arguments)] // one call, from `fill`
    pub(super) fn size_at_fill(
        &self,
        order: &Order,
        fraction: i128,
        m: &Match,
        bar: &Bar,
        instrument: &Instrument,
        cache: &Cache,
        liquidity: LiquiditySide,
    ) -> Result<(Quantity, Price, bool), ExchangeError> {
        let currency = instrument.settlement_currency();
        let budget = if self.account.is_cash() {
            self.account.free(currency).raw
        } else {
            self.margin_available_raw(currency, cache)?
        };
        let fill_cost = self.fill_cost(order.instrument, order.side, liquidity);
        let taker = liquidity == LiquiditySide::Taker;
        // Priced first with no volume impact (a quantity of 0 moves nothing).
        let mut px = self.fill_price(m, bar, instrument, 0, taker)?;
        let mut qty = crate::engine::risk::fraction_to_quantity(
            instrument, budget, fraction, px, &fill_cost,
        )?;
        if taker && self.config.slippage.volume_impact_raw != 0 {
            px = self.fill_price(m, bar, instrument, qty.signed_raw(), taker)?;
            qty = crate::engine::risk::fraction_to_quantity(
                instrument, budget, fraction, px, &fill_cost,
            )?;
        }
        let venue_cap = self.config.max_order_notional;
        if !self.risk_limits.cap_anything(venue_cap) {
            return Ok((qty, px, false));
        }
        let capped = self.risk_limits.cap_quantity(
            instrument,
            order.side,
            qty,
            px,
            cache.net_qty_raw(None, order.instrument),
            venue_cap,
        )?;
        Ok((capped, px, capped != qty))
    }

    /// A margin account's room in `currency`: the free balance (the total
    /// less the margin open positions lock) plus the open positions'
    /// profit and loss at the last prices.
    fn margin_available_raw(&self, currency: Currency, cache: &Cache) -> Result<i128, FixedError> {
        let mut unrealized: i128 = 0;
        for position in cache.positions_open(Filter::default()) {
            if position.currency != currency || !self.trades(position.instrument) {
                continue;
            }
            if let (Some(inst), Some(bar)) = (
                cache.instrument(position.instrument),
                cache.last_bar(position.instrument),
            ) {
                unrealized += position.unrealized_pnl_raw(inst, bar.close())?;
            }
        }
        Ok(self.account.free(currency).raw + unrealized)
    }
}
