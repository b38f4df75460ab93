//! What a walk-forward says when it ends: each window's choice and its
//! objective in and out of sample, the stitched run's headline figures,
//! walk-forward efficiency, the t-statistic of the stitched daily
//! returns, the objective's spread across windows and the Deflated
//! Sharpe Ratio of the stitched run over every trial made.

use serde::Serialize;

use crate::analysis::stats::Stats;

use super::super::guards::{deflated_sharpe_ratio, sharpe};
use super::super::rows::number;
use super::super::spec::OptimizeSpec;
use super::Outcome;

/// The annualised return key both efficiencies read.
const ANNUAL: &str = "Return (Ann.) [%]";

/// One window's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowLine {
    /// From 1.
    pub window: usize,
    pub in_sample: [String; 2],
    pub out_of_sample: [String; 2],
    /// (name, value) of each parameter chosen; empty when no in-sample
    /// run traded.
    pub params: Vec<(String, String)>,
    pub objective_in_sample: Option<f64>,
    pub objective_out_of_sample: Option<f64>,
    pub annual_return_in_sample: Option<f64>,
    pub annual_return_out_of_sample: Option<f64>,
    /// Out-of-sample over in-sample annualised return; `None` when the
    /// in-sample return is not positive (Pardo's ratio is then
    /// meaningless).
    pub efficiency: Option<f64>,
}

/// Min, max, mean and sample standard deviation of a set of values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    pub count: usize,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub std: Option<f64>,
}

