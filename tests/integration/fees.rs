//! Fees through the real binary: an instrument's own `maker_fee` /
//! `taker_fee` replace its venue's.

use crate::util::{bt, results, root, scratch, single_config, write};

/// Buy and hold on the demo's daily bars with a venue fee of 0.1 % and
/// `instrument` added to the instrument's table; its one trade's entry
/// commission over its notional.
fn entry_fee_rate(instrument: &str) -> f64 {
    let dir = scratch();
    let text = single_config(
        &root().join("data/daily_5y.csv"),
        "buy_and_hold",
        "size = 0.5",
        "0.001",
    )
    .replace(
        "size_precision = 0\n",
        &format!("size_precision = 0\n{instrument}"),
    );
    let config = write(dir.path(), "fees.toml", &text);
    bt(dir.path(), &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
    let json = results(&dir.path().join("out"));
    let trade = &json["open_trades"][0];
    let number = |key: &str| -> f64 {
        let value = &trade[key];
        value
            .as_f64()
            .or_else(|| {
                // Money is "248.372350000 USD".
                let text = value.as_str()?;
                text.split(' ').next()?.parse().ok()
            })
            .unwrap_or_else(|| panic!("{key}: {value}"))
    };
    number("commission") / (number("size") * number("entry_price"))
}

#[test]
fn an_instruments_own_taker_fee_replaces_the_venues() {
    let own = entry_fee_rate("taker_fee = 0.005\nmaker_fee = 0.0002\n");
    assert!((own - 0.005).abs() < 1e-9, "{own}");
    let venue = entry_fee_rate("");
    assert!((venue - 0.001).abs() < 1e-9, "{venue}");
}
