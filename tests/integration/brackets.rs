//! Contingent orders handled by the venue: brackets (`sl`/`tp`), OCO and
//! OTO lists. The exits of a bracket work from the entry's fill on, on
//! the entry's bar too; one bar reaching both exits fills only the one its
//! path reaches first; the ties show in orders.csv.

use std::collections::HashMap;

use crate::util::{scratch, script_orders};

const CASH: &str = r#"account = "cash"
starting_balances = ["10000 USD"]"#;

type Rows = Vec<HashMap<String, String>>;

/// Order `n`'s (1-based) rows.
fn order(rows: &Rows, n: u32) -> Vec<&HashMap<String, String>> {
    let id = format!("O-s-1-{n}");
    rows.iter().filter(|r| r["client_order_id"] == id).collect()
}

/// Order `n`'s last row: its final event.
fn last(rows: &Rows, n: u32) -> &HashMap<String, String> {
    order(rows, n).pop().unwrap()
}

fn run(venue: &str, bars: &str, script: &str) -> Rows {
    let dir = scratch();
    script_orders(dir.path(), venue, bars, script)
}

/// Buys 10 on bar 0 with a stop-loss at `sl` and a take-profit at `tp`.
fn bracket(sl: &str, tp: &str) -> String {
    format!(
        "fn on_bar(ctx, bar) {{\n    if ctx.bar_index() == 0 {{ ctx.buy(#{{ quantity: 10, sl: {sl}, tp: {tp} }}); }}\n}}\n"
    )
}

const FLAT: &str = "2020-01-01T00:00:00Z,100,100,100,100,1000\n";

#[test]
fn a_stop_loss_fills_on_the_entry_bar_and_cancels_the_take_profit() {
    // The entry fills at the open 100 of bar 1, whose low 94 reaches the
    // stop at 95 later on the same bar; the take-profit at 110 is never
    // reached and is canceled by the stop's fill.
    let rows = run(
        CASH,
        &format!("{FLAT}2020-01-02T00:00:00Z,100,103,94,101,1000\n"),
        &bracket("95.0", "110.0"),
    );
    let entry = last(&rows, 1);
    assert_eq!(
        (entry["event"].as_str(), entry["fill_price"].as_str()),
        ("FILLED", "100.00")
    );
    let stop = last(&rows, 2);
    assert_eq!(stop["event"], "FILLED");
    assert_eq!(stop["type"], "STOP_MARKET");
    assert_eq!(stop["fill_price"], "95.00");
    assert_eq!(stop["fill_qty"], "10");
    assert_eq!(stop["ts_event"], entry["ts_event"], "on the entry's bar");
    let take = last(&rows, 3);
    assert_eq!(take["event"], "CANCELED");
    assert_eq!(take["reason"], "one-cancels-other: O-s-1-2 filled");
    // The ties, on every row of the exits.
    for row in order(&rows, 2) {
        assert_eq!(
            (
                row["parent_order_id"].as_str(),
                row["oco_order_ids"].as_str()
            ),
            ("O-s-1-1", "O-s-1-3")
        );
    }
    for row in order(&rows, 3) {
        assert_eq!(
            (
                row["parent_order_id"].as_str(),
                row["oco_order_ids"].as_str()
            ),
            ("O-s-1-1", "O-s-1-2")
        );
    }
    assert!(
        order(&rows, 1)
            .iter()
            .all(|r| r["parent_order_id"].is_empty())
    );
}

