//! What a sweep writes: a part file per shard (`--shard`), and the output
//! set of a whole sweep (run on one machine, or merged from its parts):
//! `optimize.csv` / `.parquet`, `best.toml`, `best/`, `summary.json` and
//! `sweep.json` (the rows with their returns, read by `--resume`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::stats::STAT_KEYS;
use crate::backtest::results::{TableColumn, table_to_parquet};
use crate::backtest::runner;
use crate::core::UnixNanos;
use crate::core::atomic::{DirReplacement, TempFile};
use crate::report;

use super::OptimizeError;
use super::Sweep;
use super::rows::{self, RunRow};
use super::search::Shard;
use super::summary::Summary;

/// The format tag of part files and `sweep.json`.
pub const FORMAT: &str = "bt-optimize/1";

/// A sweep's rows with what identifies the sweep: a part file when
/// `shard` is set, else a whole sweep's `sweep.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepDocument<R = RunRow> {
    pub format: String,
    /// Hash of the binary's version, the config, the effective
    /// `[optimize]` settings and every data file's bytes.
    pub sweep: String,
    pub version: String,
    /// The config, as an absolute path: `merge` reruns the best point.
    pub config: PathBuf,
    pub method: String,
    pub objective: String,
    pub maximize: bool,
    pub max_tries: Option<u64>,
    pub seed: u64,
    pub params: Vec<String>,
    /// `[index, count]` of a part.
    pub shard: Option<[u64; 2]>,
    /// False when the sweep was interrupted before its last trial.
    pub complete: bool,
    /// In trial order.
    pub rows: Vec<R>,
}

impl<R> SweepDocument<R> {
    /// The settings the document was made with, to load its sweep again
    /// (`merge`).
    ///
    /// # Errors
    /// An objective key this bt does not know.
    pub fn overrides(&self) -> Result<super::spec::Overrides, String> {
        use super::spec::{Direction, Method, Objective, Overrides};
        let direction = if self.maximize {
            Direction::Maximize
        } else {
            Direction::Minimize
        };
        Ok(Overrides {
            method: Some(match self.method.as_str() {
                "random" => Method::Random,
                "bayesian" => Method::Bayesian,
                _ => Method::Grid,
            }),
            max_tries: self.max_tries,
            objective: Some(Objective::new(&self.objective, direction)?),
            seed: Some(self.seed),
        })
    }
}

/// FNV-1a, 64 bits: a stable hash of a few inputs whose value must not
/// change across Rust releases (std's hashers promise no such thing); it
/// identifies a sweep, it does not defend against forgery.
#[derive(Debug, Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    const fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn add(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        // A separator, so ("ab", "c") and ("a", "bc") differ.
        self.0 = self.0.rotate_left(5) ^ 0xff;
    }
}

impl Sweep {
    /// The sweep's identity (see [`SweepDocument::sweep`]); made once, by
    /// [`Sweep::load`].
    ///
    /// # Errors
    /// A data file that cannot be read again.
    pub(super) fn compute_id(&self) -> Result<String, OptimizeError> {
        let mut hash = Fnv::new();
        hash.add(env!("CARGO_PKG_VERSION").as_bytes());
        hash.add(self.spec.source.as_bytes());
        let spec = &self.spec;
        let settings = format!(
            "{} {} {:?} {:?} {} {}",
            spec.method.name(),
            spec.objective.key,
            spec.objective.direction,
            spec.max_tries,
            spec.seed,
            spec.batch
        );
        hash.add(settings.as_bytes());
        for data in &self.base.data {
            let bytes = std::fs::read(&data.file.path).map_err(|source| OptimizeError::Io {
                message: format!("cannot read {}", data.file.path.display()),
                source,
            })?;
            hash.add(&bytes);
        }
        Ok(format!("{:016x}", hash.0))
    }

    /// The document of `rows` (in trial order) for `shard`.
    ///
    /// # Errors
    /// When the sweep's id cannot be computed.
    pub fn document<R>(
        &self,
        rows: Vec<R>,
        shard: Option<Shard>,
        complete: bool,
    ) -> Result<SweepDocument<R>, OptimizeError> {
        Ok(SweepDocument {
            format: FORMAT.to_string(),
            sweep: self.id.clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            config: std::path::absolute(&self.spec.path).unwrap_or_else(|_| self.spec.path.clone()),
            method: self.spec.method.name().to_string(),
            objective: self.spec.objective.key.clone(),
            maximize: self.spec.objective.maximizes(),
            max_tries: self.spec.max_tries,
            seed: self.spec.seed,
            params: self.spec.params.iter().map(|p| p.name.clone()).collect(),
            shard: shard.map(|s| [s.index, s.count]),
            complete,
            rows,
        })
    }

