//! `heatmap.png`: the panels of `heatmap.html` (one per pair of
//! parameters, at most [`MAX_PANELS`]; a line for a single parameter).

use plotters::prelude::*;

use crate::report::ReportError;
use crate::report::heatmap::{SweepChart, color};

use super::{Area, Draw, GRID, HEIGHT, INK, WIDTH, err, font, render_png, text};

/// Panels drawn; the HTML page has every pair.
pub const MAX_PANELS: usize = 6;

fn short(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn rgb((r, g, b): (u8, u8, u8)) -> RGBColor {
    RGBColor(r, g, b)
}

#[allow(clippy::cast_possible_truncation, reason = "pixel sizes are small")]
fn draw(area: &Area<'_>, chart: &SweepChart) -> Draw<()> {
    area.fill(&WHITE).map_err(err)?;
    let title = format!("{}  {}", chart.title, chart.objective);
    text(area, &title, 20, 12, INK)?;
    let Some((lo, hi)) = chart.extent() else {
        return text(area, "No run with a trade", 20, 50, INK);
    };
    let width = i32::try_from(WIDTH).unwrap_or(1200);
    legend(area, chart, (lo, hi), width)?;
    let height = i32::try_from(HEIGHT).unwrap_or(900);
    if chart.axes.len() == 1 {
        return draw_line(area, chart, width, height);
    }
    let grids: Vec<_> = chart.pairs().into_iter().take(MAX_PANELS).collect();
    let columns = if grids.len() == 1 { 1 } else { 2 };
    let rows = i32::try_from(grids.len().div_ceil(columns)).unwrap_or(1);
    let cell_w = (width - 40) / i32::try_from(columns).unwrap_or(1);
    let cell_h = (height - 50) / rows;
    for (k, grid) in grids.iter().enumerate() {
        let k = i32::try_from(k).unwrap_or(0);
        let columns = i32::try_from(columns).unwrap_or(1);
        let (left, top) = (20 + (k % columns) * cell_w, 44 + (k / columns) * cell_h);
        let (a, b) = (&chart.axes[grid.a], &chart.axes[grid.b]);
        text(
            area,
            &format!("{} X {}", a.name, b.name),
            left + 70,
            top,
            INK,
        )?;
        let (x0, y0) = (left + 70, top + 24);
        let (w, h) = (cell_w - 90, cell_h - 60);
        let ni = i32::try_from(grid.cells.len()).unwrap_or(1).max(1);
        let nj = i32::try_from(b.labels.len()).unwrap_or(1).max(1);
        for (i, row) in grid.cells.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                let (i, j) = (i32::try_from(i).unwrap_or(0), i32::try_from(j).unwrap_or(0));
                let rect = [
                    (x0 + j * w / nj, y0 + i * h / ni),
                    (x0 + (j + 1) * w / nj, y0 + (i + 1) * h / ni),
                ];
                let fill = cell.map_or(GRID, |v| rgb(color(chart.goodness(v))));
                area.draw(&Rectangle::new(rect, fill.filled()))
                    .map_err(err)?;
            }
        }
        // Row labels (first parameter) left, column labels (second) below.
        let row_step = usize::try_from((ni / 8).max(1)).unwrap_or(1);
        for (i, label) in a.labels.iter().enumerate().step_by(row_step) {
            let i = i32::try_from(i).unwrap_or(0);
            let y = y0 + i * h / ni + h / ni / 2 - 7;
            text(area, label, x0 - 8 - font::width(label), y, INK)?;
        }
        let column_step = usize::try_from((nj / 8).max(1)).unwrap_or(1);
        for (j, label) in b.labels.iter().enumerate().step_by(column_step) {
            let j = i32::try_from(j).unwrap_or(0);
            let x = x0 + j * w / nj + w / nj / 2 - font::width(label) / 2;
            text(area, label, x, y0 + h + 6, INK)?;
        }
    }
    Ok(())
}

/// The colour scale, worst to best, with the objective's values at its
/// ends.
fn legend(area: &Area<'_>, chart: &SweepChart, (lo, hi): (f64, f64), width: i32) -> Draw<()> {
    let (worst, best) = if chart.maximize { (lo, hi) } else { (hi, lo) };
    let (left, top) = (width - 330, 12);
    let worst = short(worst);
    text(area, &worst, left - 8 - font::width(&worst), top, INK)?;
    for k in 0..20 {
        let x = left + k * 10;
        let fill = rgb(color(f64::from(k) / 19.0));
        area.draw(&Rectangle::new(
            [(x, top), (x + 10, top + 14)],
            fill.filled(),
        ))
        .map_err(err)?;
    }
    text(area, &short(best), left + 208, top, INK)
}

#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    reason = "pixel coordinates are small"
)]
fn draw_line(area: &Area<'_>, chart: &SweepChart, width: i32, height: i32) -> Draw<()> {
    let line = chart.line(0);
    let (lo, hi) = chart.extent().unwrap_or((0.0, 1.0));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let (x0, x1, y0, y1) = (100, width - 30, 60, height - 60);
    let x = |i: usize| x0 + (f64::from(x1 - x0) * i as f64 / (line.len().max(2) - 1) as f64) as i32;
    let y = |v: f64| y1 - (f64::from(y1 - y0) * (v - lo) / span) as i32;
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], INK))
        .map_err(err)?;
    let points: Vec<(i32, i32)> = line
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (x(i), y(v))))
        .collect();
    area.draw(&PathElement::new(
        points.clone(),
        rgb(color(0.3)).stroke_width(2),
    ))
    .map_err(err)?;
    for p in points {
        area.draw(&Circle::new(p, 3, rgb(color(0.3)).filled()))
            .map_err(err)?;
    }
    for v in [lo, hi] {
        let label = short(v);
        text(area, &label, x0 - 8 - font::width(&label), y(v) - 7, INK)?;
    }
    let axis = &chart.axes[0];
    let step = (axis.labels.len() / 10).max(1);
    for (i, label) in axis.labels.iter().enumerate().step_by(step) {
        text(area, label, x(i) - font::width(label) / 2, y1 + 8, INK)?;
    }
    text(area, &axis.name, (x0 + x1) / 2, y1 + 30, INK)
}

/// `heatmap.png`.
///
/// # Errors
/// When plotters cannot draw or encode the image.
pub fn heatmap_png(chart: &SweepChart) -> Result<Vec<u8>, ReportError> {
    render_png("heatmap.png", |area| draw(area, chart))
}
