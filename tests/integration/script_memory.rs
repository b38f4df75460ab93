//! An untrusted script cannot exhaust memory: its values are bounded by
//! Rhai's size limits (summed over nested values, across bars), and the
//! buffers of its indicators by `max_indicator_bytes`; each trips with a
//! located error and exit 3, never an abort or a run that eats the host.

use crate::util::{bt, root, scratch, single_config, write};

/// Runs `script` with `limits` (TOML text, may be empty) on the demo
/// data; the exit code and stderr.
fn run_script(script: &str, limits: &str) -> (i32, String) {
    let dir = scratch();
    let path = write(dir.path(), "s.rhai", script);
    let mut config = single_config(&root().join("data/demo_bars.csv"), &path, "", "0");
    if !limits.is_empty() {
        config.push_str(&format!("limits = {{ {limits} }}\n"));
    }
    let config = write(dir.path(), "c.toml", &config);
    let run = bt(dir.path(), &["run", &config, "--out", "out", "--quiet"]);
    (run.code(), run.stderr())
}

#[test]
fn state_kept_across_bars_is_bounded_by_the_size_limits() {
    // `this` grows by 100 entries a bar: 10,000 (the default) by bar 100.
    let (code, stderr) = run_script(
        "fn on_bar(ctx, bar) {\n    if this.n == () { this.n = 0; }\n    for i in 0..100 { this.n += 1; this[`k${this.n}`] = 1; }\n}\n",
        "",
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("max_map_size = 10000"), "{stderr}");
    // Maps nested in an array count together.
    let (code, stderr) = run_script(
        "fn on_bar(ctx, bar) {\n    if this.a == () { this.a = []; }\n    let m = #{};\n    for i in 0..3000 { m[`k${i}`] = i; }\n    this.a.push(m);\n}\n",
        "",
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("max_map_size"), "{stderr}");
    // So do strings kept in an array, bar after bar.
    let (code, stderr) = run_script(
        "fn on_bar(ctx, bar) {\n    if this.s == () { this.s = []; }\n    let s = \"x\";\n    while s.len() < 100000 { s += s; }\n    this.s.push(s);\n}\n",
        "",
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("max_string_size = 1048576"), "{stderr}");
}

#[test]
fn indicator_buffers_are_bounded_by_max_indicator_bytes() {
    // Each SMA(1,000,000) may hold 8 MB: the ninth passes 64 MiB.
    let script = "fn on_start(ctx) {\n    for i in 0..1000 { ctx.sma(`s${i}`, 1000000); }\n}\nfn on_bar(ctx, bar) {}\n";
    let (code, stderr) = run_script(script, "");
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("s.rhai:2:"), "{stderr}");
    assert!(stderr.contains("indicator 's8'"), "{stderr}");
    assert!(
        stderr.contains("max_indicator_bytes = 67108864"),
        "{stderr}"
    );
    // Names count too: long names cannot slip past the limit.
    let (code, stderr) = run_script(
        "fn on_start(ctx) {\n    let name = \"n\";\n    while name.len() < 500000 { name += name; }\n    for i in 0..1000 { ctx.ema(`${name}${i}`, 2); }\n}\nfn on_bar(ctx, bar) {}\n",
        "max_indicator_bytes = 10000000",
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("max_indicator_bytes = 10000000"),
        "{stderr}"
    );
    // A higher limit allows what the data needs; the buffers grow with the
    // 20,000 bars fed, not the period.
    let (code, stderr) = run_script(
        "fn on_start(ctx) {\n    for i in 0..20 { ctx.sma(`s${i}`, 1000000); }\n}\nfn on_bar(ctx, bar) {}\n",
        "max_indicator_bytes = 400000000",
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = run_script("fn on_bar(ctx, bar) {}\n", "max_indicator_bytes = 0");
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("max_indicator_bytes = 0 is out of range"),
        "{stderr}"
    );
}

#[test]
fn orders_and_timers_are_bounded() {
    // Every order is kept for the reports: an order loop stops at the
    // limit, at the call that passes it.
    let (code, stderr) = run_script(
        "fn on_bar(ctx, bar) {\n    for i in 0..100 { ctx.buy(#{ quantity: 1, limit: bar.close * 0.5 }); }\n}\n",
        "max_orders = 1000",
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("s.rhai:2:"), "{stderr}");
    assert!(
        stderr.contains("order limit reached (max_orders = 1000)"),
        "{stderr}"
    );
    // Timers under new names stop at 10,000 at once; a cancelled one frees
    // its place.
    let (code, stderr) = run_script(
        "fn on_start(ctx) {\n    for i in 0..10001 { ctx.set_timer(`t${i}`, \"1h\"); }\n}\nfn on_bar(ctx, bar) {}\n",
        "",
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("s.rhai:2:"), "{stderr}");
    assert!(stderr.contains("timer limit reached"), "{stderr}");
    let (code, stderr) = run_script(
        "fn on_bar(ctx, bar) {\n    let name = `t${ctx.bar_index()}`;\n    ctx.set_timer(name, \"1h\");\n    ctx.cancel_timer(name);\n}\n",
        "",
    );
    assert_eq!(code, 0, "{stderr}");
}
