//! A walk-forward's charts: the windows on a time line (in sample and out
//! of sample), the stitched out-of-sample equity against Buy & Hold, each
//! parameter over the windows, and the objective in and out of sample per
//! window. `walk_forward.html` is one self-contained page of inline SVG
//! (no script or network needed to read it); `walk_forward.png` draws the
//! same panels (see `png::walk_forward`).

use std::fmt::Write as _;

use super::heatmap::{escape, number, page};

/// One window's bounds, in nanoseconds since 1970.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowSpan {
    pub in_sample: (i64, i64),
    pub out_of_sample: (i64, i64),
}

/// What a walk-forward's charts show.
#[derive(Debug, Clone, PartialEq)]
pub struct WalkForwardChart {
    pub title: String,
    pub objective: String,
    pub windows: Vec<WindowSpan>,
    /// The stitched run's equity, thinned: (time in ns, value).
    pub equity: Vec<(i64, f64)>,
    /// The primary instrument held from the first out-of-sample bar with
    /// the same starting equity, at the same times.
    pub buy_and_hold: Vec<(i64, f64)>,
    /// Each parameter's chosen value per window (`None`: none chosen).
    pub params: Vec<(String, Vec<Option<f64>>)>,
    pub objective_in_sample: Vec<Option<f64>>,
    pub objective_out_of_sample: Vec<Option<f64>>,
}

/// A named series of values per window, with its colour.
type Series<'a> = (&'a str, (u8, u8, u8), &'a [Option<f64>]);

/// The colours of the in-sample and out-of-sample series.
pub const IN_SAMPLE: (u8, u8, u8) = (47, 95, 208);
pub const OUT_OF_SAMPLE: (u8, u8, u8) = (230, 126, 34);
/// Buy & Hold's line.
pub const BENCHMARK: (u8, u8, u8) = (138, 147, 166);

impl WalkForwardChart {
    /// The range of the equity and Buy & Hold lines.
    #[must_use]
    pub fn equity_extent(&self) -> Option<(f64, f64)> {
        extent(
            self.equity
                .iter()
                .chain(&self.buy_and_hold)
                .map(|(_, v)| *v),
        )
    }

    /// The first in-sample start and the last out-of-sample end.
    #[must_use]
    pub fn time_range(&self) -> Option<(i64, i64)> {
        let first = self.windows.iter().map(|w| w.in_sample.0).min()?;
        let last = self.windows.iter().map(|w| w.out_of_sample.1).max()?;
        Some((first, last.max(first + 1)))
    }
}

/// The range of `values`, widened when flat; `None` without values.
#[must_use]
pub fn extent(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        return None;
    }
    Some(if hi > lo {
        (lo, hi)
    } else {
        (lo - 1.0, hi + 1.0)
    })
}

fn css((r, g, b): (u8, u8, u8)) -> String {
    format!("rgb({r},{g},{b})")
}

/// The date of a time in ns.
fn day(ns: i64) -> String {
    let (y, m, d, ..) = crate::core::UnixNanos(ns).to_civil();
    format!("{y:04}-{m:02}-{d:02}")
}

const W: f64 = 960.0;
const PAD_LEFT: f64 = 80.0;
const PAD_RIGHT: f64 = 20.0;

/// A panel's mapping to its SVG box.
struct Frame {
    height: f64,
    x: (f64, f64),
    y: (f64, f64),
}

impl Frame {
    fn x(&self, v: f64) -> f64 {
        PAD_LEFT + (W - PAD_LEFT - PAD_RIGHT) * (v - self.x.0) / (self.x.1 - self.x.0).max(1e-12)
    }

    fn y(&self, v: f64) -> f64 {
        let (top, bottom) = (16.0, self.height - 28.0);
        bottom - (bottom - top) * (v - self.y.0) / (self.y.1 - self.y.0).max(1e-12)
    }
}

/// The x axis: dates over a time range, or window numbers.
#[derive(Clone, Copy)]
enum Axis {
    Time,
    Windows(usize),
}

