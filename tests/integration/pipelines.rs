//! End-to-end pipelines with exact, hand-checkable expectations.

use std::fmt::Write;

use crate::util::{bt, results, root, run_config, scratch, single_config, write};

/// Cents from a two-decimal price text.
fn cents(text: &str) -> i64 {
    let (units, frac) = text.split_once('.').unwrap();
    units.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap()
}

#[test]
fn buy_and_hold_on_252_daily_bars_returns_exactly_the_price_move() {
    let data = std::fs::read_to_string(root().join("data/daily_252.csv")).unwrap();
    let rows: Vec<Vec<&str>> = data
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 252);
    let first_close = cents(rows[0][4]);
    let second_open = cents(rows[1][1]);
    let last_close = cents(rows[251][4]);
    // floor(cash / close[0]) units, bought at the next open, marked at the last close.
    let units = 10_000_000 / first_close;
    let final_cents = 10_000_000 - units * second_open + units * last_close;
    let dir = run_config("buy_and_hold_daily", &[]);
    let json = results(&dir.path().join("out"));
    assert_eq!(
        json["stats"]["Equity Final [$]"],
        format!("{}.{:02}0000000", final_cents / 100, final_cents % 100)
    );
    let gain = i32::try_from(final_cents - 10_000_000).unwrap();
    let expected_return = f64::from(gain) / 10_000_000.0 * 100.0;
    let got = json["stats"]["Return [%]"].as_f64().unwrap();
    assert!(
        (got - expected_return).abs() < 1e-9,
        "{got} vs {expected_return}"
    );
    assert_eq!(json["open_trades"][0]["size"], units.to_string());
    assert_eq!(json["bars"], 252);
}

/// pandas `ewm(span, adjust=False)` written plainly.
fn ema(values: &[f64], span: usize) -> Vec<f64> {
    let alpha = 2.0 / (f64::from(u32::try_from(span).unwrap()) + 1.0);
    let mut out = vec![values[0]];
    for v in &values[1..] {
        let prev = *out.last().unwrap();
        out.push(prev + alpha * (v - prev));
    }
    out
}

#[test]
fn ema_cross_on_50_down_50_up_buys_once_after_the_turn_and_never_in_warm_up() {
    let mut csv = String::from("timestamp,open,high,low,close,volume\n");
    let mut closes = Vec::new();
    let mut prev = 200.0f64;
    for i in 0..100 {
        let close = if i < 50 {
            200.0 - f64::from(i)
        } else {
            150.0 + f64::from(i - 49)
        };
        let open = if i == 0 { close } else { prev };
        writeln!(
            csv,
            "2020-01-01T{:02}:{:02}:00Z,{open:.2},{:.2},{:.2},{close:.2},100",
            i / 60,
            i % 60,
            open.max(close),
            open.min(close)
        )
        .unwrap();
        closes.push(close);
        prev = close;
    }
    let (fast, slow) = (ema(&closes, 10), ema(&closes, 30));
    let cross = (30..100)
        .find(|&i| fast[i - 1] <= slow[i - 1] && fast[i] > slow[i])
        .unwrap();
    assert!(cross > 50, "the cross comes after the turn");
    let dir = scratch();
    let data = dir.path().join("bars.csv");
    std::fs::write(&data, csv).unwrap();
    let config = write(
        dir.path(),
        "c.toml",
        &single_config(&data, "ema_cross", "fast = 10, slow = 30", "0"),
    );
    bt(dir.path(), &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
    let orders = std::fs::read_to_string(dir.path().join("out/orders.csv")).unwrap();
    let fills: Vec<&str> = orders.lines().filter(|l| l.contains(",FILLED,")).collect();
    assert_eq!(fills.len(), 1, "{orders}");
    // Decided on bar `cross`, filled at the open of the next bar.
    let fill_bar = cross + 1;
    let expected_ts = format!("2020-01-01T{:02}:{:02}:00Z", fill_bar / 60, fill_bar % 60);
    assert!(
        fills[0].contains(&expected_ts),
        "{} vs {expected_ts}",
        fills[0]
    );
    assert!(
        fills[0].contains(&format!(",{:.2},", closes[cross])),
        "fills at the open, which is the previous close: {}",
        fills[0]
    );
    let json = results(&dir.path().join("out"));
    assert_eq!(json["stats"]["# Trades"], 0);
    assert_eq!(json["open_trades"].as_array().unwrap().len(), 1);
}

#[test]
fn two_instruments_on_two_venues_flow_to_their_strategies() {
    let dir = run_config("multi_venue", &[]);
    let json = results(&dir.path().join("out"));
    let accounts = json["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0]["account_id"], "BINANCE-001");
    assert_eq!(accounts[1]["account_id"], "NYSE-001");
    let trades = std::fs::read_to_string(dir.path().join("out/trades.csv")).unwrap();
    assert!(
        trades
            .lines()
            .any(|l| l.contains("BTCUSDT.BINANCE") && l.ends_with("CLOSED"))
    );
    assert!(
        trades
            .lines()
            .any(|l| l.contains("SYNTH.NYSE") && l.ends_with("OPEN"))
    );
    // The margin venue locks nothing once flat, and its free balance is the total.
    let equity = std::fs::read_to_string(dir.path().join("out/equity.csv")).unwrap();
    assert_eq!(equity.lines().count(), 20_001, "one point per timestamp");
}

#[test]
fn a_configured_sizer_sizes_every_entry() {
    let dir = scratch();
    let data = root().join("data/demo_bars.csv");
    let text = single_config(&data, "ema_cross", "fast = 10, slow = 30", "0.001")
        + "sizer = { kind = \"fixed_quantity\", quantity = \"25\" }\n";
    let config = write(dir.path(), "sized.toml", &text);
    bt(dir.path(), &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
    let json = results(&dir.path().join("out"));
    let trades = json["trades"].as_array().unwrap();
    assert!(trades.len() > 100);
    assert!(
        trades.iter().all(|t| t["size"] == "25"),
        "every round trip is 25 units"
    );

    let bad = write(
        dir.path(),
        "bad.toml",
        &(single_config(&data, "ema_cross", "", "0")
            + "sizer = { kind = \"fraction_of_equity\", fraction = 2 }\n"),
    );
    let run = bt(dir.path(), &["run", &bad]).expect_code(3);
    assert!(
        run.stderr()
            .contains("field 'strategies.sizer.fraction': must be in (0, 1]"),
        "{}",
        run.stderr()
    );
}
