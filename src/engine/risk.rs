//! The risk engine: pre-trade checks that approve an order or deny it with a
//! reason. A denial is an `OrderDenied` event for the strategy, not an error.

use crate::core::enums::OrderSide;
use crate::core::fixed::{self, FIXED_SCALAR, FixedError};
use crate::core::{Money, Price, Quantity};
use crate::model::instruments::Instrument;

/// The limits from the config's `[risk]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskLimits {
    /// Largest quantity of one order.
    pub max_order_quantity: Option<Quantity>,
    /// Largest absolute net position an order may lead to.
    pub max_position: Option<Quantity>,
    /// Largest notional of one order, in the instrument's settlement currency.
    pub max_order_notional: Option<Money>,
}

impl RiskLimits {
    /// Whether these limits or `venue_cap` cap an order's size at all
    /// (most runs set none: sizing then skips [`Self::cap_quantity`]).
    #[inline]
    #[must_use]
    pub const fn cap_anything(&self, venue_cap: Option<Money>) -> bool {
        self.max_order_quantity.is_some()
            || self.max_position.is_some()
            || self.max_order_notional.is_some()
            || venue_cap.is_some()
    }

    /// `qty` of a `side` order at `price`, cut to what these limits (and
    /// a venue's own notional cap) allow: at most `max_order_quantity`,
    /// a net position (now `net_qty_raw`) of at most `max_position`, and
    /// a notional of at most each cap, in whole lots. How a size decided
    /// at the fill keeps to the limits checked before submission.
    ///
    /// # Errors
    /// On overflow or a non-positive price.
    pub fn cap_quantity(
        &self,
        instrument: &Instrument,
        side: OrderSide,
        qty: Quantity,
        price: Price,
        net_qty_raw: i128,
        venue_cap: Option<Money>,
    ) -> Result<Quantity, FixedError> {
        let mut raw = qty.signed_raw();
        if let Some(max) = self.max_order_quantity {
            raw = raw.min(max.signed_raw());
        }
        if let Some(max) = self.max_position {
            let room = match side {
                OrderSide::Buy => max.signed_raw() - net_qty_raw,
                OrderSide::Sell => max.signed_raw() + net_qty_raw,
            };
            raw = raw.min(room.max(0));
        }
        for cap in [self.max_order_notional, venue_cap].into_iter().flatten() {
            if cap.currency == instrument.settlement_currency() {
                let most = affordable_quantity(instrument, cap.raw, price, &FillCost::cash(0))?;
                raw = raw.min(most.signed_raw());
            }
        }
        let step = instrument.size_increment.signed_raw().max(1);
        Quantity::from_raw(raw / step * step, qty.precision)
    }
}

/// What the risk engine needs to know about the order and its account.
#[derive(Debug, Clone, Copy)]
pub struct RiskCheck<'a> {
    pub instrument: &'a Instrument,
    pub side: OrderSide,
    pub quantity: Quantity,
    /// The limit/trigger price, or the last close for market orders.
    pub reference_price: Price,
    /// Net signed quantity raw held in the instrument before the order
    /// (all strategies: the account's holding).
    pub net_qty_raw: i128,
    /// The ordering strategy's own net position raw: what a reduce-only
    /// order reduces (the venue caps it at fill by the same measure).
    pub own_qty_raw: i128,
    /// Quantity raw of the open orders on the same side: buys reserve cash,
    /// sells reserve the holding (cash accounts).
    pub pending_qty_raw: i128,
    /// Free balance in the settlement currency; `Some` for cash accounts.
    pub cash_free: Option<Money>,
    /// What a margin account has to open positions with; `Some` for
    /// margin accounts.
    pub margin: Option<MarginAvailable>,
    /// The taker fee rate raw, to reserve the fee with the notional.
    pub fee_rate_raw: i128,
    /// The venue's per-order notional cap, if any.
    pub venue_max_notional: Option<Money>,
    pub reduce_only: bool,
}

/// An instrument's margin rates, as shares of notional (raw); `None`
/// takes the default: initial 1 / leverage, maintenance half the initial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MarginRates {
    pub init_raw: Option<i128>,
    pub maint_raw: Option<i128>,
}

