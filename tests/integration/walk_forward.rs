//! `bt walk-forward`: windows, in-sample choice, out-of-sample runs, the
//! stitched run and what no window may see, through the real binary on
//! the demo's five years of daily bars.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::util::{
    Run, assert_same_outputs, bt, png_pixels, results, root, scratch, single_config, write,
};

/// fast × slow with fast < slow: 7 points per window.
const GRID: &str = r#"
[optimize]
maximize = "Sharpe Ratio"
constraint = "fast < slow"
[optimize.params]
"strategies.0.params.fast" = [5, 10, 20]
"strategies.0.params.slow" = [10, 30, 50]
"#;

/// A year of bars in, a quarter out: windows k's in-sample bars are
/// 60k..60k+250 and its out-of-sample bars the 60 after.
const WINDOWS: &str = "\n[walk_forward]\nin_sample_bars = 250\nout_of_sample_bars = 60\n";

fn daily() -> PathBuf {
    root().join("data/daily_5y.csv")
}

/// The SMA cross on `data` with [`GRID`] and `walk_forward`, as
/// `dir/name`.
fn config(dir: &Path, name: &str, data: &Path, backtest: &str, walk_forward: &str) -> String {
    let text = single_config(
        data,
        "sma_cross",
        "fast = 10, slow = 30, size = 1.0",
        "0.001",
    )
    .replace("name = \"test\"\n", &format!("name = \"test\"\n{backtest}"));
    write(dir, name, &format!("{text}{GRID}{walk_forward}"))
}

fn walk_forward(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["walk-forward"];
    all.extend_from_slice(args);
    bt(dir, &all)
}

/// A CSV file's rows as maps from its header's names.
fn table(path: &Path) -> Vec<HashMap<String, String>> {
    crate::util::csv_records(path)
}

fn number(row: &HashMap<String, String>, key: &str) -> f64 {
    row[key]
        .parse()
        .unwrap_or_else(|_| panic!("{key}: '{}'", row[key]))
}

fn assert_close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-9 * a.abs().max(1.0),
        "{what}: {a} vs {b}"
    );
}

#[test]
fn the_example_writes_every_output_and_says_the_summary() {
    let dir = scratch();
    let config = root().join("configs/walk_forward.toml");
    let run = walk_forward(dir.path(), &[config.to_str().unwrap(), "--out", "wf"]).expect_code(0);
    let out = dir.path().join("wf");
    for file in [
        "walk_forward.csv",
        "walk_forward.parquet",
        "walk_forward.json",
        "walk_forward.html",
        "walk_forward.png",
        "summary.json",
        "stitched/results.json",
        "stitched/trades.csv",
        "stitched/orders.csv",
        "stitched/equity.csv",
        "stitched/report.html",
        "stitched/report.png",
    ] {
        assert!(out.join(file).exists(), "no {file}");
    }
    let stdout = run.stdout();
    for line in [
        "17 windows (17 traded), rolling, each optimised on Sharpe Ratio (maximised)",
        "stitched out of sample: Return ",
        "walk-forward efficiency: ",
        "t-statistic of the stitched daily returns: ",
        "Sharpe Ratio across windows: in sample ",
        "Deflated Sharpe Ratio of the stitched run: ",
        "(over all 459 in-sample trials)",
    ] {
        assert!(stdout.contains(line), "no '{line}' in\n{stdout}");
    }
    assert!(run.stderr().contains("runs/s"), "{}", run.stderr());
    let rows = table(&out.join("walk_forward.csv"));
    assert_eq!(rows.len(), 17);
    // The stitched run's stats start at the first out-of-sample bar and
    // end at the last bar.
    let stitched = results(&out.join("stitched"));
    assert_eq!(
        stitched["stats"]["Start"],
        rows[0]["out_of_sample_start"].as_str()
    );
    assert_eq!(stitched["stats"]["End"], "2024-12-30T00:00:00Z");
    // Buy & Hold from the first out-of-sample bar's close to the last.
    let bars = table(&daily());
    let close =
        |at: &str| -> f64 { number(bars.iter().find(|b| b["timestamp"] == at).unwrap(), "close") };
    let held =
        (close("2024-12-30T00:00:00Z") / close(&rows[0]["out_of_sample_start"]) - 1.0) * 100.0;
    assert_close(
        stitched["stats"]["Buy & Hold Return [%]"].as_f64().unwrap(),
        held,
        "Buy & Hold",
    );
    // --format json says the same as summary.json.
    let run = walk_forward(
        dir.path(),
        &[config.to_str().unwrap(), "--out", "wf", "--format", "json"],
    )
    .expect_code(0);
    let printed: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(printed, saved);
    assert_eq!(saved["windows"].as_array().unwrap().len(), 17);
    // bt validate cuts the windows too.
    let run = bt(dir.path(), &["validate", config.to_str().unwrap()]).expect_code(0);
    assert!(
        run.stdout().contains("[walk_forward]: ok (17 rolling windows; in sample 2020-01-01T00:00:00Z to 2020-12-30T00:00:00Z first"),
        "{}",
        run.stdout()
    );
}

