//! `walk_forward.png`: the panels of `walk_forward.html` — the windows on
//! a time line, the stitched equity against Buy & Hold, the objective in
//! and out of sample per window, and each parameter per window (at most
//! [`MAX_PARAMS`] side by side).

use plotters::prelude::*;

use crate::report::ReportError;
use crate::report::walk_forward::{BENCHMARK, IN_SAMPLE, OUT_OF_SAMPLE, WalkForwardChart, extent};

use super::{
    Area, Draw, GRID, INK, LEFT, Panel, RIGHT, WIDTH, err, font, frame, render_png, short_number,
    text,
};

/// Parameters drawn; the HTML page has every one.
pub const MAX_PARAMS: usize = 4;

fn rgb((r, g, b): (u8, u8, u8)) -> RGBColor {
    RGBColor(r, g, b)
}

/// A box whose x axis counts windows from 1.
struct WindowBox {
    left: i32,
    right: i32,
    top: i32,
    bottom: i32,
    windows: usize,
    lo: f64,
    hi: f64,
}

impl WindowBox {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_precision_loss,
        reason = "pixel coordinates are small"
    )]
    fn x(&self, window: usize) -> i32 {
        let slots = self.windows.max(1) as f64;
        let width = f64::from(self.right - self.left);
        self.left + ((window as f64 - 0.5) / slots * width) as i32
    }

    #[allow(
        clippy::cast_possible_truncation,
        reason = "pixel coordinates are small"
    )]
    fn y(&self, v: f64) -> i32 {
        let height = f64::from(self.bottom - self.top);
        self.bottom - ((v - self.lo) / (self.hi - self.lo).max(1e-12) * height) as i32
    }

    fn draw_frame(&self, area: &Area<'_>, title: &str) -> Draw<()> {
        text(area, title, self.left, self.top - 22, INK)?;
        for v in [self.lo, (self.lo + self.hi) / 2.0, self.hi] {
            let y = self.y(v);
            area.draw(&PathElement::new(
                vec![(self.left, y), (self.right, y)],
                GRID,
            ))
            .map_err(err)?;
            let label = short_number(v);
            text(
                area,
                &label,
                self.left - 8 - font::width(&label),
                y - 7,
                INK,
            )?;
        }
        let step = (self.windows / 10).max(1);
        for k in (1..=self.windows).step_by(step) {
            let label = k.to_string();
            text(
                area,
                &label,
                self.x(k) - font::width(&label) / 2,
                self.bottom + 6,
                INK,
            )?;
        }
        area.draw(&Rectangle::new(
            [(self.left, self.top), (self.right, self.bottom)],
            INK,
        ))
        .map_err(err)
    }

    fn series(&self, area: &Area<'_>, values: &[Option<f64>], color: RGBColor) -> Draw<()> {
        let points: Vec<(i32, i32)> = values
            .iter()
            .enumerate()
            .filter_map(|(k, v)| {
                v.filter(|v| v.is_finite())
                    .map(|v| (self.x(k + 1), self.y(v)))
            })
            .collect();
        area.draw(&PathElement::new(points.clone(), color.stroke_width(2)))
            .map_err(err)?;
        for p in points {
            area.draw(&Circle::new(p, 3, color.filled())).map_err(err)?;
        }
        Ok(())
    }
}