impl MarginRates {
    /// The initial margin of `notional_raw` at `leverage_raw` (divided by
    /// the leverage when no rate is set, so the default is exact).
    ///
    /// # Errors
    /// On overflow.
    pub fn initial_raw(&self, notional_raw: i128, leverage_raw: i128) -> Result<i128, FixedError> {
        match self.init_raw {
            Some(rate) => fixed::mul_raw(notional_raw, rate),
            None => fixed::div_round_half_up(
                notional_raw
                    .checked_mul(FIXED_SCALAR)
                    .ok_or(FixedError::Overflow("margin"))?,
                leverage_raw,
            ),
        }
    }

    /// The maintenance margin of `notional_raw`: its own rate, else half
    /// the initial margin.
    ///
    /// # Errors
    /// On overflow.
    pub fn maintenance_raw(
        &self,
        notional_raw: i128,
        leverage_raw: i128,
    ) -> Result<i128, FixedError> {
        match self.maint_raw {
            Some(rate) => fixed::mul_raw(notional_raw, rate),
            None => Ok(self.initial_raw(notional_raw, leverage_raw)? / 2),
        }
    }
}

/// A margin account's room for new positions.
#[derive(Debug, Clone, Copy)]
pub struct MarginAvailable {
    /// Equity (unrealized profit and loss included) less the margin its
    /// open positions hold, in the settlement currency.
    pub available: Money,
    /// Notional per unit of margin (1 = fully funded).
    pub leverage_raw: i128,
    /// The instrument's margin rates.
    pub rates: MarginRates,
    /// A betting account: what an order adds locks its liability (see
    /// [`Instrument::liability_raw`]) instead of a margin.
    pub liability: bool,
    /// A betting account: the liability of the working bets on the
    /// order's side, each at its own odds (0 otherwise).
    pub pending_liability_raw: i128,
}

/// A denial's reason, shown in `orders.csv` and to the strategy.
pub type DenyReason = String;

/// Pre-trade checks.
#[derive(Debug, Clone, Default)]
pub struct RiskEngine {
    limits: RiskLimits,
}

impl RiskEngine {
    #[must_use]
    pub const fn new(limits: RiskLimits) -> Self {
        Self { limits }
    }

    #[must_use]
    pub const fn limits(&self) -> &RiskLimits {
        &self.limits
    }

    /// Approves the order or says why not.
    ///
    /// # Errors
    /// The denial reason.
    pub fn check(&self, order: &RiskCheck<'_>) -> Result<(), DenyReason> {
        let inst = order.instrument;
        inst.validate_qty(order.quantity)
            .map_err(|e| e.to_string())?;
        if let Some(max) = self.limits.max_order_quantity
            && order.quantity > max
        {
            return Err(format!(
                "quantity {} exceeds max_order_quantity {max}",
                order.quantity
            ));
        }
        let signed = match order.side {
            OrderSide::Buy => order.quantity.signed_raw(),
            OrderSide::Sell => -order.quantity.signed_raw(),
        };
        let after = order.net_qty_raw + signed;
        let own_after = order.own_qty_raw + signed;
        if order.reduce_only
            && (order.own_qty_raw == 0
                || own_after.signum() == -order.own_qty_raw.signum()
                || own_after.abs() > order.own_qty_raw.abs())
        {
            return Err("reduce-only order would increase or reverse the position".to_string());
        }
        if let Some(max) = self.limits.max_position
            && after.abs() > max.signed_raw()
            && after.abs() > order.net_qty_raw.abs()
        {
            return Err(format!(
                "position would reach {} above max_position {max}",
                fixed::format_raw(after.abs(), inst.size_precision)
            ));
        }
        let notional = inst
            .notional(order.quantity, order.reference_price)
            .map_err(|e| e.to_string())?;
        // The caps by reference: copying both optional amounts into an
        // array cost more than the tests themselves.
        for cap in [&self.limits.max_order_notional, &order.venue_max_notional] {
            if let Some(cap) = cap
                && cap.currency == notional.currency
                && notional.raw > cap.raw
            {
                return Err(format!(
                    "notional {notional} exceeds max_notional_per_order {cap}"
                ));
            }
        }
        if let Some(free) = order.cash_free {
            self.check_cash(order, after, notional, free)?;
        }
        if let Some(margin) = order.margin {
            check_margin(order, margin)?;
        }
        Ok(())
    }

