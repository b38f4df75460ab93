//! Betting accounts through the real binary: backs and lays on decimal
//! odds, the liability each locks, settlement at 1 or 0, prediction-market
//! shares, and the errors. Figures are computed by hand in comments.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::util::{bt, csv_records, results, scratch, write};

/// Daily bars of odds (or prices): (open, high, low, close).
fn bars(rows: &[(&str, &str, &str, &str)]) -> String {
    let mut text = String::from("timestamp,open,high,low,close,volume\n");
    for (day, (o, h, l, c)) in rows.iter().enumerate() {
        text.push_str(&format!(
            "2024-03-{:02}T12:00:00Z,{o},{h},{l},{c},1000\n",
            day + 1
        ));
    }
    text
}

/// Runs `script` on instrument `X.BETFAIR` of `kind` (its extra keys
/// included) at a betting venue with 1,000 GBP; returns the exit code,
/// the stderr and the output directory.
fn run(dir: &Path, kind: &str, bars: &str, script: &str) -> (i32, String, PathBuf) {
    let data = write(dir, "odds.csv", bars);
    let script = write(dir, "s.rhai", script);
    let config = write(
        dir,
        "bet.toml",
        &format!(
            r#"[backtest]
name = "bet"

[[venues]]
name = "BETFAIR"
account = "betting"
base_currency = "GBP"
starting_balances = ["1000 GBP"]

[[instruments]]
id = "X.BETFAIR"
currency = "GBP"
price_precision = 2
size_precision = 2
{kind}

[[data]]
instrument = "X.BETFAIR"
path = "{data}"

[[strategies]]
script = "{script}"
instrument = "X.BETFAIR"
"#
        ),
    );
    let run = bt(dir, &["run", &config, "--out", "out", "--quiet"]);
    (run.code(), run.stderr(), dir.join("out"))
}

const HORSE: &str = "kind = \"betting\"\nmarket = \"1.23\"\nselection = \"Horse A\"";

/// Odds 3.00 for two days, then 2.00.
fn odds() -> String {
    bars(&[
        ("3.00", "3.00", "3.00", "3.00"),
        ("3.00", "3.10", "2.90", "3.00"),
        ("2.50", "2.50", "2.00", "2.00"),
        ("2.00", "2.00", "2.00", "2.00"),
        ("2.00", "2.00", "2.00", "2.00"),
    ])
}

