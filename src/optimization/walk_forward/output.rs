//! What a walk-forward writes: `walk_forward.csv` / `.parquet` (a row
//! per window), `stitched/` (the stitched out-of-sample run, as `bt run`
//! writes a run), `walk_forward.html` / `.png`, `summary.json`, and
//! `walk_forward.json` (every in-sample row, what `merge` reads); and a
//! part file per shard.

use std::path::{Path, PathBuf};

use crate::backtest::results::{TableColumn, table_to_parquet};
use crate::backtest::runner;
use crate::core::UnixNanos;
use crate::report;
use crate::report::walk_forward::{WalkForwardChart, WindowSpan};

use super::super::OptimizeError;
use super::super::output::SweepDocument;
use super::super::rows::{RunRow, push_record};
use super::super::search::Shard;
use super::summary::WalkForwardSummary;
use super::{Outcome, WalkForward, WindowRow};

/// The format tag of walk-forward parts and `walk_forward.json`.
pub const FORMAT: &str = "bt-walk-forward/1";

/// The names a walk-forward's output set holds: a directory holding
/// anything else is not replaced.
pub const SET_NAMES: [&str; 7] = [
    "walk_forward.json",
    "walk_forward.csv",
    "walk_forward.parquet",
    "walk_forward.html",
    "walk_forward.png",
    "summary.json",
    "stitched",
];

/// Stats of each window's in-sample and out-of-sample runs in the table.
const MAIN_STATS: [&str; 7] = [
    "Return [%]",
    "Return (Ann.) [%]",
    "Sharpe Ratio",
    "Max. Drawdown [%]",
    "# Trades",
    "Win Rate [%]",
    "Equity Final [$]",
];

impl WalkForward {
    /// The document of `windows` (each window's rows, in trial order) for
    /// `shard`.
    ///
    /// # Errors
    /// As [`super::super::Sweep::document`].
    pub fn document(
        &self,
        windows: &[Vec<RunRow>],
        shard: Option<Shard>,
    ) -> Result<SweepDocument<WindowRow>, OptimizeError> {
        let rows = windows
            .iter()
            .enumerate()
            .flat_map(|(window, rows)| {
                rows.iter().map(move |row| WindowRow {
                    window,
                    row: row.clone(),
                })
            })
            .collect();
        let mut document = self.sweep.document(rows, shard, true)?;
        document.format = FORMAT.to_string();
        Ok(document)
    }

    /// The rows of a merged document, by window.
    #[must_use]
    pub fn windows_of(&self, document: &SweepDocument<WindowRow>) -> Vec<Vec<RunRow>> {
        let mut windows = vec![Vec::new(); self.windows.len()];
        for WindowRow { window, row } in &document.rows {
            if let Some(rows) = windows.get_mut(*window) {
                rows.push(row.clone());
            }
        }
        windows
    }

