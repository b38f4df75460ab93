//! Quantities and balances have the range real markets need: a trillion
//! units of a sub-cent coin, a quadrillion-dollar balance. Beyond it a run
//! fails with the strategy, the time and the sizes, never "no trade".

use std::path::Path;

use crate::util::{bt, results, root, scratch, single_config, write};

/// The first 2,000 demo bars with prices scaled by `scale`, at
/// `precision` decimals.
fn scaled_bars(dir: &Path, scale: f64, precision: usize) -> std::path::PathBuf {
    let demo = std::fs::read_to_string(root().join("data/demo_bars.csv")).unwrap();
    let mut lines = demo.lines();
    let mut text = format!("{}\n", lines.next().unwrap());
    for line in lines.take(2_000) {
        let cells: Vec<&str> = line.split(',').collect();
        let prices: Vec<String> = cells[1..5]
            .iter()
            .map(|p| format!("{:.precision$}", p.parse::<f64>().unwrap() * scale))
            .collect();
        text.push_str(&format!("{},{},{}\n", cells[0], prices.join(","), cells[5]));
    }
    let path = dir.join("bars.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `strategy` on `data` with `balance` and prices at `precision`.
fn run(dir: &Path, data: &Path, strategy: &str, balance: &str, precision: u8) -> crate::util::Run {
    let config = single_config(data, strategy, "", "0.001")
        .replace("100000 USD", balance)
        .replace(
            "price_precision = 2",
            &format!("price_precision = {precision}"),
        );
    let path = write(dir, &format!("{strategy}.toml"), &config);
    bt(dir, &["run", &path, "--out", strategy, "--quiet"])
}

#[test]
fn a_trillion_units_of_a_sub_cent_coin_trade() {
    // About 0.00001 USD a coin: 1,000,000 USD buys 10^11 coins.
    let dir = scratch();
    let data = scaled_bars(dir.path(), 1e-7, 8);
    for strategy in ["ema_cross", "sma_cross", "buy_and_hold"] {
        run(dir.path(), &data, strategy, "1000000 USD", 8).expect_code(0);
        let json = results(&dir.path().join(strategy));
        assert_ne!(json["stats"]["Return [%]"], 0.0, "{strategy} traded");
    }
    let orders = std::fs::read_to_string(dir.path().join("buy_and_hold/orders.csv")).unwrap();
    let quantity: f64 = orders
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(3)
        .unwrap()
        .parse()
        .unwrap();
    assert!(quantity > 9e10, "bought {quantity} coins");
}

#[test]
fn a_quadrillion_dollar_balance_trades() {
    let dir = scratch();
    let data = scaled_bars(dir.path(), 1.0, 2);
    run(dir.path(), &data, "ema_cross", "1000000000000000 USD", 2).expect_code(0);
    let json = results(&dir.path().join("ema_cross"));
    assert!(json["stats"]["# Trades"].as_u64().unwrap() > 0);
}

#[test]
fn a_size_beyond_the_range_fails_with_where_and_why() {
    // 10^15 USD of a 0.00001 USD coin is 10^20 coins: beyond 10^18.
    let dir = scratch();
    let data = scaled_bars(dir.path(), 1e-7, 8);
    for strategy in ["ema_cross", "buy_and_hold"] {
        let stderr = run(dir.path(), &data, strategy, "1000000000000000 USD", 8)
            .expect_code(1)
            .stderr();
        assert!(stderr.contains("strategy '"), "{stderr}");
        assert!(stderr.contains("failed at 2020-01-01T"), "{stderr}");
        assert!(
            stderr.contains("sizing 1.0000 of 1000000000000000.00 USD"),
            "{stderr}"
        );
        assert!(stderr.contains("at most 10^18 units"), "{stderr}");
    }
}
