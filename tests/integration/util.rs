//! Running the real binary in a scratch directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/reference/<name>` when the shared folder is beside the project.
pub fn shared_reference(name: &str) -> Option<PathBuf> {
    let path = root()
        .join("..")
        .join("shared")
        .join("reference")
        .join(name);
    path.exists().then_some(path)
}

/// The output of one `bt` invocation.
pub struct Run {
    pub output: Output,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Fails with both streams shown unless the exit code is `code`.
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code(),
            code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
}

/// Runs `bt args…` in `dir`.
pub fn bt(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_bt"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    Run { output }
}

/// Runs `bt args…` in `dir`, sends it SIGINT after `after`, and waits
/// for it.
pub fn interrupted(dir: &Path, args: &[&str], after: std::time::Duration) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_bt"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    child.wait_with_output().unwrap()
}

/// A scratch directory.
pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Runs `configs/<name>.toml` quietly into `out/` of a new scratch
/// directory, with `extra` arguments; expects success and returns the
/// directory.
pub fn run_config(name: &str, extra: &[&str]) -> tempfile::TempDir {
    let dir = scratch();
    let config = root().join("configs").join(format!("{name}.toml"));
    let mut args = vec!["run", config.to_str().unwrap(), "--out", "out", "--quiet"];
    args.extend_from_slice(extra);
    bt(dir.path(), &args).expect_code(0);
    dir
}

/// Writes `text` to `dir/name` and returns the path as text.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Reads `results.json` from `dir`.
pub fn results(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap()
}

/// The 100k-bar reference file: the copy in tests/fixtures, and the CSV
/// beside the project when the shared folder is there.
pub fn reference_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("tests/fixtures/bars_100k.parquet")];
    files.extend(shared_reference("bars_100k.csv"));
    files
}

/// Runs [`single_config`] in a scratch directory, expecting success; the
/// directory (outputs in `out/`) and its `results.json`.
pub fn run_single(
    data: &Path,
    strategy: &str,
    params: &str,
    fee: &str,
) -> (tempfile::TempDir, serde_json::Value) {
    let dir = scratch();
    let config = write(
        dir.path(),
        "run.toml",
        &single_config(data, strategy, params, fee),
    );
    bt(dir.path(), &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
    let json = results(&dir.path().join("out"));
    (dir, json)
}

/// A config for one equity on one cash venue, trading `strategy` on `data`.
/// A one-instrument config on `data`; `strategy` is a built-in name or the
/// path of a `.rhai` script.
pub fn single_config(data: &Path, strategy: &str, params: &str, fee: &str) -> String {
    let logic = if strategy.ends_with(".rhai") {
        format!("script = \"{strategy}\"")
    } else {
        format!("builtin = \"{strategy}\"")
    };
    format!(
        r#"[backtest]
name = "test"

[[venues]]
name = "SIM"
base_currency = "USD"
starting_balances = ["100000 USD"]
fee_model = {{ kind = "percentage", maker = {fee}, taker = {fee} }}

[[instruments]]
id = "SYNTH.SIM"
kind = "equity"
currency = "USD"
price_precision = 2
size_precision = 0

[[data]]
instrument = "SYNTH.SIM"
path = "{}"

[[strategies]]
{logic}
instrument = "SYNTH.SIM"
params = {{ {params} }}
"#,
        data.display()
    )
}

/// The pixels of the PNG at `path`, after checking it decodes at the
/// reports' size.
pub fn png_pixels(path: &Path) -> Vec<[u8; 3]> {
    let png = image::open(path).unwrap().to_rgb8();
    assert_eq!(
        (png.width(), png.height()),
        (bt::report::PNG_WIDTH, bt::report::PNG_HEIGHT)
    );
    png.pixels().map(|p| p.0).collect()
}

/// The rows of a CSV file without quoted commas, split at commas.
pub fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.push(path.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Fails unless `a` and `b` hold the same files with the same bytes.
pub fn assert_same_outputs(a: &Path, b: &Path) {
    assert_eq!(files(a), files(b));
    for file in files(a) {
        assert!(
            std::fs::read(a.join(&file)).unwrap() == std::fs::read(b.join(&file)).unwrap(),
            "{file} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// The records of the CSV file at `path` (quoted fields read properly),
/// each as a map from its header's names.
pub fn csv_records(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    reader
        .records()
        .map(|r| {
            headers
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// Runs `script` on `bars` (CSV rows after the header) for the one
/// instrument `DEMO.SIM` (2 decimals, whole units) at a venue `SIM` made of
/// `venue` (TOML keys), and returns orders.csv's rows.
pub fn script_orders(
    dir: &Path,
    venue: &str,
    bars: &str,
    script: &str,
) -> Vec<std::collections::HashMap<String, String>> {
    let data = write(
        dir,
        "bars.csv",
        &format!("timestamp,open,high,low,close,volume\n{bars}"),
    );
    let script = write(dir, "s.rhai", script);
    let config = write(
        dir,
        "s.toml",
        &format!(
            r#"[backtest]
name = "sizing"

[[venues]]
name = "SIM"
base_currency = "USD"
{venue}

[[instruments]]
id = "DEMO.SIM"
kind = "equity"
currency = "USD"
price_precision = 2
size_precision = 0

[[data]]
instrument = "DEMO.SIM"
path = "{data}"

[[strategies]]
script = "{script}"
instrument = "DEMO.SIM"
"#
        ),
    );
    bt(dir, &["run", &config, "--out", "out", "--quiet"]).expect_code(0);
    csv_records(&dir.join("out/orders.csv"))
}