fn open_panel(svg: &mut String, name: &str, title: &str, frame: &Frame, axis: Axis) {
    let _ = write!(
        svg,
        "<section class=\"panel\" data-panel=\"{name}\"><h2>{}</h2><svg viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" role=\"img\">",
        escape(title),
        h = frame.height
    );
    let (top, bottom) = (frame.y(frame.y.1), frame.y(frame.y.0));
    for k in 0..=4 {
        let v = frame.y.0 + (frame.y.1 - frame.y.0) * f64::from(k) / 4.0;
        let y = frame.y(v);
        let _ = write!(
            svg,
            "<line x1=\"{PAD_LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e2e5eb\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            W - PAD_RIGHT,
            PAD_LEFT - 6.0,
            y + 4.0,
            label(v)
        );
    }
    match axis {
        Axis::Time => date_ticks(svg, frame, bottom + 16.0),
        Axis::Windows(n) => {
            for k in (1..=n).step_by((n / 12).max(1)) {
                #[allow(clippy::cast_precision_loss, reason = "a count of windows")]
                let x = frame.x(k as f64);
                let _ = write!(
                    svg,
                    "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{k}</text>",
                    bottom + 16.0
                );
            }
        }
    }
    let _ = write!(
        svg,
        "<rect x=\"{PAD_LEFT}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#1d2433\"/>",
        W - PAD_LEFT - PAD_RIGHT,
        bottom - top
    );
}

/// Five dates along a time axis at height `y`, the first and last kept
/// inside the box.
fn date_ticks(svg: &mut String, frame: &Frame, y: f64) {
    for k in 0..=4 {
        let t = frame.x.0 + (frame.x.1 - frame.x.0) * f64::from(k) / 4.0;
        let anchor = match k {
            0 => "start",
            4 => "end",
            _ => "middle",
        };
        #[allow(clippy::cast_possible_truncation, reason = "times are in range")]
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{y:.1}\" font-size=\"11\" text-anchor=\"{anchor}\">{}</text>",
            frame.x(t),
            day(t as i64)
        );
    }
}

fn label(v: f64) -> String {
    if v.abs() >= 1000.0 {
        let whole = format!("{:.0}", v.abs());
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{}{grouped}", if v < 0.0 { "-" } else { "" })
    } else {
        format!("{v:.2}")
    }
}

/// One named line of (x, y) points, with circles at the points when
/// `marks`.
fn polyline(
    svg: &mut String,
    frame: &Frame,
    name: &str,
    color: (u8, u8, u8),
    points: &[(f64, f64)],
    marks: bool,
) {
    let path: Vec<String> = points
        .iter()
        .map(|(x, y)| format!("{:.1},{:.1}", frame.x(*x), frame.y(*y)))
        .collect();
    let _ = write!(
        svg,
        "<polyline data-series=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>",
        escape(name),
        css(color),
        path.join(" ")
    );
    if marks {
        for (x, y) in points {
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{}\"><title>{}: window {x}: {}</title></circle>",
                frame.x(*x),
                frame.y(*y),
                css(color),
                escape(name),
                number(*y)
            );
        }
    }
}

