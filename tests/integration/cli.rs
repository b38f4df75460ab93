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