    fn check_cash(
        &self,
        order: &RiskCheck<'_>,
        after: i128,
        notional: Money,
        free: Money,
    ) -> Result<(), DenyReason> {
        // Sells already working count against the holding too.
        let committed = if order.side == OrderSide::Sell {
            order.pending_qty_raw
        } else {
            0
        };
        if after - committed < 0 {
            return Err("a cash account cannot sell short".to_string());
        }
        if order.side == OrderSide::Buy {
            let cost =
                cost_with_fee(notional.raw, order.fee_rate_raw).map_err(|e| e.to_string())?;
            let pending = order
                .instrument
                .notional_raw(order.pending_qty_raw, order.reference_price)
                .and_then(|raw| cost_with_fee(raw, order.fee_rate_raw))
                .map_err(|e| e.to_string())?;
            if cost + pending > free.raw {
                return Err(format!(
                    "insufficient balance: order needs {} {} (with fee and open orders), free {free}",
                    fixed::format_raw(cost + pending, free.currency.precision()),
                    free.currency
                ));
            }
        }
        Ok(())
    }
}

/// A margin account may add to its exposure only what its available
/// margin covers: the initial margin of the added exposure (notional over
/// leverage, counting working orders on the same side as if filled)
/// plus the order's fee. Orders that only reduce the exposure always
/// pass.
fn check_margin(order: &RiskCheck<'_>, margin: MarginAvailable) -> Result<(), DenyReason> {
    let signed = |raw: i128| match order.side {
        OrderSide::Buy => raw,
        OrderSide::Sell => -raw,
    };
    let before = order.net_qty_raw + signed(order.pending_qty_raw);
    let after = before + signed(order.quantity.signed_raw());
    // This order's part of the exposure it and the working orders on its
    // side add together.
    let added = (after.abs() - order.net_qty_raw.abs().max(before.abs())).max(0);
    if added == 0 {
        return Ok(());
    }
    // A margin account locks nothing for working orders; a betting
    // account funds working bets that add to the book too, each at its
    // own odds.
    let pending = if margin.liability && before.abs() > order.net_qty_raw.abs() {
        margin.pending_liability_raw
    } else {
        0
    };
    let inst = order.instrument;
    let needed = inst
        .notional_raw(added, order.reference_price)
        .and_then(|notional| {
            if margin.liability {
                inst.liability_raw(added * after.signum(), notional)
            } else {
                margin.rates.initial_raw(notional, margin.leverage_raw)
            }
        })
        .and_then(|initial| {
            let fee = inst.notional_raw(order.quantity.signed_raw(), order.reference_price)?;
            Ok(initial.saturating_add(pending) + fixed::mul_raw(fee, order.fee_rate_raw)?)
        })
        .map_err(|e| e.to_string())?;
    let available = margin.available;
    if needed > available.raw && margin.liability {
        return Err(format!(
            "insufficient balance: the bet needs {} {} (liability and fee), free {available}",
            fixed::format_raw(needed, available.currency.precision()),
            available.currency,
        ));
    }
    if needed > available.raw {
        return Err(format!(
            "insufficient margin: the order needs {} {} (initial margin {} and fee), available {available}",
            fixed::format_raw(needed, available.currency.precision()),
            available.currency,
            match margin.rates.init_raw {
                Some(rate) => format!("of {} %", fixed::format_raw(rate * 100, 2)),
                None => format!("at leverage {}", fixed::format_raw(margin.leverage_raw, 2)),
            }
        ));
    }
    Ok(())
}

