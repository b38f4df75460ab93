//! One row per run: its point, every stat as text, the objective and the
//! daily returns the overfitting guards read, or the error it failed with.
//! Rows are ordered by the objective, then by trial number, so the same
//! runs give the same table whatever order they finished in.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::analysis::stats::{STAT_KEYS, StatValue, Stats};
use crate::core::time::NANOS_PER_DAY;

use super::space::ParamNumber;
use super::spec::Direction;

/// Between the stats of a row (the ASCII unit separator, which no stat's
/// text contains).
pub const SEPARATOR: char = '\u{1f}';

/// A point of the search: its trial number and values.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Trial {
    /// Grid: the point's position in the grid; random and Bayesian: the
    /// order it was drawn in.
    pub ordinal: u64,
    pub point: Vec<ParamNumber>,
}

/// One run's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    pub trial: Trial,
    /// Every stats key in [`STAT_KEYS`] order, as text (empty: undefined),
    /// joined by [`SEPARATOR`]: one allocation per row, so a sweep's
    /// memory grows by little more than its rows' text.
    pub stats: String,
    /// The objective; `None` when undefined or the run made no trade.
    pub objective: Option<f64>,
    /// Daily returns of the equity.
    pub returns: Vec<f64>,
    pub error: Option<String>,
}

impl RunRow {
    /// A run that failed.
    #[must_use]
    pub fn failed(trial: Trial, error: String) -> Self {
        Self {
            trial,
            stats: String::new(),
            objective: None,
            returns: Vec::new(),
            error: Some(error),
        }
    }

    /// A finished run: `trades` counts closed and open round trips.
    #[must_use]
    pub fn finished(
        trial: Trial,
        stats: &Stats,
        objective_key: &str,
        trades: usize,
        returns: Vec<f64>,
    ) -> Self {
        let cells = STAT_KEYS
            .iter()
            .map(|key| stats.get(key).map(cell).unwrap_or_default())
            .collect::<Vec<String>>()
            .join(&SEPARATOR.to_string());
        // As Backtesting.py's heatmap gives NaN: a run that never traded
        // has no objective and never wins.
        let objective = if trades == 0 {
            None
        } else {
            stats.get(objective_key).and_then(number)
        };
        Self {
            trial,
            stats: cells,
            objective,
            returns,
            error: None,
        }
    }

    /// The text of stat `key`.
    #[must_use]
    pub fn stat(&self, key: &str) -> Option<&str> {
        let index = STAT_KEYS.iter().position(|k| *k == key)?;
        self.cells().nth(index)
    }

    /// The stats' text in [`STAT_KEYS`] order (blank for a failed run).
    pub fn cells(&self) -> impl Iterator<Item = &str> {
        let blank = std::iter::repeat_n(
            "",
            if self.stats.is_empty() {
                STAT_KEYS.len()
            } else {
                0
            },
        );
        self.stats
            .split(SEPARATOR)
            .filter(|_| !self.stats.is_empty())
            .chain(blank)
    }
}

/// A stat as text: times in RFC 3339, durations as pandas prints them,
/// money with every internal decimal, numbers in their shortest exact
/// form; undefined values are empty.
fn cell(value: &StatValue) -> String {
    match value {
        StatValue::Time(ts) => ts.to_string(),
        StatValue::Duration(ns) => ns.map(crate::report::format_duration).unwrap_or_default(),
        StatValue::Money(m) => m.to_full_precision_string(),
        StatValue::Number(x) => x
            .filter(|v| v.is_finite())
            .map(|v| v.to_string())
            .unwrap_or_default(),
        StatValue::Count(n) => n.to_string(),
    }
}

