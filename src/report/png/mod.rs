//! `report.png`: the key panels (price with trades, equity with drawdown
//! shading, drawdown) drawn with plotters' bitmap backend. Labels use the
//! built-in pixel font of [`font`], so no system font is needed.

mod font;
pub mod heatmap;
pub mod walk_forward;

use std::path::PathBuf;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::analysis::downsample::min_max;
use crate::analysis::stats::drawdown_pct_series;
use crate::backtest::results::BacktestResult;
use crate::core::UnixNanos;
use crate::core::enums::OrderSide;

use super::{Exporter, ReportError};

/// The image size.
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 900;
const LEFT: i32 = 90;
const RIGHT: i32 = 20;

const INK: RGBColor = RGBColor(29, 36, 51);
const GRID: RGBColor = RGBColor(226, 229, 235);
const BLUE: RGBColor = RGBColor(47, 95, 208);
const GREEN: RGBColor = RGBColor(26, 127, 55);
const RED: RGBColor = RGBColor(198, 40, 40);
const SHADE: RGBColor = RGBColor(244, 204, 204);
const OVERLAYS: [RGBColor; 4] = [
    RGBColor(230, 126, 34),
    RGBColor(142, 68, 173),
    RGBColor(22, 160, 133),
    RGBColor(192, 57, 43),
];

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;
type Draw<T> = Result<T, String>;

/// The PNG exporter.
#[derive(Debug, Clone, Copy)]
pub struct PngReport;

/// A panel's mapping from (time in ms, value) to pixels.
struct Panel {
    top: i32,
    bottom: i32,
    t0: f64,
    t1: f64,
    lo: f64,
    hi: f64,
}

