//! A sweep's objective over its parameters: for every pair of parameters,
//! the best objective over the others in each cell (as Backtesting.py's
//! heatmaps show); for a single parameter, a line. `heatmap.html` is one
//! self-contained page (tables coloured inline, no network);
//! `heatmap.png` draws the same panels (see `png::heatmap`).

use std::fmt::Write as _;

/// One parameter's axis: its values (or value bins) in order.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartAxis {
    pub name: String,
    pub labels: Vec<String>,
}

/// What a sweep's charts show.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepChart {
    pub title: String,
    pub objective: String,
    pub maximize: bool,
    pub axes: Vec<ChartAxis>,
    /// Each run with an objective: its position on every axis, and the
    /// objective.
    pub points: Vec<(Vec<usize>, f64)>,
}

/// The best objective in each cell of the grid of axes `a` × `b`.
#[derive(Debug, Clone, PartialEq)]
pub struct PairGrid {
    pub a: usize,
    pub b: usize,
    /// `cells[i][j]`: axis `a`'s `i`th label, axis `b`'s `j`th.
    pub cells: Vec<Vec<Option<f64>>>,
}

impl SweepChart {
    fn better(&self, x: f64, y: f64) -> f64 {
        if self.maximize { x.max(y) } else { x.min(y) }
    }

    /// Every pair of axes, in order (`(0, 1)`, `(0, 2)`, …).
    #[must_use]
    pub fn pairs(&self) -> Vec<PairGrid> {
        let n = self.axes.len();
        let mut grids = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                let mut cells =
                    vec![vec![None; self.axes[b].labels.len()]; self.axes[a].labels.len()];
                for (position, value) in &self.points {
                    let (Some(i), Some(j)) = (position.get(a), position.get(b)) else {
                        continue;
                    };
                    if let Some(cell) = cells.get_mut(*i).and_then(|row| row.get_mut(*j)) {
                        *cell = Some(cell.map_or(*value, |c| self.better(c, *value)));
                    }
                }
                grids.push(PairGrid { a, b, cells });
            }
        }
        grids
    }

    /// The best objective at each value of axis `a`.
    #[must_use]
    pub fn line(&self, a: usize) -> Vec<Option<f64>> {
        let mut line = vec![None; self.axes.get(a).map_or(0, |x| x.labels.len())];
        for (position, value) in &self.points {
            if let Some(cell) = position.get(a).and_then(|i| line.get_mut(*i)) {
                *cell = Some(cell.map_or(*value, |c: f64| self.better(c, *value)));
            }
        }
        line
    }

    /// The lowest and highest objective.
    #[must_use]
    pub fn extent(&self) -> Option<(f64, f64)> {
        let values = self.points.iter().map(|(_, v)| *v);
        let lo = values.clone().reduce(f64::min)?;
        let hi = values.reduce(f64::max)?;
        Some((lo, hi))
    }

    /// Where `value` sits from worst (0) to best (1).
    #[must_use]
    pub fn goodness(&self, value: f64) -> f64 {
        let Some((lo, hi)) = self.extent() else {
            return 0.5;
        };
        let t = if hi > lo {
            (value - lo) / (hi - lo)
        } else {
            0.5
        };
        if self.maximize { t } else { 1.0 - t }
    }
}

/// The viridis colour map's stops (worst to best).
const STOPS: [(u8, u8, u8); 5] = [
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
];

/// The colour of goodness `t` in `[0, 1]`.
#[must_use]
pub fn color(t: f64) -> (u8, u8, u8) {
    let t = t.clamp(0.0, 1.0) * 4.0;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "t is in [0, 4]"
    )]
    let k = (t.floor() as usize).min(3);
    #[allow(clippy::cast_precision_loss, reason = "k ≤ 3")]
    let f = t - k as f64;
    let (a, b) = (STOPS[k], STOPS[k + 1]);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a blend of two bytes"
    )]
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(super) fn number(x: f64) -> String {
    format!("{x:.4}")
}

fn pair_table(chart: &SweepChart, grid: &PairGrid) -> String {
    let (a, b) = (&chart.axes[grid.a], &chart.axes[grid.b]);
    let mut html = format!(
        "<section class=\"panel\" data-cells=\"{}\"><h2>{} × {}</h2><table class=\"heat\"><tr><th>{} \\ {}</th>",
        a.labels.len() * b.labels.len(),
        escape(&a.name),
        escape(&b.name),
        escape(&a.name),
        escape(&b.name)
    );
    for label in &b.labels {
        let _ = write!(html, "<th>{}</th>", escape(label));
    }
    html.push_str("</tr>");
    for (i, row) in grid.cells.iter().enumerate() {
        let _ = write!(html, "<tr><th>{}</th>", escape(&a.labels[i]));
        for (j, cell) in row.iter().enumerate() {
            match cell {
                Some(v) => {
                    let (r, g, bl) = color(chart.goodness(*v));
                    let ink = if chart.goodness(*v) > 0.6 {
                        "#1d2433"
                    } else {
                        "#fff"
                    };
                    let _ = write!(
                        html,
                        "<td style=\"background:rgb({r},{g},{bl});color:{ink}\" title=\"{} = {}, {} = {}: {}\">{}</td>",
                        escape(&a.name),
                        escape(&a.labels[i]),
                        escape(&b.name),
                        escape(&b.labels[j]),
                        number(*v),
                        number(*v)
                    );
                }
                None => html.push_str("<td class=\"empty\" title=\"no run, or no trade\">·</td>"),
            }
        }
        html.push_str("</tr>");
    }
    html.push_str("</table></section>");
    html
}

