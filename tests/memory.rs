//! Memory per order: a run of many resting orders, its results and its
//! orders.csv hold a bounded number of bytes per order at their peak. A
//! test binary of its own, since it reads the process's peak memory.
#![allow(clippy::unwrap_used, reason = "a test fails loudly")]

use bt::backtest::{config, runner};
use bt::report::{Exporter, ORDERS_CSV};

/// A field of /proc/self/status in bytes (`VmRSS`: held now, `VmHWM`: the
/// peak so far), or `None` off Linux.
fn status_bytes(field: &str) -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[test]
fn resting_orders_cost_a_bounded_number_of_bytes_each() {
    let dir = tempfile::tempdir().unwrap();
    // 100 buy limits far below the market on each of the first 1,000
    // bars: 100,000 orders, all still resting at the end.
    let script = dir.path().join("rest.rhai");
    std::fs::write(
        &script,
        "fn on_bar(ctx, bar) {\n    if ctx.bar_index() < 1000 {\n        for i in 0..100 { ctx.buy(#{ quantity: 1, limit: bar.close * 0.5 }); }\n    }\n}\n",
    )
    .unwrap();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo_bars.csv");
    let toml = format!(
        "[backtest]\nname = \"memory\"\n\n[[venues]]\nname = \"SIM\"\nbase_currency = \"USD\"\nstarting_balances = [\"100000000 USD\"]\n\n[[instruments]]\nid = \"SYNTH.SIM\"\nkind = \"equity\"\ncurrency = \"USD\"\nprice_precision = 2\nsize_precision = 0\n\n[[data]]\ninstrument = \"SYNTH.SIM\"\npath = \"{}\"\n\n[[strategies]]\nscript = \"{}\"\ninstrument = \"SYNTH.SIM\"\n",
        data.display(),
        script.display()
    );
    let path = dir.path().join("memory.toml");
    std::fs::write(&path, toml).unwrap();
    let config = config::load(&path).unwrap();
    let data = runner::load_data(&config).unwrap();
    let Some(before) = status_bytes("VmRSS:") else {
        eprintln!("SKIPPED: no /proc/self/status to read memory from");
        return;
    };
    let result = runner::run_results(&config, &data).unwrap();
    let orders = result.orders.len();
    assert_eq!(orders, 100_000);
    // orders.csv is streamed a row at a time: no buffer of the whole file.
    ORDERS_CSV.write_to(&result, &mut std::io::sink()).unwrap();
    let peak = status_bytes("VmHWM:").unwrap();
    let per_order = peak.saturating_sub(before) / orders;
    // Measured about 420 bytes: the order (240), its place in the book
    // (64, in a growing Vec), its logged events (32 each) and the indexes
    // over them. Before the orders moved out of the cache instead of being
    // copied into records of boxed events and orders.csv was streamed,
    // 2.4 KB.
    assert!(per_order <= 600, "{per_order} bytes an order at the peak");
}
