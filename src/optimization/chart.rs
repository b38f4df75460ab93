//! The sweep's rows as the heatmaps' axes and points (`report::heatmap`
//! draws them).

use crate::report::heatmap::{ChartAxis, SweepChart};

use super::rows::RunRow;
use super::spec::OptimizeSpec;

/// Distinct values an axis shows one by one; more are put in this many
/// equal bins (random and Bayesian searches over ranges).
const MAX_LABELS: usize = 24;

/// How a parameter's values map to an axis.
enum Scale {
    Values(Vec<f64>),
    Bins { lo: f64, width: f64 },
}

impl Scale {
    fn position(&self, x: f64) -> Option<usize> {
        match self {
            Self::Values(values) => values.iter().position(|v| *v == x),
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a bin index below MAX_LABELS"
            )]
            Self::Bins { lo, width } => {
                Some((((x - lo) / width).floor().max(0.0) as usize).min(MAX_LABELS - 1))
            }
        }
    }
}

fn label(x: f64) -> String {
    let text = format!("{x:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The chart of `rows` (any order).
#[must_use]
pub fn sweep_chart(spec: &OptimizeSpec, name: &str, rows: &[RunRow]) -> SweepChart {
    let ran: Vec<&RunRow> = rows.iter().filter(|r| r.error.is_none()).collect();
    let mut axes = Vec::with_capacity(spec.params.len());
    let mut scales = Vec::with_capacity(spec.params.len());
    for (i, param) in spec.params.iter().enumerate() {
        let mut values: Vec<f64> = ran
            .iter()
            .filter_map(|r| r.trial.point.get(i).map(|v| v.as_f64()))
            .collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        let (scale, labels) = match (values.first(), values.last()) {
            (Some(lo), Some(hi)) if values.len() > MAX_LABELS => {
                #[allow(clippy::cast_precision_loss, reason = "MAX_LABELS is small")]
                let width = (hi - lo) / MAX_LABELS as f64;
                let labels = (0..MAX_LABELS)
                    .map(|k| {
                        #[allow(clippy::cast_precision_loss, reason = "MAX_LABELS is small")]
                        let from = lo + width * k as f64;
                        format!("{}-{}", label(from), label(from + width))
                    })
                    .collect();
                (Scale::Bins { lo: *lo, width }, labels)
            }
            _ => {
                let labels = values.iter().map(|v| label(*v)).collect();
                (Scale::Values(values), labels)
            }
        };
        axes.push(ChartAxis {
            name: param.name.clone(),
            labels,
        });
        scales.push(scale);
    }
    let points = ran
        .iter()
        .filter_map(|r| {
            let objective = r.objective?;
            let position: Option<Vec<usize>> = r
                .trial
                .point
                .iter()
                .zip(&scales)
                .map(|(v, scale)| scale.position(v.as_f64()))
                .collect();
            Some((position?, objective))
        })
        .collect();
    SweepChart {
        title: format!("{name} sweep"),
        objective: spec.objective.key.clone(),
        maximize: spec.objective.maximizes(),
        axes,
        points,
    }
}
