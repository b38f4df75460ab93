//! Every example config runs, and runs deterministically.

use crate::util::{bt, results, root, scratch};

fn configs() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(root().join("configs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_example_config_runs_and_prints_a_stats_table() {
    assert!(configs().len() >= 4);
    for config in configs() {
        let dir = scratch();
        let run = bt(
            dir.path(),
            &["run", config.to_str().unwrap(), "--out", "out"],
        )
        .expect_code(0);
        let stdout = run.stdout();
        for key in [
            "Start",
            "End",
            "Duration",
            "Equity Final [$]",
            "Equity Peak [$]",
            "Return [%]",
            "Buy & Hold Return [%]",
            "Max. Drawdown [%]",
            "# Trades",
            "Win Rate [%]",
            "Sharpe Ratio",
            "Commissions [$]",
        ] {
            assert!(
                stdout.contains(key),
                "{} lacks {key}:\n{stdout}",
                config.display()
            );
        }
        for file in ["results.json", "trades.csv", "orders.csv", "equity.csv"] {
            assert!(
                dir.path().join("out").join(file).exists(),
                "{file} for {}",
                config.display()
            );
        }
        bt(dir.path(), &["validate", config.to_str().unwrap()]).expect_code(0);
    }
}

#[test]
fn two_runs_give_byte_identical_results() {
    for config in configs() {
        let dir = scratch();
        let c = config.to_str().unwrap();
        bt(
            dir.path(),
            &["run", c, "--out", "a", "--quiet", "--parquet"],
        )
        .expect_code(0);
        bt(
            dir.path(),
            &["run", c, "--out", "b", "--quiet", "--parquet"],
        )
        .expect_code(0);
        // Every file written, reports and Parquet tables included.
        let mut files: Vec<_> = std::fs::read_dir(dir.path().join("a"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        files.sort();
        assert!(files.len() >= 9, "{files:?}");
        for file in files {
            let a = std::fs::read(dir.path().join("a").join(&file)).unwrap();
            let b = std::fs::read(dir.path().join("b").join(&file)).unwrap();
            assert!(
                a == b,
                "{} differs between runs of {}",
                file.to_string_lossy(),
                config.display()
            );
        }
    }
}

#[test]
fn json_format_prints_the_stats() {
    let dir = scratch();
    let config = root().join("configs/ema_cross.toml");
    let run = bt(
        dir.path(),
        &[
            "run",
            config.to_str().unwrap(),
            "--format",
            "json",
            "--out",
            "out",
        ],
    )
    .expect_code(0);
    let stats: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(stats, results(&dir.path().join("out"))["stats"]);
    // Undefined values are null, never a sentinel.
    assert!(
        stats
            .as_object()
            .unwrap()
            .values()
            .all(|v| !v.is_number() || v.as_f64().unwrap().is_finite())
    );
}

#[test]
fn the_demo_writes_to_the_configured_out_dir() {
    let dir = scratch();
    let config = root().join("configs/ema_cross.toml");
    bt(dir.path(), &["run", config.to_str().unwrap(), "--quiet"]).expect_code(0);
    assert!(dir.path().join("out/ema_cross/results.json").exists());
}

/// The README's first command: the figures it quotes.
#[test]
fn the_daily_demo_gives_the_figures_the_readme_quotes() {
    let dir = scratch();
    let config = root().join("configs/demo.toml");
    bt(dir.path(), &["run", config.to_str().unwrap(), "--quiet"]).expect_code(0);
    let stats = &crate::util::results(&dir.path().join("out/demo"))["stats"];
    assert_eq!(stats["# Trades"], 20);
    assert_eq!(
        stats["Start"], "2020-02-20T00:00:00Z",
        "after the 50-day warm-up"
    );
    let buy_and_hold = stats["Buy & Hold Return [%]"].as_f64().unwrap();
    assert!((buy_and_hold - 43.26).abs() < 0.01, "{buy_and_hold}");
    let drawdown = stats["Max. Drawdown [%]"].as_f64().unwrap();
    assert!((drawdown + 34.98).abs() < 0.01, "{drawdown}");
    // Five years of days: nothing in its table needs a note.
    let table = bt(dir.path(), &["run", config.to_str().unwrap()]).expect_code(0);
    assert!(!table.stdout().contains("Notes:"), "{}", table.stdout());
}
