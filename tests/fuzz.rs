//! Fuzz targets for every parser of user input, on stable Rust: proptest
//! mutates valid inputs (and makes some from nothing) and each case must
//! end, in bounded time, in a success or an error that names the file —
//! never a panic, an abort or a hang.
//!
//! CI runs the same 1,000 cases a target (`cargo test`); a longer run on
//! new cases: `PROPTEST_RNG_SEED=random PROPTEST_CASES=100000 cargo test
//! --release --test fuzz`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use bt::backtest::{config, runner};
use bt::core::identifiers::InstrumentIndex;
use bt::data::{BarFileSpec, load_bars};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

#[allow(
    dead_code,
    reason = "one helper of the integration tests' set is used here"
)]
#[path = "integration/util.rs"]
mod util;

/// Cases a target, unless `PROPTEST_CASES` says otherwise.
fn cases() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1_000);
    let defaults = Config::default();
    Config {
        cases,
        // A failing case is already small: shrinking a whole file would
        // take long and tell little more.
        max_shrink_iters: 64,
        failure_persistence: None,
        // CI replays the same cases every time, so a red run reproduces;
        // PROPTEST_RNG_SEED=random explores new ones.
        rng_seed: match std::env::var("PROPTEST_RNG_SEED").as_deref() {
            Ok("random") => RngSeed::Random,
            Ok(_) => defaults.rng_seed,
            Err(_) => RngSeed::Fixed(20_261_203),
        },
        ..defaults
    }
}

/// The longest a case may take (a debug build on a loaded machine).
const BOUND: Duration = Duration::from_secs(10);

#[allow(
    clippy::disallowed_methods,
    reason = "the bound on each case's time is the property tested"
)]
fn now() -> std::time::Instant {
    std::time::Instant::now()
}

/// One edit of a text: where (a fraction of its length), what, and the
/// text it inserts.
type Edit = (u8, u16, String);

/// Text that breaks parsers: delimiters, quotes, escapes, huge and odd
/// numbers, control characters, long runs.
fn payload() -> impl Strategy<Value = String> {
    prop_oneof![
        "[\\[\\]{}=,.\"'#\\n\\\\ ]{1,8}",
        "-?[0-9]{1,30}(\\.[0-9]{0,25})?",
        Just("1e308".to_string()),
        Just("NaN".to_string()),
        Just("-0".to_string()),
        Just("18446744073709551616".to_string()),
        Just("\u{0}\u{7}\u{1b}".to_string()),
        Just("é€😀".to_string()),
        Just("[".repeat(300)),
        "[a-z_]{1,12}",
        ".{0,16}",
    ]
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec((0u8..5, any::<u16>(), payload()), 1..6)
}

/// `text` with `edits` applied: insert, delete a span, replace a span,
/// duplicate a line, drop a line.
fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut out = text.to_string();
    for (op, at, insert) in edits {
        let boundaries: Vec<usize> = out
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(out.len()))
            .collect();
        let pick = |k: u16| boundaries[usize::from(k) % boundaries.len()];
        let start = pick(*at);
        let end = pick(at.wrapping_add(u16::try_from(insert.len()).unwrap_or(1))).max(start);
        match op {
            0 => out.insert_str(start, insert),
            1 => out.replace_range(start..end, ""),
            2 => out.replace_range(start..end, insert),
            3 | 4 => {
                let lines: Vec<&str> = out.lines().collect();
                if lines.is_empty() {
                    continue;
                }
                let k = usize::from(*at) % lines.len();
                let mut changed: Vec<&str> = lines.clone();
                if *op == 3 {
                    changed.insert(k, lines[k]);
                } else {
                    changed.remove(k);
                }
                out = changed.join("\n");
            }
            _ => {}
        }
    }
    out
}

fn demo_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo_bars.csv")
}

/// A valid config on `data` with `logic` (a built-in name or a script
/// path): the integration tests' one-instrument config over the first
/// hour, with latency.
fn config_text(data: &Path, logic: &str) -> String {
    util::single_config(data, logic, "fast = 5, slow = 12", "0.001")
        .replace(
            "name = \"test\"",
            "name = \"fuzz\"\nstart = \"2020-01-01T00:00:00Z\"\nend = \"2020-01-01T01:00:00Z\"",
        )
        .replace(
            "starting_balances",
            "latency = { base_ms = 10, jitter_ms = 5 }\nstarting_balances",
        )
}

/// Loads and runs the config text at `path`: `Ok` or an error message.
fn load_and_run(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).unwrap();
    let config = config::load(path).map_err(|e| e.to_string())?;
    runner::run_config(&config)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The first 80 demo bars as CSV text.
fn small_csv() -> String {
    let demo = std::fs::read_to_string(demo_data()).unwrap();
    demo.lines().take(81).collect::<Vec<_>>().join("\n") + "\n"
}

