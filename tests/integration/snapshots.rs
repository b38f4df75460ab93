//! Snapshots (insta) of what users read: the stats table of the demo and
//! the shape of results.json. A change shows as a reviewable diff
//! (`cargo insta review`, or `INSTA_UPDATE=always cargo test` then git diff).

use crate::util::{bt, results, root, scratch};

fn demo_run(dir: &std::path::Path) -> String {
    let config = root().join("configs/ema_cross.toml");
    bt(dir, &["run", config.to_str().unwrap(), "--out", "out"])
        .expect_code(0)
        .stdout()
}

#[test]
fn the_demo_stats_table() {
    let dir = scratch();
    let stdout = demo_run(dir.path());
    // The last line names the out directory, which is a temporary path.
    let table: String = stdout
        .lines()
        .filter(|l| !l.starts_with("results:"))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(table);
}

/// Every key of a JSON value with the type of its value, arrays by their
/// first element.
fn shape(value: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                shape(v, &format!("{path}.{k}"), out);
            }
        }
        serde_json::Value::Array(items) => match items.first() {
            Some(first) => shape(first, &format!("{path}[]"), out),
            None => out.push(format!("{path}: []")),
        },
        serde_json::Value::Null => out.push(format!("{path}: null")),
        serde_json::Value::Bool(_) => out.push(format!("{path}: bool")),
        serde_json::Value::Number(_) => out.push(format!("{path}: number")),
        serde_json::Value::String(_) => out.push(format!("{path}: string")),
    }
}

#[test]
fn the_shape_of_results_json() {
    let dir = scratch();
    demo_run(dir.path());
    let mut lines = Vec::new();
    shape(&results(&dir.path().join("out")), "", &mut lines);
    insta::assert_snapshot!(lines.join("\n"));
}
