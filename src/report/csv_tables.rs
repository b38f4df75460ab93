//! `trades`, `orders` and `equity` as CSV (money with every internal
//! decimal) and, when asked, as typed Parquet: flat tables for pandas or
//! polars.

use crate::analysis::observers::drawdown_pct;
use crate::backtest::results::{BacktestResult, TableColumn, table_to_parquet};
use crate::core::UnixNanos;
use crate::core::events::OrderEventKind;
use crate::core::fixed::{self, FIXED_PRECISION};
use crate::core::time::Rfc3339Writer;
use crate::model::orders::OrderRecord;

use super::{Exporter, ReportError};

/// How a column is typed in the Parquet twin of a table (CSV is all text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    /// Exact decimal text in CSV, `Float64` in Parquet.
    Decimal,
    Int,
    /// RFC 3339 text in CSV, a datetime in Parquet.
    Time,
}

/// Where a table's rows go, one at a time (cells as text; empty =
/// missing).
type RowSink<'a> = dyn FnMut(&[String]) -> Result<(), ReportError> + 'a;

/// A result table: typed columns, and the rows it hands to a sink one at a
/// time, so a table of millions of rows is never held whole.
struct Table {
    columns: &'static [(&'static str, Kind)],
    rows: fn(&BacktestResult, &mut RowSink<'_>) -> Result<(), ReportError>,
}

impl Table {
    /// Streams the table as CSV into `out`.
    fn write_csv(
        &self,
        result: &BacktestResult,
        what: &'static str,
        out: &mut dyn std::io::Write,
    ) -> Result<(), ReportError> {
        let fail = |e: csv::Error| ReportError::Render {
            what,
            message: e.to_string(),
        };
        let mut writer = csv::Writer::from_writer(out);
        writer
            .write_record(self.columns.iter().map(|(name, _)| name))
            .map_err(fail)?;
        (self.rows)(result, &mut |row| writer.write_record(row).map_err(fail))?;
        writer.flush().map_err(|e| ReportError::Render {
            what,
            message: e.to_string(),
        })
    }

    /// The table as typed Parquet (built in memory: polars writes whole
    /// columns).
    fn to_parquet(
        &self,
        result: &BacktestResult,
        what: &'static str,
    ) -> Result<Vec<u8>, ReportError> {
        let mut columns: Vec<TableColumn> = self
            .columns
            .iter()
            .map(|(_, kind)| match kind {
                Kind::Text => TableColumn::Text(Vec::new()),
                Kind::Decimal => TableColumn::Float(Vec::new()),
                Kind::Int => TableColumn::Int(Vec::new()),
                Kind::Time => TableColumn::Time(Vec::new()),
            })
            .collect();
        (self.rows)(result, &mut |row| {
            for (column, cell) in columns.iter_mut().zip(row) {
                let cell = Some(cell.as_str()).filter(|c| !c.is_empty());
                match column {
                    TableColumn::Text(v) => v.push(cell.map(str::to_string)),
                    TableColumn::Float(v) => v.push(cell.and_then(|c| c.parse().ok())),
                    TableColumn::Int(v) => v.push(cell.and_then(|c| c.parse().ok())),
                    TableColumn::Time(v) => {
                        v.push(cell.and_then(|c| UnixNanos::parse_rfc3339(c).ok().map(|t| t.0)));
                    }
                }
            }
            Ok(())
        })?;
        let named = self
            .columns
            .iter()
            .map(|(name, _)| (*name).to_string())
            .zip(columns)
            .collect();
        table_to_parquet(what, named).map_err(|e| ReportError::Render {
            what,
            message: e.to_string(),
        })
    }
}

/// A table exporter: which table, in which format.
#[derive(Debug, Clone, Copy)]
pub struct TableExporter {
    name: &'static str,
    table: fn() -> Table,
    parquet: bool,
}

impl Exporter for TableExporter {
    fn file_name(&self) -> &'static str {
        self.name
    }

    fn render(&self, result: &BacktestResult) -> Result<Vec<u8>, ReportError> {
        let mut bytes = Vec::new();
        self.write_to(result, &mut bytes)?;
        Ok(bytes)
    }

    fn write_to(
        &self,
        result: &BacktestResult,
        out: &mut dyn std::io::Write,
    ) -> Result<(), ReportError> {
        let table = (self.table)();
        if self.parquet {
            let bytes = table.to_parquet(result, self.name)?;
            out.write_all(&bytes).map_err(|e| ReportError::Render {
                what: self.name,
                message: e.to_string(),
            })
        } else {
            table.write_csv(result, self.name, out)
        }
    }
}