/// `notional × (1 + rate)`.
///
/// # Errors
/// On overflow.
pub fn cost_with_fee(notional_raw: i128, fee_rate_raw: i128) -> Result<i128, FixedError> {
    // Fee-free venues are common (and every pre-trade check asks twice).
    if fee_rate_raw == 0 {
        return Ok(notional_raw);
    }
    Ok(notional_raw + fixed::mul_raw(notional_raw, fee_rate_raw)?)
}

/// What buying a quantity costs an account: its fees, and the notional
/// itself (a cash account pays it) or its initial margin (a margin account
/// locks that and pays only the fees).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FillCost {
    /// Fee as a share of the notional (raw).
    pub fee_rate_raw: i128,
    /// Fee per unit traded (raw money).
    pub fee_per_unit_raw: i128,
    /// Fee per order (raw money), whatever its size.
    pub fee_per_order_raw: i128,
    /// A margin account's rates and leverage (raw); `None` pays the notional.
    pub margin: Option<(MarginRates, i128)>,
    /// On a betting account, the order's side: what it adds locks its
    /// liability (see [`Instrument::liability_raw`]) in place of a margin.
    pub bets: Option<OrderSide>,
}

impl FillCost {
    /// A cash account paying `fee_rate_raw` of the notional.
    #[must_use]
    pub const fn cash(fee_rate_raw: i128) -> Self {
        Self {
            fee_rate_raw,
            fee_per_unit_raw: 0,
            fee_per_order_raw: 0,
            margin: None,
            bets: None,
        }
    }

    /// What `qty_raw` units at `price` cost, fees included (a zero
    /// quantity costs nothing: no order, no per-order fee).
    ///
    /// # Errors
    /// On overflow.
    pub fn cost_raw(
        &self,
        instrument: &Instrument,
        qty_raw: i128,
        price: Price,
    ) -> Result<i128, FixedError> {
        if qty_raw == 0 {
            return Ok(0);
        }
        let notional = instrument.notional_raw(qty_raw, price)?;
        let funded = match self.margin {
            _ if let Some(side) = self.bets => {
                let signed = if side == OrderSide::Buy {
                    qty_raw
                } else {
                    -qty_raw
                };
                instrument.liability_raw(signed, notional)?
            }
            Some((rates, leverage_raw)) => rates.initial_raw(notional, leverage_raw)?,
            None => notional,
        };
        let per_unit = if self.fee_per_unit_raw == 0 {
            0
        } else {
            fixed::mul_raw(qty_raw, self.fee_per_unit_raw)?
        };
        Ok(funded - notional
            + cost_with_fee(notional, self.fee_rate_raw)?
            + per_unit
            + self.fee_per_order_raw)
    }
}

/// What a fractional size buys: `fraction` of `budget_raw` (the free
/// balance, or a margin account's available margin), converted by
/// [`affordable_quantity`]. The engine sizes orders with it and strategies
/// may ask the same question before submitting.
///
/// # Errors
/// On overflow or a non-positive price.
pub fn fraction_to_quantity(
    instrument: &Instrument,
    budget_raw: i128,
    fraction_raw: i128,
    price: Price,
    fill_cost: &FillCost,
) -> Result<Quantity, FixedError> {
    let budget = budget_raw.max(0);
    // All of it (the default size) is the balance itself, no product.
    let budget = if fraction_raw == FIXED_SCALAR {
        budget
    } else {
        fixed::mul_raw(budget, fraction_raw)?
    };
    affordable_quantity(instrument, budget, price, fill_cost)
}