#[test]
fn each_window_chooses_the_best_point_of_a_sweep_over_its_in_sample_bars() {
    let dir = scratch();
    let wf = config(dir.path(), "wf.toml", &daily(), "", WINDOWS);
    walk_forward(dir.path(), &[&wf, "--out", "wf", "--quiet"]).expect_code(0);
    let rows = table(&dir.path().join("wf/walk_forward.csv"));
    assert_eq!(
        rows.len(),
        27,
        "(1826 - 250) / 60 windows, the last cut short"
    );
    assert_eq!(rows[26]["out_of_sample_bars"], "16");
    for k in [0, 4, 13] {
        let row = &rows[k];
        assert_eq!(row["in_sample_bars"], "250");
        let window = format!(
            "start = \"{}\"\nend = \"{}\"\nclose_at_end = true\n",
            row["in_sample_start"], row["in_sample_end"]
        );
        let sweep = config(dir.path(), &format!("is{k}.toml"), &daily(), &window, "");
        let out = format!("is{k}");
        bt(dir.path(), &["optimize", &sweep, "--out", &out, "--quiet"]).expect_code(0);
        let best = &table(&dir.path().join(&out).join("optimize.csv"))[0];
        assert_eq!(
            (&best["fast"], &best["slow"], &best["objective"]),
            (&row["fast"], &row["slow"], &row["objective_in_sample"]),
            "window {}",
            k + 1
        );
    }
}

#[test]
fn an_out_of_sample_run_is_a_warmed_up_run_of_its_window_starting_with_the_cash_before() {
    let dir = scratch();
    let wf = config(dir.path(), "wf.toml", &daily(), "", WINDOWS);
    walk_forward(dir.path(), &[&wf, "--out", "wf", "--quiet"]).expect_code(0);
    let rows = table(&dir.path().join("wf/walk_forward.csv"));
    let equity = table(&dir.path().join("wf/stitched/equity.csv"));
    for k in [1, 6] {
        let row = &rows[k];
        // The cash the window before ended with: the stitched equity's
        // last point before this window.
        let before = equity
            .iter()
            .rev()
            .find(|p| p["timestamp"] < row["out_of_sample_start"])
            .unwrap()["equity"]
            .clone();
        let backtest = format!(
            "start = \"{}\"\nend = \"{}\"\nclose_at_end = true\nwarmup = {}\n",
            row["out_of_sample_start"], row["out_of_sample_end"], row["warmup_bars"]
        );
        let text = std::fs::read_to_string(config(dir.path(), "oos.toml", &daily(), &backtest, ""))
            .unwrap()
            .replace(
                "fast = 10, slow = 30",
                &format!("fast = {}, slow = {}", row["fast"], row["slow"]),
            )
            .replace("\"100000 USD\"", &format!("\"{before} USD\""));
        let single = write(dir.path(), "oos.toml", &text);
        bt(dir.path(), &["run", &single, "--out", "oos", "--quiet"]).expect_code(0);
        let stats = &results(&dir.path().join("oos"))["stats"];
        for key in ["Return [%]", "Sharpe Ratio", "Max. Drawdown [%]"] {
            assert_close(
                stats[key].as_f64().unwrap(),
                number(row, &format!("out_of_sample {key}")),
                &format!("window {}: {key}", k + 1),
            );
        }
        assert_eq!(
            stats["# Trades"].as_f64().unwrap(),
            number(row, "out_of_sample # Trades")
        );
        assert_eq!(stats["Start"], row["out_of_sample_start"].as_str());
    }
    // Every window ends flat: the stitched run has no open trade, and its
    // ids name their window.
    let stitched = results(&dir.path().join("wf/stitched"));
    assert_eq!(stitched["open_trades"].as_array().unwrap().len(), 0);
    let trades = table(&dir.path().join("wf/stitched/trades.csv"));
    let mut ids: Vec<&str> = trades.iter().map(|t| t["position_id"].as_str()).collect();
    assert!(ids.iter().all(|id| id.starts_with('W')), "{ids:?}");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), trades.len(), "position ids are unique");
}

