//! `report.html`: one self-contained file (CSS and JS inline, no network)
//! with the price and trades, equity with drawdown shading, drawdown, trade
//! returns, monthly returns, stats, a sortable trades table and the config.
//! Long series are thinned (`analysis::downsample`) so the file stays small
//! however many bars the run had.

use serde_json::json;

use crate::analysis::downsample::min_max;
use crate::analysis::periods::monthly_returns;
use crate::analysis::stats::drawdown_pct_series;
use crate::backtest::results::BacktestResult;
use crate::core::enums::OrderSide;

use super::table::format_value;
use super::{Exporter, ReportError};

const TEMPLATE: &str = include_str!("report.html");
const CSS: &str = include_str!("report.css");
const JS: &str = include_str!("report.js");

/// Points per line chart; candles are capped when the result is built.
const LINE_POINTS: usize = 4_000;
/// Trades carried into the page (markers, scatter, table).
const MAX_TRADES: usize = 20_000;

/// The HTML report exporter.
#[derive(Debug, Clone, Copy)]
pub struct HtmlReport;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn payload(result: &BacktestResult) -> serde_json::Value {
    let ts = &result.equity.ts;
    let equity = result.equity.values();
    let drawdown = drawdown_pct_series(&equity);
    let millis = |t: crate::core::UnixNanos| t.0.div_euclid(1_000_000);
    let trades: Vec<serde_json::Value> = result
        .trades
        .iter()
        .chain(&result.open_trades)
        .take(MAX_TRADES)
        .map(|t| {
            json!({
                "long": t.entry_side == OrderSide::Buy,
                "size": t.size.as_f64(),
                "entry_t": millis(t.entry_time),
                "entry_px": t.entry_price.as_f64(),
                "exit_t": t.exit_time.map(millis),
                "exit_px": t.exit_price.map(|p| p.as_f64()),
                "pnl": t.pnl.as_f64(),
                "ret": t.return_fraction().map(|r| r * 100.0),
                "mae": t.mae_pct,
                "mfe": t.mfe_pct,
            })
        })
        .collect();
    let overlays: Vec<serde_json::Value> = result
        .chart
        .overlays
        .iter()
        .map(|(name, values)| json!({ "name": name, "values": values }))
        .collect();
    json!({
        "candles": result.chart.candles,
        "overlays": overlays,
        "equity": min_max(ts, &equity, LINE_POINTS),
        "drawdown": min_max(ts, &drawdown, LINE_POINTS),
        "trades": trades,
        "months": monthly_returns(ts, &equity),
    })
}

impl Exporter for HtmlReport {
    fn file_name(&self) -> &'static str {
        "report.html"
    }

    fn render(&self, result: &BacktestResult) -> Result<Vec<u8>, ReportError> {
        let data = serde_json::to_string(&payload(result)).map_err(|e| ReportError::Render {
            what: "report.html",
            message: e.to_string(),
        })?;
        // Inside <script>, "</" could end the element early.
        let data = data.replace("</", "<\\/");
        let stats: String = result
            .stats
            .entries
            .iter()
            .map(|(k, v)| {
                format!(
                    "<tr><td>{}</td><td>{}</td></tr>",
                    escape(k),
                    escape(&format_value(v))
                )
            })
            .collect();
        let total = result.trades.len() + result.open_trades.len();
        let trades_note = if total > MAX_TRADES {
            format!(" Showing the first {MAX_TRADES} of {total} trades; trades.csv has them all.")
        } else {
            String::new()
        };
        let thinned = if result.bars > result.chart.candles.len() {
            format!(
                "{} bars are drawn as {} candles.",
                result.bars,
                result.chart.candles.len()
            )
        } else {
            String::new()
        };
        let html = TEMPLATE
            .replace("{{CSS}}", CSS)
            .replace("{{JS}}", JS)
            .replace("{{TITLE}}", &escape(&result.name))
            .replace(
                "{{SUBTITLE}}",
                &escape(&format!(
                    "{} · {} bars · {}",
                    result.config, result.bars, result.report_currency
                )),
            )
            .replace("{{THINNED}}", &escape(&thinned))
            .replace("{{STATS}}", &stats)
            .replace("{{TRADES_NOTE}}", &escape(&trades_note))
            .replace("{{CONFIG}}", &escape(&result.chart.config_text))
            .replace("{{DATA}}", &data);
        Ok(html.into_bytes())
    }
}
