//! Rhai strategy scripts through the real binary: the examples in
//! strategies/ with exact results, the W2 reference workload as a script,
//! the sandbox, and errors with script locations.

use crate::util::{
    bt, reference_files, results, root, run_config, run_single, scratch, single_config, write,
};

/// Each example config, its script, and the trades and final equity it
/// gives on data/demo_bars.csv (pinned: a change here is a behaviour change).
const EXAMPLES: &[(&str, &str, u64, &str)] = &[
    ("script_ema_cross", "ema_cross", 359, "45969.800240000"),
    ("script_buy_and_hold", "buy_and_hold", 0, "79421.780420000"),
    ("rsi_reversion", "rsi_reversion", 81, "78454.011540000"),
    (
        "bollinger_breakout",
        "bollinger_breakout",
        329,
        "55809.893660000",
    ),
    ("bracket", "bracket", 90, "86090.436400000"),
    (
        "custom_indicator",
        "custom_indicator",
        167,
        "81733.527850000",
    ),
];

fn run_example(config: &str) -> serde_json::Value {
    results(&run_config(config, &[]).path().join("out"))
}

#[test]
fn every_example_script_gives_its_exact_results() {
    let mut scripts: Vec<String> = std::fs::read_dir(root().join("strategies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rhai"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    scripts.sort();
    let mut tested: Vec<String> = EXAMPLES.iter().map(|e| e.1.to_string()).collect();
    tested.sort();
    assert_eq!(
        scripts, tested,
        "every script in strategies/ has a case here"
    );
    for (config, _, trades, equity) in EXAMPLES {
        let stats = &run_example(config)["stats"];
        assert_eq!(stats["# Trades"], *trades, "{config}");
        assert_eq!(stats["Equity Final [$]"], *equity, "{config}");
    }
}

#[test]
fn the_ema_script_matches_the_builtin_on_the_demo() {
    let script = run_example("script_ema_cross");
    let builtin = run_example("ema_cross");
    assert_eq!(script["stats"], builtin["stats"]);
}

#[test]
fn the_bracket_exits_cancel_each_other() {
    let dir = run_config("bracket", &[]);
    let orders = std::fs::read_to_string(dir.path().join("out/orders.csv")).unwrap();
    let count = |event: &str| orders.lines().filter(|l| l.contains(event)).count();
    // 90 round trips (an entry and one exit fill each, the other exit is
    // cancelled) and one entry still open at the end.
    assert_eq!(count(",FILLED,"), 2 * 90 + 1);
    assert_eq!(count(",CANCELED,"), 90);
    assert_eq!(count(",DENIED,"), 0);
    // Each trade carries the tag of the order that opened it.
    let trades = std::fs::read_to_string(dir.path().join("out/trades.csv")).unwrap();
    let mut lines = trades.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = header.iter().position(|h| *h == "tag").unwrap();
    let tags: Vec<&str> = lines.map(|l| l.split(',').nth(column).unwrap()).collect();
    assert_eq!(tags.len(), 91);
    assert!(tags.iter().all(|t| *t == "entry"), "{tags:?}");
}

#[test]
fn w2_as_a_script_matches_the_peers_exactly() {
    let script = root().join("strategies/ema_cross.rhai");
    for data in reference_files() {
        let (_dir, json) = run_single(
            &data,
            script.to_str().unwrap(),
            "fast = 10, slow = 30",
            "0.001",
        );
        let stats = &json["stats"];
        assert_eq!(stats["# Trades"], 1811, "{}", data.display());
        assert_eq!(
            stats["Equity Final [$]"],
            "2460.712650000",
            "{}",
            data.display()
        );
    }
}

/// Runs `script` on the demo data; expects exit 3, no results, and returns stderr.
fn failing_script(script: &str) -> String {
    let dir = scratch();
    let path = write(dir.path(), "bad.rhai", script);
    let config = write(
        dir.path(),
        "bad.toml",
        &single_config(&root().join("data/demo_bars.csv"), &path, "", "0"),
    );
    let run = bt(dir.path(), &["run", &config, "--out", "out"]).expect_code(3);
    assert!(
        !dir.path().join("out").exists(),
        "no output on a failed run"
    );
    run.stderr()
}

#[test]
fn the_sandbox_refuses_each_escape_with_its_reason() {
    let cases = [
        (
            "import \"fs\" as fs;\nfn on_bar(ctx, bar) {}",
            "bad.rhai:1:1",
            "'import' is not allowed",
        ),
        (
            "fn on_bar(ctx, bar) { eval(\"1\"); }",
            "bad.rhai:1:",
            "'eval' is not allowed",
        ),
        (
            "fn on_bar(ctx, bar) { let f = open_file(\"/etc/passwd\"); }",
            "bad.rhai:1:",
            "no file, network or clock access",
        ),
        (
            "fn on_bar(ctx, bar) { http_get(\"http://example.com\"); }",
            "bad.rhai:1:",
            "no file, network or clock access",
        ),
        (
            "fn on_bar(ctx, bar) { let t = timestamp(); }",
            "bad.rhai:1:",
            "no file, network or clock access",
        ),
        // Rhai reports no position when a limit trips; the hook and limit are named.
        (
            "fn on_bar(ctx, bar) {\n    loop { }\n}",
            "bad.rhai: strategy",
            "in on_bar: operation limit reached (max_operations = 1000000)",
        ),
        (
            "fn deeper(n) { deeper(n + 1) }\nfn on_bar(ctx, bar) { deeper(0); }",
            "bad.rhai: strategy",
            "call depth limit reached (max_call_levels = 64)",
        ),
        (
            "fn on_bar(ctx, bar) {\n    let s = \"x\";\n    loop { s += s; }\n}",
            "bad.rhai: strategy",
            "over the limit (max_string_size = 1048576)",
        ),
        (
            "fn on_bar(ctx, bar) {\n    let a = [];\n    loop { a.push(1); }\n}",
            "bad.rhai: strategy",
            "over the limit (max_array_size = 100000)",
        ),
    ];
    for (script, location, reason) in cases {
        let stderr = failing_script(script);
        assert!(stderr.contains(location), "{script}\n{stderr}");
        assert!(stderr.contains(reason), "{script}\n{stderr}");
    }
}

#[test]
fn a_runtime_error_names_file_line_column_and_bar_time() {
    let stderr = failing_script(
        "fn on_start(ctx) {\n    ctx.ema(\"fast\", 10);\n}\n\nfn on_bar(ctx, bar) {\n    if ctx.bar_index() == 100 {\n        let x = ctx.ind(\"slow\");\n    }\n}\n",
    );
    // Bar 100 of the demo data, one minute apart from 2020-01-01T00:00:00Z.
    assert!(stderr.contains("bad.rhai:7:"), "{stderr}");
    assert!(stderr.contains("at 2020-01-01T01:40:00Z"), "{stderr}");
    assert!(stderr.contains("in on_bar"), "{stderr}");
    assert!(
        stderr.contains("no indicator 'slow' (registered: fast)"),
        "{stderr}"
    );
}

#[test]
fn a_quantity_finer_than_the_instrument_is_an_error() {
    let stderr = failing_script("fn on_bar(ctx, bar) {\n    ctx.buy(#{ quantity: 0.5 });\n}\n");
    assert!(stderr.contains("bad.rhai:2:"), "{stderr}");
    assert!(
        stderr.contains("quantity 0.5 has more decimals than SYNTH.SIM allows (0)"),
        "{stderr}"
    );
}

#[test]
fn script_errors_are_found_before_data_is_read() {
    let dir = scratch();
    let script = write(dir.path(), "typo.rhai", "fn on_bars(ctx, bar) {}\n");
    // The data file does not exist: the script error must come first.
    let config = write(
        dir.path(),
        "c.toml",
        &single_config(&dir.path().join("missing.csv"), &script, "", "0"),
    );
    let stderr = bt(dir.path(), &["validate", &config])
        .expect_code(3)
        .stderr();
    assert!(
        stderr.contains("typo.rhai:1:1: unknown hook 'on_bars'"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean 'on_bar'?"), "{stderr}");
}

#[test]
fn limits_can_be_set_in_the_config() {
    let dir = scratch();
    let script = write(
        dir.path(),
        "busy.rhai",
        "fn on_bar(ctx, bar) {\n    let n = 0;\n    while n < 500 { n += 1; }\n}\n",
    );
    let base = single_config(&root().join("data/demo_bars.csv"), &script, "", "0");
    let tight = format!("{base}limits = {{ max_operations = 100 }}\n");
    let config = write(dir.path(), "tight.toml", &tight);
    let stderr = bt(dir.path(), &["run", &config, "--out", "out"])
        .expect_code(3)
        .stderr();
    assert!(stderr.contains("max_operations = 100"), "{stderr}");
    let config = write(dir.path(), "default.toml", &base);
    bt(dir.path(), &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
    // Never unlimited, never past the ceilings that keep the stack and
    // memory safe: located errors before anything runs, bt validate too.
    for (limit, expected) in [
        (
            "max_operations = 0",
            "max_operations = 0 is out of range: from 1 to 1000000000",
        ),
        ("max_string_size = 0", "max_string_size = 0 is out of range"),
        (
            "max_call_levels = 10000000",
            "max_call_levels = 10000000 is out of range: from 1 to 128",
        ),
        ("max_expr_depth = 0", "max_expr_depth = 0 is out of range"),
        (
            "max_map_size = 100000000",
            "max_map_size = 100000000 is out of range",
        ),
    ] {
        let text = format!("{base}limits = {{ {limit} }}\n");
        let config = write(dir.path(), "bad.toml", &text);
        for command in ["run", "validate"] {
            let stderr = bt(dir.path(), &[command, &config]).expect_code(3).stderr();
            assert!(
                stderr.contains(expected) && stderr.contains("field 'strategies.limits'"),
                "{limit}: {stderr}"
            );
        }
    }
}

#[test]
fn trades_carry_the_tag_of_their_opening_order() {
    let json = run_example("rsi_reversion");
    let trades = json["trades"].as_array().unwrap();
    assert!(!trades.is_empty());
    assert!(
        trades.iter().all(|t| t["tag"] == "entry"),
        "{:?}",
        trades[0]
    );
}

/// A flip-flop that trades on every call of `on_bar` it gets: woken only on
/// crosses it must trade exactly as the same rules checked on every bar.
#[test]
fn wake_on_cross_calls_on_bar_exactly_on_the_crosses() {
    let dir = scratch();
    let data = root().join("data/demo_bars.csv");
    let flip = "if ctx.is_flat() { ctx.buy(#{ quantity: 1 }); } else { ctx.close_position(); }";
    let start = r#"ctx.sma("fast", 5); ctx.sma("slow", 20);"#;
    let woken = format!(
        "fn on_start(ctx) {{ {start} ctx.wake_on_cross(\"fast\", \"slow\"); }}\nfn on_bar(ctx, bar) {{ {flip} }}"
    );
    let every = format!(
        "fn on_start(ctx) {{ {start} }}\nfn on_bar(ctx, bar) {{ if ctx.cross(\"fast\", \"slow\") != 0 {{ {flip} }} }}"
    );
    let mut outputs = Vec::new();
    for (name, script) in [("woken", &woken), ("every", &every)] {
        let path = write(dir.path(), &format!("{name}.rhai"), script);
        let config = write(
            dir.path(),
            &format!("{name}.toml"),
            &single_config(&data, &path, "", "0"),
        );
        bt(dir.path(), &["run", &config, "--out", name, "--quiet"]).expect_code(0);
        let orders = std::fs::read_to_string(dir.path().join(name).join("orders.csv")).unwrap();
        outputs.push(orders);
    }
    assert!(outputs[0].lines().count() > 20, "the flip-flop traded");
    // Order ids carry the strategy id, which comes from the file name.
    assert_eq!(outputs[0].replace("O-woken-", "O-every-"), outputs[1]);
}

#[test]
fn wake_on_cross_belongs_in_on_start() {
    let stderr = failing_script(
        "fn on_start(ctx) { ctx.sma(\"a\", 2); ctx.sma(\"b\", 3); }\nfn on_bar(ctx, bar) { ctx.wake_on_cross(\"a\", \"b\"); }",
    );
    assert!(
        stderr.contains("wake_on_cross must be called in on_start"),
        "{stderr}"
    );
    assert!(stderr.contains("bad.rhai:2:"), "{stderr}");
}

#[test]
fn cancelling_an_id_the_strategy_did_not_make_is_a_located_error() {
    for cancel in [
        "ctx.cancel(\"O-nobody-7\");",
        "ctx.cancel(`nobody-${bar.close}-x`);",
    ] {
        let stderr = failing_script(&format!("fn on_bar(ctx, bar) {{\n    {cancel}\n}}\n"));
        assert!(stderr.contains("bad.rhai:2:"), "{stderr}");
        assert!(
            stderr.contains("is not an order of this strategy (it has submitted none)"),
            "{stderr}"
        );
    }
    // One past the last id it made is not its order either.
    let stderr = failing_script(
        "fn on_bar(ctx, bar) {\n    let id = ctx.buy(#{ quantity: 1 });\n    ctx.cancel(id + \"0\");\n}\n",
    );
    assert!(stderr.contains("bad.rhai:3:"), "{stderr}");
    assert!(stderr.contains("its orders are"), "{stderr}");
    let stderr = failing_script("fn on_bar(ctx, bar) {\n    ctx.cancel(\"O 1\");\n}\n");
    assert!(stderr.contains("bad.rhai:2:"), "{stderr}");
    assert!(stderr.contains("invalid ClientOrderId 'O 1'"), "{stderr}");
}

#[test]
fn a_cancel_in_the_hook_that_submitted_the_order_cancels_it() {
    // A marketable limit that would fill at the next open, canceled at
    // once: with no latency, and with a jitter that would draw the cancel
    // ahead of the order if commands could overtake each other.
    let script = "fn on_bar(ctx, bar) {\n    if this.done == () {\n        this.done = true;\n        let id = ctx.buy(#{ quantity: 10, limit: bar.close * 1.5 });\n        ctx.cancel(id);\n    }\n}\n";
    for latency in ["", "latency = { base_ms = 100, jitter_ms = 3000 }\n"] {
        let dir = scratch();
        let path = write(dir.path(), "cancel.rhai", script);
        let config = single_config(&root().join("data/demo_bars.csv"), &path, "", "0")
            .replace("fee_model =", &format!("{latency}fee_model ="));
        let config = write(dir.path(), "c.toml", &config);
        bt(dir.path(), &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
        let json = results(&dir.path().join("out"));
        assert_eq!(json["stats"]["# Trades"], 0, "{latency}");
        let orders = std::fs::read_to_string(dir.path().join("out/orders.csv")).unwrap();
        let events: Vec<&str> = orders
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(6).unwrap())
            .collect();
        assert_eq!(
            events,
            ["INITIALIZED", "SUBMITTED", "ACCEPTED", "CANCELED"],
            "{orders}"
        );
    }
}