/// `daily_5y.csv` with every bar from position `from` on moved (each
/// price scaled by a factor of its own, so highs stay highs).
fn changed_after(dir: &Path, from: usize) -> PathBuf {
    let text = std::fs::read_to_string(daily()).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        // Line 0 is the header: bar k is line k + 1.
        if i == 0 || i <= from {
            out.push_str(line);
        } else {
            let cells: Vec<&str> = line.split(',').collect();
            #[allow(clippy::cast_precision_loss, reason = "a test's wobble")]
            let factor = 1.0 + 0.3 * (i as f64 * 0.37).sin();
            let moved: Vec<String> = cells[1..5]
                .iter()
                .map(|p| format!("{:.2}", p.parse::<f64>().unwrap() * factor))
                .collect();
            out.push_str(&format!("{},{},{}", cells[0], moved.join(","), cells[5]));
        }
        out.push('\n');
    }
    let path = dir.join(format!("changed_{from}.csv"));
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn no_window_sees_a_bar_after_it() {
    let dir = scratch();
    let base = config(dir.path(), "base.toml", &daily(), "", WINDOWS);
    walk_forward(dir.path(), &[&base, "--out", "base", "--quiet"]).expect_code(0);
    let rows = table(&dir.path().join("base/walk_forward.csv"));
    let k = 3;
    // Every bar after window k's in-sample end changed: windows up to k
    // choose the same parameters on the same in-sample figures.
    let in_sample_end = 60 * k + 250;
    let data = changed_after(dir.path(), in_sample_end);
    let moved = config(dir.path(), "is.toml", &data, "", WINDOWS);
    walk_forward(dir.path(), &[&moved, "--out", "is", "--quiet"]).expect_code(0);
    let changed = table(&dir.path().join("is/walk_forward.csv"));
    for j in 0..=k {
        for key in [
            "fast",
            "slow",
            "objective_in_sample",
            "in_sample Return [%]",
        ] {
            assert_eq!(changed[j][key], rows[j][key], "window {}: {key}", j + 1);
        }
    }
    assert_ne!(
        changed[k]["out_of_sample Return [%]"], rows[k]["out_of_sample Return [%]"],
        "the change reached window k's out-of-sample bars"
    );
    // Every bar after window k's out-of-sample end changed: windows up to
    // k are the same in and out of sample.
    let data = changed_after(dir.path(), in_sample_end + 60);
    let moved = config(dir.path(), "oos.toml", &data, "", WINDOWS);
    walk_forward(dir.path(), &[&moved, "--out", "oos", "--quiet"]).expect_code(0);
    let changed = table(&dir.path().join("oos/walk_forward.csv"));
    for j in 0..=k {
        assert_eq!(changed[j], rows[j], "window {}", j + 1);
    }
    assert_ne!(
        changed[k + 1],
        rows[k + 1],
        "the change reached window k + 1"
    );
}

#[test]
fn results_are_the_same_for_any_jobs_and_any_sharding_merged() {
    let dir = scratch();
    let wf = config(dir.path(), "wf.toml", &daily(), "", WINDOWS);
    walk_forward(dir.path(), &[&wf, "--out", "one", "--jobs", "1", "--quiet"]).expect_code(0);
    walk_forward(dir.path(), &[&wf, "--out", "two", "--jobs", "2", "--quiet"]).expect_code(0);
    assert_same_outputs(&dir.path().join("one"), &dir.path().join("two"));
    for shard in ["0/3", "1/3", "2/3"] {
        walk_forward(
            dir.path(),
            &[&wf, "--shard", shard, "--out", "parts", "--quiet"],
        )
        .expect_code(0);
    }
    walk_forward(
        dir.path(),
        &["merge", "parts", "--out", "merged", "--quiet"],
    )
    .expect_code(0);
    assert_same_outputs(&dir.path().join("one"), &dir.path().join("merged"));
    // A missing shard is named.
    std::fs::remove_file(dir.path().join("parts/part-1-of-3.json")).unwrap();
    let run = walk_forward(dir.path(), &["merge", "parts", "--out", "again"]);
    assert_ne!(run.code(), 0);
    assert!(
        run.stderr().contains("missing shard(s) 1/3"),
        "{}",
        run.stderr()
    );
}