/// The largest quantity (floored to the lot size) that `budget_raw` buys at
/// `price` as `fill_cost` costs it: `floor((budget − per-order fee) / unit
/// cost)`, the unit cost being one unit's notional (or initial margin)
/// with its fees, e.g. `price × multiplier × (1 + rate)` on a cash account.
///
/// # Errors
/// On overflow or a non-positive price.
pub fn affordable_quantity(
    instrument: &Instrument,
    budget_raw: i128,
    price: Price,
    fill_cost: &FillCost,
) -> Result<Quantity, FixedError> {
    // Cost of one whole unit with its fees, at the global scale.
    let unit_cost =
        fill_cost.cost_raw(instrument, FIXED_SCALAR, price)? - fill_cost.fee_per_order_raw;
    if unit_cost <= 0 || price.raw <= 0 {
        return Err(FixedError::DivisionByZero("affordable quantity"));
    }
    let step = instrument.size_increment.raw.max(1);
    let scalar = FIXED_SCALAR.unsigned_abs();
    // floor(floor(budget × S / cost) / step) = floor(budget × (S / step) / cost)
    // when the lot divides a unit (S the scalar): one division, not two.
    // Everything is non-negative here, so the arithmetic is unsigned (a
    // signed 128-bit division is the slower library call).
    let (per_unit, divisor) = if scalar.is_multiple_of(step) {
        (scalar / step, unit_cost.unsigned_abs())
    } else {
        (
            scalar,
            unit_cost
                .unsigned_abs()
                .checked_mul(step)
                .ok_or(FixedError::Overflow("sizing"))?,
        )
    };
    let budget = budget_raw.max(0);
    let lots = (budget - fill_cost.fee_per_order_raw)
        .max(0)
        .unsigned_abs()
        .checked_mul(per_unit)
        .ok_or(FixedError::Overflow("sizing"))?
        / divisor;
    // The unit cost above is rounded at the global scale: far below a
    // cent (a sub-cent coin) its fee loses digits and the lots can cost a
    // little more than the budget. The pre-trade check prices the whole
    // order, so the sizing ends with the same sum and steps down to fit.
    let cost_of = |lots: u128| -> Result<i128, FixedError> {
        let raw = lots
            .checked_mul(step)
            .and_then(|raw| i128::try_from(raw).ok())
            .ok_or(FixedError::Overflow("quantity"))?;
        fill_cost.cost_raw(instrument, raw, price)
    };
    let defined = lots;
    let mut lots = lots;
    loop {
        let cost = cost_of(lots)?;
        if lots == 0 || cost <= budget {
            break;
        }
        // Each lot costs about cost / lots: drop the lots the excess buys,
        // at least one.
        let lot_cost = (cost / i128::try_from(lots).unwrap_or(i128::MAX)).max(1);
        let excess = u128::try_from((cost - budget) / lot_cost).unwrap_or(0) + 1;
        lots = lots.saturating_sub(excess);
    }
    // The estimate may drop a lot too many: take back what still fits.
    while lots < defined && cost_of(lots + 1)? <= budget {
        lots += 1;
    }
    // Whole lots are already on the size grid: nothing left to round.
    let raw = lots
        .checked_mul(step)
        .and_then(|raw| i128::try_from(raw).ok())
        .ok_or(FixedError::Overflow("quantity"))?;
    Quantity::from_raw(raw, instrument.size_precision)
}

#[cfg(test)]
mod tests {
    #[test]
    fn margin_rates_default_to_the_leverage_and_half_for_maintenance() {
        let notional = 9_000 * FIXED_SCALAR;
        let defaults = MarginRates::default();
        // At leverage 3: 3,000 initial, 1,500 maintenance.
        assert_eq!(
            defaults.initial_raw(notional, 3 * FIXED_SCALAR).unwrap(),
            3_000 * FIXED_SCALAR
        );
        assert_eq!(
            defaults
                .maintenance_raw(notional, 3 * FIXED_SCALAR)
                .unwrap(),
            1_500 * FIXED_SCALAR
        );
        // An instrument's own 20 % and 5 %.
        let own = MarginRates {
            init_raw: Some(FIXED_SCALAR / 5),
            maint_raw: Some(FIXED_SCALAR / 20),
        };
        assert_eq!(
            own.initial_raw(notional, 3 * FIXED_SCALAR).unwrap(),
            1_800 * FIXED_SCALAR
        );
        assert_eq!(
            own.maintenance_raw(notional, 3 * FIXED_SCALAR).unwrap(),
            450 * FIXED_SCALAR
        );
    }

    use super::*;
    use crate::core::Currency;
    use crate::model::instruments::InstrumentKind;

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

