//! Funding on perpetuals, through the real binary: a fixed rate every
//! interval, a rate file (CSV and Parquet), an inverse perpetual paying in
//! its base currency, and the errors a bad funding setup gets. Figures are
//! computed by hand in comments.

use std::path::Path;

use bt::data::table::{TableColumn, table_to_parquet};

use crate::util::{bt, csv_records, results, scratch, write};

/// Bars every 4 hours from 2024-01-01T00:00Z: (open, close) each, highs
/// and lows 1 around them.
fn bars(closes: &[(u32, u32)]) -> String {
    let mut text = String::from("timestamp,open,high,low,close,volume\n");
    for (i, (open, close)) in closes.iter().enumerate() {
        let (high, low) = (open.max(close) + 1, open.min(close) - 1);
        text.push_str(&format!(
            "2024-01-01T{:02}:00:00Z,{open},{high},{low},{close},1000\n",
            i * 4
        ));
    }
    text
}

/// Buys (`size` > 0) or sells `size` units on the first bar; they fill
/// at the second bar's open.
fn trade_once(size: i32) -> String {
    let call = if size > 0 { "buy" } else { "sell" };
    format!(
        "fn on_bar(ctx, bar) {{\n    if ctx.bar_index() == 0 {{ ctx.{call}(#{{ quantity: {} }}); }}\n}}\n",
        size.abs()
    )
}