#[test]
fn one_bar_reaching_both_exits_fills_the_one_its_path_reaches_first() {
    // Bar 1: open 100, high 103, low 90. The nearer extreme comes first:
    // the high (3 away), so the take-profit at 102 fills and the stop at
    // 95 is canceled.
    let bars = format!("{FLAT}2020-01-02T00:00:00Z,100,103,90,101,1000\n");
    let rows = run(CASH, &bars, &bracket("95.0", "102.0"));
    assert_eq!(last(&rows, 3)["event"], "FILLED");
    assert_eq!(last(&rows, 3)["fill_price"], "102.00");
    assert_eq!(last(&rows, 2)["event"], "CANCELED");
    // The pessimistic path takes the extreme against the position first:
    // long, the low, so the stop fills.
    let rows = run(
        &format!("{CASH}\nintrabar = \"pessimistic\""),
        &bars,
        &bracket("95.0", "102.0"),
    );
    assert_eq!(last(&rows, 2)["event"], "FILLED");
    assert_eq!(last(&rows, 2)["fill_price"], "95.00");
    assert_eq!(last(&rows, 3)["event"], "CANCELED");
    // Exactly one exit, the whole position: nothing is left to reverse.
    let filled: usize = rows.iter().filter(|r| r["event"] == "FILLED").count();
    assert_eq!(filled, 2);
}

#[test]
fn exits_rest_after_the_entry_bar_until_one_fills() {
    // Bar 1 reaches neither exit; bar 2 reaches the take-profit at 110.
    let rows = run(
        CASH,
        &format!(
            "{FLAT}2020-01-02T00:00:00Z,100,101,99,100,1000\n\
             2020-01-03T00:00:00Z,100,111,99,110,1000\n\
             2020-01-04T00:00:00Z,110,111,90,95,1000\n"
        ),
        &bracket("95.0", "110.0"),
    );
    let take = last(&rows, 3);
    assert_eq!(
        (take["event"].as_str(), take["ts_event"].as_str()),
        ("FILLED", "2020-01-03T00:00:00Z")
    );
    assert_eq!(
        last(&rows, 2)["event"],
        "CANCELED",
        "bar 3 finds the stop canceled"
    );
}

#[test]
fn the_exits_of_an_entry_that_never_fills_are_canceled_with_it() {
    // A limit entry at 90 that bar 1 does not reach, canceled on bar 1.
    let rows = run(
        CASH,
        &format!(
            "{FLAT}2020-01-02T00:00:00Z,100,101,99,100,1000\n\
             2020-01-03T00:00:00Z,100,101,80,100,1000\n"
        ),
        r#"fn on_bar(ctx, bar) {
    if ctx.bar_index() == 0 { this.entry = ctx.buy(#{ quantity: 10, limit: 90.0, sl: 85.0, tp: 95.0 }); }
    if ctx.bar_index() == 1 { ctx.cancel(this.entry); }
}
"#,
    );
    assert_eq!(last(&rows, 1)["event"], "CANCELED");
    for n in [2, 3] {
        let exit = last(&rows, n);
        assert_eq!(exit["event"], "CANCELED");
        assert_eq!(exit["reason"], "its parent order closed without a fill");
        assert!(order(&rows, n).iter().all(|r| r["event"] != "FILLED"));
    }
}

#[test]
fn a_bracket_exit_closes_what_a_fractional_entry_filled() {
    // Half of 10,000 at the close 100 is 50 units; the open 125 buys 40.
    // The exits follow the entry: UPDATED to 40 when it fills.
    let rows = run(
        CASH,
        &format!(
            "{FLAT}2020-01-02T00:00:00Z,125,126,124,125,1000\n\
             2020-01-03T00:00:00Z,125,140,124,139,1000\n"
        ),
        "fn on_bar(ctx, bar) {\n    if ctx.bar_index() == 0 { ctx.buy(#{ size: 0.5, sl: 90.0, tp: 130.0 }); }\n}\n",
    );
    assert_eq!(last(&rows, 1)["fill_qty"], "40");
    let updated: Vec<_> = order(&rows, 3)
        .into_iter()
        .filter(|r| r["event"] == "UPDATED")
        .collect();
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0]["reason"], "the quantity O-s-1-1 has filled");
    assert_eq!(last(&rows, 3)["fill_qty"], "40");
    assert_eq!(last(&rows, 3)["fill_price"], "130.00");
}