    fn check<'a>(inst: &'a Instrument, side: OrderSide, qty: &str) -> RiskCheck<'a> {
        RiskCheck {
            instrument: inst,
            side,
            quantity: Quantity::parse(qty, 0).unwrap(),
            reference_price: Price::parse("100.00", 2).unwrap(),
            net_qty_raw: 0,
            own_qty_raw: 0,
            pending_qty_raw: 0,
            cash_free: None,
            margin: None,
            fee_rate_raw: 0,
            venue_max_notional: None,
            reduce_only: false,
        }
    }

    #[test]
    fn approves_within_limits() {
        let inst = equity();
        assert!(
            RiskEngine::default()
                .check(&check(&inst, OrderSide::Buy, "10"))
                .is_ok()
        );
    }

    #[test]
    fn denies_with_reasons() {
        let inst = equity();
        let risk = RiskEngine::new(RiskLimits {
            max_order_quantity: Some(Quantity::parse("100", 0).unwrap()),
            max_position: Some(Quantity::parse("150", 0).unwrap()),
            max_order_notional: Some(Money::new(12_000 * FIXED_SCALAR, Currency::USD)),
        });
        assert_eq!(
            risk.check(&check(&inst, OrderSide::Buy, "101"))
                .unwrap_err(),
            "quantity 101 exceeds max_order_quantity 100"
        );
        let mut held = check(&inst, OrderSide::Buy, "60");
        held.net_qty_raw = 100 * FIXED_SCALAR;
        assert_eq!(
            risk.check(&held).unwrap_err(),
            "position would reach 160 above max_position 150"
        );
        held.side = OrderSide::Sell;
        assert!(risk.check(&held).is_ok(), "reducing is always allowed");
        let big = RiskCheck {
            reference_price: Price::parse("200.00", 2).unwrap(),
            ..check(&inst, OrderSide::Buy, "100")
        };
        assert!(
            risk.check(&big)
                .unwrap_err()
                .starts_with("notional 20000.00 USD exceeds")
        );
        assert!(risk.check(&check(&inst, OrderSide::Buy, "0")).is_err());
    }

    #[test]
    fn cash_accounts_need_the_money_and_cannot_short() {
        let inst = equity();
        let risk = RiskEngine::default();
        let mut order = check(&inst, OrderSide::Buy, "10");
        order.cash_free = Some(Money::new(1000 * FIXED_SCALAR, Currency::USD));
        assert!(risk.check(&order).is_ok());
        order.fee_rate_raw = 1_000_000; // 0.1 %
        assert!(
            risk.check(&order)
                .unwrap_err()
                .starts_with("insufficient balance")
        );
        order.side = OrderSide::Sell;
        assert_eq!(
            risk.check(&order).unwrap_err(),
            "a cash account cannot sell short"
        );
        // Holding 10 with a sell of 6 already working: another 6 would go short.
        order.net_qty_raw = 10 * FIXED_SCALAR;
        order.quantity = Quantity::parse("6", 0).unwrap();
        assert!(risk.check(&order).is_ok());
        order.pending_qty_raw = 6 * FIXED_SCALAR;
        assert!(risk.check(&order).is_err());
    }

    #[test]
    fn reduce_only_cannot_grow_or_flip() {
        let inst = equity();
        let risk = RiskEngine::default();
        let mut order = check(&inst, OrderSide::Sell, "10");
        order.reduce_only = true;
        assert!(risk.check(&order).is_err(), "nothing to reduce");
        order.net_qty_raw = 10 * FIXED_SCALAR;
        assert!(
            risk.check(&order).is_err(),
            "another strategy's holding is not the order's to reduce"
        );
        order.own_qty_raw = 5 * FIXED_SCALAR;
        assert!(risk.check(&order).is_err(), "would flip to short");
        order.own_qty_raw = 10 * FIXED_SCALAR;
        assert!(risk.check(&order).is_ok());
    }

    #[test]
    fn affordable_quantity_is_floored_with_the_fee() {
        let inst = equity();
        let px = Price::parse("100.03", 2).unwrap();
        // floor(100000 / (100.03 × 1.001)) = 998
        let qty = affordable_quantity(
            &inst,
            100_000 * FIXED_SCALAR,
            px,
            &FillCost::cash(1_000_000),
        )
        .unwrap();
        assert_eq!(qty.to_string(), "998");
        assert_eq!(
            affordable_quantity(&inst, 100_000 * FIXED_SCALAR, px, &FillCost::cash(0))
                .unwrap()
                .to_string(),
            "999"
        );
        assert!(
            affordable_quantity(&inst, 1, Price::parse("0", 2).unwrap(), &FillCost::cash(0))
                .is_err()
        );
    }

    #[test]
    fn a_margin_unit_costs_its_initial_margin_and_fees() {
        let inst = equity();
        let px = Price::parse("100.00", 2).unwrap();
        let margin = FillCost {
            fee_rate_raw: 1_000_000,
            margin: Some((MarginRates::default(), 2 * FIXED_SCALAR)),
            ..FillCost::default()
        };
        // 10 units at leverage 2: 500 margin + 1 fee.
        assert_eq!(
            margin.cost_raw(&inst, 10 * FIXED_SCALAR, px).unwrap(),
            501 * FIXED_SCALAR
        );
        // 5000 / 50.1 = 99.8 → 99.
        let qty = affordable_quantity(&inst, 5_000 * FIXED_SCALAR, px, &margin).unwrap();
        assert_eq!(qty.to_string(), "99");
        // A 10 USD flat fee and 0.5 USD per unit: (1000 − 10) / 100.5 → 9.
        let fees = FillCost {
            fee_per_order_raw: 10 * FIXED_SCALAR,
            fee_per_unit_raw: FIXED_SCALAR / 2,
            ..FillCost::default()
        };
        let qty = affordable_quantity(&inst, 1_000 * FIXED_SCALAR, px, &fees).unwrap();
        assert_eq!(qty.to_string(), "9");
        assert_eq!(fees.cost_raw(&inst, 0, px).unwrap(), 0, "no order, no fee");
    }
}

