//! The bar hot path allocates nothing per bar: a run over ten times more
//! bars makes exactly as many allocations; and a trade allocates only its
//! fill event's box. A test binary of its own, since it counts every
//! allocation the process makes.
#![allow(clippy::unwrap_used, reason = "a test fails loudly")]

use std::alloc::System;
use std::path::Path;

use bt::backtest::config;
use bt::backtest::engine::BacktestEngine;
use bt::core::identifiers::InstrumentIndex;
use bt::data::synthetic::{GbmSpec, generate_gbm};
use bt::engine::replay::BarStream;
use bt::trading::builtin;
use bt::trading::params::Params;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[allow(
    dead_code,
    reason = "one helper of the integration tests' set is used here"
)]
#[path = "integration/util.rs"]
mod util;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations of one whole run of `strategy` over `bars` bars (made
/// before counting), engine construction and teardown included, and the
/// number of fills the run made.
fn allocations(strategy: &str, bars: usize, sigma: f64) -> (usize, usize) {
    let toml = util::single_config(Path::new("unused.csv"), "buy_and_hold", "", "0");
    let config = config::parse(Path::new("allocations.toml"), &toml).unwrap();
    let bars = generate_gbm(&GbmSpec {
        bars,
        sigma,
        ..GbmSpec::default()
    });
    let region = Region::new(GLOBAL);
    let logic = builtin::build(strategy, InstrumentIndex(0), &Params::default()).unwrap();
    let engine = BacktestEngine::new(&config, vec![logic]).unwrap();
    let output = engine
        .run(vec![(
            "SYNTH.SIM-1-MINUTE-LAST".into(),
            BarStream {
                bars: &bars,
                priority: 0,
            },
        )])
        .unwrap();
    assert_eq!(output.curve.ts.len(), bars.len());
    let fills = output.cache.fill_count();
    drop(output);
    (region.change().allocations, fills)
}

// One test function: the counter counts the whole process, so a second
// test running beside this one would count into it.
#[test]
fn bars_allocate_nothing_and_trades_only_their_fills() {
    a_bar_costs_no_allocation();
    a_trade_allocates_only_its_fill();
}

fn a_bar_costs_no_allocation() {
    // Buy-and-hold values an open position on every bar; the moving-average
    // crosses update their averages on every bar of a flat market, which
    // never crosses, so neither trades after the first bars.
    for (strategy, sigma) in [
        ("buy_and_hold", 0.001),
        ("ema_cross", 0.0),
        ("sma_cross", 0.0),
    ] {
        // A first run interns the ids' heads, once for the process.
        allocations(strategy, 100, sigma);
        let (short, _) = allocations(strategy, 2_000, sigma);
        let (long, _) = allocations(strategy, 20_000, sigma);
        assert!(short > 0, "{strategy}: the counter counts");
        assert_eq!(short, long, "{strategy}: allocations grew with the bars");
    }
}

fn a_trade_allocates_only_its_fill() {
    allocations("ema_cross", 100, 0.001);
    let (short, short_fills) = allocations("ema_cross", 2_000, 0.001);
    let (long, long_fills) = allocations("ema_cross", 20_000, 0.001);
    let fills = long_fills - short_fills;
    assert!(fills > 50, "the market trades ({fills} more fills)");
    // Each fill boxes its event (freed once logged); the order, event and
    // fill stores grow by one chunk per 4096 entries, which these runs
    // stay within.
    let extra = long - short;
    assert!(
        extra <= fills + 2,
        "{extra} more allocations for {fills} more fills"
    );
}
