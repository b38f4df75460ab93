//! Trailing stops from a script: `trail` (a price distance), `trail_ticks`
//! or `trail_bp` (basis points of the best price) make a `stop` order
//! trail, optionally from an `activation` price on; `limit_offset` makes it
//! a trailing stop-limit whose limit stays that far past the trigger.

use rhai::Map;

use crate::core::Price;
use crate::core::enums::OrderSide;
use crate::core::fixed;
use crate::model::orders::OrderKind;
use crate::model::orders::trailing::{TrailOffset, TrailingSpec};

use super::{CtxState, RhaiResult, fail, number, price};

/// The trailing kind and spec `options` ask for on top of `kind` (what
/// the other keys made: a stop-market, or a market order when no `stop`
/// gives the first trigger); `None` without a trailing key.
pub(super) fn trailing(
    state: &CtxState,
    side: OrderSide,
    options: &Map,
    kind: OrderKind,
) -> RhaiResult<Option<(OrderKind, TrailingSpec)>> {
    let keys = ["trail", "trail_ticks", "trail_bp"];
    let given: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| options.contains_key(*k))
        .collect();
    let Some(&key) = given.first() else {
        for only in ["activation", "limit_offset"] {
            if options.contains_key(only) {
                return fail(format!("{only} goes with trail, trail_ticks or trail_bp"));
            }
        }
        return Ok(None);
    };
    if given.len() > 1 {
        return fail(format!(
            "give one of trail, trail_ticks, trail_bp; got {}",
            given.join(" and ")
        ));
    }
    let first_trigger = match kind {
        OrderKind::Market => None,
        OrderKind::StopMarket { trigger_price } => Some(trigger_price),
        _ => return fail("a trailing stop takes no limit or touch (limit_offset sets its limit)"),
    };
    let whole = |what: &str| -> RhaiResult<u32> {
        let n = number(&options[what], what)?;
        if n.fract() != 0.0 || !(1.0..=f64::from(u32::MAX)).contains(&n) {
            return fail(format!(
                "{what} must be a whole number of at least 1, got {n}"
            ));
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked above"
        )]
        Ok(n as u32)
    };
    let distance = |what: &str| -> RhaiResult<i64> {
        let p = price(state, &options[what], what)?;
        if p.raw <= 0 {
            return fail(format!("{what} must be above 0"));
        }
        Ok(p.raw)
    };
    let offset = match key {
        "trail" => TrailOffset::Price(distance("trail")?),
        "trail_ticks" => TrailOffset::Ticks(whole("trail_ticks")?),
        _ => TrailOffset::BasisPoints(whole("trail_bp")?),
    };
    let activation = options
        .get("activation")
        .map(|v| price(state, v, "activation"))
        .transpose()?
        .map(|p| p.raw);
    let limit_offset = options
        .contains_key("limit_offset")
        .then(|| distance("limit_offset"))
        .transpose()?;
    let spec = TrailingSpec {
        offset,
        activation,
        limit_offset,
        tick: state.instrument.price_increment.raw,
    };
    // The first trigger: `stop`, else the trail's distance from the
    // activation price or the last close.
    let Some((trigger, limit)) = spec.start(
        side,
        first_trigger.map(|p| p.raw),
        state.last_close.map(|p| p.raw),
    ) else {
        return fail("a trailing stop needs a first trigger before the first bar: give stop");
    };
    let precision = state.instrument.price_precision;
    let at = |raw: i64| -> RhaiResult<Price> {
        let p = Price::from_raw(i128::from(raw), precision).map_err(|e| e.to_string())?;
        state.instrument.validate_price(p).map_err(|e| {
            format!(
                "trailing stop: {e} ({})",
                fixed::format_raw(i128::from(raw), precision)
            )
        })?;
        Ok(p)
    };
    let trigger_price = at(trigger)?;
    let kind = match limit {
        None => OrderKind::TrailingStopMarket { trigger_price },
        Some(limit) => OrderKind::TrailingStopLimit {
            price: at(limit)?,
            trigger_price,
        },
    };
    Ok(Some((kind, spec)))
}
