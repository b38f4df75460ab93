//! `close_at_end = true`: after the last bar, working orders are canceled
//! and open positions closed at the last close (a market order: taker fee
//! and slippage), whatever the latency, so every trade is a closed one.

use std::path::Path;

use crate::util::{bt, results, root, scratch, single_config, write};

/// Runs `strategy` (a built-in or a script path) on the demo bars with a
/// 0.1 % fee, `extra` TOML lines under `[backtest]` and `venue` lines
/// under the venue; its output directory.
fn run(dir: &Path, name: &str, strategy: &str, extra: &str, venue: &str) -> std::path::PathBuf {
    let config = single_config(&root().join("data/demo_bars.csv"), strategy, "", "0.001")
        .replace("name = \"test\"", &format!("name = \"test\"\n{extra}"))
        .replace("starting_balances", &format!("{venue}starting_balances"));
    let path = write(dir, &format!("{name}.toml"), &config);
    bt(dir, &["run", &path, "--out", name, "--quiet"]).expect_code(0);
    dir.join(name)
}

fn last_close() -> f64 {
    let demo = std::fs::read_to_string(root().join("data/demo_bars.csv")).unwrap();
    demo.lines()
        .last()
        .unwrap()
        .split(',')
        .nth(4)
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn open_trades_close_at_the_last_close_paying_the_taker_fee() {
    let dir = scratch();
    let open = results(&run(dir.path(), "open", "buy_and_hold", "", ""));
    let closed_dir = run(
        dir.path(),
        "closed",
        "buy_and_hold",
        "close_at_end = true",
        "",
    );
    let closed = results(&closed_dir);
    assert_eq!(open["stats"]["# Trades"], 0, "an open trade is not counted");
    assert_eq!(closed["stats"]["# Trades"], 1);
    let trades = std::fs::read_to_string(closed_dir.join("trades.csv")).unwrap();
    let row: Vec<&str> = trades.lines().nth(1).unwrap().split(',').collect();
    let (size, exit_price): (f64, f64) = (row[4].parse().unwrap(), row[8].parse().unwrap());
    assert!(
        (exit_price - last_close()).abs() < 1e-9,
        "exit at {exit_price}"
    );
    assert_eq!(row[17], "CLOSED");
    // The same equity, less the fee on selling at the close.
    let final_of = |r: &serde_json::Value| -> f64 {
        r["stats"]["Equity Final [$]"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    let fee = size * exit_price * 0.001;
    assert!(
        (final_of(&open) - fee - final_of(&closed)).abs() < 0.01,
        "{} - {fee} vs {}",
        final_of(&open),
        final_of(&closed)
    );
}

#[test]
fn working_orders_are_canceled_and_latency_does_not_delay_the_close() {
    let dir = scratch();
    // Buys at the first bar, then rests a buy limit far below the market.
    let script = write(
        dir.path(),
        "rest.rhai",
        "fn on_bar(ctx, bar) {\n    if ctx.bar_index() == 0 { ctx.buy(#{ quantity: 10 }); }\n    if ctx.bar_index() == 1 { ctx.buy(#{ quantity: 1, limit: bar.close * 0.5 }); }\n}\n",
    );
    let out = run(
        dir.path(),
        "settled",
        &script,
        "close_at_end = true",
        "latency = { base_ms = 5000, jitter_ms = 1000 }\n",
    );
    let json = results(&out);
    assert_eq!(json["stats"]["# Trades"], 1);
    let orders = std::fs::read_to_string(out.join("orders.csv")).unwrap();
    let finals: Vec<&str> = orders
        .lines()
        .skip(1)
        .filter(|l| l.contains(",INITIALIZED,"))
        .map(|l| l.rsplit(',').next().unwrap())
        .collect();
    assert_eq!(finals, ["FILLED", "CANCELED", "FILLED"], "{orders}");
    let last = orders.lines().last().unwrap();
    assert!(last.contains(",SELL,MARKET,10,"), "{last}");
    assert!(last.contains(",FILLED,2020-01-14T21:19:00Z,10,"), "{last}");
}