impl Spread {
    fn of(values: &[f64]) -> Option<Self> {
        let (first, rest) = values.split_first()?;
        let (min, max) = rest
            .iter()
            .fold((*first, *first), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
        #[allow(clippy::cast_precision_loss, reason = "a count of windows")]
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let std = (values.len() > 1)
            .then(|| (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
        Some(Self {
            count: values.len(),
            min,
            max,
            mean,
            std,
        })
    }
}

/// The end of a walk-forward.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WalkForwardSummary {
    pub method: String,
    pub objective: String,
    pub maximize: bool,
    pub anchored: bool,
    pub windows: Vec<WindowLine>,
    /// Windows whose in-sample sweep found a point that traded.
    pub windows_traded: usize,
    /// The stitched run's Return [%], Sharpe Ratio and Max. Drawdown [%].
    pub stitched_return: Option<f64>,
    pub stitched_sharpe: Option<f64>,
    pub stitched_max_drawdown: Option<f64>,
    /// The stitched run's annualised return over the mean of the chosen
    /// points' in-sample annualised returns; `None` when that mean is
    /// not positive.
    pub efficiency: Option<f64>,
    /// Mean daily return of the stitched run over its standard error.
    pub t_statistic: Option<f64>,
    pub days: usize,
    pub objective_in_sample: Option<Spread>,
    pub objective_out_of_sample: Option<Spread>,
    /// Of the stitched run's daily returns, against the Sharpe ratios of
    /// every in-sample trial of every window.
    pub deflated_sharpe_ratio: Option<f64>,
    pub trials: usize,
}

fn stat(stats: &Stats, key: &str) -> Option<f64> {
    stats.get(key).and_then(number)
}

impl WalkForwardSummary {
    /// Sums up `outcome`.
    #[must_use]
    pub fn new(spec: &OptimizeSpec, anchored: bool, outcome: &Outcome) -> Self {
        let windows: Vec<WindowLine> = outcome
            .windows
            .iter()
            .enumerate()
            .map(|(k, w)| {
                let annual_in = w
                    .chosen
                    .as_ref()
                    .and_then(|r| r.stat(ANNUAL))
                    .and_then(|t| t.parse::<f64>().ok());
                let annual_out = w.out_of_sample.as_ref().and_then(|s| stat(s, ANNUAL));
                WindowLine {
                    window: k + 1,
                    in_sample: [
                        w.times.in_sample_start.to_string(),
                        w.times.in_sample_end.to_string(),
                    ],
                    out_of_sample: [
                        w.times.out_of_sample_start.to_string(),
                        w.times.out_of_sample_end.to_string(),
                    ],
                    params: w.chosen.as_ref().map_or_else(Vec::new, |r| {
                        spec.params
                            .iter()
                            .zip(&r.trial.point)
                            .map(|(p, v)| (p.name.clone(), v.to_string()))
                            .collect()
                    }),
                    objective_in_sample: w.chosen.as_ref().and_then(|r| r.objective),
                    objective_out_of_sample: w.objective,
                    annual_return_in_sample: annual_in,
                    annual_return_out_of_sample: annual_out,
                    efficiency: efficiency(annual_out, annual_in),
                }
            })
            .collect();
        let traded: Vec<&WindowLine> = windows.iter().filter(|w| !w.params.is_empty()).collect();
        let in_sample_annual: Vec<f64> = traded
            .iter()
            .filter_map(|w| w.annual_return_in_sample)
            .collect();
        let stitched = outcome.stitched.as_ref();
        let stitched_annual = stitched.and_then(|r| stat(&r.stats, ANNUAL));
        let efficiency =
            Spread::of(&in_sample_annual).and_then(|s| efficiency(stitched_annual, Some(s.mean)));
        let returns: &[f64] = stitched.map_or(&[], |r| r.day_returns.as_slice());
        let trial_sharpes: Vec<f64> = outcome
            .searched
            .iter()
            .flatten()
            .filter(|r| r.error.is_none())
            .filter_map(|r| sharpe(&r.returns))
            .collect();
        let objectives = |pick: fn(&WindowLine) -> Option<f64>| {
            Spread::of(&windows.iter().filter_map(pick).collect::<Vec<f64>>())
        };
        Self {
            method: spec.method.name().to_string(),
            objective: spec.objective.key.clone(),
            maximize: spec.objective.maximizes(),
            anchored,
            windows_traded: traded.len(),
            stitched_return: stitched.and_then(|r| stat(&r.stats, "Return [%]")),
            stitched_sharpe: stitched.and_then(|r| stat(&r.stats, "Sharpe Ratio")),
            stitched_max_drawdown: stitched.and_then(|r| stat(&r.stats, "Max. Drawdown [%]")),
            efficiency,
            t_statistic: t_statistic(returns),
            days: returns.len(),
            objective_in_sample: objectives(|w| w.objective_in_sample),
            objective_out_of_sample: objectives(|w| w.objective_out_of_sample),
            deflated_sharpe_ratio: deflated_sharpe_ratio(returns, &trial_sharpes),
            trials: outcome
                .searched
                .iter()
                .flatten()
                .filter(|r| r.error.is_none())
                .count(),
            windows,
        }
    }

    /// As JSON (`summary.json`, `--format json`).
    ///
    /// # Errors
    /// When serialisation fails.
    pub fn json(&self) -> Result<Vec<u8>, serde_json::Error> {
        super::super::summary::pretty_json(self)
    }

    /// The windows as a header and text cells.
    #[must_use]
    pub fn table(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let names: Vec<String> = self
            .windows
            .iter()
            .find(|w| !w.params.is_empty())
            .map_or_else(Vec::new, |w| {
                w.params.iter().map(|(n, _)| n.clone()).collect()
            });
        let header = ["#", "in sample", "out of sample"]
            .iter()
            .map(ToString::to_string)
            .chain(names.iter().cloned())
            .chain([
                format!("{} IS", self.objective),
                format!("{} OOS", self.objective),
                "WFE".to_string(),
            ])
            .collect();
        let rows = self
            .windows
            .iter()
            .map(|w| {
                let values: Vec<String> = if w.params.is_empty() {
                    vec!["—".to_string(); names.len()]
                } else {
                    w.params.iter().map(|(_, v)| v.clone()).collect()
                };
                [
                    w.window.to_string(),
                    format!("{} – {}", day(&w.in_sample[0]), day(&w.in_sample[1])),
                    format!(
                        "{} – {}",
                        day(&w.out_of_sample[0]),
                        day(&w.out_of_sample[1])
                    ),
                ]
                .into_iter()
                .chain(values)
                .chain([
                    short(w.objective_in_sample),
                    short(w.objective_out_of_sample),
                    w.efficiency.map_or_else(
                        || {
                            if w.params.is_empty() {
                                "—"
                            } else {
                                "undefined"
                            }
                            .to_string()
                        },
                        |e| format!("{e:.2}"),
                    ),
                ])
                .collect()
            })
            .collect();
        (header, rows)
    }

    /// The lines under the table.
    #[must_use]
    pub fn lines(&self) -> String {
        let value = |x: Option<f64>| short(x);
        let spread = |s: Option<Spread>| {
            s.map_or_else(
                || "—".to_string(),
                |s| {
                    format!(
                        "{:.4} to {:.4}, mean {:.4}, sd {}",
                        s.min,
                        s.max,
                        s.mean,
                        value(s.std)
                    )
                },
            )
        };
        let efficiency = self.efficiency.map_or_else(
            || "undefined (the mean in-sample annualised return is not positive, or no window traded)".to_string(),
            |e| format!("{e:.4} (out-of-sample annualised return over in-sample, as Pardo defines it)"),
        );
        format!(
            "{} windows ({} traded), {}, each optimised on {} ({})\n\
             stitched out of sample: Return {} %, Sharpe Ratio {}, Max. Drawdown {} %\n\
             walk-forward efficiency: {efficiency}\n\
             t-statistic of the stitched daily returns: {} (over {} days)\n\
             {} across windows: in sample {}; out of sample {}\n\
             Deflated Sharpe Ratio of the stitched run: {} (over all {} in-sample trials)\n",
            self.windows.len(),
            self.windows_traded,
            if self.anchored { "anchored" } else { "rolling" },
            self.objective,
            if self.maximize {
                "maximised"
            } else {
                "minimised"
            },
            value(self.stitched_return),
            value(self.stitched_sharpe),
            value(self.stitched_max_drawdown),
            value(self.t_statistic),
            self.days,
            self.objective,
            spread(self.objective_in_sample),
            spread(self.objective_out_of_sample),
            value(self.deflated_sharpe_ratio),
            self.trials,
        )
    }
}

/// Pardo's walk-forward efficiency, `out / in`, defined only for a
/// positive in-sample return.
fn efficiency(out_of_sample: Option<f64>, in_sample: Option<f64>) -> Option<f64> {
    match (out_of_sample, in_sample) {
        (Some(out), Some(inside)) if inside > 0.0 && out.is_finite() => Some(out / inside),
        _ => None,
    }
}

/// Mean over standard error (sample sd, ddof 1); undefined for fewer than
/// two returns or none spread.
fn t_statistic(returns: &[f64]) -> Option<f64> {
    if returns.len() < 2 {
        return None;
    }
    #[allow(clippy::cast_precision_loss, reason = "a count of days")]
    let n = returns.len() as f64;
    let mean = returns.iter().sum::<f64>() / n;
    let var = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (var > 0.0).then(|| mean / (var / n).sqrt())
}

/// The date of an RFC 3339 time.
fn day(time: &str) -> &str {
    time.get(..10).unwrap_or(time)
}

fn short(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), |v| format!("{v:.4}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn efficiency_is_undefined_unless_the_in_sample_return_is_positive() {
        assert_eq!(efficiency(Some(5.0), Some(10.0)), Some(0.5));
        assert_eq!(efficiency(Some(-5.0), Some(10.0)), Some(-0.5));
        assert_eq!(efficiency(Some(5.0), Some(0.0)), None);
        assert_eq!(efficiency(Some(5.0), Some(-1.0)), None);
        assert_eq!(efficiency(None, Some(1.0)), None);
    }

    #[test]
    fn t_statistic_by_hand() {
        // mean 0.02, sd (ddof 1) 0.01, n 3: 0.02 / (0.01 / √3) = 2√3.
        let t = t_statistic(&[0.01, 0.02, 0.03]).unwrap();
        assert!((t - 2.0 * 3f64.sqrt()).abs() < 1e-12, "{t}");
        assert_eq!(t_statistic(&[0.01]), None);
        assert_eq!(t_statistic(&[0.01, 0.01]), None);
    }

    #[test]
    fn spread_by_hand() {
        let s = Spread::of(&[1.0, 3.0, 2.0]).unwrap();
        assert_eq!((s.min, s.max, s.mean, s.std), (1.0, 3.0, 2.0, Some(1.0)));
        assert_eq!(Spread::of(&[]), None);
    }
}