    /// The output set of a whole sweep but its `sweep.json` (written by
    /// [`write_set`]), with `summary` as `summary.json`, as (relative
    /// path, bytes).
    ///
    /// # Errors
    /// When the best run cannot be rerun or an output cannot be rendered.
    pub fn outputs(
        &self,
        document: &SweepDocument,
        summary: &Summary,
    ) -> Result<Vec<(PathBuf, Vec<u8>)>, OptimizeError> {
        let direction = self.spec.objective.direction;
        let mut sorted: Vec<&RunRow> = document.rows.iter().collect();
        sorted.sort_by(|a, b| rows::compare(a, b, direction));
        let names: Vec<String> = self.spec.params.iter().map(|p| p.name.clone()).collect();
        let mut files = vec![
            (PathBuf::from("optimize.csv"), rows::csv(&names, &sorted)),
            (PathBuf::from("optimize.parquet"), parquet(&names, &sorted)?),
        ];
        let best = sorted.first().copied().filter(|r| r.objective.is_some());
        if let Some(best) = best {
            let text = self
                .spec
                .config_text(&best.trial.point)
                .map_err(OptimizeError::Usage)?;
            files.push((PathBuf::from("best.toml"), text.into_bytes()));
            let mut config = self
                .point_config(&best.trial.point)
                .map_err(OptimizeError::Usage)?;
            // The config as the document names it (absolute), so a merge
            // elsewhere writes the same results.json and report.
            config.source.clone_from(&document.config);
            let result = runner::run_loaded(&config, &self.data)?;
            let exporters = report::file_exporters(
                config.parquet,
                config.observe_every.is_some(),
                config.has_funding(),
            );
            for exporter in &exporters {
                files.push((
                    Path::new("best").join(exporter.file_name()),
                    exporter.render(&result)?,
                ));
            }
        }
        let chart = super::chart::sweep_chart(&self.spec, &self.base.name, &document.rows);
        files.push((
            PathBuf::from("heatmap.html"),
            report::heatmap::heatmap_html(&chart),
        ));
        files.push((PathBuf::from("heatmap.png"), report::heatmap_png(&chart)?));
        let summary = summary.json().map_err(|e| {
            OptimizeError::Report(report::ReportError::Render {
                what: "summary.json",
                message: e.to_string(),
            })
        })?;
        files.push((PathBuf::from("summary.json"), summary));
        Ok(files)
    }
}

fn json_error(e: &serde_json::Error) -> OptimizeError {
    OptimizeError::Report(report::ReportError::Render {
        what: "sweep.json",
        message: e.to_string(),
    })
}

/// `optimize.parquet`: the CSV's columns, typed (parameters, the
/// objective and stats as floats, counts as integers, times as datetimes;
/// durations and errors as text).
fn parquet(names: &[String], sorted: &[&RunRow]) -> Result<Vec<u8>, OptimizeError> {
    let mut columns: Vec<(String, TableColumn)> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let values = sorted
                .iter()
                .map(|r| r.trial.point.get(i).map(|v| v.as_f64()))
                .collect();
            (name.clone(), TableColumn::Float(values))
        })
        .collect();
    columns.push((
        rows::OBJECTIVE_COLUMN.to_string(),
        TableColumn::Float(sorted.iter().map(|r| r.objective).collect()),
    ));
    for key in STAT_KEYS {
        let cells = sorted.iter().map(|r| r.stat(key).filter(|c| !c.is_empty()));
        let column = match key {
            "Start" | "End" => TableColumn::Time(
                cells
                    .map(|c| {
                        c.and_then(|t| UnixNanos::parse_rfc3339(t).ok())
                            .map(|t| t.0)
                    })
                    .collect(),
            ),
            "# Trades" => TableColumn::Int(cells.map(|c| c?.parse().ok()).collect()),
            k if k.contains("Duration") => {
                TableColumn::Text(cells.map(|c| c.map(str::to_string)).collect())
            }
            _ => TableColumn::Float(cells.map(|c| c?.parse().ok()).collect()),
        };
        columns.push((key.to_string(), column));
    }
    columns.push((
        "error".to_string(),
        TableColumn::Text(sorted.iter().map(|r| r.error.clone()).collect()),
    ));
    table_to_parquet("optimize.parquet", columns)
        .map_err(|e| OptimizeError::Backtest(crate::backtest::BacktestError::Data(e)))
}