/// A stat as a number to rank by (durations in days).
pub(super) fn number(value: &StatValue) -> Option<f64> {
    #[allow(
        clippy::cast_precision_loss,
        reason = "counts and durations are far below 2^53"
    )]
    match value {
        StatValue::Time(_) => None,
        StatValue::Duration(ns) => ns.map(|ns| ns as f64 / NANOS_PER_DAY as f64),
        StatValue::Money(m) => Some(m.as_f64()),
        StatValue::Number(x) => x.filter(|v| v.is_finite()),
        StatValue::Count(n) => Some(*n as f64),
    }
}

/// The table's order: runs with an objective, best first; then runs
/// without one; then failed runs; ties by trial number.
#[must_use]
pub fn compare(a: &RunRow, b: &RunRow, direction: Direction) -> Ordering {
    let rank = |r: &RunRow| match (&r.error, r.objective) {
        (None, Some(_)) => 0,
        (None, None) => 1,
        (Some(_), _) => 2,
    };
    rank(a)
        .cmp(&rank(b))
        .then_with(|| match (a.objective, b.objective) {
            (Some(x), Some(y)) => match direction {
                Direction::Maximize => y.total_cmp(&x),
                Direction::Minimize => x.total_cmp(&y),
            },
            _ => Ordering::Equal,
        })
        .then_with(|| a.trial.ordinal.cmp(&b.trial.ordinal))
}

/// The column of the value ranked on: empty for a run without a trade or
/// with the stat undefined, as Backtesting.py's heatmap gives NaN.
pub const OBJECTIVE_COLUMN: &str = "objective";

/// `optimize.csv`: the parameters, the objective, every stat, the error.
#[must_use]
pub fn csv(names: &[String], rows: &[&RunRow]) -> Vec<u8> {
    let mut out = String::new();
    let header: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .chain([OBJECTIVE_COLUMN])
        .chain(STAT_KEYS)
        .chain(["error"])
        .collect();
    push_record(&mut out, header.iter().copied());
    for row in rows {
        let point: Vec<String> = row.trial.point.iter().map(ToString::to_string).collect();
        let objective = row.objective.map(|x| x.to_string()).unwrap_or_default();
        push_record(
            &mut out,
            point
                .iter()
                .map(String::as_str)
                .chain([objective.as_str()])
                .chain(row.cells())
                .chain([row.error.as_deref().unwrap_or("")]),
        );
    }
    out.into_bytes()
}

/// One CSV record, quoting fields that need it (RFC 4180).
pub(super) fn push_record<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ordinal: u64, objective: Option<f64>, error: bool) -> RunRow {
        RunRow {
            trial: Trial {
                ordinal,
                point: vec![ParamNumber::Int(1)],
            },
            stats: String::new(),
            objective,
            returns: Vec::new(),
            error: error.then(|| "boom".to_string()),
        }
    }

    #[test]
    fn best_first_then_empty_then_failed_ties_by_trial() {
        let mut rows = [
            row(0, None, false),
            row(1, Some(1.0), false),
            row(2, None, true),
            row(3, Some(2.0), false),
            row(4, Some(1.0), false),
        ];
        rows.sort_by(|a, b| compare(a, b, Direction::Maximize));
        let order: Vec<u64> = rows.iter().map(|r| r.trial.ordinal).collect();
        assert_eq!(order, [3, 1, 4, 0, 2]);
        rows.sort_by(|a, b| compare(a, b, Direction::Minimize));
        let order: Vec<u64> = rows.iter().map(|r| r.trial.ordinal).collect();
        assert_eq!(order, [1, 4, 3, 0, 2]);
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let mut failed = row(0, None, true);
        failed.error = Some("c.toml:3:1: bad, \"very\"".into());
        let text = String::from_utf8(csv(&["fast".into()], &[&failed])).unwrap();
        let line = text.lines().nth(1).unwrap();
        assert!(line.starts_with("1,"), "{line}");
        assert!(
            line.ends_with(",\"c.toml:3:1: bad, \"\"very\"\"\""),
            "{line}"
        );
        assert_eq!(line.matches(',').count(), STAT_KEYS.len() + 3);
    }
}
