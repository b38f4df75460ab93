//! Overfitting guards over a sweep's runs: how much of the best run's
//! edge survives the number of trials it was picked from.
//!
//! - Deflated Sharpe Ratio (Bailey & López de Prado, "The Deflated Sharpe
//!   Ratio", J. Portfolio Management 40(5), 2014).
//! - Probability of Backtest Overfitting by combinatorially symmetric
//!   cross-validation (Bailey, Borwein, López de Prado & Zhu, "The
//!   Probability of Backtest Overfitting", J. Computational Finance 20(4),
//!   2017; SSRN 2326253, 2015).
//! - Plateau score: the objective averaged over the best point's grid
//!   neighbours, so a lone spike shows beside a broad plateau.
//!
//! All work on daily returns of the equity (per period, not annualised).

use std::collections::HashMap;

use serde::Serialize;

use super::rows::RunRow;
use super::space::ParamNumber;
use super::spec::OptimizeSpec;

/// The Euler–Mascheroni constant.
const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

/// Submatrices CSCV splits the return rows into (the paper's S).
pub const PBO_BLOCKS: usize = 16;

/// The guards of one sweep; `None` where a guard is undefined (too few
/// runs or days, no spread).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guards {
    /// Runs the guards count as trials (those that did not fail).
    pub trials: usize,
    /// Probability that the best run's true Sharpe ratio is above zero,
    /// given the trials' spread of Sharpe ratios.
    pub deflated_sharpe_ratio: Option<f64>,
    /// Probability that the in-sample best is below the median out of
    /// sample.
    pub probability_of_backtest_overfitting: Option<f64>,
    /// Submatrices used by CSCV (16, fewer for short runs).
    pub pbo_blocks: usize,
    pub plateau: Option<Plateau>,
}

/// The best point's neighbourhood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plateau {
    /// The best run's objective.
    pub best: f64,
    /// The mean objective of its neighbours that ran and have one.
    pub neighbours_mean: f64,
    pub neighbours: usize,
}

impl Guards {
    /// The guards of `rows` (any order); `best` is the top row.
    #[must_use]
    pub fn compute(spec: &OptimizeSpec, rows: &[RunRow], best: Option<&RunRow>) -> Self {
        let ran: Vec<&RunRow> = rows.iter().filter(|r| r.error.is_none()).collect();
        let sharpes: Vec<f64> = ran.iter().filter_map(|r| sharpe(&r.returns)).collect();
        let deflated = best
            .filter(|b| b.objective.is_some())
            .and_then(|b| deflated_sharpe_ratio(&b.returns, &sharpes));
        let returns: Vec<&[f64]> = ran.iter().map(|r| r.returns.as_slice()).collect();
        let (pbo, blocks) = probability_of_backtest_overfitting(&returns, PBO_BLOCKS);
        Self {
            trials: ran.len(),
            deflated_sharpe_ratio: deflated,
            probability_of_backtest_overfitting: pbo,
            pbo_blocks: blocks,
            plateau: best.and_then(|b| plateau(spec, rows, b)),
        }
    }
}

/// Mean, sample standard deviation (ddof 1), skewness and kurtosis (not
/// excess: 3 for a normal law) of `x`.
fn moments(x: &[f64]) -> Option<(f64, f64, f64, f64)> {
    if x.len() < 2 {
        return None;
    }
    #[allow(clippy::cast_precision_loss, reason = "counts of days")]
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let m2 = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let m3 = x.iter().map(|v| (v - mean).powi(3)).sum::<f64>() / n;
    let m4 = x.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n;
    let sd = (m2 * n / (n - 1.0)).sqrt();
    if m2 <= 0.0 {
        return Some((mean, 0.0, 0.0, 3.0));
    }
    Some((mean, sd, m3 / m2.powf(1.5), m4 / (m2 * m2)))
}

/// Per-period Sharpe ratio, mean / sd (ddof 1); undefined without spread.
pub(super) fn sharpe(x: &[f64]) -> Option<f64> {
    moments(x).and_then(|(mean, sd, _, _)| (sd > 0.0).then(|| mean / sd))
}

