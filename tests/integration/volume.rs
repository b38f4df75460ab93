//! `max_volume_share`: a venue fills at most that share of a bar's volume;
//! the rest of the order stays working and fills over the next bars.

use crate::util::{bt, scratch, write};

/// Bars of volume 1,000 at 100, 101, 102, … (open = close).
fn bars(n: usize) -> String {
    let mut text = String::from("timestamp,open,high,low,close,volume\n");
    for k in 0..n {
        let p = 100 + k;
        text.push_str(&format!(
            "2020-01-{:02}T00:00:00Z,{p}.00,{p}.50,{p}.00,{p}.00,1000\n",
            k + 1
        ));
    }
    text
}

/// Buys `quantity` (market, or a limit at `limit`) on bar 0 with the venue
/// capped at `share`; the FILLED rows of orders.csv as (time, quantity,
/// price) and the order's final status.
fn fills(
    share: &str,
    quantity: u32,
    limit: Option<&str>,
) -> (Vec<(String, String, String)>, String) {
    fills_with(share, "", quantity, limit)
}

/// [`fills`] with `slippage` added to the venue's table.
fn fills_with(
    share: &str,
    slippage: &str,
    quantity: u32,
    limit: Option<&str>,
) -> (Vec<(String, String, String)>, String) {
    let dir = scratch();
    let data = write(dir.path(), "bars.csv", &bars(6));
    let order = match limit {
        Some(price) => format!("#{{ quantity: {quantity}, limit: {price} }}"),
        None => format!("#{{ quantity: {quantity} }}"),
    };
    let script = write(
        dir.path(),
        "v.rhai",
        &format!(
            "fn on_bar(ctx, bar) {{\n    if ctx.bar_index() == 0 {{\n        ctx.buy({order});\n    }}\n}}\n"
        ),
    );
    let config = write(
        dir.path(),
        "v.toml",
        &format!(
            r#"[backtest]
name = "volume"

[[venues]]
name = "SIM"
base_currency = "USD"
starting_balances = ["1000000 USD"]
max_volume_share = {share}
{slippage}

[[instruments]]
id = "X.SIM"
kind = "equity"
currency = "USD"
price_precision = 2
size_precision = 0

[[data]]
instrument = "X.SIM"
path = "{data}"

[[strategies]]
script = "{script}"
instrument = "X.SIM"
"#
        ),
    );
    bt(dir.path(), &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
    let records = crate::util::csv_records(&dir.path().join("out/orders.csv"));
    let status = records
        .last()
        .map(|r| r["final_status"].clone())
        .unwrap_or_default();
    let rows = records
        .iter()
        .filter(|r| r["event"] == "FILLED")
        .map(|r| {
            (
                r["ts_event"][..10].to_string(),
                r["fill_qty"].clone(),
                r["fill_price"].clone(),
            )
        })
        .collect();
    (rows, status)
}

#[test]
fn an_order_fills_at_most_the_share_of_each_bars_volume() {
    // 10 % of 1,000: 100 a bar, at each bar's open.
    let (rows, status) = fills("0.1", 250, None);
    assert_eq!(
        rows,
        [
            ("2020-01-02".into(), "100".into(), "101.00".into()),
            ("2020-01-03".into(), "100".into(), "102.00".into()),
            ("2020-01-04".into(), "50".into(), "103.00".into()),
        ]
    );
    assert_eq!(status, "FILLED");
    // A limit's rest keeps its price: a buy at 101.50 fills 100 at bar 1's
    // open (101); from bar 2 on the price (low 102) never comes down to it.
    let (rows, status) = fills("0.1", 250, Some("101.50"));
    assert_eq!(rows, [("2020-01-02".into(), "100".into(), "101.00".into())]);
    assert_eq!(status, "PARTIALLY_FILLED");
    // Without a cap it all fills on the next bar.
    let (rows, _) = fills("1", 250, None);
    assert_eq!(rows, [("2020-01-02".into(), "250".into(), "101.00".into())]);
}

#[test]
fn volume_slippage_moves_a_fill_by_its_share_of_the_volume_squared() {
    // 100 of 1,000 (10 %) at the open 101: 101 × 0.1 × 0.1² = 0.101,
    // rounded up to the tick: 0.11, plus one tick.
    let (rows, _) = fills_with(
        "1",
        "slippage = { ticks = 1, volume_impact = 0.1 }",
        100,
        None,
    );
    assert_eq!(rows, [("2020-01-02".into(), "100".into(), "101.12".into())]);
}