/// `trades.csv`: one row per round trip (closed first, then still open).
pub const TRADES_CSV: TableExporter = TableExporter {
    name: "trades.csv",
    table: trades_table,
    parquet: false,
};
/// `trades.parquet`: the same, typed.
pub const TRADES_PARQUET: TableExporter = TableExporter {
    name: "trades.parquet",
    table: trades_table,
    parquet: true,
};
/// `orders.csv`: one row per order event, the full history of every order.
pub const ORDERS_CSV: TableExporter = TableExporter {
    name: "orders.csv",
    table: orders_table,
    parquet: false,
};
/// `orders.parquet`: the same, typed.
pub const ORDERS_PARQUET: TableExporter = TableExporter {
    name: "orders.parquet",
    table: orders_table,
    parquet: true,
};

fn trades_table() -> Table {
    const COLUMNS: &[(&str, Kind)] = &[
        ("position_id", Kind::Text),
        ("strategy_id", Kind::Text),
        ("instrument_id", Kind::Text),
        ("side", Kind::Text),
        ("size", Kind::Decimal),
        ("entry_time", Kind::Time),
        ("exit_time", Kind::Time),
        ("entry_price", Kind::Decimal),
        ("exit_price", Kind::Decimal),
        ("pnl", Kind::Decimal),
        ("return_pct", Kind::Decimal),
        ("commission", Kind::Decimal),
        ("funding", Kind::Decimal),
        ("duration_s", Kind::Int),
        ("mae_pct", Kind::Decimal),
        ("mfe_pct", Kind::Decimal),
        ("tag", Kind::Text),
        ("status", Kind::Text),
    ];
    Table {
        columns: COLUMNS,
        rows: trades_rows,
    }
}

fn trades_rows(result: &BacktestResult, sink: &mut RowSink<'_>) -> Result<(), ReportError> {
    for t in result.trades.iter().chain(&result.open_trades) {
        sink(&[
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
            fixed::format_raw(t.funding.raw, FIXED_PRECISION),
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
        ])?;
    }
    Ok(())
}

fn orders_table() -> Table {
    const COLUMNS: &[(&str, Kind)] = &[
        ("client_order_id", Kind::Text),
        ("side", Kind::Text),
        ("type", Kind::Text),
        ("quantity", Kind::Decimal),
        ("price", Kind::Decimal),
        ("trigger_price", Kind::Decimal),
        ("event", Kind::Text),
        ("ts_event", Kind::Time),
        ("fill_qty", Kind::Decimal),
        ("fill_price", Kind::Decimal),
        ("commission", Kind::Decimal),
        ("liquidity", Kind::Text),
        ("reason", Kind::Text),
        ("parent_order_id", Kind::Text),
        ("oco_order_ids", Kind::Text),
        ("final_status", Kind::Text),
    ];
    Table {
        columns: COLUMNS,
        rows: orders_rows,
    }
}

fn orders_rows(result: &BacktestResult, sink: &mut RowSink<'_>) -> Result<(), ReportError> {
    // The first note the venue gave each order.
    let mut notes = std::collections::BTreeMap::new();
    for (index, reason) in &result.order_notes {
        notes.entry(*index).or_insert(reason);
    }
    let id_of = |index| {
        result
            .orders
            .order(index)
            .map(|o| o.client_order_id.to_string())
            .unwrap_or_default()
    };
    for OrderRecord { order, events } in result.orders.records() {
        let note = notes.get(&order.index).map(|r| r.to_string());
        // The order whose fill released this one, and those its first
        // fill cancels (brackets, OTO and OCO lists).
        let links = result.orders.links(order.index);
        let parent = links.and_then(|l| l.parent).map(id_of).unwrap_or_default();
        let oco = links.map_or_else(String::new, |l| {
            l.cancels
                .iter()
                .map(|i| id_of(*i))
                .collect::<Vec<_>>()
                .join(" ")
        });
        for event in events {
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
                OrderEventKind::Updated(update) => {
                    update.reason.as_deref().unwrap_or_default().to_string()
                }
                OrderEventKind::Submitted if result.liquidations.contains(&order.index) => {
                    "liquidation after a margin call".to_string()
                }
                _ => String::new(),
            };
            sink(&[
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
                parent.clone(),
                oco.clone(),
                order.status.to_string(),
            ])?;
        }
    }
    Ok(())
}

/// `equity.csv`: one row per timestamp, equity in the report currency
/// (written directly: it has a row per bar).
#[derive(Debug, Clone, Copy)]
pub struct EquityCsv;

/// `equity.parquet`: the same, typed.
#[derive(Debug, Clone, Copy)]
pub struct EquityParquet;