#[test]
fn anchored_windows_all_start_at_the_first_bar() {
    let dir = scratch();
    let wf = config(
        dir.path(),
        "wf.toml",
        &daily(),
        "",
        "\n[walk_forward]\nin_sample = \"730d\"\nout_of_sample = \"365d\"\nanchored = true\nwarmup = 0\n",
    );
    walk_forward(dir.path(), &[&wf, "--out", "wf", "--quiet"]).expect_code(0);
    let rows = table(&dir.path().join("wf/walk_forward.csv"));
    // The last out-of-sample window is cut short by the data's end: one
    // bar.
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[3]["out_of_sample_bars"], "1");
    for (k, row) in rows.iter().enumerate() {
        assert_eq!(row["in_sample_start"], "2020-01-01T00:00:00Z");
        assert_eq!(row["warmup_bars"], "0");
        let k = f64::from(u32::try_from(k).unwrap());
        assert_eq!(number(row, "in_sample_bars"), 730.0 + 365.0 * k);
    }
    assert_eq!(rows[0]["out_of_sample_start"], "2021-12-31T00:00:00Z");
}

#[test]
fn bad_tables_are_located_errors() {
    let dir = scratch();
    let cases = [
        (
            "\n[walk_forward]\nin_sample = \"3000d\"\nout_of_sample = \"90d\"\n",
            "wf.toml:34:13: field 'walk_forward.in_sample': the first in-sample window, from 2020-01-01T00:00:00Z, reaches past the last bar",
        ),
        (
            "\n[walk_forward]\nin_sample_bars = 250\nout_of_sample_bars = 60\nstep_bars = 0\n",
            "field 'walk_forward.step_bars': must be a whole number of bars from 1",
        ),
        (
            "\n[walk_forward]\nin_sample_bars = 250\nout_of_sample_bars = 60\nstep_bars = 30\n",
            "field 'walk_forward.step_bars': is shorter than the out-of-sample window",
        ),
        (
            "\n[walk_forward]\nin_sample_bars = 250\nout_of_sample_bars = 60\nwarmup = 300\n",
            "field 'walk_forward.warmup': is longer than the first in-sample window (250 bars)",
        ),
        ("", "no [walk_forward] table"),
    ];
    for (table, message) in cases {
        let wf = config(dir.path(), "wf.toml", &daily(), "", table);
        let run = walk_forward(dir.path(), &[&wf, "--out", "wf"]).expect_code(3);
        assert!(run.stderr().contains(message), "{table}:\n{}", run.stderr());
        assert!(!dir.path().join("wf").exists(), "nothing is written");
    }
    let text = std::fs::read_to_string(config(dir.path(), "wf.toml", &daily(), "", WINDOWS))
        .unwrap()
        .replace(GRID, "");
    let wf = write(dir.path(), "wf.toml", &text);
    let run = walk_forward(dir.path(), &[&wf]).expect_code(3);
    assert!(
        run.stderr().contains("no [optimize] table"),
        "{}",
        run.stderr()
    );
    let wf = config(dir.path(), "wf.toml", &daily(), "", WINDOWS);
    let run = walk_forward(dir.path(), &[&wf, "--bayes", "10", "--shard", "0/2"]).expect_code(2);
    assert!(
        run.stderr().contains("cannot be sharded"),
        "{}",
        run.stderr()
    );
}

#[test]
fn the_report_renders_in_chromium_and_as_a_png() {
    let dir = scratch();
    let wf = config(dir.path(), "wf.toml", &daily(), "", WINDOWS);
    walk_forward(dir.path(), &[&wf, "--out", "wf", "--quiet"]).expect_code(0);
    // In-sample blue and out-of-sample orange are drawn.
    let pixels = png_pixels(&dir.path().join("wf/walk_forward.png"));
    assert!(pixels.contains(&[47, 95, 208]) && pixels.contains(&[230, 126, 34]));
    let Some(dom) = crate::report::open_self_contained(&dir.path().join("wf/walk_forward.html"))
    else {
        return;
    };
    for panel in ["windows", "equity", "objective", "param"] {
        assert!(
            dom.contains(&format!("data-panel=\"{panel}\"")),
            "no {panel} panel"
        );
    }
    assert_eq!(
        dom.matches("class=\"window\"").count(),
        2 * 27,
        "two bars per window"
    );
    assert_eq!(dom.matches("data-series=\"Buy &amp; Hold\"").count(), 1);
}

