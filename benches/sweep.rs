//! The reference sweep W4 (../shared/reference/WORKLOADS.md): W2's EMA
//! cross on the 100,000-bar reference file (tests/fixtures), fast 5..50 ×
//! slow 20..200, fast < slow, 90 runs; data loaded before timing, as the
//! peers' figures are.
//!
//! - `sweep/w4_90_runs_all_cores`, `sweep/w4_90_runs_1_thread`: the whole
//!   grid through `optimization::run` (runs per second), and so the
//!   parallel efficiency;
//! - `sweep/w4_one_point`: one run as a sweep makes it (config with the
//!   point written in, engine, stats);
//! - `sweep/w4_one_point_engine_only`: the same run's engine alone, so
//!   the share of a run spent outside the engine is 1 − this / that.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a bench fails loudly"
)]

use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use bt::backtest::engine::BacktestEngine;
use bt::backtest::runner;
use bt::engine::replay::BarStream;
use bt::optimization::rows::Trial;
use bt::optimization::search::{GridSource, Shard};
use bt::optimization::space::ParamNumber;
use bt::optimization::spec::Overrides;
use bt::optimization::{NoCheckpoint, Progress, RunOptions, Sweep};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

struct Quiet;

impl Progress for Quiet {
    fn update(&self, _done: u64, _total: u64, _best: Option<f64>) {}
}

fn grid(sweep: &Sweep, jobs: usize) -> usize {
    let mut source = GridSource::new(&sweep.spec, Shard::ALL).unwrap();
    let rows = bt::optimization::run(
        sweep,
        &mut source,
        Vec::new(),
        RunOptions {
            jobs,
            scope: &sweep.whole,
        },
        &Quiet,
        &mut NoCheckpoint,
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(rows.rows.len(), 90);
    rows.rows.len()
}

fn sweeps(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/w4_sweep.toml");
    let sweep = Sweep::load(&path, &Overrides::default()).unwrap();
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.throughput(Throughput::Elements(90));
    group.bench_function("w4_90_runs_all_cores", |b| b.iter(|| grid(&sweep, cores)));
    group.bench_function("w4_90_runs_1_thread", |b| b.iter(|| grid(&sweep, 1)));
    group.throughput(Throughput::Elements(1));
    let point = vec![ParamNumber::Int(10), ParamNumber::Int(30)];
    group.bench_function("w4_one_point", |b| {
        b.iter(|| {
            let trial = Trial {
                ordinal: 0,
                point: point.clone(),
            };
            black_box(sweep.evaluate(trial, &sweep.whole))
        });
    });
    let config = sweep.point_config(&point).unwrap();
    group.bench_function("w4_one_point_engine_only", |b| {
        b.iter(|| {
            let strategies = runner::build_strategies(&config).unwrap();
            let engine = BacktestEngine::new(&config, strategies).unwrap();
            let streams = vec![(
                config.data[0].bar_type.to_string(),
                BarStream {
                    bars: &sweep.data[0].bars,
                    priority: 0,
                },
            )];
            black_box(engine.run(streams).unwrap().curve.ts.len())
        });
    });
    group.finish();
}

criterion_group!(benches, sweeps);
criterion_main!(benches);
