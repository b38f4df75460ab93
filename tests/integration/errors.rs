//! Bad input gets a clear message naming the file, line and field, a
//! non-zero exit code, and no output files.

use crate::util::{bt, root, scratch, single_config, write};

const INVALID_INPUT: i32 = 3;

fn demo_data() -> std::path::PathBuf {
    root().join("data/demo_bars.csv")
}

/// Runs a config made from the demo by `edit` and returns stderr.
fn failing_run(config_text: &str) -> String {
    let dir = scratch();
    let config = write(dir.path(), "bad.toml", config_text);
    let run = bt(dir.path(), &["run", &config, "--out", "out"]).expect_code(INVALID_INPUT);
    assert!(!dir.path().join("out").exists(), "no output on failure");
    run.stderr()
        .replace(&format!("{}/", dir.path().display()), "")
}

fn demo_config() -> String {
    single_config(&demo_data(), "ema_cross", "fast = 10, slow = 30", "0.001")
}

#[test]
fn toml_syntax_error_has_line_and_column() {
    let err = failing_run("[backtest\nname = 1\n");
    assert!(err.starts_with("error: bad.toml:1:10: "), "{err}");
}

#[test]
fn unknown_field_is_named_with_its_line() {
    let err = failing_run(&demo_config().replace("fee_model", "fees_model"));
    assert!(
        err.starts_with("error: bad.toml:8:1: unknown field `fees_model`"),
        "{err}"
    );
}

#[test]
fn bad_money_is_located() {
    let err = failing_run(&demo_config().replace("\"100000 USD\"", "\"100000\""));
    assert!(err.starts_with("error: bad.toml:7:"), "{err}");
    assert!(err.contains("expected '<amount> <currency>'"), "{err}");
}

#[test]
fn unknown_instrument_reference_names_the_field() {
    let text = demo_config().replace(
        "builtin = \"ema_cross\"\ninstrument = \"SYNTH.SIM\"",
        "builtin = \"ema_cross\"\ninstrument = \"OTHER.SIM\"",
    );
    let err = failing_run(&text);
    assert!(err.contains(": field 'strategies.instrument': instrument 'OTHER.SIM' is not declared in [[instruments]]"), "{err}");
    assert!(err.starts_with("error: bad.toml:23:14"), "{err}");
}

#[test]
fn unknown_builtin_and_bad_params_are_config_errors() {
    let err = failing_run(&demo_config().replace("\"ema_cross\"", "\"ema_crossx\""));
    assert!(
        err.contains("unknown built-in strategy 'ema_crossx'"),
        "{err}"
    );
    let err = failing_run(&demo_config().replace("fast = 10", "fast = 40"));
    assert!(
        err.contains(
            "field 'strategies.params.fast': parameter 'fast': must be below slow (40 ≥ 30)"
        ),
        "{err}"
    );
    let err = failing_run(&demo_config().replace("fast = 10", "fats = 10"));
    assert!(err.contains("parameter 'fats': unknown parameter"), "{err}");
}

#[test]
fn missing_config_file() {
    let dir = scratch();
    let run = bt(dir.path(), &["run", "nope.toml"]).expect_code(INVALID_INPUT);
    assert!(
        run.stderr().starts_with("error: nope.toml: cannot read:"),
        "{}",
        run.stderr()
    );
}

fn failing_data(rows: &str) -> String {
    let dir = scratch();
    let data = dir.path().join("bars.csv");
    std::fs::write(
        &data,
        format!("timestamp,open,high,low,close,volume\n{rows}"),
    )
    .unwrap();
    let config = write(
        dir.path(),
        "c.toml",
        &single_config(&data, "ema_cross", "", "0"),
    );
    let run = bt(dir.path(), &["run", &config, "--out", "out"]).expect_code(INVALID_INPUT);
    assert!(!dir.path().join("out").exists(), "no output on failure");
    run.stderr()
        .replace(&format!("{}/", dir.path().display()), "")
}

