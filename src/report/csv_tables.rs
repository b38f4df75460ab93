//! `trades.csv`, `orders.csv` and `equity.csv`: flat tables for pandas or
//! polars, money written with every internal decimal.

use crate::backtest::results::BacktestResult;
use crate::core::events::OrderEventKind;
use crate::core::fixed::{self, FIXED_PRECISION};

use super::{Exporter, ReportError};

fn to_bytes(rows: Vec<Vec<String>>, what: &'static str) -> Result<Vec<u8>, ReportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.write_record(&row).map_err(|e| ReportError::Render {
            what,
            message: e.to_string(),
        })?;
    }
    writer.into_inner().map_err(|e| ReportError::Render {
        what,
        message: e.to_string(),
    })
}

/// One row per round trip (closed first, then still open).
#[derive(Debug, Clone, Copy)]
pub struct TradesCsv;

impl Exporter for TradesCsv {
    fn file_name(&self) -> &'static str {
        "trades.csv"
    }

    fn render(&self, result: &BacktestResult) -> Result<Vec<u8>, ReportError> {
        let header = [
            "position_id",
            "strategy_id",
            "instrument_id",
            "side",
            "size",
            "entry_time",
            "exit_time",
            "entry_price",
            "exit_price",
            "pnl",
            "return_pct",
            "commission",
            "duration_s",
            "mae_pct",
            "mfe_pct",
            "tag",
            "status",
        ];
        let mut rows = vec![header.iter().map(ToString::to_string).collect()];
        for t in result.trades.iter().chain(&result.open_trades) {
            rows.push(vec![
                t.position_id.to_string(),
                t.strategy_id.to_string(),
                t.instrument_id.to_string(),
                if t.entry_side == crate::core::enums::OrderSide::Buy {
                    "LONG".into()
                } else {
                    "SHORT".into()
                },
                t.size.to_string(),
                t.entry_time.to_string(),
                t.exit_time.map(|x| x.to_string()).unwrap_or_default(),
                t.entry_price.to_string(),
                t.exit_price.map(|p| p.to_string()).unwrap_or_default(),
                t.pnl_text(),
                t.return_fraction()
                    .map(|r| format!("{}", r * 100.0))
                    .unwrap_or_default(),
                fixed::format_raw(t.commission.raw, FIXED_PRECISION),
                t.exit_time
                    .map(|x| ((x.0 - t.entry_time.0) / 1_000_000_000).to_string())
                    .unwrap_or_default(),
                t.mae_pct.map(|x| x.to_string()).unwrap_or_default(),
                t.mfe_pct.map(|x| x.to_string()).unwrap_or_default(),
                t.tag.clone().unwrap_or_default(),
                if t.is_closed() {
                    "CLOSED".into()
                } else {
                    "OPEN".into()
                },
            ]);
        }
        to_bytes(rows, "trades.csv")
    }
}

/// One row per order event: the full history of every order.
#[derive(Debug, Clone, Copy)]
pub struct OrdersCsv;

impl Exporter for OrdersCsv {
    fn file_name(&self) -> &'static str {
        "orders.csv"
    }

    fn render(&self, result: &BacktestResult) -> Result<Vec<u8>, ReportError> {
        let header = [
            "client_order_id",
            "side",
            "type",
            "quantity",
            "price",
            "trigger_price",
            "event",
            "ts_event",
            "fill_qty",
            "fill_price",
            "commission",
            "liquidity",
            "reason",
            "final_status",
        ];
        let mut rows = vec![header.iter().map(ToString::to_string).collect()];
        for order in &result.orders {
            let note = result
                .order_notes
                .iter()
                .find(|(id, _)| id == &order.client_order_id)
                .map(|(_, r)| r.to_string());
            for event in &order.events {
                let (fill_qty, fill_px, commission, liquidity) = match &event.kind {
                    OrderEventKind::Filled(f) => (
                        f.last_qty.to_string(),
                        f.last_px.to_string(),
                        fixed::format_raw(f.commission.raw, FIXED_PRECISION),
                        f.liquidity_side.to_string(),
                    ),
                    _ => Default::default(),
                };
                let reason = match &event.kind {
                    OrderEventKind::Denied { reason } | OrderEventKind::Rejected { reason } => {
                        reason.to_string()
                    }
                    OrderEventKind::Canceled => note.clone().unwrap_or_default(),
                    _ => String::new(),
                };
                rows.push(vec![
                    order.client_order_id.to_string(),
                    order.side.to_string(),
                    order.order_type().to_string(),
                    order.quantity.to_string(),
                    order
                        .kind
                        .price()
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    order
                        .kind
                        .trigger_price()
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    event.kind.name().to_string(),
                    event.ts_event.to_string(),
                    fill_qty,
                    fill_px,
                    commission,
                    liquidity,
                    reason,
                    order.status.to_string(),
                ]);
            }
        }
        to_bytes(rows, "orders.csv")
    }
}

/// One row per timestamp: equity in the report currency.
#[derive(Debug, Clone, Copy)]
pub struct EquityCsv;

impl Exporter for EquityCsv {
    fn file_name(&self) -> &'static str {
        "equity.csv"
    }

    fn render(&self, result: &BacktestResult) -> Result<Vec<u8>, ReportError> {
        let mut out = String::with_capacity(result.equity.ts.len() * 40);
        out.push_str("timestamp,equity\n");
        for (ts, raw) in result.equity.ts.iter().zip(&result.equity.equity_raw) {
            out.push_str(&ts.to_string());
            out.push(',');
            out.push_str(&fixed::format_raw(*raw, FIXED_PRECISION));
            out.push('\n');
        }
        Ok(out.into_bytes())
    }
}
