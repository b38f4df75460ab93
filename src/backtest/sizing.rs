//! How an order's size is decided when a strategy submits it: the
//! strategy's sizer (for orders that open or add to a position), then a
//! fraction made the largest whole number of lots the budget (the free
//! balance, or the available margin) buys at the reference price, fees
//! included. That quantity is provisional: the pre-trade checks read it,
//! and the venue sizes the fraction again when the order fills, at the
//! fill price and with the balances then (see `SimulatedExchange::fill`).

use crate::analysis::sizers::{Sized, Sizer, SizingInput};
use crate::core::{Money, Price, Quantity};
use crate::engine::commands::OrderSize;
use crate::engine::risk::{FillCost, fraction_to_quantity};
use crate::model::instruments::Instrument;

use super::sizer_feed::SizerFeed;

/// What sizing one order reads.
pub(super) struct SizingRequest<'a> {
    pub instrument: &'a Instrument,
    /// The size the strategy asked for.
    pub size: OrderSize,
    /// The strategy's sizer and what it reads from the market.
    pub sizer: Option<&'a Sizer>,
    pub feed: Option<&'a SizerFeed>,
    /// The order opens or adds to the strategy's position (only such
    /// orders are sized by the sizer).
    pub adds: bool,
    /// The account's equity in its base currency.
    pub equity: f64,
    /// What a fraction is a fraction of: the free balance (cash
    /// accounts) or the available margin, in the settlement currency.
    pub budget: Money,
    /// What buying costs the account.
    pub fill_cost: FillCost,
    /// The order's price, trigger, or the last close; `None` before the
    /// first bar.
    pub reference_price: Option<Price>,
}

/// The order's quantity, the fraction it was sized from (converted again
/// at the fill), and why the sizer gave none (the order is then denied
/// with that reason).
pub(super) struct Sizing {
    pub quantity: Quantity,
    pub fraction: Option<i128>,
    pub unsized_reason: Option<&'static str>,
}

/// Sizes `request`; `closed_pnls` gives the strategy's closed trades'
/// profits, read only by the Kelly sizer.
///
/// # Errors
/// A fraction whose quantity is out of range, as a message.
pub(super) fn size_order(
    request: &SizingRequest<'_>,
    closed_pnls: impl FnOnce() -> Vec<f64>,
) -> Result<Sizing, String> {
    let instrument = request.instrument;
    let (size, unsized_reason) = match (request.sizer, request.reference_price) {
        (Some(sizer), Some(price)) if request.adds => {
            // Only the Kelly sizer reads the strategy's closed trades.
            let closed_pnls = if matches!(sizer, Sizer::Kelly { .. }) {
                closed_pnls()
            } else {
                Vec::new()
            };
            let input = SizingInput {
                instrument,
                equity: request.equity,
                closed_pnls: &closed_pnls,
                atr: request.feed.and_then(SizerFeed::atr),
                volatility: request.feed.and_then(SizerFeed::volatility),
            };
            match sizer.size(&input, price) {
                Sized::Quantity(q) => (OrderSize::Quantity(q), None),
                Sized::Fraction(f) => (OrderSize::FractionOfEquity(f), None),
                Sized::Nothing(reason) => (request.size, Some(reason)),
            }
        }
        _ => (request.size, None),
    };
    // A fractional size becomes the largest whole lot the budget buys.
    let (quantity, fraction) = match (size, request.reference_price) {
        (OrderSize::Quantity(q), _) => (q, None),
        (OrderSize::FractionOfEquity(fraction), Some(price)) => {
            let budget = request.budget;
            let quantity =
                fraction_to_quantity(instrument, budget.raw, fraction, price, &request.fill_cost)
                    .map_err(|e| {
                        format!(
                            "sizing {} of {budget} at {price} in {}: {e} (a quantity is at most 10^18 units)",
                            crate::core::fixed::format_raw(fraction, 4),
                            instrument.id
                        )
                    })?;
            (quantity, Some(fraction))
        }
        (OrderSize::FractionOfEquity(fraction), None) => {
            (Quantity::zero(instrument.size_precision), Some(fraction))
        }
    };
    Ok(Sizing {
        quantity,
        fraction,
        unsized_reason,
    })
}
