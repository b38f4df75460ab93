//! Trades for the metric tests.

use crate::analysis::trades::Trade;
use crate::core::enums::OrderSide;
use crate::core::{Currency, Money, Price, Quantity, UnixNanos};

/// A long trade of one unit entered at 100 at `entry`, exited at `exit`,
/// with `pnl` dollars after no commission (exit price = 100 + pnl).
pub fn trade(entry: i64, exit: i64, pnl: f64) -> Trade {
    let dollars = |x: f64| {
        Money::new(
            crate::core::fixed::raw_from_f64(x, 9).unwrap(),
            Currency::USD,
        )
    };
    Trade {
        position_id: "P-1".parse().unwrap(),
        strategy_id: "S-1".parse().unwrap(),
        instrument_id: "X.SIM".parse().unwrap(),
        entry_side: OrderSide::Buy,
        size: Quantity::parse("1", 0).unwrap(),
        entry_time: UnixNanos(entry),
        exit_time: Some(UnixNanos(exit)),
        entry_price: Price::parse("100", 2).unwrap(),
        exit_price: Some(Price::from_f64(100.0 + pnl, 2).unwrap()),
        pnl: dollars(pnl),
        commission: dollars(0.0),
        funding: dollars(0.0),
        mae_pct: None,
        mfe_pct: None,
        tag: None,
    }
}