proptest! {
    #![proptest_config(cases())]

    /// TOML configs: a mutated valid config loads and runs, or fails
    /// naming the config, a file it names, or the failing strategy.
    #[test]
    fn config_text_never_panics(edits in edits()) {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("bars.csv");
        std::fs::write(&data, small_csv()).unwrap();
        let text = mutate(&config_text(&data, "sma_cross"), &edits);
        let path = dir.path().join("fuzz.toml");
        let started = now();
        if let Err(message) = load_and_run(&path, &text) {
            // Every file here has an absolute path: an error names one
            // first (the config, a data file it names), or the strategy.
            let located = message.starts_with('/') || message.starts_with("strategy '");
            prop_assert!(located, "unlocated: {message}");
        }
        prop_assert!(now().duration_since(started) < BOUND);
    }

    /// CSV bars: a mutated bar file loads, or fails naming the file.
    #[test]
    fn csv_bars_never_panic(edits in edits()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bars.csv");
        std::fs::write(&path, mutate(&small_csv(), &edits)).unwrap();
        loads_or_names(&path)?;
    }

    /// Parquet bytes: a valid file with bytes flipped, cut or spliced
    /// loads, or fails naming the file.
    #[test]
    fn parquet_bytes_never_panic(
        flips in prop::collection::vec((any::<u32>(), any::<u8>()), 0..8),
        cut in prop::option::of(any::<u32>()),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bars.parquet");
        std::fs::write(&path, parquet_bytes()).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        for (at, value) in &flips {
            let k = *at as usize % bytes.len();
            bytes[k] ^= value | 1;
        }
        if let Some(at) = cut {
            bytes.truncate(at as usize % bytes.len());
        }
        std::fs::write(&path, &bytes).unwrap();
        loads_or_names(&path)?;
    }

    /// Rhai scripts: a mutated example strategy compiles and runs, or
    /// fails naming the script (or the config, for a script it refuses
    /// as a whole).
    #[test]
    fn scripts_never_panic(example in 0usize..4, edits in edits()) {
        let examples = ["ema_cross", "bracket", "rsi_reversion", "custom_indicator"];
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let source = std::fs::read_to_string(root.join(format!("strategies/{}.rhai", examples[example]))).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("bars.csv");
        std::fs::write(&data, small_csv()).unwrap();
        let script = dir.path().join("fuzz.rhai");
        std::fs::write(&script, mutate(&source, &edits)).unwrap();
        let text = config_text(&data, &script.display().to_string());
        let started = now();
        if let Err(message) = load_and_run(&dir.path().join("fuzz.toml"), &text) {
            let located = message.starts_with('/') || message.starts_with("strategy '");
            prop_assert!(located, "unlocated: {message}");
        }
        prop_assert!(now().duration_since(started) < BOUND);
    }
}

/// Loading the bar file at `path` succeeds, or fails naming it, in time.
fn loads_or_names(path: &Path) -> Result<(), TestCaseError> {
    let started = now();
    if let Err(error) = load_bars(&BarFileSpec::new(path, InstrumentIndex(0), 2, 0)) {
        let message = error.to_string();
        prop_assert!(
            message.starts_with(&path.display().to_string()),
            "unlocated: {message}"
        );
    }
    prop_assert!(now().duration_since(started) < BOUND);
    Ok(())
}

/// A small valid Parquet bar file, made once.
fn parquet_bytes() -> Vec<u8> {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let csv = dir.path().join("bars.csv");
            std::fs::write(&csv, small_csv()).unwrap();
            let bars = load_bars(&BarFileSpec::new(&csv, InstrumentIndex(0), 2, 0))
                .unwrap()
                .bars;
            let out = dir.path().join("bars.parquet");
            bt::data::write_bars_parquet(&bars, &out).unwrap();
            std::fs::read(out).unwrap()
        })
        .clone()
}

/// The inputs the targets mutate are valid as they are, so the cases
/// start from runs that succeed.
#[test]
fn the_unmutated_inputs_are_valid() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bars.csv");
    std::fs::write(&data, small_csv()).unwrap();
    load_and_run(&dir.path().join("a.toml"), &config_text(&data, "sma_cross")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("strategies/ema_cross.rhai");
    load_and_run(
        &dir.path().join("b.toml"),
        &config_text(&data, &script.display().to_string()),
    )
    .unwrap();
    let parquet = dir.path().join("bars.parquet");
    std::fs::write(&parquet, parquet_bytes()).unwrap();
    assert_eq!(
        load_bars(&BarFileSpec::new(&parquet, InstrumentIndex(0), 2, 0))
            .unwrap()
            .bars
            .len(),
        80
    );
}
