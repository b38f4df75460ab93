//! Loading 1,000,000 bars from Parquet and CSV into checked bars.
#![allow(clippy::unwrap_used, reason = "a bench fails loudly")]

use bt::core::identifiers::InstrumentIndex;
use bt::data::synthetic::{GbmSpec, generate_gbm};
use bt::data::{BarFileSpec, load_bars, write_bars_csv, write_bars_parquet};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const BARS: usize = 1_000_000;

fn load(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let bars = generate_gbm(&GbmSpec {
        bars: BARS,
        ..GbmSpec::default()
    });
    let parquet = dir.path().join("bars.parquet");
    let csv = dir.path().join("bars.csv");
    write_bars_parquet(&bars, &parquet).unwrap();
    write_bars_csv(&bars, &csv).unwrap();
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.throughput(Throughput::Elements(BARS as u64));
    for (name, path) in [("parquet_1m", &parquet), ("csv_1m", &csv)] {
        let spec = BarFileSpec::new(path.clone(), InstrumentIndex(0), 2, 0);
        group.bench_function(name, |b| b.iter(|| load_bars(&spec).unwrap().bars.len()));
    }
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