#[test]
fn a_list_with_a_denied_order_is_denied_whole() {
    // 10,000 USD cannot buy 1,000 units at 100: the entry is denied, and
    // its exits with it.
    let rows = run(
        CASH,
        &format!("{FLAT}2020-01-02T00:00:00Z,100,101,99,100,1000\n"),
        "fn on_bar(ctx, bar) {\n    if ctx.bar_index() == 0 { ctx.buy(#{ quantity: 1000, sl: 90.0, tp: 110.0 }); }\n}\n",
    );
    assert_eq!(last(&rows, 1)["event"], "DENIED");
    for n in [2, 3] {
        let exit = last(&rows, n);
        assert_eq!(exit["event"], "DENIED");
        assert!(
            exit["reason"]
                .starts_with("another order of its list was denied (O-s-1-1: insufficient balance"),
            "{}",
            exit["reason"]
        );
    }
}

#[test]
fn the_first_of_an_oco_pair_to_fill_cancels_the_other() {
    // A breakout either way: buy stop 105, sell stop 95 (margin, to short).
    // Bar 1 reaches 106 first (the high is nearer), then 93: only the buy
    // stop fills.
    let rows = run(
        r#"account = "margin"
leverage = 1
starting_balances = ["10000 USD"]"#,
        &format!("{FLAT}2020-01-02T00:00:00Z,100,106,93,100,1000\n"),
        r#"fn on_bar(ctx, bar) {
    if ctx.bar_index() == 0 {
        let ids = ctx.oco(#{ side: "buy", quantity: 10, stop: 105.0 }, #{ side: "sell", quantity: 10, stop: 95.0 });
        if ids != ["O-s-1-1", "O-s-1-2"] { throw "ids " + ids; }
    }
}
"#,
    );
    assert_eq!(last(&rows, 1)["event"], "FILLED");
    assert_eq!(last(&rows, 1)["fill_price"], "105.00");
    assert_eq!(last(&rows, 2)["event"], "CANCELED");
    assert_eq!(last(&rows, 2)["oco_order_ids"], "O-s-1-1");
    assert!(last(&rows, 1)["parent_order_id"].is_empty());
}

#[test]
fn an_oto_child_waits_for_its_parent_then_works_on_the_same_bar() {
    // A limit buy at 98 and a limit sell at 103 released by its fill: bar
    // 1 falls to 98 first (nearer), then rises to 104, so both fill on it.
    // Bar 0 reached 103 too, but the child was held then.
    let rows = run(
        CASH,
        "2020-01-01T00:00:00Z,100,104,99.5,100,1000\n\
         2020-01-02T00:00:00Z,100,104,98,103,1000\n",
        r#"fn on_bar(ctx, bar) {
    if ctx.bar_index() == 0 {
        ctx.oto(#{ side: "buy", quantity: 10, limit: 98.0 }, #{ side: "sell", quantity: 10, limit: 103.0 });
    }
}
"#,
    );
    let (parent, child) = (last(&rows, 1), last(&rows, 2));
    assert_eq!(
        (parent["event"].as_str(), parent["fill_price"].as_str()),
        ("FILLED", "98.00")
    );
    assert_eq!(
        (child["event"].as_str(), child["fill_price"].as_str()),
        ("FILLED", "103.00")
    );
    assert_eq!(child["ts_event"], parent["ts_event"]);
    assert_eq!(child["parent_order_id"], "O-s-1-1");
}