/// The standard normal CDF, Φ(z) = erfc(−z/√2)/2.
fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Φ⁻¹(p) by bisection on [`normal_cdf`] to full precision: two quantiles
/// per sweep do not justify a statistics crate (statrs would bring
/// nalgebra into the build).
fn normal_quantile(p: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    let (mut lo, mut hi) = (-40.0_f64, 40.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if normal_cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}

/// The Deflated Sharpe Ratio of the best run's `returns` among trials
/// whose per-period Sharpe ratios are `trial_sharpes` (N of them):
///
/// SR₀ = √V[SRₙ] · ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e)))
///
/// DSR = Φ( (SR − SR₀) √(T − 1) / √(1 − γ₃ SR + (γ₄ − 1)/4 · SR²) )
///
/// with γ the Euler–Mascheroni constant, T the number of returns, γ₃ and
/// γ₄ their skewness and kurtosis (Bailey & López de Prado 2014, eq. 2
/// and the expected maximum of N Sharpe ratios).
#[must_use]
pub fn deflated_sharpe_ratio(returns: &[f64], trial_sharpes: &[f64]) -> Option<f64> {
    let (mean, sd, skew, kurt) = moments(returns)?;
    if sd <= 0.0 || trial_sharpes.len() < 2 {
        return None;
    }
    let sr = mean / sd;
    #[allow(clippy::cast_precision_loss, reason = "counts of trials and days")]
    let (n, t) = (trial_sharpes.len() as f64, returns.len() as f64);
    let (_, sd_trials, _, _) = moments(trial_sharpes)?;
    let expected_max = sd_trials
        * ((1.0 - EULER_GAMMA) * normal_quantile(1.0 - 1.0 / n)?
            + EULER_GAMMA * normal_quantile(1.0 - 1.0 / (n * std::f64::consts::E))?);
    let denominator = 1.0 - skew * sr + (kurt - 1.0) / 4.0 * sr * sr;
    if denominator <= 0.0 {
        return None;
    }
    Some(normal_cdf(
        (sr - expected_max) * (t - 1.0).sqrt() / denominator.sqrt(),
    ))
}

/// PBO by CSCV over `series` (one return series per trial, the same days;
/// longer ones are cut to the shortest). The rows are split into `blocks`
/// submatrices (fewer, and even, when there are fewer than two days a
/// block); for every way to pick half of them as in-sample, the trial
/// with the best in-sample Sharpe ratio is ranked out of sample:
/// ω = rank / (N + 1), λ = ln(ω / (1 − ω)), and PBO is the share of
/// splits with λ ≤ 0 (Bailey, Borwein, López de Prado & Zhu, §2–3).
/// Returns the PBO and the blocks used.
#[must_use]
pub fn probability_of_backtest_overfitting(
    series: &[&[f64]],
    blocks: usize,
) -> (Option<f64>, usize) {
    let days = series.iter().map(|s| s.len()).min().unwrap_or(0);
    let mut s = blocks.min(days / 2);
    s -= s % 2;
    if series.len() < 2 || s < 2 {
        return (None, s);
    }
    let rows = days / s;
    // Per trial and block: (sum, sum of squares, count).
    let sums: Vec<Vec<(f64, f64, f64)>> = series
        .iter()
        .map(|x| {
            (0..s)
                .map(|b| {
                    let chunk = &x[b * rows..(b + 1) * rows];
                    #[allow(clippy::cast_precision_loss, reason = "days per block")]
                    let count = chunk.len() as f64;
                    (chunk.iter().sum(), chunk.iter().map(|v| v * v).sum(), count)
                })
                .collect()
        })
        .collect();
    let pooled_sharpe = |trial: &[(f64, f64, f64)], mask: u32, inside: bool| -> f64 {
        let (mut sum, mut sq, mut n) = (0.0, 0.0, 0.0);
        for (b, (bs, bq, bn)) in trial.iter().enumerate() {
            if (mask >> b & 1 == 1) == inside {
                sum += bs;
                sq += bq;
                n += bn;
            }
        }
        let mean = sum / n;
        let var = (sq - n * mean * mean) / (n - 1.0);
        if var > 0.0 { mean / var.sqrt() } else { 0.0 }
    };
    let half = u32::try_from(s / 2).unwrap_or(u32::MAX);
    let (mut overfit, mut splits) = (0u64, 0u64);
    #[allow(clippy::cast_precision_loss, reason = "counts of trials")]
    let n_trials = series.len() as f64;
    for mask in 0u32..(1 << s) {
        if mask.count_ones() != half {
            continue;
        }
        let in_sample: Vec<f64> = sums.iter().map(|t| pooled_sharpe(t, mask, true)).collect();
        let chosen = (0..in_sample.len())
            .max_by(|a, b| in_sample[*a].total_cmp(&in_sample[*b]).then(b.cmp(a)))
            .unwrap_or(0);
        let out_of_sample: Vec<f64> = sums.iter().map(|t| pooled_sharpe(t, mask, false)).collect();
        let value = out_of_sample[chosen];
        #[allow(clippy::cast_precision_loss, reason = "counts of trials")]
        let rank = out_of_sample.iter().filter(|v| **v <= value).count() as f64;
        let omega = rank / (n_trials + 1.0);
        if (omega / (1.0 - omega)).ln() <= 0.0 {
            overfit += 1;
        }
        splits += 1;
    }
    #[allow(clippy::cast_precision_loss, reason = "at most C(16, 8) splits")]
    (Some(overfit as f64 / splits as f64), s)
}

/// The mean objective of the best point's neighbours: one step up or down
/// in one parameter (on its list or range), the others unchanged.
fn plateau(spec: &OptimizeSpec, rows: &[RunRow], best: &RunRow) -> Option<Plateau> {
    let best_objective = best.objective?;
    let by_point: HashMap<&[ParamNumber], Option<f64>> = rows
        .iter()
        .map(|r| (r.trial.point.as_slice(), r.objective))
        .collect();
    let mut values = Vec::new();
    for (i, param) in spec.params.iter().enumerate() {
        let Some(index) = best
            .trial
            .point
            .get(i)
            .and_then(|v| param.domain.index_of(*v))
        else {
            continue;
        };
        for neighbour in [index.checked_sub(1), index.checked_add(1)]
            .into_iter()
            .flatten()
        {
            let Some(value) = param.domain.value(neighbour) else {
                continue;
            };
            let mut point = best.trial.point.clone();
            point[i] = value;
            if let Some(Some(objective)) = by_point.get(point.as_slice()) {
                values.push(*objective);
            }
        }
    }
    if values.is_empty() {
        return None;
    }
    #[allow(clippy::cast_precision_loss, reason = "a handful of neighbours")]
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    Some(Plateau {
        best: best_objective,
        neighbours_mean: mean,
        neighbours: values.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_law_matches_known_quantiles() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-12);
        assert!((normal_quantile(0.975).unwrap() - 1.959_963_984_540_054).abs() < 1e-9);
        assert!((normal_quantile(0.01).unwrap() + 2.326_347_874_040_841).abs() < 1e-9);
        assert_eq!(normal_quantile(1.0), None);
    }

    /// Computed by hand with Python's statistics.NormalDist from the
    /// formula in the doc comment: returns r = [0.01, -0.005, 0.02, 0.0,
    /// 0.015, -0.01, 0.005, 0.012], trials' Sharpe ratios [0.1, 0.3, 0.2,
    /// 0.45]: SR = 0.57029, SR₀ = 0.15709, skew = -0.22524, kurt =
    /// 1.84288, DSR = 0.841163.
    #[test]
    fn deflated_sharpe_ratio_of_a_hand_computed_case() {
        let r = [0.01, -0.005, 0.02, 0.0, 0.015, -0.01, 0.005, 0.012];
        let dsr = deflated_sharpe_ratio(&r, &[0.1, 0.3, 0.2, 0.45]).unwrap();
        assert!((dsr - 0.841_162_713).abs() < 1e-8, "{dsr}");
        // More trials with the same spread deflate more.
        let many: Vec<f64> = (0..100).map(|i| [0.1, 0.3, 0.2, 0.45][i % 4]).collect();
        assert!(deflated_sharpe_ratio(&r, &many).unwrap() < dsr);
        assert_eq!(deflated_sharpe_ratio(&r, &[0.1]), None, "one trial");
        assert_eq!(
            deflated_sharpe_ratio(&[0.01; 8], &[0.1, 0.2]),
            None,
            "no spread"
        );
    }

    #[test]
    fn pbo_is_zero_for_a_trial_best_everywhere_and_high_for_noise() {
        // Trial 0 beats the others on every day: never overfit.
        let days = 64;
        let good: Vec<f64> = (0..days).map(|d| 0.02 + 0.001 * f64::from(d % 3)).collect();
        let bad: Vec<f64> = (0..days)
            .map(|d| -0.01 + 0.001 * f64::from(d % 5))
            .collect();
        let worse: Vec<f64> = (0..days)
            .map(|d| -0.02 + 0.001 * f64::from(d % 7))
            .collect();
        let (pbo, blocks) = probability_of_backtest_overfitting(&[&good, &bad, &worse], 16);
        assert_eq!((pbo, blocks), (Some(0.0), 16));
        // Each trial is best in the first half and worst in the second:
        // the in-sample winner is always below the median out of sample.
        let a: Vec<f64> = (0..days)
            .map(|d| if d < 32 { 0.02 } else { -0.02 } + 0.001 * f64::from(d % 2))
            .collect();
        let b: Vec<f64> = (0..days)
            .map(|d| if d < 32 { -0.02 } else { 0.02 } + 0.001 * f64::from(d % 2))
            .collect();
        let (pbo, _) = probability_of_backtest_overfitting(&[&a, &b], 2);
        assert_eq!(pbo, Some(1.0));
        assert_eq!(
            probability_of_backtest_overfitting(&[&a], 16).0,
            None,
            "one trial"
        );
    }

    #[test]
    fn short_series_use_fewer_even_blocks() {
        let x = vec![0.01, 0.02, -0.01, 0.0, 0.03, -0.02, 0.01, 0.02, 0.0, 0.01];
        let y: Vec<f64> = x.iter().map(|v| -v).collect();
        let (_, blocks) = probability_of_backtest_overfitting(&[&x, &y], 16);
        assert_eq!(blocks, 4);
    }

    #[test]
    fn the_plateau_averages_the_best_points_neighbours() {
        use crate::optimization::rows::Trial;
        use crate::optimization::spec::Overrides;
        let text = "[backtest]\nname = \"t\"\n[[strategies]]\nid = \"S\"\nparams = { fast = 1, slow = 2 }\n\
                    [optimize.params]\n\"strategies.S.params.fast\" = [1, 2, 3]\n\"strategies.S.params.slow\" = [10, 20]\n";
        let spec = OptimizeSpec::parse(std::path::Path::new("c.toml"), text, &Overrides::default())
            .unwrap();
        let row = |fast: i64, slow: i64, objective: Option<f64>| RunRow {
            trial: Trial {
                ordinal: 0,
                point: vec![ParamNumber::Int(fast), ParamNumber::Int(slow)],
            },
            stats: String::new(),
            objective,
            returns: Vec::new(),
            error: None,
        };
        // The best is (2, 10): its neighbours are (1, 10), (3, 10) and
        // (2, 20); (3, 10) made no trade and does not count.
        let rows = [
            row(1, 10, Some(4.0)),
            row(2, 10, Some(9.0)),
            row(3, 10, None),
            row(1, 20, Some(100.0)),
            row(2, 20, Some(2.0)),
        ];
        let p = plateau(&spec, &rows, &rows[1]).unwrap();
        assert_eq!((p.best, p.neighbours, p.neighbours_mean), (9.0, 2, 3.0));
    }
}