impl Exporter for EquityParquet {
    fn file_name(&self) -> &'static str {
        "equity.parquet"
    }

    fn render(&self, result: &BacktestResult) -> Result<Vec<u8>, ReportError> {
        let curve = &result.equity;
        let columns = vec![
            (
                "timestamp".to_string(),
                TableColumn::Time(curve.ts.iter().map(|t| Some(t.0)).collect()),
            ),
            (
                "equity".to_string(),
                TableColumn::Float(
                    curve
                        .equity_raw
                        .iter()
                        .map(|r| Some(fixed::raw_to_f64(*r)))
                        .collect(),
                ),
            ),
        ];
        table_to_parquet("equity.parquet", columns).map_err(|e| ReportError::Render {
            what: "equity.parquet",
            message: e.to_string(),
        })
    }
}

impl Exporter for EquityCsv {
    fn file_name(&self) -> &'static str {
        "equity.csv"
    }

    fn render(&self, result: &BacktestResult) -> Result<Vec<u8>, ReportError> {
        let mut bytes = Vec::with_capacity(result.equity.ts.len() * 40);
        self.write_to(result, &mut bytes)?;
        Ok(bytes)
    }

    /// Streams the rows through one reused buffer, formatted without
    /// `core::fmt` (a row per bar: a million rows took most of a run).
    fn write_to(
        &self,
        result: &BacktestResult,
        out: &mut dyn std::io::Write,
    ) -> Result<(), ReportError> {
        const CHUNK: usize = 1 << 16;
        let fail = |e: std::io::Error| ReportError::Render {
            what: "equity.csv",
            message: e.to_string(),
        };
        let mut buffer = Vec::with_capacity(CHUNK + 64);
        buffer.extend_from_slice(b"timestamp,equity\n");
        let mut times = Rfc3339Writer::default();
        for (ts, raw) in result.equity.ts.iter().zip(&result.equity.equity_raw) {
            times.push(&mut buffer, *ts);
            buffer.push(b',');
            fixed::push_raw(&mut buffer, *raw, FIXED_PRECISION);
            buffer.push(b'\n');
            if buffer.len() >= CHUNK {
                out.write_all(&buffer).map_err(fail)?;
                buffer.clear();
            }
        }
        out.write_all(&buffer).map_err(fail)
    }
}

/// `funding.csv` (with `[venues.funding]`): one row per funding payment
/// of a position: the funding time, the signed quantity held, the price
/// and rate it was charged at, and the amount received (+) or paid (−).
pub const FUNDING_CSV: TableExporter = TableExporter {
    name: "funding.csv",
    table: funding_table,
    parquet: false,
};

fn funding_table() -> Table {
    const COLUMNS: &[(&str, Kind)] = &[
        ("timestamp", Kind::Time),
        ("position_id", Kind::Text),
        ("instrument_id", Kind::Text),
        ("quantity", Kind::Decimal),
        ("mark", Kind::Decimal),
        ("rate", Kind::Decimal),
        ("amount", Kind::Decimal),
        ("currency", Kind::Text),
    ];
    Table {
        columns: COLUMNS,
        rows: funding_rows,
    }
}

fn funding_rows(result: &BacktestResult, sink: &mut RowSink<'_>) -> Result<(), ReportError> {
    for payment in &result.funding {
        sink(&[
            payment.ts.to_string(),
            payment.position_id.to_string(),
            result
                .instrument_ids
                .get(payment.instrument.get())
                .cloned()
                .unwrap_or_default(),
            fixed::format_raw(payment.signed_qty_raw, FIXED_PRECISION),
            payment.mark.to_string(),
            fixed::format_raw(payment.rate_raw, FIXED_PRECISION),
            fixed::format_raw(payment.amount.raw, FIXED_PRECISION),
            payment.amount.currency.to_string(),
        ])?;
    }
    Ok(())
}

/// `observers.csv` (with `[observers]`): equity, free cash, drawdown and
/// each instrument's net position, at every bar or sampled.
#[derive(Debug, Clone, Copy)]
pub struct ObserversCsv;

impl Exporter for ObserversCsv {
    fn file_name(&self) -> &'static str {
        "observers.csv"
    }

    fn render(&self, result: &BacktestResult) -> Result<Vec<u8>, ReportError> {
        let points = &result.observations;
        let mut out = String::from("timestamp,equity,cash,drawdown_pct");
        for id in &result.instrument_ids {
            out.push_str(&format!(",position:{id}"));
        }
        out.push('\n');
        for (point, dd) in points.iter().zip(drawdown_pct(points)) {
            out.push_str(&format!(
                "{},{},{},{dd}",
                point.ts,
                fixed::format_raw(point.equity_raw, FIXED_PRECISION),
                fixed::format_raw(point.cash_raw, FIXED_PRECISION),
            ));
            for raw in &point.positions_raw {
                out.push(',');
                out.push_str(&fixed::format_raw(*raw, FIXED_PRECISION));
            }
            out.push('\n');
        }
        Ok(out.into_bytes())
    }
}