fn line_svg(chart: &SweepChart) -> String {
    let line = chart.line(0);
    let axis = &chart.axes[0];
    let (w, h, pad) = (900.0, 320.0, 50.0);
    let Some((lo, hi)) = chart.extent() else {
        return String::new();
    };
    let span = if hi > lo { hi - lo } else { 1.0 };
    #[allow(clippy::cast_precision_loss, reason = "a few hundred values")]
    let x = |i: usize| pad + (w - 2.0 * pad) * i as f64 / (line.len().max(2) - 1) as f64;
    let y = |v: f64| h - pad - (h - 2.0 * pad) * (v - lo) / span;
    let points: Vec<String> = line
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
        .collect();
    let mut svg = format!(
        "<section class=\"panel\" data-cells=\"{}\"><h2>{} by {}</h2><svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\"><polyline fill=\"none\" stroke=\"#2f5fd0\" stroke-width=\"2\" points=\"{}\"/>",
        line.len(),
        escape(&chart.objective),
        escape(&axis.name),
        points.join(" ")
    );
    for (i, v) in line.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#2f5fd0\"><title>{} = {}: {}</title></circle>",
                x(i),
                y(*v),
                escape(&axis.name),
                escape(&axis.labels[i]),
                number(*v)
            );
        }
    }
    let step = (line.len() / 12).max(1);
    for (i, label) in axis.labels.iter().enumerate().step_by(step) {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            x(i),
            h - pad + 16.0,
            escape(label)
        );
    }
    for v in [lo, hi] {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            pad - 6.0,
            y(v) + 4.0,
            number(v)
        );
    }
    svg.push_str("</svg></section>");
    svg
}

/// `heatmap.html`.
#[must_use]
pub fn heatmap_html(chart: &SweepChart) -> Vec<u8> {
    let panels: Vec<String> = if chart.axes.len() == 1 {
        vec![line_svg(chart)]
    } else {
        chart.pairs().iter().map(|g| pair_table(chart, g)).collect()
    };
    let legend: String = (0..=10)
        .map(|k| {
            let (r, g, b) = color(f64::from(k) / 10.0);
            format!("<span style=\"background:rgb({r},{g},{b})\"></span>")
        })
        .collect();
    let intro = format!(
        "{}, best over the other parameters in each cell ({}). <span class=\"legend\">worse {legend} better</span>; grey: no run, or a run without a trade.",
        escape(&chart.objective),
        if chart.maximize {
            "highest is best"
        } else {
            "lowest is best"
        },
    );
    page(&chart.title, "optimize", HEATMAP_CSS, &intro, &panels)
}

/// The heatmap tables' own style.
const HEATMAP_CSS: &str = "table.heat { border-collapse: collapse; font-size: 11px; }
table.heat th, table.heat td { padding: 3px 6px; text-align: right; border: 1px solid #fff; }
table.heat th { background: #f2f4f8; }
td.empty { background: #e2e5eb; color: #8a93a6; text-align: center; }
.legend span { display: inline-block; width: 22px; height: 12px; }";

/// A self-contained page of `panels` (no network, no script needed to
/// read it) headed `heading`, titled after it and `bt COMMAND`, with
/// `intro` (HTML) under the heading and `css` added to the shared style;
/// it marks itself ready once loaded.
#[must_use]
pub(super) fn page(
    heading: &str,
    command: &str,
    css: &str,
    intro: &str,
    panels: &[String],
) -> Vec<u8> {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{heading} — bt {command}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; color: #1d2433; margin: 24px; }}
h1 {{ font-size: 20px; margin: 0 0 4px; }}
h2 {{ font-size: 15px; margin: 18px 0 6px; }}
{css}
</style>
</head>
<body>
<header><h1>{heading}</h1><p>{intro}</p></header>
<main id="panels" data-panels="{count}">
{panels}
</main>
<script>
document.body.dataset.ready = "true";
</script>
</body>
</html>
"#,
        heading = escape(heading),
        count = panels.len(),
        panels = panels.join("\n"),
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(maximize: bool) -> SweepChart {
        let axis = |name: &str, n: usize| ChartAxis {
            name: name.into(),
            labels: (0..n).map(|i| i.to_string()).collect(),
        };
        SweepChart {
            title: "t".into(),
            objective: "Sharpe Ratio".into(),
            maximize,
            axes: vec![axis("fast", 2), axis("slow", 2), axis("ticks", 2)],
            points: vec![
                (vec![0, 0, 0], 1.0),
                (vec![0, 0, 1], 3.0),
                (vec![1, 1, 0], -2.0),
            ],
        }
    }

    #[test]
    fn pairs_show_the_best_over_the_other_parameters() {
        let grids = chart(true).pairs();
        assert_eq!(grids.len(), 3);
        assert_eq!(grids[0].cells, [[Some(3.0), None], [None, Some(-2.0)]]);
        let grids = chart(false).pairs();
        assert_eq!(grids[0].cells[0][0], Some(1.0), "lowest is best");
        assert_eq!(chart(true).line(2), [Some(1.0), Some(3.0)]);
    }

    #[test]
    fn brighter_is_better_either_way() {
        assert_eq!(color(0.0), STOPS[0]);
        assert_eq!(color(1.0), STOPS[4]);
        assert!((chart(true).goodness(3.0) - 1.0).abs() < 1e-12);
        assert!((chart(false).goodness(-2.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn the_page_has_a_panel_per_pair_and_escapes_names() {
        let mut c = chart(true);
        c.axes[0].name = "a<b".into();
        let html = String::from_utf8(heatmap_html(&c)).unwrap();
        assert!(html.contains("data-panels=\"3\""));
        assert!(html.contains("a&lt;b × slow"));
        assert!(!html.contains("http"), "self-contained");
    }
}