    /// The output set but its `walk_forward.json`, as (relative path,
    /// bytes).
    ///
    /// # Errors
    /// When an output cannot be rendered.
    pub fn outputs(
        &self,
        outcome: &Outcome,
        summary: &WalkForwardSummary,
    ) -> Result<Vec<(PathBuf, Vec<u8>)>, OptimizeError> {
        let columns = self.table(outcome);
        let mut files = vec![
            (PathBuf::from("walk_forward.csv"), csv(&columns)),
            (
                PathBuf::from("walk_forward.parquet"),
                table_to_parquet("walk_forward.parquet", columns).map_err(|e| {
                    OptimizeError::Backtest(crate::backtest::BacktestError::Data(e))
                })?,
            ),
        ];
        if let Some(stitched) = &outcome.stitched {
            let exporters = report::file_exporters(
                self.sweep.base.parquet,
                self.sweep.base.observe_every.is_some(),
                self.sweep.base.has_funding(),
            );
            for exporter in &exporters {
                files.push((
                    Path::new("stitched").join(exporter.file_name()),
                    exporter.render(stitched)?,
                ));
            }
        }
        let render = |what: &'static str| {
            move |e: serde_json::Error| {
                OptimizeError::Report(report::ReportError::Render {
                    what,
                    message: e.to_string(),
                })
            }
        };
        files.push((
            PathBuf::from("summary.json"),
            summary.json().map_err(render("summary.json"))?,
        ));
        let chart = self.chart(outcome);
        files.push((
            PathBuf::from("walk_forward.html"),
            report::walk_forward::walk_forward_html(&chart),
        ));
        files.push((
            PathBuf::from("walk_forward.png"),
            report::walk_forward_png(&chart)?,
        ));
        Ok(files)
    }

    /// What `walk_forward.html` and `.png` draw.
    fn chart(&self, outcome: &Outcome) -> WalkForwardChart {
        let windows = &outcome.windows;
        let equity: Vec<(i64, f64)> = outcome.stitched.as_ref().map_or_else(Vec::new, |r| {
            let values = r.equity.values();
            thin(r.equity.ts.iter().map(|t| t.0).zip(values).collect())
        });
        let mut span = self.sweep.base.clone();
        span.start = windows.first().map(|w| w.times.out_of_sample_start);
        span.end = windows.last().map(|w| w.times.out_of_sample_end);
        let bars = runner::primary_bars(&span, &self.sweep.data);
        let buy_and_hold = match (bars.first(), equity.first()) {
            (Some(first), Some((_, start))) if first.close().as_f64() > 0.0 => {
                let scale = start / first.close().as_f64();
                thin(
                    bars.iter()
                        .map(|b| (b.ts_init.0, b.close().as_f64() * scale))
                        .collect(),
                )
            }
            _ => Vec::new(),
        };
        WalkForwardChart {
            title: self.sweep.base.name.clone(),
            objective: self.sweep.spec.objective.key.clone(),
            windows: windows
                .iter()
                .map(|w| WindowSpan {
                    in_sample: (w.times.in_sample_start.0, w.times.in_sample_end.0),
                    out_of_sample: (w.times.out_of_sample_start.0, w.times.out_of_sample_end.0),
                })
                .collect(),
            equity,
            buy_and_hold,
            params: self
                .sweep
                .spec
                .params
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let values = windows
                        .iter()
                        .map(|w| w.chosen.as_ref()?.trial.point.get(i).map(|v| v.as_f64()))
                        .collect();
                    (p.name.clone(), values)
                })
                .collect(),
            objective_in_sample: windows
                .iter()
                .map(|w| w.chosen.as_ref()?.objective)
                .collect(),
            objective_out_of_sample: windows.iter().map(|w| w.objective).collect(),
        }
    }

    /// `walk_forward.csv`'s columns: the window's bounds, the chosen
    /// parameters, the objective and main stats in and out of sample.
    fn table(&self, outcome: &Outcome) -> Vec<(String, TableColumn)> {
        let windows = &outcome.windows;
        let int = |f: &dyn Fn(usize) -> Option<i64>| {
            TableColumn::Int((0..windows.len()).map(f).collect())
        };
        let time = |f: &dyn Fn(usize) -> UnixNanos| {
            TableColumn::Time((0..windows.len()).map(|k| Some(f(k).0)).collect())
        };
        let count = |n: usize| i64::try_from(n).ok();
        let mut columns = vec![
            ("window".to_string(), int(&|k| count(k + 1))),
            (
                "in_sample_start".to_string(),
                time(&|k| windows[k].times.in_sample_start),
            ),
            (
                "in_sample_end".to_string(),
                time(&|k| windows[k].times.in_sample_end),
            ),
            (
                "in_sample_bars".to_string(),
                int(&|k| count(windows[k].times.in_sample_bars)),
            ),
            (
                "out_of_sample_start".to_string(),
                time(&|k| windows[k].times.out_of_sample_start),
            ),
            (
                "out_of_sample_end".to_string(),
                time(&|k| windows[k].times.out_of_sample_end),
            ),
            (
                "out_of_sample_bars".to_string(),
                int(&|k| count(windows[k].times.out_of_sample_bars)),
            ),
            (
                "warmup_bars".to_string(),
                int(&|k| count(windows[k].warmup_bars)),
            ),
        ];
        for (i, param) in self.sweep.spec.params.iter().enumerate() {
            columns.push((
                param.name.clone(),
                TableColumn::Float(
                    windows
                        .iter()
                        .map(|w| w.chosen.as_ref()?.trial.point.get(i).map(|v| v.as_f64()))
                        .collect(),
                ),
            ));
        }
        columns.push((
            "objective_in_sample".to_string(),
            TableColumn::Float(
                windows
                    .iter()
                    .map(|w| w.chosen.as_ref()?.objective)
                    .collect(),
            ),
        ));
        columns.push((
            "objective_out_of_sample".to_string(),
            TableColumn::Float(windows.iter().map(|w| w.objective).collect()),
        ));
        for key in MAIN_STATS {
            let inside = windows.iter().map(|w| {
                w.chosen
                    .as_ref()?
                    .stat(key)
                    .filter(|c| !c.is_empty())?
                    .parse::<f64>()
                    .ok()
            });
            let outside = windows.iter().map(|w| {
                w.out_of_sample
                    .as_ref()?
                    .get(key)
                    .and_then(super::super::rows::number)
            });
            columns.push((
                format!("in_sample {key}"),
                TableColumn::Float(inside.collect()),
            ));
            columns.push((
                format!("out_of_sample {key}"),
                TableColumn::Float(outside.collect()),
            ));
        }
        columns
    }
}

/// Points a chart's line keeps: enough to read, few enough to stay small.
const MAX_POINTS: usize = 2_000;

/// Every k-th point of `line` (and its last), at most about
/// [`MAX_POINTS`].
fn thin(line: Vec<(i64, f64)>) -> Vec<(i64, f64)> {
    let step = line.len().div_ceil(MAX_POINTS).max(1);
    if step == 1 {
        return line;
    }
    let last = line.last().copied();
    let mut kept: Vec<(i64, f64)> = line.into_iter().step_by(step).collect();
    if let Some(last) = last
        && kept.last() != Some(&last)
    {
        kept.push(last);
    }
    kept
}

/// The columns as CSV: numbers in their shortest exact form, times in
/// RFC 3339, undefined values empty.
fn csv(columns: &[(String, TableColumn)]) -> Vec<u8> {
    let mut out = String::new();
    push_record(&mut out, columns.iter().map(|(name, _)| name.as_str()));
    let rows = columns.first().map_or(0, |(_, c)| match c {
        TableColumn::Text(v) => v.len(),
        TableColumn::Float(v) => v.len(),
        TableColumn::Int(v) | TableColumn::Time(v) => v.len(),
    });
    for row in 0..rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|(_, column)| match column {
                TableColumn::Text(v) => v[row].clone().unwrap_or_default(),
                TableColumn::Float(v) => v[row]
                    .filter(|x| x.is_finite())
                    .map(|x| x.to_string())
                    .unwrap_or_default(),
                TableColumn::Int(v) => v[row].map(|x| x.to_string()).unwrap_or_default(),
                TableColumn::Time(v) => {
                    v[row].map(|t| UnixNanos(t).to_string()).unwrap_or_default()
                }
            })
            .collect();
        push_record(&mut out, cells.iter().map(String::as_str));
    }
    out.into_bytes()
}