#[allow(clippy::cast_precision_loss, reason = "times in ns to panel units")]
fn draw(area: &Area<'_>, chart: &WalkForwardChart) -> Draw<()> {
    area.fill(&WHITE).map_err(err)?;
    text(area, &format!("{}: walk-forward", chart.title), 20, 12, INK)?;
    let Some((t0, t1)) = chart.time_range() else {
        return text(area, "No window", 20, 50, INK);
    };
    let n = chart.windows.len();
    // Times in ms, as the run report's panels take them.
    let ms = |ns: i64| ns as f64 / 1e6;
    let (a, b) = (ms(t0), ms(t1));
    // The time line: a row per window.
    let rows_top = 64;
    let row = i32::try_from((180 / n.max(1)).clamp(2, 14)).unwrap_or(2);
    let rows_bottom = rows_top + row * i32::try_from(n).unwrap_or(0);
    let line = Panel::new(rows_top, rows_bottom.max(rows_top + 1), (a, b), 0.0, 1.0);
    text(
        area,
        "Windows: in sample / out of sample",
        LEFT,
        rows_top - 22,
        INK,
    )?;
    for (k, w) in chart.windows.iter().enumerate() {
        let y = rows_top + row * i32::try_from(k).unwrap_or(0);
        for ((from, to), color) in [(w.in_sample, IN_SAMPLE), (w.out_of_sample, OUT_OF_SAMPLE)] {
            let (x0, x1) = (line.x(ms(from)), line.x(ms(to)));
            area.draw(&Rectangle::new(
                [(x0, y), ((x1).max(x0 + 1), y + row - 1)],
                rgb(color).filled(),
            ))
            .map_err(err)?;
        }
    }
    // The stitched equity against Buy & Hold.
    let equity_top = rows_bottom + 44;
    let Some((lo, hi)) = chart.equity_extent() else {
        return Ok(());
    };
    let panel = Panel::new(equity_top, equity_top + 220, (a, b), lo, hi);
    frame(
        area,
        &panel,
        "Stitched out-of-sample equity vs buy and hold",
    )?;
    for (series, color) in [(&chart.buy_and_hold, BENCHMARK), (&chart.equity, IN_SAMPLE)] {
        let points: Vec<(i32, i32)> = series
            .iter()
            .map(|(t, v)| (panel.x(ms(*t)), panel.y(*v)))
            .collect();
        area.draw(&PathElement::new(points, rgb(color).stroke_width(2)))
            .map_err(err)?;
    }
    // The objective per window, in and out of sample.
    let right = i32::try_from(WIDTH).unwrap_or(1200) - RIGHT;
    let objective_top = equity_top + 220 + 56;
    if let Some((lo, hi)) = extent(
        chart
            .objective_in_sample
            .iter()
            .chain(&chart.objective_out_of_sample)
            .flatten()
            .copied(),
    ) {
        let panel = WindowBox {
            left: LEFT,
            right,
            top: objective_top,
            bottom: objective_top + 150,
            windows: n,
            lo,
            hi,
        };
        panel.draw_frame(
            area,
            &format!("{}: in sample / out of sample", chart.objective),
        )?;
        panel.series(area, &chart.objective_in_sample, rgb(IN_SAMPLE))?;
        panel.series(area, &chart.objective_out_of_sample, rgb(OUT_OF_SAMPLE))?;
    }
    // Each parameter per window.
    let params_top = objective_top + 150 + 56;
    let shown: Vec<_> = chart.params.iter().take(MAX_PARAMS).collect();
    let columns = i32::try_from(shown.len()).unwrap_or(1).max(1);
    let width = (right - LEFT + 100) / columns;
    for (i, (name, values)) in shown.into_iter().enumerate() {
        let Some((lo, hi)) = extent(values.iter().flatten().copied()) else {
            continue;
        };
        let left = LEFT + i32::try_from(i).unwrap_or(0) * width;
        let panel = WindowBox {
            left,
            right: left + width - 100,
            top: params_top,
            bottom: params_top + 120,
            windows: n,
            lo,
            hi,
        };
        panel.draw_frame(area, name)?;
        panel.series(area, values, rgb(IN_SAMPLE))?;
    }
    Ok(())
}

/// `walk_forward.png`.
///
/// # Errors
/// When plotters cannot draw or encode the image.
pub fn walk_forward_png(chart: &WalkForwardChart) -> Result<Vec<u8>, ReportError> {
    render_png("walk_forward.png", |area| draw(area, chart))
}
