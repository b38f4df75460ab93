//! `bt optimize`: the sweep pipeline through the real binary.

use std::path::Path;

use crate::util::{
    Run, assert_same_outputs, bt, csv_rows, files, root, scratch, single_config, write,
};

/// The demo's EMA cross on its 20,000 minute bars, with `optimize` as its
/// `[optimize]` table (and params).
fn sweep_config(dir: &Path, optimize: &str) -> String {
    let mut text = single_config(
        &root().join("data/demo_bars.csv"),
        "ema_cross",
        "fast = 10, slow = 30, size = 1.0",
        "0.001",
    );
    text.push_str(optimize);
    write(dir, "sweep.toml", &text)
}

const SEED_GRID: &str = r#"
[optimize]
maximize = "Sharpe Ratio"
[optimize.params]
"strategies.0.params.fast" = [5, 10, 15]
"strategies.0.params.slow" = [20, 30]
"#;

fn optimize(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["optimize"];
    all.extend_from_slice(args);
    bt(dir, &all)
}

#[test]
fn the_seed_pipeline_runs_every_combination_once_best_first() {
    let dir = scratch();
    let config = sweep_config(dir.path(), SEED_GRID);
    let run = optimize(dir.path(), &[&config, "--out", "opt", "--jobs", "2"]).expect_code(0);
    assert!(
        run.stdout().contains("6 runs (0 failed"),
        "{}",
        run.stdout()
    );
    let rows = csv_rows(&dir.path().join("opt/optimize.csv"));
    assert_eq!(rows[0][..4], ["fast", "slow", "objective", "Start"]);
    let sharpe = rows[0].iter().position(|c| c == "Sharpe Ratio").unwrap();
    let body = &rows[1..];
    assert_eq!(body.len(), 6);
    let mut points: Vec<(String, String)> =
        body.iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    points.sort();
    let expected: Vec<(String, String)> = ["5", "10", "15"]
        .iter()
        .flat_map(|f| {
            ["20", "30"]
                .iter()
                .map(|s| ((*f).to_string(), (*s).to_string()))
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(points, expected, "each combination exactly once");
    let values: Vec<f64> = body.iter().map(|r| r[sharpe].parse().unwrap()).collect();
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
    assert!(
        body.iter().all(|r| r[2] == r[sharpe]),
        "the objective is the Sharpe Ratio"
    );
    // best.toml is runnable as is and gives the best row's stats.
    let best = dir.path().join("opt/best.toml");
    bt(
        dir.path(),
        &["run", best.to_str().unwrap(), "--out", "rerun", "--quiet"],
    )
    .expect_code(0);
    let rerun: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("rerun/results.json")).unwrap(),
    )
    .unwrap();
    let best_json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("opt/best/results.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(rerun["stats"], best_json["stats"]);
    assert_eq!(
        rerun["stats"]["Sharpe Ratio"].as_f64().unwrap(),
        values[0],
        "best/ is the top row"
    );
    let text = std::fs::read_to_string(&best).unwrap();
    assert!(
        text.contains(&format!("fast = {}, slow = {}", body[0][0], body[0][1])),
        "{text}"
    );
}

#[test]
fn results_are_byte_identical_for_any_jobs_and_any_sharding() {
    let dir = scratch();
    let grid = r#"
[optimize]
maximize = "Return [%]"
constraint = "fast < slow"
[optimize.params]
"strategies.0.params.fast" = { from = 5, to = 25, step = 10 }
"strategies.0.params.slow" = [20, 40]
"venues.SIM.slippage.ticks" = [0, 1]
"#;
    let config = sweep_config(dir.path(), grid);
    // Named relatively here and absolutely by the shards: the same outputs.
    optimize(
        dir.path(),
        &["sweep.toml", "--out", "one", "--jobs", "1", "--quiet"],
    )
    .expect_code(0);
    optimize(
        dir.path(),
        &[&config, "--out", "two", "--jobs", "2", "--quiet"],
    )
    .expect_code(0);
    assert_same_outputs(&dir.path().join("one"), &dir.path().join("two"));
    for i in 0..3 {
        let shard = format!("{i}/3");
        optimize(
            dir.path(),
            &[&config, "--shard", &shard, "--out", "parts", "--quiet"],
        )
        .expect_code(0);
    }
    optimize(
        dir.path(),
        &["merge", "parts", "--out", "merged", "--quiet"],
    )
    .expect_code(0);
    assert_same_outputs(&dir.path().join("one"), &dir.path().join("merged"));
    let rows = csv_rows(&dir.path().join("one/optimize.csv"));
    assert_eq!(
        rows.len() - 1,
        10,
        "fast 25 with slow 20 is left out, at both ticks"
    );
}

#[test]
fn merge_refuses_missing_duplicate_and_foreign_parts() {
    let dir = scratch();
    let config = sweep_config(dir.path(), SEED_GRID);
    optimize(
        dir.path(),
        &[&config, "--shard", "0/2", "--out", "parts", "--quiet"],
    )
    .expect_code(0);
    let run = optimize(dir.path(), &["merge", "parts", "--out", "m"]).expect_code(3);
    assert!(
        run.stderr().contains("missing shard(s) 1/2"),
        "{}",
        run.stderr()
    );
    assert!(!dir.path().join("m").exists());
    std::fs::copy(
        dir.path().join("parts/part-0-of-2.json"),
        dir.path().join("parts/part-0-of-2.copy.json"),
    )
    .unwrap();
    let run = optimize(dir.path(), &["merge", "parts", "--out", "m"]).expect_code(3);
    assert!(
        run.stderr().contains("shard 0/2 appears twice"),
        "{}",
        run.stderr()
    );
    std::fs::remove_file(dir.path().join("parts/part-0-of-2.copy.json")).unwrap();
    // The other half of another sweep (a different objective).
    let other = sweep_config(dir.path(), &SEED_GRID.replace("Sharpe Ratio", "SQN"));
    let other_dir = dir.path().join("other");
    std::fs::create_dir(&other_dir).unwrap();
    optimize(
        &other_dir,
        &[&other, "--shard", "1/2", "--out", "../parts", "--quiet"],
    )
    .expect_code(0);
    let run = optimize(dir.path(), &["merge", "parts", "--out", "m"]).expect_code(3);
    assert!(
        run.stderr().contains("come from different sweeps"),
        "{}",
        run.stderr()
    );
}

#[test]
fn bad_tables_and_flags_fail_before_any_output() {
    let dir = scratch();
    let cases = [
        (
            "[optimize.params]\n\"strategies.0.params.fats\" = [5]\n",
            3,
            "names nothing the config accepts",
        ),
        (
            "[optimize.params]\n\"venues.SIM.slipage.ticks\" = [1]\n",
            3,
            "unknown field `slipage`",
        ),
        (
            "[optimize.params]\n\"strategies.EMA.params.fast\" = [1]\n",
            3,
            "no element named 'EMA'",
        ),
        (
            "[optimize]\nconstraint = \"fast > 100\"\n[optimize.params]\n\"strategies.0.params.fast\" = [5, 10]\n",
            3,
            "rejects every one of the 2 grid points",
        ),
        (
            "[optimize]\nconstraint = \"fast + 1\"\n[optimize.params]\n\"strategies.0.params.fast\" = [5, 10]\n",
            3,
            "must be true or false",
        ),
    ];
    for (table, code, expected) in cases {
        let config = sweep_config(dir.path(), &format!("\n{table}"));
        let run = optimize(dir.path(), &[&config, "--out", "never"]).expect_code(code);
        assert!(run.stderr().contains(expected), "{table}: {}", run.stderr());
        assert!(
            run.stderr().contains("sweep.toml:"),
            "located: {}",
            run.stderr()
        );
        assert!(!dir.path().join("never").exists(), "{table}");
    }
    let config = sweep_config(dir.path(), SEED_GRID);
    let run = optimize(
        dir.path(),
        &[&config, "--maximize", "Sharp Ratio", "--out", "never"],
    )
    .expect_code(2);
    assert!(
        run.stderr().contains("did you mean 'Sharpe Ratio'"),
        "{}",
        run.stderr()
    );
    let run = optimize(dir.path(), &[&config, "--shard", "2/2"]).expect_code(2);
    assert!(
        run.stderr().contains("numbered 0 to N-1"),
        "{}",
        run.stderr()
    );
    assert!(!dir.path().join("never").exists());
}

#[test]
fn failing_points_are_rows_and_the_sweep_goes_on() {
    let dir = scratch();
    // fast ≥ slow is refused by ema_cross: those points fail, the others run.
    let config = sweep_config(
        dir.path(),
        "[optimize.params]\n\"strategies.0.params.fast\" = [10, 40]\n\"strategies.0.params.slow\" = [30]\n",
    );
    let run = optimize(dir.path(), &[&config, "--out", "opt"]).expect_code(0);
    assert!(
        run.stdout().contains("2 runs (1 failed"),
        "{}",
        run.stdout()
    );
    let rows = csv_rows(&dir.path().join("opt/optimize.csv"));
    assert_eq!(rows[1][0], "10", "the run that worked ranks first");
    let last = rows[2].join(",");
    assert!(last.contains("must be below slow"), "{last}");
    // When every run fails, the sweep says so and exits 1.
    let config = sweep_config(
        dir.path(),
        "[optimize.params]\n\"strategies.0.params.fast\" = [40, 50]\n\"strategies.0.params.slow\" = [30]\n",
    );
    let run = optimize(dir.path(), &[&config, "--out", "bad"]).expect_code(1);
    assert!(
        run.stderr().contains("every one of the 2 runs failed"),
        "{}",
        run.stderr()
    );
}

#[test]
fn runs_without_trades_have_no_objective_and_never_win() {
    let dir = scratch();
    // slow = 20,000 bars: no cross ever happens in 20,000 bars.
    let config = sweep_config(
        dir.path(),
        "[optimize]\nminimize = \"Max. Drawdown [%]\"\n[optimize.params]\n\"strategies.0.params.slow\" = [30, 20000]\n",
    );
    let run = optimize(dir.path(), &[&config, "--out", "opt", "--format", "json"]).expect_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(json["runs"], 2);
    assert_eq!(json["without_objective"], 1);
    assert_eq!(json["top"][0]["params"][0][1], "30", "{json}");
    let rows = csv_rows(&dir.path().join("opt/optimize.csv"));
    assert_eq!(rows[2][0], "20000");
    assert_eq!(rows[2][1], "", "empty, not zero");
    assert!(!rows[1][1].is_empty());
    // One parameter: the heatmap page is a line, with the trade-less point
    // left out.
    let html = std::fs::read_to_string(dir.path().join("opt/heatmap.html")).unwrap();
    assert!(html.contains(r#"data-panels="1""#) && html.contains("<polyline"));
    assert_eq!(html.matches("<circle").count(), 1);
}

#[test]
fn a_resumed_sweep_ends_byte_identical_to_an_uninterrupted_one() {
    let dir = scratch();
    let config = sweep_config(dir.path(), SEED_GRID);
    optimize(dir.path(), &[&config, "--out", "whole", "--quiet"]).expect_code(0);
    // What an interrupted run leaves: sweep.json alone, with some rows.
    let mut doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("whole/sweep.json")).unwrap(),
    )
    .unwrap();
    doc["complete"] = false.into();
    doc["rows"].as_array_mut().unwrap().truncate(2);
    std::fs::create_dir(dir.path().join("resumed")).unwrap();
    std::fs::write(
        dir.path().join("resumed/sweep.json"),
        serde_json::to_string(&doc).unwrap(),
    )
    .unwrap();
    optimize(
        dir.path(),
        &[&config, "--out", "resumed", "--resume", "--quiet"],
    )
    .expect_code(0);
    assert_same_outputs(&dir.path().join("whole"), &dir.path().join("resumed"));
}

#[test]
fn ctrl_c_keeps_finished_rows_and_resume_completes_them() {
    let dir = scratch();
    let config = sweep_config(
        dir.path(),
        "[optimize.params]\n\"venues.SIM.slippage.ticks\" = { from = 0, to = 399, step = 1 }\n",
    );
    let output = crate::util::interrupted(
        dir.path(),
        &[
            "optimize", &config, "--out", "opt", "--jobs", "1", "--quiet",
        ],
        std::time::Duration::from_millis(1500),
    );
    assert_eq!(output.status.code(), Some(130), "interrupted");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("rerun with --resume"), "{stderr}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("opt/sweep.json")).unwrap())
            .unwrap();
    assert_eq!(doc["complete"], false);
    let kept = doc["rows"].as_array().unwrap().len();
    assert!(kept > 0 && kept < 400, "{kept} rows kept");
    assert_eq!(files(&dir.path().join("opt")), ["sweep.json"]);
    optimize(
        dir.path(),
        &[&config, "--out", "opt", "--resume", "--quiet"],
    )
    .expect_code(0);
    assert_eq!(csv_rows(&dir.path().join("opt/optimize.csv")).len(), 401);
}

#[test]
fn a_bayesian_search_is_seeded_and_the_same_for_any_jobs() {
    let dir = scratch();
    let config = sweep_config(
        dir.path(),
        "[optimize]\nmaximize = \"Return [%]\"\nconstraint = \"fast < slow\"\nbatch = 4\n[optimize.params]\n\"strategies.0.params.fast\" = { from = 5, to = 50, step = 5 }\n\"strategies.0.params.slow\" = { from = 20, to = 200, step = 20 }\n",
    );
    let run = optimize(
        dir.path(),
        &["--bayes", "12", &config, "--out", "a", "--jobs", "1"],
    )
    .expect_code(0);
    assert!(
        run.stdout().contains("12 runs (0 failed"),
        "{}",
        run.stdout()
    );
    optimize(
        dir.path(),
        &[
            "--bayes", "12", &config, "--out", "b", "--jobs", "2", "--quiet",
        ],
    )
    .expect_code(0);
    assert_same_outputs(&dir.path().join("a"), &dir.path().join("b"));
    let run = optimize(dir.path(), &["--bayes", "12", &config, "--shard", "0/2"]).expect_code(2);
    assert!(
        run.stderr().contains("cannot be sharded"),
        "{}",
        run.stderr()
    );
    // Another seed asks other points.
    optimize(
        dir.path(),
        &[
            "--bayes", "12", &config, "--seed", "9", "--out", "c", "--quiet",
        ],
    )
    .expect_code(0);
    assert_ne!(
        std::fs::read(dir.path().join("a/optimize.csv")).unwrap(),
        std::fs::read(dir.path().join("c/optimize.csv")).unwrap()
    );
}

#[test]
fn a_random_search_draws_distinct_seeded_points() {
    let dir = scratch();
    let config = sweep_config(
        dir.path(),
        "[optimize]\nconstraint = \"fast < slow\"\n[optimize.params]\n\"strategies.0.params.fast\" = { from = 5, to = 50, step = 1 }\n\"strategies.0.params.slow\" = { from = 20, to = 200, step = 1 }\n\"strategies.0.params.size\" = { from = 0.1, to = 1.0, log = true }\n",
    );
    optimize(
        dir.path(),
        &["--random", "8", &config, "--out", "a", "--quiet"],
    )
    .expect_code(0);
    optimize(
        dir.path(),
        &[
            "--random", "8", &config, "--out", "b", "--jobs", "1", "--quiet",
        ],
    )
    .expect_code(0);
    assert_same_outputs(&dir.path().join("a"), &dir.path().join("b"));
    let rows = csv_rows(&dir.path().join("a/optimize.csv"));
    assert_eq!(rows.len(), 9);
    let points: std::collections::HashSet<String> =
        rows[1..].iter().map(|r| r[..3].join(",")).collect();
    assert_eq!(points.len(), 8);
    for row in &rows[1..] {
        let size: f64 = row[2].parse().unwrap();
        assert!(
            (0.1..=1.0).contains(&size) && row[2].len() <= 3,
            "{}",
            row[2]
        );
    }
}

#[test]
fn the_heatmaps_render_in_chromium_and_as_a_png() {
    let dir = scratch();
    let grid = r#"
[optimize]
constraint = "fast < slow"
[optimize.params]
"strategies.0.params.fast" = [5, 10, 15]
"strategies.0.params.slow" = [20, 30]
"venues.SIM.slippage.ticks" = [0, 1]
"#;
    let config = sweep_config(dir.path(), grid);
    optimize(dir.path(), &[&config, "--out", "opt", "--quiet"]).expect_code(0);
    // The colour map's best (yellow) and worst (purple) ends are drawn.
    let pixels = crate::util::png_pixels(&dir.path().join("opt/heatmap.png"));
    assert!(pixels.contains(&[253, 231, 37]) && pixels.contains(&[68, 1, 84]));
    let Some(dom) = crate::report::open_self_contained(&dir.path().join("opt/heatmap.html")) else {
        return;
    };
    // Three parameters: three pairs, each a full table of cells.
    assert!(dom.contains(r#"data-panels="3""#), "a panel per pair");
    for pair in ["fast × slow", "fast × ticks", "slow × ticks"] {
        assert!(dom.contains(pair), "no {pair} panel");
    }
    assert_eq!(
        dom.matches(r#"data-cells="6""#).count(),
        2,
        "fast × slow and × ticks"
    );
    assert_eq!(dom.matches(r#"data-cells="4""#).count(), 1, "slow × ticks");
}

#[test]
fn validate_checks_the_optimize_table_too() {
    let dir = scratch();
    let config = sweep_config(dir.path(), SEED_GRID);
    let run = bt(dir.path(), &["validate", &config]).expect_code(0);
    assert!(
        run.stdout().contains("[optimize]: ok (grid search maximising Sharpe Ratio over fast (3 values), slow (2 values))"),
        "{}",
        run.stdout()
    );
    let config = sweep_config(
        dir.path(),
        "[optimize]\nmaximize = \"Sharpe\"\n[optimize.params]\n\"strategies.0.params.fast\" = [5]\n",
    );
    let run = bt(dir.path(), &["validate", &config]).expect_code(3);
    assert!(
        run.stderr().contains("did you mean 'Sharpe Ratio'"),
        "{}",
        run.stderr()
    );
    // bt run ignores the table but not its mistakes of TOML.
    bt(dir.path(), &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
}

/// The "peak memory N MB" bt prints after a sweep.
fn peak_memory(run: &Run) -> u64 {
    let stderr = run.stderr();
    let tail = stderr
        .split("peak memory ")
        .nth(1)
        .unwrap_or_else(|| panic!("{stderr}"));
    tail.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn memory_after_2000_runs_is_within_10_percent_of_200() {
    let dir = scratch();
    bt(
        dir.path(),
        &[
            "wrangle",
            "synth",
            "small.csv",
            "--bars",
            "500",
            "--seed",
            "3",
        ],
    )
    .expect_code(0);
    let mut peaks = Vec::new();
    for last in [199, 1999] {
        let mut text = single_config(
            &dir.path().join("small.csv"),
            "ema_cross",
            "fast = 5, slow = 20",
            "0.001",
        );
        text.push_str(&format!(
            "[optimize]\nmaximize = \"Return [%]\"\n[optimize.params]\n\"venues.SIM.slippage.ticks\" = {{ from = 0, to = {last}, step = 1 }}\n"
        ));
        let config = write(dir.path(), &format!("mem{last}.toml"), &text);
        let run = optimize(
            dir.path(),
            &[&config, "--out", &format!("out{last}"), "--jobs", "2"],
        )
        .expect_code(0);
        assert!(
            run.stdout()
                .contains(&format!("{} runs (0 failed", last + 1))
        );
        peaks.push(peak_memory(&run));
    }
    assert!(
        peaks[1] * 10 <= peaks[0] * 11,
        "peak memory {} MB after 2,000 runs against {} MB after 200",
        peaks[1],
        peaks[0]
    );
}

#[test]
fn a_sweep_killed_outright_resumes_from_its_last_checkpoint() {
    let dir = scratch();
    let config = sweep_config(
        dir.path(),
        "[optimize.params]\n\"venues.SIM.slippage.ticks\" = { from = 0, to = 299, step = 1 }\n",
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bt"))
        .args([
            "optimize", &config, "--out", "opt", "--jobs", "1", "--quiet",
        ])
        .args(["--checkpoint-every", "1"])
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2500));
    child.kill().unwrap();
    child.wait().unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("opt/sweep.json")).unwrap())
            .unwrap();
    assert_eq!(doc["complete"], false);
    let kept = doc["rows"].as_array().unwrap().len();
    assert!(kept > 0 && kept < 300, "{kept} rows checkpointed");
    let run = optimize(dir.path(), &[&config, "--out", "opt", "--resume"]).expect_code(0);
    assert!(
        run.stdout().contains("300 runs (0 failed"),
        "{}",
        run.stdout()
    );
    assert_eq!(csv_rows(&dir.path().join("opt/optimize.csv")).len(), 301);
}

#[test]
fn a_ten_million_point_grid_starts_at_once() {
    let dir = scratch();
    bt(
        dir.path(),
        &[
            "wrangle",
            "synth",
            "small.csv",
            "--bars",
            "300",
            "--seed",
            "5",
        ],
    )
    .expect_code(0);
    let mut text = single_config(
        &dir.path().join("small.csv"),
        "ema_cross",
        "fast = 5, slow = 20",
        "0.001",
    );
    // 3,163 × 3,163 = 10,004,569 points, never listed.
    text.push_str(
        "[optimize.params]\n\"venues.SIM.slippage.ticks\" = { from = 0, to = 3162, step = 1 }\n\"backtest.seed\" = { from = 0, to = 3162, step = 1 }\n",
    );
    let config = write(dir.path(), "big.toml", &text);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_bt"))
        .args([
            "optimize", &config, "--out", "opt", "--jobs", "1", "--quiet",
        ])
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("opt/sweep.json")).unwrap())
            .unwrap();
    let rows = doc["rows"].as_array().unwrap();
    assert!(!rows.is_empty(), "runs began within 1.5 s");
    // The first points in grid order: the last parameter varies fastest.
    assert_eq!(rows[1]["trial"]["point"], serde_json::json!([0, 1]));
}
