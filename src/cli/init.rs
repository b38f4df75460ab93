//! `bt init DIR`: a new project that runs as written — a config, a
//! strategy script, five years of seeded synthetic daily bars, and a
//! `.gitignore` for the results.

use std::path::Path;

use crate::core::UnixNanos;
use crate::data::synthetic::{GbmSpec, generate_gbm};
use crate::data::write_bars_csv;
use crate::error::{Error, Result};

use super::print_stdout;

const CONFIG: &str = include_str!("../../templates/init/bt.toml");
const SCRIPT: &str = include_str!("../../templates/init/sma_cross.rhai");

/// Five years of daily bars from 2020-01-01 (every calendar day, as a
/// market that never closes).
const BARS: usize = 1_826;
const DAY_NS: i64 = 86_400_000_000_000;

pub(super) fn execute(dir: &Path) -> Result<()> {
    let occupied = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    if occupied {
        return Err(Error::Usage(format!(
            "{} is not empty: bt init writes a new project into a new or empty directory",
            dir.display()
        )));
    }
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |e: std::io::Error| Error::Io(format!("cannot write {path}: {e}"))
    };
    for sub in ["strategies", "data"] {
        let path = dir.join(sub);
        std::fs::create_dir_all(&path).map_err(io(&path))?;
    }
    let files = [
        (dir.join("bt.toml"), CONFIG),
        (dir.join("strategies/sma_cross.rhai"), SCRIPT),
        (dir.join(".gitignore"), "out/\n"),
    ];
    for (path, text) in &files {
        crate::core::atomic::write(path, text.as_bytes()).map_err(io(path))?;
    }
    // A daily volatility like a broad equity index's (about 19 % a year
    // over 252 days); the seed gives a path that rises about 40 % with a
    // drawdown of a third, so every statistic has something to say.
    let bars = generate_gbm(&GbmSpec {
        bars: BARS,
        seed: 12,
        start_price: 100.0,
        sigma: 0.012,
        start: UnixNanos(1_577_836_800_000_000_000),
        interval_ns: DAY_NS,
        ..GbmSpec::default()
    });
    write_bars_csv(&bars, &dir.join("data/bars.csv"))?;
    print_stdout(&format!(
        "wrote a new project to {0}: bt.toml, strategies/sma_cross.rhai, data/bars.csv ({BARS} daily bars)\n  cd {0} && bt run bt.toml\n",
        dir.display()
    ))
}