/// Reads a part or `sweep.json`.
///
/// # Errors
/// A file that cannot be read or is not a sweep document.
pub fn read_document(path: &Path) -> Result<SweepDocument, OptimizeError> {
    read_document_as(path, FORMAT)
}

/// A part or whole document of `format` (`bt-optimize/1`,
/// `bt-walk-forward/1`).
///
/// # Errors
/// A file that cannot be read or is not a document of `format`.
pub fn read_document_as<R: serde::de::DeserializeOwned>(
    path: &Path,
    format: &str,
) -> Result<SweepDocument<R>, OptimizeError> {
    let bytes = std::fs::read(path).map_err(|source| OptimizeError::Io {
        message: format!("cannot read {}", path.display()),
        source,
    })?;
    let command = format.split('/').next().unwrap_or(format);
    let document: SweepDocument<R> = serde_json::from_slice(&bytes).map_err(|e| {
        OptimizeError::Merge(format!("{}: not a {command} file: {e}", path.display()))
    })?;
    if document.format != format {
        return Err(OptimizeError::Merge(format!(
            "{}: format '{}', this bt reads '{format}'",
            path.display(),
            document.format
        )));
    }
    Ok(document)
}

/// The name of part `shard` in a parts directory.
#[must_use]
pub fn part_name(shard: Shard) -> String {
    format!("part-{}-of-{}.json", shard.index, shard.count)
}

/// Combines the parts in `dir` into one whole-sweep document, refusing
/// parts of different sweeps, duplicate or missing slices, and parts of
/// interrupted shards.
///
/// # Errors
/// A [`OptimizeError::Merge`] naming the files and slices at fault.
pub fn merge(dir: &Path) -> Result<SweepDocument, OptimizeError> {
    merge_as(dir, FORMAT, |r: &RunRow| (0, r.trial.ordinal))
}

/// [`merge`] for parts of `format`, whose rows sort by `key`.
///
/// # Errors
/// As [`merge`].
pub fn merge_as<R: serde::de::DeserializeOwned + Clone>(
    dir: &Path,
    format: &str,
    key: fn(&R) -> (u64, u64),
) -> Result<SweepDocument<R>, OptimizeError> {
    let entries = std::fs::read_dir(dir).map_err(|source| OptimizeError::Io {
        message: format!("cannot read the parts directory {}", dir.display()),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("part-") && n.ends_with(".json"))
        })
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(OptimizeError::Merge(format!(
            "{} holds no part-I-of-N.json files",
            dir.display()
        )));
    }
    let mut parts: BTreeMap<u64, (PathBuf, SweepDocument<R>)> = BTreeMap::new();
    let mut first: Option<(PathBuf, SweepDocument<R>)> = None;
    for path in paths {
        let part: SweepDocument<R> = read_document_as(&path, format)?;
        let Some([index, count]) = part.shard else {
            return Err(OptimizeError::Merge(format!(
                "{}: not a shard's part",
                path.display()
            )));
        };
        if let Some((first_path, first)) = &first {
            if part.sweep != first.sweep || part.shard.map(|s| s[1]) != first.shard.map(|s| s[1]) {
                return Err(OptimizeError::Merge(format!(
                    "{} and {} come from different sweeps (sweep {} of {} shards, and {} of {}): rerun the shards with the same binary, config and data",
                    first_path.display(),
                    path.display(),
                    first.sweep,
                    first.shard.map_or(0, |s| s[1]),
                    part.sweep,
                    count
                )));
            }
        } else {
            first = Some((path.clone(), part.clone()));
        }
        if !part.complete {
            return Err(OptimizeError::Merge(format!(
                "{}: shard {index}/{count} was interrupted; rerun it with --resume",
                path.display()
            )));
        }
        if let Some((other, _)) = parts.get(&index) {
            return Err(OptimizeError::Merge(format!(
                "shard {index}/{count} appears twice: {} and {}",
                other.display(),
                path.display()
            )));
        }
        parts.insert(index, (path, part));
    }
    let Some((_, first)) = first else {
        return Err(OptimizeError::Merge("no parts".into()));
    };
    let count = first.shard.map_or(1, |s| s[1]);
    let missing: Vec<String> = (0..count)
        .filter(|i| !parts.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(OptimizeError::Merge(format!(
            "missing shard(s) {} in {}",
            missing.join(", "),
            dir.display()
        )));
    }
    let mut rows: Vec<R> = parts.into_values().flat_map(|(_, p)| p.rows).collect();
    rows.sort_by_key(key);
    Ok(SweepDocument {
        shard: None,
        complete: true,
        rows,
        ..first
    })
}

