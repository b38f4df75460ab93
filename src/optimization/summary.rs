//! What a sweep says when it ends: counts, the best point, the top rows
//! (printed as a table, or as one JSON document with `--format json`,
//! and kept as `summary.json`).

use serde::Serialize;

use super::guards::Guards;
use super::rows::{self, RunRow};
use super::spec::OptimizeSpec;

/// Stats shown beside the objective in the top rows.
const SHOWN: [&str; 4] = [
    "Return [%]",
    "Sharpe Ratio",
    "Max. Drawdown [%]",
    "# Trades",
];

/// One row of the top table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopRow {
    pub rank: usize,
    /// (name, value) of each parameter.
    pub params: Vec<(String, String)>,
    /// (key, text) of the objective and the stats in [`SHOWN`].
    pub stats: Vec<(String, String)>,
    pub error: Option<String>,
}

/// The end of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub method: String,
    pub objective: String,
    pub maximize: bool,
    pub runs: usize,
    pub failed: usize,
    /// Runs without a trade (or with an undefined objective).
    pub without_objective: usize,
    pub interrupted: bool,
    pub top: Vec<TopRow>,
    /// Overfitting guards over every run.
    pub guards: Guards,
}

impl Summary {
    /// Sums up `rows` (any order) and keeps the best `top` of them.
    #[must_use]
    pub fn new(spec: &OptimizeSpec, rows: &[RunRow], top: usize, interrupted: bool) -> Self {
        let direction = spec.objective.direction;
        let mut sorted: Vec<&RunRow> = rows.iter().collect();
        sorted.sort_by(|a, b| rows::compare(a, b, direction));
        let keys: Vec<&str> = std::iter::once(spec.objective.key.as_str())
            .chain(SHOWN.iter().copied().filter(|k| *k != spec.objective.key))
            .collect();
        let guards = Guards::compute(spec, rows, sorted.first().copied());
        let top = sorted
            .iter()
            .take(top)
            .enumerate()
            .map(|(i, row)| TopRow {
                rank: i + 1,
                params: spec
                    .params
                    .iter()
                    .zip(&row.trial.point)
                    .map(|(p, v)| (p.name.clone(), v.to_string()))
                    .collect(),
                stats: keys
                    .iter()
                    .map(|k| ((*k).to_string(), row.stat(k).unwrap_or("").to_string()))
                    .collect(),
                error: row.error.clone(),
            })
            .collect();
        Self {
            method: spec.method.name().to_string(),
            objective: spec.objective.key.clone(),
            maximize: spec.objective.maximizes(),
            runs: rows.len(),
            failed: rows.iter().filter(|r| r.error.is_some()).count(),
            without_objective: rows
                .iter()
                .filter(|r| r.error.is_none() && r.objective.is_none())
                .count(),
            interrupted,
            top,
            guards,
        }
    }

    /// `summary.json` (what `--format json` prints): pretty, one newline
    /// at the end.
    ///
    /// # Errors
    /// When serde cannot encode it (it holds only text and numbers).
    pub fn json(&self) -> Result<Vec<u8>, serde_json::Error> {
        pretty_json(self)
    }

    /// The top rows as a header and text cells (numbers shortened for
    /// reading; the CSV keeps every digit).
    #[must_use]
    pub fn table(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let Some(first) = self.top.first() else {
            return (Vec::new(), Vec::new());
        };
        let header = std::iter::once("#".to_string())
            .chain(first.params.iter().map(|(n, _)| n.clone()))
            .chain(first.stats.iter().map(|(k, _)| k.clone()))
            .chain(
                self.top
                    .iter()
                    .any(|r| r.error.is_some())
                    .then(|| "error".to_string()),
            )
            .collect();
        let rows = self
            .top
            .iter()
            .map(|row| {
                std::iter::once(row.rank.to_string())
                    .chain(row.params.iter().map(|(_, v)| v.clone()))
                    .chain(row.stats.iter().map(|(_, v)| short(v)))
                    .chain(
                        self.top
                            .iter()
                            .any(|r| r.error.is_some())
                            .then(|| row.error.clone().unwrap_or_default()),
                    )
                    .collect()
            })
            .collect();
        (header, rows)
    }
}

impl Guards {
    /// The guards as lines under the top table.
    #[must_use]
    pub fn lines(&self) -> String {
        let value = |x: Option<f64>| x.map_or_else(|| "—".to_string(), |v| format!("{v:.4}"));
        let mut text = format!(
            "Deflated Sharpe Ratio of the best run: {} (over {} trials; the probability its Sharpe ratio beats the best of as many tries at luck)\n\
             Probability of Backtest Overfitting: {} (CSCV, {} blocks; the share of splits where the in-sample best is below the median out of sample)\n",
            value(self.deflated_sharpe_ratio),
            self.trials,
            value(self.probability_of_backtest_overfitting),
            self.pbo_blocks,
        );
        match &self.plateau {
            Some(p) => text.push_str(&format!(
                "Plateau: the best point's {} grid neighbours average {:.4} against its {:.4}\n",
                p.neighbours, p.neighbours_mean, p.best
            )),
            None => text.push_str("Plateau: — (no neighbour of the best point ran)\n"),
        }
        text
    }
}

/// A number with four decimals at most; other text as it is; `—` for
/// undefined.
fn short(text: &str) -> String {
    if text.is_empty() {
        return "—".to_string();
    }
    match text.parse::<f64>() {
        Ok(x) if text.contains('.') || text.contains('e') => format!("{x:.4}"),
        _ => text.to_string(),
    }
}

/// `value` as pretty JSON with one newline at the end (`summary.json`).
///
/// # Errors
/// When serde cannot encode it.
pub fn pretty_json(value: &impl Serialize) -> Result<Vec<u8>, serde_json::Error> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}
