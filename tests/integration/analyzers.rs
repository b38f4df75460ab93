//! `[[analyzers]]` through the real binary: each adds its table to
//! results.json in config order, and a bad one is a located config error.

use crate::util::{bt, results, root, run_config, scratch, single_config, write};

#[test]
fn the_configured_analyzers_add_their_tables_in_order() {
    let dir = run_config("buy_and_hold_daily", &[]);
    let json = results(&dir.path().join("out"));
    let tables = json["analyzers"].as_array().unwrap();
    let kinds: Vec<&str> = tables
        .iter()
        .map(|t| t["analyzer"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "returns",
            "drawdown",
            "trades",
            "exposure",
            "period_returns"
        ]
    );
    // The returns table agrees with the stats table.
    assert_eq!(tables[0]["total_return_pct"], json["stats"]["Return [%]"]);
    assert_eq!(tables[0]["sharpe_ratio"], json["stats"]["Sharpe Ratio"]);
    let deepest = tables[1]["deepest"].as_array().unwrap();
    assert!(deepest.len() <= 3);
    assert!(
        deepest
            .windows(2)
            .all(|w| w[0]["peak"].as_f64() >= w[1]["peak"].as_f64())
    );
    assert_eq!(
        -deepest[0]["peak"].as_f64().unwrap() * 100.0,
        tables[1]["max_drawdown_pct"].as_f64().unwrap()
    );
    // Bought on the first bar and held: exposed on every bar but the first.
    assert!(
        (tables[3]["exposure_time_pct"].as_f64().unwrap() - 251.0 / 252.0 * 100.0).abs() < 1e-9
    );
    // Monthly returns chain to the total return.
    let growth: f64 = tables[4]["returns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| 1.0 + r["return_pct"].as_f64().unwrap() / 100.0)
        .product();
    let total = json["stats"]["Return [%]"].as_f64().unwrap();
    assert!(((growth - 1.0) * 100.0 - total).abs() < 1e-9);
}

#[test]
fn a_bad_analyzer_names_its_field() {
    let dir = scratch();
    let base = single_config(&root().join("data/demo_bars.csv"), "ema_cross", "", "0");
    for (table, expected) in [
        ("kind = \"alpha\"", "unknown analyzer 'alpha'"),
        (
            "kind = \"period_returns\"\nperiod = \"weekly\"",
            "unknown period 'weekly'",
        ),
        (
            "kind = \"returns\"\ntop = 3",
            "'top' does not apply to the returns analyzer",
        ),
    ] {
        let config = write(
            dir.path(),
            "c.toml",
            &format!("{base}\n[[analyzers]]\n{table}\n"),
        );
        let stderr = bt(dir.path(), &["validate", &config])
            .expect_code(3)
            .stderr();
        assert!(stderr.contains(expected), "{table}: {stderr}");
        assert!(stderr.contains("field 'analyzers."), "{stderr}");
    }
}

#[test]
fn turnover_is_what_the_fees_were_charged_on() {
    let dir = run_config("ema_cross", &[]);
    let json = results(&dir.path().join("out"));
    let traded: f64 = json["turnover"]["traded_value"]
        .as_str()
        .unwrap()
        .trim_end_matches(" USD")
        .parse()
        .unwrap();
    let fees: f64 = json["stats"]["Commissions [$]"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // The demo pays 0.1 % on every fill: the closed trades' fees (the
    // stat) and the open trade's.
    let open: f64 = json["open_trades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let text = t["commission"].as_str().unwrap();
            text.trim_end_matches(" USD").parse::<f64>().unwrap()
        })
        .sum();
    assert!(open > 0.0, "the demo ends in a position");
    assert!(
        (traded * 0.001 - fees - open).abs() < 1e-6,
        "{traded} {fees} {open}"
    );
    let ratio = json["turnover"]["ratio"].as_f64().unwrap();
    let mean = json["turnover"]["mean_equity"].as_f64().unwrap();
    assert!((ratio * mean - traded).abs() < 1e-3);
}
