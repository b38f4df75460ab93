//! One integration-test binary: every test runs the real `bt` on real files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

mod analyzers;
mod betting;
mod brackets;
mod cli;
mod configs;
mod errors;
mod fees;
mod funding;
mod fx;
mod input_checks;
mod margin;
mod observers;
mod optimize;
mod oracle;
mod order_types;
mod outputs;
mod parquet_out;
mod pipelines;
mod ranges;
mod reference;
mod report;
mod script_memory;
mod scripts;
mod settlement;
mod sizers;
mod sizing_at_fill;
mod snapshots;
mod util;
mod volume;
mod walk_forward;
mod warmup;
mod wrangle;