/// Writes `files` and `document` (as `sweep.json`) as the whole content
/// of `dir`: built in a temporary directory beside it and swapped in, so
/// `dir` never holds a mix of two sweeps or a half-written set. A `dir`
/// that exists must be empty or a sweep's output (it holds `sweep.json`).
/// The document is streamed to its file: with a return series per run it
/// is the largest output, and is never held as text in memory.
///
/// # Errors
/// When `dir` holds something else, or a file cannot be written.
pub fn write_set<R: Serialize>(
    dir: &Path,
    files: &[(PathBuf, Vec<u8>)],
    document: &SweepDocument<R>,
) -> Result<(), OptimizeError> {
    write_named_set(dir, &SET_NAMES, files, "sweep.json", document)
}

/// [`write_set`] for a set of `names`, whose document is `document_name`.
///
/// # Errors
/// When `dir` holds something else, or a file cannot be written.
pub fn write_named_set<R: Serialize>(
    dir: &Path,
    names: &[&str],
    files: &[(PathBuf, Vec<u8>)],
    document_name: &str,
    document: &SweepDocument<R>,
) -> Result<(), OptimizeError> {
    let set = DirReplacement::begin(dir, |name| names.contains(&name))
        .map_err(|e| OptimizeError::Report(e.into()))?;
    for (name, bytes) in files {
        let path = set.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| OptimizeError::Io {
                message: format!("cannot create {}", parent.display()),
                source,
            })?;
        }
        std::fs::write(&path, bytes).map_err(|source| OptimizeError::Io {
            message: format!("cannot write {}", dir.join(name).display()),
            source,
        })?;
    }
    let document_path = set.path().join(document_name);
    let file = std::fs::File::create(&document_path).map_err(|source| OptimizeError::Io {
        message: format!("cannot write {}", dir.join(document_name).display()),
        source,
    })?;
    stream_document(file, &dir.join(document_name), document)?;
    set.commit().map_err(|e| OptimizeError::Report(e.into()))
}

/// The names a whole sweep's output set holds: a directory holding
/// anything else is not replaced.
const SET_NAMES: [&str; 8] = [
    "sweep.json",
    "optimize.csv",
    "optimize.parquet",
    "best.toml",
    "best",
    "heatmap.html",
    "heatmap.png",
    "summary.json",
];

/// Serialises `document` into `file` (named `path` in errors), through a buffer.
fn stream_document<R: Serialize>(
    file: std::fs::File,
    path: &Path,
    document: &SweepDocument<R>,
) -> Result<(), OptimizeError> {
    use std::io::Write;
    let io = |source| OptimizeError::Io {
        message: format!("cannot write {}", path.display()),
        source,
    };
    let mut writer = std::io::BufWriter::new(file);
    serde_json::to_writer(&mut writer, document).map_err(|e| json_error(&e))?;
    writer.write_all(b"\n").map_err(io)?;
    writer.flush().map_err(io)
}

/// Writes a shard's part atomically on its own (beside the other shards'
/// parts in the same directory).
///
/// # Errors
/// When it cannot be written.
pub fn write_document<R: Serialize>(
    path: &Path,
    document: &SweepDocument<R>,
) -> Result<(), OptimizeError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| OptimizeError::Io {
            message: format!("cannot create {}", parent.display()),
            source,
        })?;
    }
    let io = |source| OptimizeError::Io {
        message: format!("cannot write {}", path.display()),
        source,
    };
    let (temp, file) = TempFile::create(path).map_err(io)?;
    stream_document(file, path, document)?;
    temp.persist().map_err(io)
}
