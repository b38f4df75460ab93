//! A run's output set is whole: a signal at any moment, a second run into
//! the same directory, a stale file of an earlier run, or a directory of
//! someone else's files never leave a set mixing two runs, a half-written
//! file, or debris beside it; exit codes say what happened.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::util::{bt, scratch, single_config, write};

/// Every file of `dir` with its bytes.
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `c.toml` in `dir`: EMA cross on the demo bars.
fn demo_config(dir: &Path) -> String {
    let data = crate::util::root().join("data/demo_bars.csv");
    write(
        dir,
        "c.toml",
        &single_config(&data, "ema_cross", "", "0.001"),
    )
}

/// Synthetic bars (enough that a debug build runs for a good part of a
/// second) and two configs on them that give different results.
fn long_run(dir: &Path) -> (String, String) {
    let data = dir.join("bars.csv");
    bt(
        dir,
        &[
            "wrangle",
            "synth",
            data.to_str().unwrap(),
            "--bars",
            "100000",
        ],
    )
    .expect_code(0);
    let new = write(
        dir,
        "new.toml",
        &single_config(&data, "sma_cross", "fast = 10, slow = 30", "0.001"),
    );
    let old = write(
        dir,
        "old.toml",
        &single_config(&data, "sma_cross", "fast = 12, slow = 40", "0.001"),
    );
    (new, old)
}

fn spawn_run(dir: &Path, config: &str, out: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_bt"))
        .args(["run", config, "--out", out, "--quiet"])
        .current_dir(dir)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Sends SIG`name` to `child` (which may have finished already).
fn signal(child: &Child, name: &str) {
    Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .stderr(Stdio::null())
        .status()
        .unwrap();
}

#[allow(
    clippy::disallowed_methods,
    reason = "the test spreads its signals over a run's wall time"
)]
fn now() -> std::time::Instant {
    std::time::Instant::now()
}

#[test]
fn a_signal_at_any_moment_leaves_the_old_set_or_the_new_one_whole() {
    let dir = scratch();
    let (new, old) = long_run(dir.path());
    bt(dir.path(), &["run", &new, "--out", "ref/new", "--quiet"]).expect_code(0);
    let started = now();
    bt(dir.path(), &["run", &old, "--out", "res/out", "--quiet"]).expect_code(0);
    let took = now().duration_since(started);
    let new_set = contents(&dir.path().join("ref/new"));
    let mut old_set = contents(&dir.path().join("res/out"));
    assert_ne!(new_set, old_set, "the two configs give different results");
    let mut stopped = 0;
    // From an eighth of a run: a signal before the handler is in place
    // (the first milliseconds of the process) kills it the default way.
    for k in 1..=10u32 {
        let (name, code) = if k % 2 == 0 {
            ("TERM", 143)
        } else {
            ("INT", 130)
        };
        let mut child = spawn_run(dir.path(), &new, "res/out");
        std::thread::sleep(took * k / 8);
        signal(&child, name);
        let status = child.wait().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        let got = contents(&dir.path().join("res/out"));
        match status.code() {
            Some(0) => {
                assert_eq!(got, new_set, "a finished run's set is whole");
                old_set = got;
            }
            Some(c) if c == code => {
                stopped += 1;
                assert!(stderr.contains("stopped by"), "{stderr}");
                assert!(
                    got == old_set || got == new_set,
                    "a whole set after SIG{name}"
                );
                old_set = got;
            }
            other => panic!("SIG{name} after {k}/8 of a run: exit {other:?}\n{stderr}"),
        }
        assert_eq!(names(&dir.path().join("res")), ["out"], "no debris");
    }
    assert!(stopped > 0, "at least the early signals stopped a run");
}

#[test]
fn a_second_run_into_a_directory_in_use_is_refused() {
    let dir = scratch();
    let (new, _) = long_run(dir.path());
    let first = spawn_run(dir.path(), &new, "out");
    // The first run takes the lock before it loads its data: wait for it.
    let lock = dir.path().join(".out.lock");
    let deadline = now() + std::time::Duration::from_secs(20);
    while !lock.exists() && now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let second = bt(dir.path(), &["run", &new, "--out", "out", "--quiet"]).expect_code(1);
    assert!(
        second.stderr().contains("in use by another bt process"),
        "{}",
        second.stderr()
    );
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0));
    assert!(!lock.exists(), "the lock is removed");
}

#[test]
fn a_new_set_drops_the_files_of_an_earlier_run() {
    let dir = scratch();
    let config = demo_config(dir.path());
    bt(
        dir.path(),
        &["run", &config, "--out", "out", "--quiet", "--parquet"],
    )
    .expect_code(0);
    assert!(dir.path().join("out/trades.parquet").exists());
    bt(dir.path(), &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
    assert_eq!(
        names(&dir.path().join("out")),
        [
            "equity.csv",
            "orders.csv",
            "report.html",
            "report.png",
            "results.json",
            "trades.csv"
        ]
    );
}

#[test]
fn a_directory_holding_other_files_is_not_replaced() {
    let dir = scratch();
    let config = demo_config(dir.path());
    // `--out .` would replace the user's own directory: refused, exit 1.
    let run = bt(dir.path(), &["run", &config, "--out", ".", "--quiet"]).expect_code(1);
    assert!(
        run.stderr().contains("which bt did not write"),
        "{}",
        run.stderr()
    );
    assert_eq!(names(dir.path()), ["c.toml"]);
}

#[test]
fn an_output_that_cannot_be_written_exits_1() {
    let dir = scratch();
    write(dir.path(), "file", "not a directory");
    let run = bt(
        dir.path(),
        &["wrangle", "synth", "file/bars.csv", "--bars", "10"],
    )
    .expect_code(1);
    assert!(run.stderr().contains("cannot write"), "{}", run.stderr());
    let config = demo_config(dir.path());
    bt(
        dir.path(),
        &["run", &config, "--out", "file/out", "--quiet"],
    )
    .expect_code(1);
    assert_eq!(names(dir.path()), ["c.toml", "file"]);
}