#[test]
fn a_trailing_child_trails_the_rest_of_its_parents_bar() {
    // A market buy fills at bar 1's open, 100, releasing a sell trailing
    // 2.00 (its trigger 98 from the last close). Bar 1's path goes 100 →
    // 99 → 106 → 101: the trigger follows 106 up to 104 and the fall to
    // the close fires it there, on the entry's own bar.
    let rows = run(
        CASH,
        "2020-01-01T00:00:00Z,100,100,100,100,1000\n\
         2020-01-02T00:00:00Z,100,106,99,101,1000\n\
         2020-01-03T00:00:00Z,101,101,101,101,1000\n",
        r#"fn on_bar(ctx, bar) {
    if ctx.bar_index() == 0 {
        ctx.oto(#{ side: "buy", quantity: 10 }, #{ side: "sell", quantity: 10, trail: 2.0 });
    }
}
"#,
    );
    let (parent, child) = (last(&rows, 1), last(&rows, 2));
    assert_eq!(parent["fill_price"], "100.00");
    assert_eq!(
        (child["event"].as_str(), child["fill_price"].as_str()),
        ("FILLED", "104.00")
    );
    assert_eq!(child["ts_event"], parent["ts_event"]);
    let moved: Vec<&str> = rows
        .iter()
        .filter(|r| r["client_order_id"] == "O-s-1-2" && r["event"] == "UPDATED")
        .map(|r| r["reason"].as_str())
        .collect();
    assert_eq!(moved, vec!["trailing: the trigger moved to 104.00"]);
}

#[test]
fn on_a_hedging_venue_a_brackets_exit_closes_the_entrys_own_position() {
    // Two longs on a hedging venue: 5 bought plainly, 10 by a bracket.
    // The bracket's stop at 95 fills on bar 1 and closes the 10 it
    // protects; the 5 stay open, and no short is opened.
    let dir = scratch();
    script_orders(
        dir.path(),
        "oms = \"hedging\"\naccount = \"margin\"\nstarting_balances = [\"10000 USD\"]",
        &format!(
            "{FLAT}2020-01-02T00:00:00Z,100,101,94,96,1000\n2020-01-03T00:00:00Z,96,96,96,96,1000\n"
        ),
        "fn on_bar(ctx, bar) {\n    if ctx.bar_index() == 0 {\n        ctx.buy(#{ quantity: 5 });\n        ctx.buy(#{ quantity: 10, sl: 95.0, tp: 110.0 });\n    }\n}\n",
    );
    let trades = crate::util::csv_records(&dir.path().join("out/trades.csv"));
    let summary: Vec<(&str, &str, &str)> = trades
        .iter()
        .map(|t| (t["side"].as_str(), t["size"].as_str(), t["status"].as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![("LONG", "10", "CLOSED"), ("LONG", "5", "OPEN")]
    );
    assert_eq!(trades[0]["exit_price"], "95.00");
}

#[test]
fn a_trailing_stop_limit_child_that_triggers_unfilled_rests_as_its_limit() {
    // The last close 100 puts the child's trigger at 98 and its limit at
    // 97. Bar 1 gaps down: the parent buys at its open 95, which is
    // through the trigger, but the rest of the bar (up to 96) never
    // reaches the limit: the child triggers there and rests as a limit
    // at 97, which bar 2 fills.
    let rows = run(
        CASH,
        "2020-01-01T00:00:00Z,100,100,100,100,1000\n\
         2020-01-02T00:00:00Z,95,96,94,95,1000\n\
         2020-01-03T00:00:00Z,96,98,96,97,1000\n",
        r#"fn on_bar(ctx, bar) {
    if ctx.bar_index() == 0 {
        ctx.oto(#{ side: "buy", quantity: 10 }, #{ side: "sell", quantity: 10, trail: 2.0, limit_offset: 1.0 });
    }
}
"#,
    );
    let child: Vec<(String, String, String)> = order(&rows, 2)
        .iter()
        .map(|r| {
            (
                r["event"].clone(),
                r["ts_event"].clone(),
                r["fill_price"].clone(),
            )
        })
        .filter(|(event, ..)| event == "TRIGGERED" || event == "FILLED")
        .collect();
    assert_eq!(
        child,
        vec![
            (
                "TRIGGERED".into(),
                "2020-01-02T00:00:00Z".into(),
                String::new()
            ),
            (
                "FILLED".into(),
                "2020-01-03T00:00:00Z".into(),
                "97.00".into()
            ),
        ]
    );
}
