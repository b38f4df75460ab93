//! Orders tied together, from a script: a bracket when `buy`/`sell` get
//! `sl` and/or `tp`, and `ctx.oco(a, b)` / `ctx.oto(parent, child)` for
//! orders given as maps with a `side`.

use rhai::{Array, Dynamic, Map};

use crate::core::Price;
use crate::core::enums::OrderSide;
use crate::engine::commands::{ListKind, OrderList};

use super::{Ctx, CtxState, Registry, RhaiResult, fail, order_from_options, price};

/// The `sl` and `tp` prices of an order's options.
pub(super) fn exits(state: &CtxState, options: &Map) -> RhaiResult<(Option<Price>, Option<Price>)> {
    let get = |key: &str| options.get(key).map(|v| price(state, v, key)).transpose();
    Ok((get("sl")?, get("tp")?))
}

pub(super) fn register(r: &mut Registry<'_>) {
    r.fun(
        "oco",
        |ctx: &mut Ctx, a: Map, b: Map| -> RhaiResult<Array> { list(ctx, ListKind::Oco, &[a, b]) },
    );
    r.fun(
        "oto",
        |ctx: &mut Ctx, parent: Map, child: Map| -> RhaiResult<Array> {
            list(ctx, ListKind::Oto, &[parent, child])
        },
    );
}

/// Submits the orders `maps` describe as one list; their ids.
fn list(ctx: &Ctx, kind: ListKind, maps: &[Map]) -> RhaiResult<Array> {
    let mut state = ctx.lock();
    let mut orders = Vec::with_capacity(maps.len());
    for map in maps {
        let side = match map.get("side").map(|v| v.to_string().to_ascii_lowercase()) {
            Some(side) if side == "buy" => OrderSide::Buy,
            Some(side) if side == "sell" => OrderSide::Sell,
            _ => return fail("each order of a list needs side: \"buy\" or \"sell\""),
        };
        if map.contains_key("sl") || map.contains_key("tp") {
            return fail(
                "sl and tp make a bracket of ctx.buy or ctx.sell, not of an order in a list",
            );
        }
        let mut options = map.clone();
        options.remove("side");
        orders.push(order_from_options(&state, side, &options)?);
    }
    let ids = state.submit_list(OrderList { kind, orders })?;
    Ok(ids
        .into_iter()
        .map(|id| Dynamic::from(id.to_string()))
        .collect())
}