#[test]
fn a_window_whose_in_sample_runs_never_trade_stays_out_of_the_market() {
    let dir = scratch();
    // A 60-bar average never forms in 50 bars.
    let text = std::fs::read_to_string(config(dir.path(), "wf.toml", &daily(), "", ""))
        .unwrap()
        .replace(
            GRID,
            "\n[optimize]\n[optimize.params]\n\"strategies.0.params.slow\" = [60, 80]\n",
        );
    let wf = write(
        dir.path(),
        "wf.toml",
        &format!("{text}\n[walk_forward]\nin_sample_bars = 50\nout_of_sample_bars = 400\n"),
    );
    let run = walk_forward(dir.path(), &[&wf, "--out", "wf"]).expect_code(0);
    assert!(
        run.stdout().contains("5 windows (0 traded)"),
        "{}",
        run.stdout()
    );
    assert!(
        run.stdout().contains("walk-forward efficiency: undefined"),
        "{}",
        run.stdout()
    );
    let rows = table(&dir.path().join("wf/walk_forward.csv"));
    assert!(
        rows.iter()
            .all(|r| r["slow"].is_empty() && r["objective_in_sample"].is_empty())
    );
    assert!(!dir.path().join("wf/stitched").exists(), "no run to stitch");
}

#[test]
fn an_interrupted_walk_forward_writes_nothing() {
    let dir = scratch();
    let data = root().join("tests/fixtures/bars_100k.parquet");
    let text = single_config(&data, "ema_cross", "fast = 10, slow = 30", "0.001");
    let wf = write(
        dir.path(),
        "wf.toml",
        &format!(
            "{text}\n[optimize]\nconstraint = \"fast < slow\"\n[optimize.params]\n\"strategies.0.params.fast\" = {{ from = 5, to = 50, step = 5 }}\n\"strategies.0.params.slow\" = {{ from = 20, to = 200, step = 20 }}\n\n[walk_forward]\nin_sample_bars = 20000\nout_of_sample_bars = 5000\n"
        ),
    );
    let output = crate::util::interrupted(
        dir.path(),
        &["walk-forward", &wf, "--out", "wf", "--jobs", "1", "--quiet"],
        std::time::Duration::from_millis(1500),
    );
    assert_eq!(output.status.code(), Some(130), "interrupted");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!dir.path().join("wf").exists());
}

#[test]
fn a_script_strategy_warms_up_by_the_bars_set_and_auto_says_it_has_none() {
    let dir = scratch();
    let script = root().join("strategies/ema_cross.rhai");
    let text = single_config(
        &daily(),
        script.to_str().unwrap(),
        "fast = 10, slow = 30",
        "0.001",
    );
    let wf = write(dir.path(), "wf.toml", &format!("{text}{GRID}{WINDOWS}"));
    let run = walk_forward(dir.path(), &[&wf, "--out", "auto", "--quiet"]).expect_code(0);
    assert!(
        run.stderr()
            .contains("a script strategy knows its warm-up only once it has run"),
        "{}",
        run.stderr()
    );
    let rows = table(&dir.path().join("auto/walk_forward.csv"));
    assert!(rows.iter().all(|r| r["warmup_bars"] == "0"));
    let wf = write(
        dir.path(),
        "wf.toml",
        &format!("{text}{GRID}{WINDOWS}warmup = 49\n"),
    );
    let run = walk_forward(dir.path(), &[&wf, "--out", "set", "--quiet"]).expect_code(0);
    assert!(!run.stderr().contains("warm-up"), "{}", run.stderr());
    let rows = table(&dir.path().join("set/walk_forward.csv"));
    assert!(rows.iter().all(|r| r["warmup_bars"] == "49"));
    // Auto takes the script's own warmup param.
    let with_param = single_config(
        &daily(),
        script.to_str().unwrap(),
        "fast = 10, slow = 30, warmup = 25",
        "0.001",
    );
    let wf = write(
        dir.path(),
        "wf.toml",
        &format!("{with_param}{GRID}{WINDOWS}"),
    );
    let run = walk_forward(dir.path(), &[&wf, "--out", "param", "--quiet"]).expect_code(0);
    assert!(!run.stderr().contains("warm-up"), "{}", run.stderr());
    let rows = table(&dir.path().join("param/walk_forward.csv"));
    assert!(rows.iter().all(|r| r["warmup_bars"] == "25"));
    // A duration replays the bars inside it: a week of daily bars.
    let wf = write(
        dir.path(),
        "wf.toml",
        &format!("{text}{GRID}{WINDOWS}warmup = \"7d\"\n"),
    );
    walk_forward(dir.path(), &[&wf, "--out", "week", "--quiet"]).expect_code(0);
    let rows = table(&dir.path().join("week/walk_forward.csv"));
    assert!(rows.iter().all(|r| r["warmup_bars"] == "7"));
}
