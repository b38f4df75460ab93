//! Input that would load and run to a misleading result is refused, with
//! the file, line and field: impossible prices, contradictory limits, a
//! rate that means nothing, amounts that would be rounded, control
//! characters bound for the CSVs, an ambiguous header.

use std::path::Path;

use crate::util::{bt, root, scratch, single_config, write};

/// `bt validate` of `config` (written as bad.toml in `dir`): exit 3 and
/// stderr.
fn refused(dir: &Path, config: &str) -> String {
    let path = write(dir, "bad.toml", config);
    bt(dir, &["validate", &path]).expect_code(3).stderr()
}

/// The demo bars with every price mapped by `price`.
fn bars_with(dir: &Path, name: &str, price: impl Fn(&str) -> String) -> std::path::PathBuf {
    let demo = std::fs::read_to_string(root().join("data/demo_bars.csv")).unwrap();
    let mut lines = demo.lines();
    let mut text = format!("{}\n", lines.next().unwrap());
    for line in lines.take(50) {
        let cells: Vec<&str> = line.split(',').collect();
        let prices: Vec<String> = cells[1..5].iter().map(|p| price(p)).collect();
        text.push_str(&format!("{},{},{}\n", cells[0], prices.join(","), cells[5]));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn prices_an_instrument_cannot_trade_at_are_refused() {
    let dir = scratch();
    let zeros = bars_with(dir.path(), "zeros.csv", |_| "0".to_string());
    let stderr = refused(dir.path(), &single_config(&zeros, "ema_cross", "", "0"));
    assert!(
        stderr.contains("zeros.csv:2 column 'low': price 0.00 is impossible for this instrument: its prices are above zero"),
        "{stderr}"
    );
    // All negative, in the right high/low order: refused for an equity…
    let negative = bars_with(dir.path(), "negative.csv", |p| {
        format!("-{}", 1000.0 - p.parse::<f64>().unwrap())
    });
    let equity = single_config(&negative, "ema_cross", "", "0");
    let stderr = refused(dir.path(), &equity);
    assert!(stderr.contains("negative.csv:2 column 'low'"), "{stderr}");
    // …and loaded for a future, whose price can fall below zero.
    let future = equity.replace(
        "kind = \"equity\"",
        "kind = \"future\"\nunderlying = \"CL\"\nexpiry = \"2030-01-01T00:00:00Z\"",
    );
    let path = write(dir.path(), "future.toml", &future);
    bt(dir.path(), &["validate", &path]).expect_code(0);
}

#[test]
fn contradictory_or_meaningless_settings_are_refused() {
    let dir = scratch();
    let demo = single_config(&root().join("data/demo_bars.csv"), "ema_cross", "", "0");
    let limits = demo.replace(
        "size_precision = 0",
        "size_precision = 0\nmin_quantity = \"10\"\nmax_quantity = \"5\"",
    );
    let stderr = refused(dir.path(), &limits);
    assert!(
        stderr.contains("min_quantity 10 is above max_quantity 5"),
        "{stderr}"
    );
    let same = format!("{demo}\n[fx_rates]\n\"USD/USD\" = 2\n");
    let stderr = refused(dir.path(), &same);
    assert!(
        stderr.contains("field 'fx_rates.USD/USD': 'USD/USD' converts USD into itself"),
        "{stderr}"
    );
    let precise = demo.replace("100000 USD", "100000.12345678901234567891 USD");
    let stderr = refused(dir.path(), &precise);
    assert!(stderr.contains("bad.toml:"), "{stderr}");
    assert!(stderr.contains("has 20 decimals"), "{stderr}");
}

#[test]
fn control_characters_never_reach_the_outputs() {
    let dir = scratch();
    let demo = single_config(&root().join("data/demo_bars.csv"), "ema_cross", "", "0");
    let strategy = format!("{demo}id = \"S\\u0007x\"\n");
    let stderr = refused(dir.path(), &strategy);
    assert!(
        stderr.contains("invalid StrategyId 'S\\u{7}x': must not contain control characters"),
        "{stderr}"
    );
    let script = write(
        dir.path(),
        "tag.rhai",
        "fn on_bar(ctx, bar) {\n    ctx.buy(#{ quantity: 1, tag: \"a\\nb\" });\n}\n",
    );
    let config = write(
        dir.path(),
        "c.toml",
        &single_config(&root().join("data/demo_bars.csv"), &script, "", "0"),
    );
    let stderr = bt(dir.path(), &["run", &config, "--out", "out"])
        .expect_code(3)
        .stderr();
    assert!(stderr.contains("tag.rhai:2:"), "{stderr}");
    assert!(stderr.contains("holds control characters"), "{stderr}");
}

#[test]
fn a_header_naming_a_column_twice_is_refused() {
    let dir = scratch();
    let twice = dir.path().join("twice.csv");
    std::fs::write(
        &twice,
        "timestamp,open,high,low,close,close,volume\n2020-01-01T00:00:00Z,1,1,1,1,2,5\n",
    )
    .unwrap();
    let stderr = refused(dir.path(), &single_config(&twice, "ema_cross", "", "0"));
    assert!(
        stderr.contains(
            "twice.csv:1 column 'close': the header names this column twice (columns 5 and 6)"
        ),
        "{stderr}"
    );
}
