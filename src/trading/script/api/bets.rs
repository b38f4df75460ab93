//! Bets from a script on a betting instrument: `ctx.back(#{ stake, odds })`
//! and `ctx.lay(#{ stake, odds })`, limit orders at the odds whose
//! quantity is the payout, stake × odds. A back sells and a lay buys (see
//! `InstrumentKind::Betting`), which these two spare a script from
//! spelling out.

use rhai::{Dynamic, ImmutableString, Map};

use crate::core::enums::OrderSide;
use crate::core::fixed::{self, FIXED_PRECISION};
use crate::model::instruments::InstrumentKind;

use super::{Ctx, Registry, RhaiResult, fail, number, price};

/// The keys `back` and `lay` take.
const BET_OPTIONS: [&str; 4] = ["stake", "odds", "tif", "tag"];

pub(super) fn register(r: &mut Registry<'_>) {
    r.fun("back", |ctx: &mut Ctx, options: Map| {
        bet(ctx, OrderSide::Sell, &options)
    });
    r.fun("lay", |ctx: &mut Ctx, options: Map| {
        bet(ctx, OrderSide::Buy, &options)
    });
}

fn bet(ctx: &Ctx, side: OrderSide, options: &Map) -> RhaiResult<ImmutableString> {
    let mut state = ctx.lock();
    let instrument = &state.instrument;
    let what = if side == OrderSide::Sell {
        "back"
    } else {
        "lay"
    };
    if !matches!(instrument.kind, InstrumentKind::Betting { .. }) {
        return fail(format!(
            "{what} needs a betting instrument; {} is not one (use buy and sell)",
            instrument.id
        ));
    }
    if let Some(key) = options.keys().find(|k| !BET_OPTIONS.contains(&k.as_str())) {
        return fail(format!(
            "{what}: unknown key '{key}' (expected {})",
            BET_OPTIONS.join(", ")
        ));
    }
    let (Some(stake), Some(odds)) = (options.get("stake"), options.get("odds")) else {
        return fail(format!(
            "{what} needs stake and odds, e.g. #{{ stake: 10.0, odds: 3.5 }}"
        ));
    };
    let stake_raw = match stake.clone().into_immutable_string() {
        Ok(text) => {
            fixed::parse_raw(&text)
                .map_err(|e| format!("stake: {e}"))?
                .0
        }
        Err(_) => fixed::raw_from_f64(number(stake, "stake")?, FIXED_PRECISION)
            .map_err(|e| format!("stake: {e}"))?,
    };
    if stake_raw <= 0 {
        return fail(format!("{what}: the stake must be above 0"));
    }
    let odds_price = price(&state, odds, "odds")?;
    let payout_raw = fixed::mul_raw(stake_raw, i128::from(odds_price.raw))
        .map_err(|e| format!("{what}: {e}"))?;
    let precision = state.instrument.size_precision;
    if fixed::round_half_up(payout_raw, precision) != payout_raw {
        return fail(format!(
            "{what}: the payout stake × odds = {} has more decimals than size_precision {precision} of {}",
            fixed::format_raw(payout_raw, FIXED_PRECISION),
            state.instrument.id
        ));
    }
    let mut order = Map::new();
    order.insert(
        "quantity".into(),
        Dynamic::from(fixed::format_raw(payout_raw, precision)),
    );
    order.insert("limit".into(), odds.clone());
    for key in ["tif", "tag"] {
        if let Some(value) = options.get(key) {
            order.insert(key.into(), value.clone());
        }
    }
    state.submit(side, &order)
}
