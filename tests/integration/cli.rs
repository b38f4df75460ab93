//! Conventions of the command line: completion scripts for every shell,
//! and the timing line `bt run` ends with.

use crate::util::{bt, root, scratch};

#[test]
fn completion_scripts_name_every_command() {
    let dir = scratch();
    for (shell, marker) in [
        ("bash", "_bt()"),
        ("zsh", "#compdef bt"),
        ("fish", "complete -c bt"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[bt]"),
    ] {
        let script = bt(dir.path(), &["completions", shell])
            .expect_code(0)
            .stdout();
        assert!(script.contains(marker), "{shell}: {script}");
        for command in ["run", "optimize", "validate", "wrangle", "completions"] {
            assert!(script.contains(command), "{shell} lacks {command}");
        }
    }
    // Bash loads it and registers the function for `bt`.
    let script = dir.path().join("bt.bash");
    std::fs::write(&script, bt(dir.path(), &["completions", "bash"]).stdout()).unwrap();
    let loaded = std::process::Command::new("bash")
        .args([
            "-c",
            &format!("source {}; complete -p bt", script.display()),
        ])
        .output()
        .unwrap();
    let registered = String::from_utf8_lossy(&loaded.stdout);
    assert!(
        registered.contains("_bt") && registered.trim_end().ends_with(" bt"),
        "{registered}"
    );
    bt(dir.path(), &["completions", "tcsh"]).expect_code(2);
}

#[test]
fn a_run_ends_with_its_timing_on_stderr_unless_quiet() {
    let dir = scratch();
    let config = root().join("configs/ema_cross.toml");
    let config = config.to_str().unwrap();
    let run = bt(dir.path(), &["run", config, "--out", "out"]).expect_code(0);
    let line = run.stderr();
    assert!(line.starts_with("20000 bars, "), "{line}");
    assert!(
        line.contains(" orders, ") && line.contains(" fills in "),
        "{line}"
    );
    assert!(
        line.contains(" bars/s, loading and writing included)"),
        "{line}"
    );
    let quiet = bt(dir.path(), &["run", config, "--out", "out", "--quiet"]).expect_code(0);
    assert_eq!(quiet.stderr(), "");
}

#[test]
fn init_writes_a_project_that_runs_and_sweeps_as_written() {
    let dir = scratch();
    let made = bt(dir.path(), &["init", "proj"]).expect_code(0);
    assert!(
        made.stdout().contains("cd proj && bt run bt.toml"),
        "{}",
        made.stdout()
    );
    let proj = dir.path().join("proj");
    for file in [
        "bt.toml",
        "strategies/sma_cross.rhai",
        "data/bars.csv",
        ".gitignore",
    ] {
        assert!(proj.join(file).exists(), "{file}");
    }
    assert_eq!(
        std::fs::read_to_string(proj.join(".gitignore")).unwrap(),
        "out/\n"
    );
    bt(&proj, &["run", "bt.toml", "--quiet"]).expect_code(0);
    let json = crate::util::results(&proj.join("out/sma_cross"));
    assert!(
        json["stats"]["# Trades"].as_u64().unwrap() > 5,
        "{}",
        json["stats"]
    );
    assert_eq!(
        json["stats"]["Start"], "2020-02-20T00:00:00Z",
        "after a 50-bar warm-up"
    );
    let sweep = bt(&proj, &["optimize", "bt.toml", "--quiet", "--jobs", "2"]).expect_code(0);
    assert_eq!(sweep.stdout(), "");
    assert!(proj.join("out/sma_cross-optimize/best.toml").exists());
    // A directory with anything in it is not a new project.
    let again = bt(dir.path(), &["init", "proj"]).expect_code(2);
    assert!(
        again.stderr().contains("proj is not empty"),
        "{}",
        again.stderr()
    );
}

#[test]
fn every_command_shows_examples_in_its_help() {
    let dir = scratch();
    for command in [
        "run",
        "optimize",
        "validate",
        "wrangle",
        "init",
        "completions",
    ] {
        let help = bt(dir.path(), &[command, "--help"]).expect_code(0).stdout();
        assert!(help.contains("Example"), "{command}: {help}");
    }
}

#[test]
fn logs_are_coloured_on_a_terminal_unless_no_color_is_set() {
    let dir = scratch();
    bt(dir.path(), &["init", "p"]).expect_code(0);
    let logs = |no_color: bool| {
        let env = if no_color {
            &[("NO_COLOR", "1")][..]
        } else {
            &[]
        };
        on_a_terminal(&dir.path().join("p"), "-v run bt.toml --quiet", env)
    };
    let Some(coloured) = logs(false) else {
        return;
    };
    let plain = logs(true).unwrap_or_default();
    assert!(
        coloured.contains("data loaded") && coloured.contains('\u{1b}'),
        "{coloured}"
    );
    assert!(
        plain.contains("data loaded") && !plain.contains('\u{1b}'),
        "{plain}"
    );
}

#[test]
fn a_long_run_shows_its_progress_on_a_terminal() {
    let dir = scratch();
    let data = dir.path().join("bars.csv");
    // Long enough that a debug build runs for over a second.
    bt(
        dir.path(),
        &[
            "wrangle",
            "synth",
            data.to_str().unwrap(),
            "--bars",
            "400000",
        ],
    )
    .expect_code(0);
    let config = crate::util::write(
        dir.path(),
        "long.toml",
        &crate::util::single_config(&data, "ema_cross", "", "0.001"),
    );
    let Some(screen) = on_a_terminal(dir.path(), &format!("run {config} --out out"), &[]) else {
        return;
    };
    assert!(screen.contains("/400000 bars"), "{screen}");
    assert!(
        screen.contains("replaying") || screen.contains("writing results"),
        "{screen}"
    );
    // Cleared when done: the timing line follows on a clean line.
    assert!(screen.contains("400000 bars, "), "{screen}");
}

/// What `bt ARGS` (read by the shell) shows on a terminal, run in `dir`
/// with `env` set and `NO_COLOR` unset otherwise: `script` gives it a
/// pseudo-terminal. `None` (the test says SKIPPED) without `script`.
fn on_a_terminal(dir: &std::path::Path, args: &str, env: &[(&str, &str)]) -> Option<String> {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: no `script` to give bt a terminal");
        return None;
    }
    let output = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("{} {args}", env!("CARGO_BIN_EXE_bt")),
            "/dev/null",
        ])
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}