/// Runs a perpetual `PERP.SIM` (linear unless `instrument` says more) on a
/// margin venue with `funding`, and returns the output directory.
fn run(dir: &Path, venue: &str, instrument: &str, bars: &str, script: &str) -> std::path::PathBuf {
    let data = write(dir, "bars.csv", bars);
    let script = write(dir, "s.rhai", script);
    let config = write(
        dir,
        "perp.toml",
        &format!(
            r#"[backtest]
name = "perp"

[[venues]]
name = "SIM"
account = "margin"
{venue}

[[instruments]]
id = "PERP.SIM"
kind = "crypto_perpetual"
currency = "USD"
price_precision = 2
size_precision = 0
{instrument}

[[data]]
instrument = "PERP.SIM"
path = "{data}"

[[strategies]]
script = "{script}"
instrument = "PERP.SIM"
"#
        ),
    );
    bt(dir, &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
    dir.join("out")
}

const USD_VENUE: &str = r#"base_currency = "USD"
starting_balances = ["10000 USD"]"#;

const LINEAR: &str = r#"base_currency = "BTC""#;

/// Closes 100, 100, 110, 120, 130, 130 at 00:00 … 20:00.
fn six_bars() -> String {
    bars(&[
        (100, 100),
        (100, 100),
        (105, 110),
        (110, 120),
        (120, 130),
        (130, 130),
    ])
}

fn amounts(out: &Path) -> Vec<(String, String, String, String)> {
    csv_records(&out.join("funding.csv"))
        .into_iter()
        .map(|r| {
            (
                r["timestamp"].clone(),
                r["quantity"].clone(),
                r["mark"].clone(),
                r["amount"].clone(),
            )
        })
        .collect()
}

#[test]
fn a_long_pays_a_fixed_rate_at_each_funding_time_at_the_close_before_it() {
    let dir = scratch();
    let out = run(
        dir.path(),
        &format!("{USD_VENUE}\nfunding = {{ rate = 0.0001 }}"),
        LINEAR,
        &six_bars(),
        &trade_once(2),
    );
    // Long 2 from 04:00 (the open, 100). Funding every 8 h: at 08:00 on
    // the close before that bar (04:00: 100), 2 × 100 × 0.0001 = 0.02
    // paid; at 16:00 on the 12:00 close, 2 × 120 × 0.0001 = 0.024.
    assert_eq!(
        amounts(&out),
        vec![
            (
                "2024-01-01T08:00:00Z".into(),
                "2.000000000".into(),
                "100.00".into(),
                "-0.020000000".into()
            ),
            (
                "2024-01-01T16:00:00Z".into(),
                "2.000000000".into(),
                "120.00".into(),
                "-0.024000000".into()
            ),
        ]
    );
    let trades = csv_records(&out.join("trades.csv"));
    assert_eq!(trades[0]["funding"], "-0.044000000");
    // The trade's PnL leaves funding out: 2 × (130 − 100) = 60.
    assert_eq!(trades[0]["pnl"], "0.000000000");
    let doc = results(&out);
    assert_eq!(doc["funding"]["payments"], 2);
    assert_eq!(doc["funding"]["net"]["USD"], "-0.044000000");
    // The equity has it: 10000 + 60 − 0.044.
    assert_eq!(doc["stats"]["Equity Final [$]"], "10059.956000000");
}

#[test]
fn a_short_receives_and_a_negative_rate_reverses_the_flow() {
    let dir = scratch();
    // Rates from a file: +0.001 at 08:00, −0.002 at 16:00 (a short pays).
    write(
        dir.path(),
        "rates.csv",
        "timestamp,instrument,rate\n\
         2024-01-01T08:00:00Z,PERP.SIM,0.001\n\
         2024-01-01T16:00:00Z,PERP.SIM,-0.002\n",
    );
    let out = run(
        dir.path(),
        &format!("{USD_VENUE}\nfunding = {{ file = \"rates.csv\" }}"),
        LINEAR,
        &six_bars(),
        &trade_once(-3),
    );
    // Short 3: at 08:00, 3 × 100 × 0.001 = 0.3 received; at 16:00,
    // 3 × 120 × 0.002 = 0.72 paid.
    let got: Vec<String> = amounts(&out).into_iter().map(|a| a.3).collect();
    assert_eq!(got, vec!["0.300000000", "-0.720000000"]);
    assert_eq!(results(&out)["funding"]["net"]["USD"], "-0.420000000");
}

#[test]
fn a_parquet_rate_file_gives_the_same_payments_as_its_csv() {
    let dir = scratch();
    let hour = 3_600_000_000_000i64;
    let start = 1_704_067_200_000_000_000i64; // 2024-01-01T00:00:00Z
    let bytes = table_to_parquet(
        "rates.parquet",
        vec![
            (
                "timestamp".into(),
                TableColumn::Time(vec![Some(start + 8 * hour), Some(start + 16 * hour)]),
            ),
            (
                "instrument".into(),
                TableColumn::Text(vec![Some("PERP.SIM".into()), Some("PERP.SIM".into())]),
            ),
            (
                "rate".into(),
                TableColumn::Float(vec![Some(0.001), Some(-0.002)]),
            ),
        ],
    )
    .unwrap();
    std::fs::write(dir.path().join("rates.parquet"), bytes).unwrap();
    let out = run(
        dir.path(),
        &format!("{USD_VENUE}\nfunding = {{ file = \"rates.parquet\" }}"),
        LINEAR,
        &six_bars(),
        &trade_once(-3),
    );
    let got: Vec<String> = amounts(&out).into_iter().map(|a| a.3).collect();
    assert_eq!(got, vec!["0.300000000", "-0.720000000"]);
}

#[test]
fn an_inverse_perpetual_pays_in_its_base_currency() {
    let dir = scratch();
    // 1,000 contracts of 1 USD on XBT at 20,000: the notional is
    // 1000 / 20000 = 0.05 BTC, and 0.05 × 0.0001 = 0.000005 BTC paid.
    let out = run(
        dir.path(),
        "base_currency = \"BTC\"\nstarting_balances = [\"1 BTC\"]\nfunding = { rate = 0.0001 }",
        "base_currency = \"BTC\"\nis_inverse = true",
        &bars(&[(20000, 20000), (20000, 20000), (20000, 20000)]),
        &trade_once(1000),
    );
    let rows = csv_records(&out.join("funding.csv"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["amount"], "-0.000005000");
    assert_eq!(rows[0]["currency"], "BTC");
    assert_eq!(results(&out)["funding"]["net"]["BTC"], "-0.000005000");
}

#[test]
fn runs_without_funding_write_no_funding_file() {
    let dir = scratch();
    let out = run(dir.path(), USD_VENUE, LINEAR, &six_bars(), &trade_once(2));
    assert!(!out.join("funding.csv").exists());
    let doc = results(&out);
    assert!(doc.get("funding").is_none());
    assert_eq!(
        csv_records(&out.join("trades.csv"))[0]["funding"],
        "0.000000000"
    );
}

/// Runs a config whose venue has `funding` and expects exit 3 (invalid input) with
/// `message` in the error.
fn refused(venue_extra: &str, instrument_kind: &str, files: &[(&str, &str)], message: &str) {
    let dir = scratch();
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    let data = write(dir.path(), "bars.csv", &six_bars());
    let config = write(
        dir.path(),
        "bad.toml",
        &format!(
            r#"[backtest]
name = "bad"
[[venues]]
name = "SIM"
account = "margin"
base_currency = "USD"
starting_balances = ["10000 USD"]
{venue_extra}
[[instruments]]
id = "PERP.SIM"
{instrument_kind}
currency = "USD"
price_precision = 2
size_precision = 0
[[data]]
instrument = "PERP.SIM"
path = "{data}"
[[strategies]]
builtin = "buy_and_hold"
instrument = "PERP.SIM"
"#
        ),
    );
    let run = bt(dir.path(), &["run", &config, "--out", "out", "--quiet"]);
    let stderr = run.stderr();
    assert_eq!(run.code(), 3, "{stderr}");
    assert!(stderr.contains(message), "{stderr}");
    assert!(!dir.path().join("out").exists());
}

const PERP: &str = "kind = \"crypto_perpetual\"\nbase_currency = \"BTC\"";

#[test]
fn a_bad_funding_setup_is_refused_with_where_it_is() {
    refused(
        "funding = { rate = 0.0001 }",
        "kind = \"equity\"",
        &[],
        "funding applies to crypto_perpetual instruments, and this venue trades none",
    );
    refused(
        "funding = { rate = 0.0001, file = \"r.csv\" }",
        PERP,
        &[],
        "give either rate",
    );
    refused("funding = { rate = 2 }", PERP, &[], "within [-1, 1]");
    refused(
        "funding = { file = \"r.csv\" }",
        PERP,
        &[(
            "r.csv",
            "timestamp,instrument,rate\n2024-01-01T08:00:00Z,OTHER.SIM,0.001\n",
        )],
        "r.csv:2: 'OTHER.SIM' is not a crypto_perpetual of this venue",
    );
    refused(
        "funding = { file = \"r.csv\" }",
        PERP,
        &[(
            "r.csv",
            "timestamp,instrument,rate\nyesterday,PERP.SIM,0.001\n",
        )],
        "r.csv:2 column 'timestamp'",
    );
    refused(
        "funding = { file = \"r.csv\", interval = \"1h\" }",
        PERP,
        &[("r.csv", "timestamp,instrument,rate\n")],
        "the file's timestamps are the funding times",
    );
}