fn timeline(chart: &WalkForwardChart, (t0, t1): (i64, i64)) -> String {
    let rows = chart.windows.len();
    #[allow(clippy::cast_precision_loss, reason = "a count of windows")]
    let height = 60.0 + 16.0 * rows as f64;
    #[allow(clippy::cast_precision_loss, reason = "times in ns to pixels")]
    let frame = Frame {
        height,
        x: (t0 as f64, t1 as f64),
        y: (0.0, 1.0),
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<section class=\"panel\" data-panel=\"windows\"><h2>Windows: <span style=\"color:{}\">in sample</span> and <span style=\"color:{}\">out of sample</span></h2><svg viewBox=\"0 0 {W} {height}\" width=\"{W}\" height=\"{height}\" role=\"img\">",
        css(IN_SAMPLE),
        css(OUT_OF_SAMPLE)
    );
    for (k, w) in chart.windows.iter().enumerate() {
        #[allow(clippy::cast_precision_loss, reason = "a count of windows")]
        let y = 10.0 + 16.0 * k as f64;
        #[allow(clippy::cast_precision_loss, reason = "times in ns to pixels")]
        for ((from, to), color, what) in [
            (w.in_sample, IN_SAMPLE, "in sample"),
            (w.out_of_sample, OUT_OF_SAMPLE, "out of sample"),
        ] {
            let (x0, x1) = (frame.x(from as f64), frame.x(to as f64));
            let _ = write!(
                svg,
                "<rect class=\"window\" x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"12\" fill=\"{}\"><title>window {}: {what} {} to {}</title></rect>",
                (x1 - x0).max(1.0),
                css(color),
                k + 1,
                day(from),
                day(to)
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            PAD_LEFT - 6.0,
            y + 10.0,
            k + 1
        );
    }
    date_ticks(&mut svg, &frame, height - 12.0);
    svg.push_str("</svg></section>");
    svg
}

fn equity(chart: &WalkForwardChart, (t0, t1): (i64, i64)) -> String {
    let Some(y) = chart.equity_extent() else {
        return String::new();
    };
    #[allow(clippy::cast_precision_loss, reason = "times in ns to pixels")]
    let frame = Frame {
        height: 300.0,
        x: (t0 as f64, t1 as f64),
        y,
    };
    let mut svg = String::new();
    open_panel(
        &mut svg,
        "equity",
        "Stitched out-of-sample equity (blue) against Buy & Hold (grey)",
        &frame,
        Axis::Time,
    );
    #[allow(clippy::cast_precision_loss, reason = "times in ns to pixels")]
    let points = |line: &[(i64, f64)]| -> Vec<(f64, f64)> {
        line.iter().map(|(t, v)| (*t as f64, *v)).collect()
    };
    polyline(
        &mut svg,
        &frame,
        "Buy & Hold",
        BENCHMARK,
        &points(&chart.buy_and_hold),
        false,
    );
    polyline(
        &mut svg,
        &frame,
        "equity",
        IN_SAMPLE,
        &points(&chart.equity),
        false,
    );
    svg.push_str("</svg></section>");
    svg
}

/// Values per window as points (window numbers from 1).
fn by_window(values: &[Option<f64>]) -> Vec<(f64, f64)> {
    values
        .iter()
        .enumerate()
        .filter_map(|(k, v)| {
            #[allow(clippy::cast_precision_loss, reason = "a count of windows")]
            v.filter(|v| v.is_finite()).map(|v| ((k + 1) as f64, v))
        })
        .collect()
}

fn per_window(name: &str, title: &str, n: usize, series: &[Series<'_>]) -> String {
    let Some(y) = extent(
        series
            .iter()
            .flat_map(|(_, _, v)| v.iter().flatten().copied()),
    ) else {
        return String::new();
    };
    #[allow(clippy::cast_precision_loss, reason = "a count of windows")]
    let frame = Frame {
        height: 220.0,
        x: (0.5, n as f64 + 0.5),
        y,
    };
    let mut svg = String::new();
    open_panel(&mut svg, name, title, &frame, Axis::Windows(n));
    for (label, color, values) in series {
        polyline(&mut svg, &frame, label, *color, &by_window(values), true);
    }
    svg.push_str("</svg></section>");
    svg
}

/// `walk_forward.html`.
#[must_use]
pub fn walk_forward_html(chart: &WalkForwardChart) -> Vec<u8> {
    let n = chart.windows.len();
    let mut panels = Vec::new();
    if let Some(range) = chart.time_range() {
        panels.push(timeline(chart, range));
        panels.push(equity(chart, range));
    }
    panels.push(per_window(
        "objective",
        &format!(
            "{} per window: in sample (blue) and out of sample (orange)",
            chart.objective
        ),
        n,
        &[
            ("in sample", IN_SAMPLE, &chart.objective_in_sample),
            (
                "out of sample",
                OUT_OF_SAMPLE,
                &chart.objective_out_of_sample,
            ),
        ],
    ));
    for (name, values) in &chart.params {
        panels.push(per_window(
            "param",
            &format!("{name} chosen per window"),
            n,
            &[(name.as_str(), IN_SAMPLE, values)],
        ));
    }
    panels.retain(|p| !p.is_empty());
    let intro = format!(
        "{n} windows; each chooses its parameters by {} on its in-sample bars and trades them on the out-of-sample bars that follow.",
        escape(&chart.objective)
    );
    page(
        &chart.title,
        "walk-forward",
        "svg { max-width: 100%; height: auto; font-family: system-ui, sans-serif; }",
        &intro,
        &panels,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_labels_group_thousands() {
        assert_eq!(label(1_234_567.4), "1,234,567");
        assert_eq!(label(-12_345.0), "-12,345");
        assert_eq!(label(999.5), "999.50");
    }

    #[test]
    fn the_page_has_every_panel_and_a_window_bar_pair_per_window() {
        let chart = WalkForwardChart {
            title: "t <&>".into(),
            objective: "Sharpe Ratio".into(),
            windows: vec![
                WindowSpan {
                    in_sample: (0, 10),
                    out_of_sample: (11, 15),
                },
                WindowSpan {
                    in_sample: (5, 15),
                    out_of_sample: (16, 20),
                },
            ],
            equity: vec![(11, 100.0), (20, 110.0)],
            buy_and_hold: vec![(11, 100.0), (20, 90.0)],
            params: vec![("fast".into(), vec![Some(5.0), None])],
            objective_in_sample: vec![Some(1.0), Some(2.0)],
            objective_out_of_sample: vec![Some(-1.0), None],
        };
        let html = String::from_utf8(walk_forward_html(&chart)).unwrap();
        assert!(html.contains("data-panels=\"4\""), "{html}");
        assert_eq!(html.matches("class=\"window\"").count(), 4);
        assert!(html.contains("t &lt;&amp;&gt;"));
    }
}