/// Backs 100 at 3.0 on the first bar and lays 100 at 2.0 on the third.
const BACK_THEN_LAY: &str = r#"fn on_bar(ctx, bar) {
    if ctx.bar_index() == 0 { ctx.back(#{ stake: 100, odds: 3.0 }); }
    if ctx.bar_index() == 2 { ctx.lay(#{ stake: 100, odds: 2.0, tag: "green" }); }
}
"#;

fn final_equity(out: &Path) -> String {
    results(out)["stats"]["Equity Final [$]"]
        .as_str()
        .unwrap()
        .to_string()
}

fn rows_of(out: &Path, event: &str) -> Vec<HashMap<String, String>> {
    csv_records(&out.join("orders.csv"))
        .into_iter()
        .filter(|r| r["event"] == event)
        .collect()
}

#[test]
fn a_back_traded_out_by_a_lay_wins_the_difference_when_the_selection_wins() {
    let dir = scratch();
    let (code, stderr, out) = run(
        dir.path(),
        &format!("{HORSE}\nsettlement = 1"),
        &odds(),
        BACK_THEN_LAY,
    );
    assert_eq!(code, 0, "{stderr}");
    // The back is a SELL of the payout 100 × 3 = 300 at 3.00, the lay a
    // BUY of 100 × 2 = 200 at 2.00; settlement buys the 100 left at 1.00.
    let filled: Vec<(String, String, String)> = rows_of(&out, "FILLED")
        .into_iter()
        .map(|r| {
            (
                r["side"].clone(),
                r["fill_qty"].clone(),
                r["fill_price"].clone(),
            )
        })
        .collect();
    assert_eq!(
        filled,
        vec![
            ("SELL".into(), "300.00".into(), "3.00".into()),
            ("BUY".into(), "200.00".into(), "2.00".into()),
            ("BUY".into(), "100.00".into(), "1.00".into()),
        ]
    );
    // Won: +200 from the back, −100 on the lay: 1,000 + 100, no fee.
    assert_eq!(final_equity(&out), "1100.000000000");
    let trades = csv_records(&out.join("trades.csv"));
    assert_eq!(trades.len(), 1);
    assert_eq!(trades[0]["pnl"], "100.000000000");
    assert_eq!(trades[0]["status"], "CLOSED");
    let settled = rows_of(&out, "SUBMITTED");
    assert!(
        settled.iter().any(|r| r["client_order_id"].ends_with("-3")),
        "{settled:?}"
    );
}

#[test]
fn the_same_book_loses_nothing_when_the_selection_loses() {
    let dir = scratch();
    let (code, stderr, out) = run(
        dir.path(),
        &format!("{HORSE}\nsettlement = 0"),
        &odds(),
        BACK_THEN_LAY,
    );
    assert_eq!(code, 0, "{stderr}");
    // Lost: −100 stake on the back, +100 kept on the lay.
    assert_eq!(final_equity(&out), "1000.000000000");
    let last = rows_of(&out, "FILLED").pop().unwrap();
    assert_eq!(
        (last["fill_price"].as_str(), last["commission"].as_str()),
        ("0.00", "0.000000000")
    );
}

#[test]
fn an_open_back_is_marked_at_the_odds_and_locks_its_stake() {
    let dir = scratch();
    let (code, stderr, out) = run(
        dir.path(),
        HORSE,
        &odds(),
        "fn on_bar(ctx, bar) {\n    if ctx.bar_index() == 0 { ctx.back(#{ stake: 100, odds: 3.0 }); }\n}\n",
    );
    assert_eq!(code, 0, "{stderr}");
    // Unsettled: the payout 300 is worth 300 / 2.00 = 150 at the last
    // odds, 50 more than the stake.
    assert_eq!(final_equity(&out), "1050.000000000");
    let balances = &results(&out)["accounts"][0]["balances"][0];
    assert_eq!(balances["locked"], "100.000000000 GBP");
    assert_eq!(balances["free"], "900.000000000 GBP");
}

#[test]
fn a_bet_whose_liability_the_balance_cannot_cover_is_denied() {
    let dir = scratch();
    // A lay of 400 at 3.5 risks 400 × 2.5 = 1,000 (fits); of 401, 1,002.50.
    let (code, stderr, out) = run(
        dir.path(),
        HORSE,
        &odds(),
        r#"fn on_bar(ctx, bar) {
    if ctx.bar_index() == 0 {
        ctx.lay(#{ stake: 401, odds: 3.5 });
        ctx.lay(#{ stake: 400, odds: 3.5 });
        ctx.lay(#{ stake: 1, odds: 3.5 });
    }
}
"#,
    );
    assert_eq!(code, 0, "{stderr}");
    let denied = rows_of(&out, "DENIED");
    assert_eq!(denied.len(), 2, "{denied:?}");
    assert!(
        denied[0]["reason"].contains("the bet needs 1002.50 GBP"),
        "{denied:?}"
    );
    // The second lay's 1,000 counts as filled while it works: nothing is
    // left for another lay's 2.50.
    assert_eq!(denied[1]["client_order_id"], "O-s-1-3");
}

#[test]
fn prediction_shares_settle_at_one_or_zero() {
    let dir = scratch();
    // Buy 100 at 0.30 (risks 30) and sell 100 short at 0.40 (risks 60) on
    // another: the first settles at 1 (+70), the second at 0 (+40).
    let prices = bars(&[
        ("0.30", "0.30", "0.30", "0.30"),
        ("0.30", "0.40", "0.30", "0.40"),
        ("0.40", "0.40", "0.40", "0.40"),
    ]);
    for (side, settlement, equity) in [("buy", 1, "1070.000000000"), ("sell", 0, "1040.000000000")]
    {
        let dir = scratch();
        let limit = if side == "buy" { "0.30" } else { "0.40" };
        let (code, stderr, out) = run(
            dir.path(),
            &format!("kind = \"prediction_market\"\noutcome = \"yes\"\nsettlement = {settlement}"),
            &prices,
            &format!(
                "fn on_bar(ctx, bar) {{\n    if ctx.bar_index() == 0 {{ ctx.{side}(#{{ quantity: 100, limit: {limit} }}); }}\n}}\n"
            ),
        );
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(final_equity(&out), equity, "{side}");
    }
    drop(dir);
}

#[test]
fn a_betting_setup_that_cannot_work_is_refused() {
    let dir = scratch();
    let (code, stderr, _) = run(dir.path(), "kind = \"equity\"", &odds(), "");
    assert_eq!(code, 3);
    assert!(
        stderr.contains("is not a betting or prediction_market instrument"),
        "{stderr}"
    );
    let (code, stderr, _) = run(dir.path(), &format!("{HORSE}\nsettlement = 2"), &odds(), "");
    assert_eq!(code, 3);
    assert!(stderr.contains("expected 1"), "{stderr}");
    let (code, stderr, _) = run(
        dir.path(),
        HORSE,
        &odds(),
        "fn on_bar(ctx, bar) { ctx.back(#{ stake: 100 }); }\n",
    );
    assert_eq!(code, 3);
    assert!(stderr.contains("back needs stake and odds"), "{stderr}");
    let (code, stderr, _) = run(
        dir.path(),
        HORSE,
        &odds(),
        "fn on_bar(ctx, bar) { ctx.back(#{ stake: 100.005, odds: 3.0 }); }\n",
    );
    assert_eq!(code, 3);
    assert!(
        stderr.contains("has more decimals than size_precision"),
        "{stderr}"
    );
}

#[test]
fn working_bets_count_at_their_own_odds() {
    // Lays working together: 500 at 2.0 risks 500, 100 at 5.0 risks 400,
    // 50 at 3.0 risks 100: 1,000 in all, the whole balance; one more lay
    // of 1 at 2.0 (risking 1) is denied. Priced at the new bet's odds
    // instead, the second lay alone would have looked like 1,200.
    let dir = scratch();
    let (code, stderr, out) = run(
        dir.path(),
        HORSE,
        &odds(),
        r#"fn on_bar(ctx, bar) {
    if ctx.bar_index() == 0 {
        ctx.lay(#{ stake: 500, odds: 2.0 });
        ctx.lay(#{ stake: 100, odds: 5.0 });
        ctx.lay(#{ stake: 50, odds: 3.0 });
        ctx.lay(#{ stake: 1, odds: 2.0 });
    }
}
"#,
    );
    assert_eq!(code, 0, "{stderr}");
    let denied: Vec<String> = rows_of(&out, "DENIED")
        .into_iter()
        .map(|r| r["client_order_id"].clone())
        .collect();
    assert_eq!(denied, vec!["O-s-1-4"]);
}