#[cfg(test)]
mod sizing_properties {
    use super::*;
    use crate::core::Currency;
    use crate::model::instruments::InstrumentKind;
    use proptest::prelude::*;

    proptest! {
        /// The sizing is the definition (Backtesting.py's): the whole units
        /// the budget buys at the unit cost with fee, floored to the lot;
        /// when rounding makes those cost more than the budget, priced as
        /// the pre-trade check prices them, the most lots that fit.
        #[test]
        fn affordable_quantity_is_the_most_lots_the_budget_buys(
            budget in 0i128..1_000_000_000_000_000_000,
            price_raw in 1i64..10_000_000_000_000,
            fee_rate_raw in 0i128..10_000_000,
            size_precision in 0u8..=9,
            lot_multiple in prop_oneof![Just(1i128), 1i128..1000],
        ) {
            let mut inst = Instrument::new(
                "X.SIM".parse().unwrap(),
                InstrumentKind::Equity,
                Currency::USD,
                2,
                size_precision,
            )
            .unwrap();
            let step = 10i128.pow(u32::from(9 - size_precision)) * lot_multiple;
            inst.size_increment = Quantity::from_raw(step, size_precision).unwrap();
            let price = Price { raw: price_raw, precision: 9 };
            let cost = |raw: i128| cost_with_fee(inst.notional_raw(raw, price).unwrap(), fee_rate_raw).unwrap();
            let defined = budget * FIXED_SCALAR / cost(FIXED_SCALAR) / step * step;
            match affordable_quantity(&inst, budget, price, &FillCost::cash(fee_rate_raw)) {
                Ok(got) => {
                    let raw = got.signed_raw();
                    prop_assert_eq!(raw % step, 0, "on the lot grid");
                    prop_assert!(cost(raw) <= budget, "{raw} costs {} > {budget}", cost(raw));
                    if cost(defined) <= budget {
                        prop_assert_eq!(raw, defined);
                    } else {
                        prop_assert!(cost(raw + step) > budget, "{} more fits", step);
                    }
                }
                Err(_) => prop_assert!(
                    defined > i128::try_from(crate::core::quantity::MAX_RAW).unwrap(),
                    "only a quantity beyond the range fails ({defined})"
                ),
            }
        }
    }
}