impl Panel {
    fn new(top: i32, bottom: i32, (t0, t1): (f64, f64), lo: f64, hi: f64) -> Self {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 1.0, hi + 1.0)
        };
        let pad = (hi - lo) * 0.05;
        Self {
            top,
            bottom,
            t0,
            t1,
            lo: lo - pad,
            hi: hi + pad,
        }
    }

    #[allow(
        clippy::cast_possible_truncation,
        reason = "pixel coordinates are small"
    )]
    fn x(&self, t: f64) -> i32 {
        let width = f64::from(WIDTH) - f64::from(LEFT + RIGHT);
        LEFT + ((t - self.t0) / (self.t1 - self.t0).max(1.0) * width) as i32
    }

    #[allow(
        clippy::cast_possible_truncation,
        reason = "pixel coordinates are small"
    )]
    fn y(&self, v: f64) -> i32 {
        let height = f64::from(self.bottom - self.top);
        self.bottom - ((v - self.lo) / (self.hi - self.lo) * height) as i32
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Draws `label` with its top left at (`x`, `y`).
fn text(area: &Area<'_>, label: &str, x: i32, y: i32, color: RGBColor) -> Draw<()> {
    area.draw_text(label, &font::style(color), (x, y))
        .map_err(err)
}

/// An axis value: whole above 1,000 (thousands grouped), else to the cent.
fn short_number(v: f64) -> String {
    if v.abs() >= 1000.0 {
        font::thousands(&format!("{v:.0}"))
    } else {
        format!("{v:.2}")
    }
}

fn date(ms: f64) -> String {
    #[allow(clippy::cast_possible_truncation, reason = "times are in range")]
    let (y, m, d, ..) = UnixNanos(ms as i64 * 1_000_000).to_civil();
    format!("{y:04}-{m:02}-{d:02}")
}

/// Frame, grid, title and axis labels of a panel.
fn frame(area: &Area<'_>, panel: &Panel, title: &str) -> Draw<()> {
    let right = i32::try_from(WIDTH).unwrap_or(0) - RIGHT;
    text(area, title, LEFT, panel.top - 22, INK)?;
    for k in 0..=4 {
        let v = panel.lo + (panel.hi - panel.lo) * f64::from(k) / 4.0;
        let y = panel.y(v);
        area.draw(&PathElement::new(vec![(LEFT, y), (right, y)], GRID))
            .map_err(err)?;
        let label = short_number(v);
        text(area, &label, LEFT - 8 - font::width(&label), y - 7, INK)?;
        let t = panel.t0 + (panel.t1 - panel.t0) * f64::from(k) / 4.0;
        let x = panel.x(t);
        area.draw(&PathElement::new(
            vec![(x, panel.top), (x, panel.bottom)],
            GRID,
        ))
        .map_err(err)?;
        let label = date(t);
        let left = (x - font::width(&label) / 2).clamp(LEFT, right - font::width(&label));
        text(area, &label, left, panel.bottom + 6, INK)?;
    }
    area.draw(&Rectangle::new(
        [(LEFT, panel.top), (right, panel.bottom)],
        INK,
    ))
    .map_err(err)
}

fn extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

fn draw(area: &Area<'_>, result: &BacktestResult) -> Draw<()> {
    area.fill(&WHITE).map_err(err)?;
    let ts = &result.equity.ts;
    let equity = result.equity.values();
    let drawdown = drawdown_pct_series(&equity);
    let points = usize::try_from(WIDTH).unwrap_or(1200) * 2;
    #[allow(
        clippy::cast_precision_loss,
        reason = "times in ms fit f64 exactly enough for pixels"
    )]
    let thin = |values: &[f64]| -> Vec<(f64, f64)> {
        min_max(ts, values, points)
            .into_iter()
            .map(|(t, v)| (t as f64, v))
            .collect()
    };
    let (equity, drawdown) = (thin(&equity), thin(&drawdown));
    #[allow(
        clippy::cast_precision_loss,
        reason = "times in ms fit f64 exactly enough for pixels"
    )]
    let closes: Vec<(f64, f64)> = result
        .chart
        .candles
        .iter()
        .map(|c| (c.t as f64, c.c))
        .collect();
    let times = extent(equity.iter().chain(&closes).map(|p| p.0));
    if !times.0.is_finite() {
        return text(area, "No data", LEFT, 40, INK);
    }

    // Price with trade markers.
    let (lo, hi) = extent(result.chart.candles.iter().flat_map(|c| [c.l, c.h]));
    let price = Panel::new(40, 370, times, lo, hi);
    frame(area, &price, &format!("Price and trades  {}", result.name))?;
    let line: Vec<(i32, i32)> = closes
        .iter()
        .map(|(t, v)| (price.x(*t), price.y(*v)))
        .collect();
    area.draw(&PathElement::new(line, INK.stroke_width(1)))
        .map_err(err)?;
    // The strategy's indicators, one value per candle, named in the title row.
    let mut legend = LEFT + font::width("Price and trades  ") + font::width(&result.name) + 24;
    for (k, (name, values)) in result.chart.overlays.iter().enumerate() {
        let color = OVERLAYS[k % OVERLAYS.len()];
        let mut segment: Vec<(i32, i32)> = Vec::new();
        for ((t, _), value) in closes.iter().zip(values) {
            match value {
                Some(v) => segment.push((price.x(*t), price.y(*v))),
                None => {
                    let done = std::mem::take(&mut segment);
                    area.draw(&PathElement::new(done, color.stroke_width(1)))
                        .map_err(err)?;
                }
            }
        }
        area.draw(&PathElement::new(segment, color.stroke_width(1)))
            .map_err(err)?;
        text(area, name, legend, price.top - 22, color)?;
        legend += font::width(name) + 18;
    }
    #[allow(
        clippy::cast_precision_loss,
        reason = "times in ms fit f64 exactly enough for pixels"
    )]
    for trade in result.trades.iter().chain(&result.open_trades) {
        let (x, y) = (
            price.x((trade.entry_time.0 / 1_000_000) as f64),
            price.y(trade.entry_price.as_f64()),
        );
        let (color, dy) = if trade.entry_side == OrderSide::Buy {
            (BLUE, 1)
        } else {
            (RED, -1)
        };
        let triangle = vec![(x - 4, y + 6 * dy), (x + 4, y + 6 * dy), (x, y)];
        area.draw(&Polygon::new(triangle, color.filled()))
            .map_err(err)?;
        if let (Some(t), Some(px)) = (trade.exit_time, trade.exit_price) {
            let (x, y) = (price.x((t.0 / 1_000_000) as f64), price.y(px.as_f64()));
            let color = if trade.pnl.raw >= 0 { GREEN } else { RED };
            for (a, b) in [
                ((x - 3, y - 3), (x + 3, y + 3)),
                ((x - 3, y + 3), (x + 3, y - 3)),
            ] {
                area.draw(&PathElement::new(vec![a, b], color.stroke_width(2)))
                    .map_err(err)?;
            }
        }
    }

    // Equity, the drawdown from its running peak shaded.
    let (lo, hi) = extent(equity.iter().map(|p| p.1));
    let panel = Panel::new(420, 640, times, lo, hi);
    frame(area, &panel, "Equity")?;
    let mut running = f64::NEG_INFINITY;
    for pair in equity.windows(2) {
        running = running.max(pair[0].1);
        if pair[1].1 < running {
            let (x0, x1) = (
                panel.x(pair[0].0),
                panel.x(pair[1].0).max(panel.x(pair[0].0) + 1),
            );
            let shade = [(x0, panel.y(running)), (x1, panel.y(pair[1].1))];
            area.draw(&Rectangle::new(shade, SHADE.filled()))
                .map_err(err)?;
        }
    }
    let line: Vec<(i32, i32)> = equity
        .iter()
        .map(|(t, v)| (panel.x(*t), panel.y(*v)))
        .collect();
    area.draw(&PathElement::new(line, BLUE.stroke_width(2)))
        .map_err(err)?;

    // Drawdown.
    let (lo, _) = extent(drawdown.iter().map(|p| p.1));
    let panel = Panel::new(690, 860, times, lo.min(-0.01), 0.0);
    frame(area, &panel, "Drawdown [%]")?;
    let mut shape: Vec<(i32, i32)> = drawdown
        .iter()
        .map(|(t, v)| (panel.x(*t), panel.y(*v)))
        .collect();
    if let (Some(first), Some(last)) = (drawdown.first(), drawdown.last()) {
        shape.push((panel.x(last.0), panel.y(0.0)));
        shape.push((panel.x(first.0), panel.y(0.0)));
    }
    area.draw(&Polygon::new(shape, RED.mix(0.5).filled()))
        .map_err(err)?;
    Ok(())
}

/// Where plotters writes the image before it is read back (plotters
/// encodes PNG only to a file); unique per process and call.
fn scratch_path() -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let n = CALLS.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("bt-report-{}-{n}.png", std::process::id()))
}

/// Draws with `draw` on a fresh image and returns its PNG bytes.
///
/// # Errors
/// When drawing, encoding or reading the scratch file back fails.
fn render_png(
    what: &'static str,
    draw: impl FnOnce(&Area<'_>) -> Draw<()>,
) -> Result<Vec<u8>, ReportError> {
    let path = scratch_path();
    let drawn = {
        let area = BitMapBackend::new(&path, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&area).and_then(|()| area.present().map_err(err))
    };
    let bytes = drawn.and_then(|()| std::fs::read(&path).map_err(err));
    // The scratch file goes whatever happened; a leftover is harmless.
    let _ = std::fs::remove_file(&path);
    bytes.map_err(|message| ReportError::Render { what, message })
}

impl Exporter for PngReport {
    fn file_name(&self) -> &'static str {
        "report.png"
    }

    fn render(&self, result: &BacktestResult) -> Result<Vec<u8>, ReportError> {
        render_png("report.png", |area| draw(area, result))
    }
}