#[test]
fn bad_data_names_file_row_and_column() {
    let err = failing_data("2020-01-01T00:00:00Z,1.00,abc,1.00,1.00,1\n");
    assert!(
        err.starts_with("error: bars.csv:2 column 'high': invalid decimal 'abc'"),
        "{err}"
    );
    let err = failing_data(
        "2020-01-01T00:00:00Z,1.00,1.00,1.00,1.00,1\n2020-01-01T00:01:00Z,1.00,0.90,0.80,0.95,1\n",
    );
    assert!(
        err.starts_with(
            "error: bars.csv:3 column 'high': high 0.90 is below max(open, close) 1.00"
        ),
        "{err}"
    );
    let err = failing_data("2020-01-01T00:00:00Z,1.00,1.00,1.00,1.00,-3\n");
    assert!(
        err.starts_with("error: bars.csv:2 column 'volume': volume -3 is negative"),
        "{err}"
    );
    let err = failing_data(
        "2020-01-01T00:01:00Z,1.00,1.00,1.00,1.00,1\n2020-01-01T00:00:00Z,1.00,1.00,1.00,1.00,1\n",
    );
    assert!(
        err.contains("bars.csv:3 column 'timestamp'") && err.contains("set sort = true"),
        "{err}"
    );
}

#[test]
fn missing_data_file_and_column() {
    let err = failing_run(&single_config(
        std::path::Path::new("/nonexistent/bars.csv"),
        "ema_cross",
        "",
        "0",
    ));
    assert!(err.contains("/nonexistent/bars.csv: cannot open"), "{err}");
    let dir = scratch();
    let data = dir.path().join("bars.csv");
    std::fs::write(&data, "time,open,high,low,close,volume\n").unwrap();
    let err = failing_run(&single_config(&data, "ema_cross", "", "0"));
    assert!(
        err.contains(
            "column 'timestamp': missing column (found: time, open, high, low, close, volume)"
        ),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_with_two() {
    let dir = scratch();
    bt(dir.path(), &["run"]).expect_code(2);
    bt(dir.path(), &["frobnicate"]).expect_code(2);
    let run = bt(dir.path(), &["--help"]).expect_code(0);
    for command in ["run", "validate", "wrangle"] {
        assert!(run.stdout().contains(command));
    }
}

#[test]
fn a_failed_run_keeps_the_previous_good_results() {
    let dir = scratch();
    let good = write(dir.path(), "good.toml", &demo_config());
    bt(dir.path(), &["run", &good, "--out", "out", "--quiet"]).expect_code(0);
    let before = std::fs::read(dir.path().join("out/results.json")).unwrap();
    let bad = write(
        dir.path(),
        "bad.toml",
        &demo_config().replace("slow = 30", "slow = 0"),
    );
    bt(dir.path(), &["run", &bad, "--out", "out"]).expect_code(INVALID_INPUT);
    assert_eq!(
        std::fs::read(dir.path().join("out/results.json")).unwrap(),
        before
    );
}

#[test]
fn a_window_without_bars_is_an_error_naming_it_and_the_data_range() {
    let config = demo_config().replace(
        "name = \"test\"",
        "name = \"test\"\nstart = \"2030-01-01T00:00:00Z\"",
    );
    let err = failing_run(&config);
    assert!(
        err.starts_with("error: bad.toml: field 'backtest.start': the window from 2030-01-01T00:00:00Z to the last bar holds no bar: the data run from 2020-01-01T00:00:00Z to 2020-01-14T21:19:00Z\n"),
        "{err}"
    );
    let config = demo_config().replace(
        "name = \"test\"",
        "name = \"test\"\nend = \"2019-01-01T00:00:00Z\"",
    );
    let err = failing_run(&config);
    assert!(err.contains("field 'backtest.end'"), "{err}");
}

#[test]
fn two_files_of_one_bar_type_must_not_overlap() {
    let dir = scratch();
    let text = std::fs::read_to_string(demo_data()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Rows 1..=1000 and 900..=2000: a hundred bars in both.
    let first = lines[..1001].join("\n");
    let second = [&lines[..1], &lines[900..2001]].concat().join("\n");
    write(dir.path(), "a.csv", &first);
    write(dir.path(), "b.csv", &second);
    let mut config = single_config(
        &dir.path().join("a.csv"),
        "ema_cross",
        "fast = 10, slow = 30",
        "0.001",
    );
    config.push_str(&format!(
        "\n[[data]]\ninstrument = \"SYNTH.SIM\"\npath = \"{}\"\n",
        dir.path().join("b.csv").display()
    ));
    let err = failing_run(&config);
    assert!(
        err.contains("b.csv: its bar of SYNTH.SIM-1-MINUTE-LAST at ")
            && err.contains("is also in ")
            && err.contains("must not overlap"),
        "{err}"
    );
    // Back to back, the same two feeds are one series.
    let second = [&lines[..1], &lines[1001..2001]].concat().join("\n");
    write(dir.path(), "b.csv", &second);
    let path = write(dir.path(), "ok.toml", &config);
    bt(dir.path(), &["run", &path, "--out", "out", "--quiet"]).expect_code(0);
}

#[test]
fn a_name_that_is_not_one_path_component_is_refused() {
    for name in ["../../x", "/etc/x", "..", "a\\\\b"] {
        let config = demo_config().replace("name = \"test\"", &format!("name = \"{name}\""));
        let err = failing_run(&config);
        assert!(
            err.contains("field 'backtest.name'") && err.contains("is not a plain name"),
            "{name}: {err}"
        );
    }
}

#[test]
fn absurd_indicator_periods_are_located_errors_not_aborts() {
    let config = single_config(
        &demo_data(),
        "sma_cross",
        "fast = 10, slow = 1000000000000",
        "0",
    );
    let err = failing_run(&config);
    assert!(
        err.contains("field 'strategies.params.slow'")
            && err.contains("SMA period must be from 1 to 10000000, not 1000000000000"),
        "{err}"
    );
    let dir = scratch();
    let script = write(
        dir.path(),
        "big.rhai",
        "fn on_start(ctx) { ctx.sma(\"s\", 100000000000); }\nfn on_bar(ctx, bar) {}\n",
    );
    let config = write(
        dir.path(),
        "s.toml",
        &single_config(&demo_data(), &script, "", "0"),
    );
    let run = bt(dir.path(), &["run", &config, "--out", "out"]).expect_code(INVALID_INPUT);
    assert!(
        run.stderr()
            .contains("SMA period must be from 1 to 10000000"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_config_nested_past_the_parser_limit_names_the_line() {
    let deep = format!(
        "[backtest]\nname = \"x\"\n[{}]\nb = 1\n",
        vec!["a"; 5_000].join(".")
    );
    let stderr = failing_run(&deep);
    assert!(stderr.contains("bad.toml:3: nested too deeply"), "{stderr}");
}

#[test]
fn errors_quote_an_excerpt_of_a_runaway_cell_not_all_of_it() {
    let dir = scratch();
    let cell = "9".repeat(10_000_000);
    let csv = write(
        dir.path(),
        "long.csv",
        &format!(
            "timestamp,open,high,low,close,volume\n2020-01-01T00:00:00Z,1,1,1,1,1\n2020-01-01T00:01:00Z,{cell}x,1,1,1,1\n"
        ),
    );
    let config = write(
        dir.path(),
        "c.toml",
        &single_config(std::path::Path::new(&csv), "ema_cross", "", "0"),
    );
    let stderr = bt(dir.path(), &["validate", &config])
        .expect_code(INVALID_INPUT)
        .stderr();
    assert!(stderr.len() < 1_000, "{} bytes of error", stderr.len());
    assert!(stderr.contains("long.csv:3 column 'open'"), "{stderr}");
    assert!(stderr.contains("(10000004 bytes)"), "{stderr}");
}
