//! The stats table printed after a run.

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

use crate::analysis::stats::StatValue;
use crate::backtest::results::BacktestResult;
use crate::core::time::{NANOS_PER_DAY, NANOS_PER_SECOND};

/// Renders stats as a two-column table.
#[derive(Debug, Clone, Copy)]
pub struct StatsTable;

/// A duration as `D days HH:MM:SS`, like pandas' Timedelta.
#[must_use]
pub fn format_duration(nanos: i64) -> String {
    let days = nanos / NANOS_PER_DAY;
    let secs = (nanos % NANOS_PER_DAY) / NANOS_PER_SECOND;
    format!(
        "{days} days {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// One value as the table shows it; undefined values show as `—`.
#[must_use]
pub fn format_value(value: &StatValue) -> String {
    match value {
        StatValue::Time(ts) => ts.to_string(),
        StatValue::Duration(Some(ns)) => format_duration(*ns),
        StatValue::Duration(None) => "—".to_string(),
        StatValue::Money(m) => crate::core::fixed::format_raw(m.raw, m.currency.precision()),
        StatValue::Number(Some(x)) => format!("{x:.4}"),
        StatValue::Number(None) => "—".to_string(),
        StatValue::Count(n) => n.to_string(),
    }
}

impl StatsTable {
    /// The table as text.
    #[must_use]
    pub fn render(result: &BacktestResult) -> String {
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_BORDERS_ONLY)
            .set_content_arrangement(ContentArrangement::Disabled);
        table.set_header(vec![
            Cell::new(&result.name),
            Cell::new(result.report_currency.code()),
        ]);
        for (key, value) in &result.stats.entries {
            table.add_row(vec![
                Cell::new(key),
                Cell::new(format_value(value)).set_alignment(CellAlignment::Right),
            ]);
        }
        let mut text = table.to_string();
        let notes = notes(&result.stats.entries);
        if !notes.is_empty() {
            text.push_str("\nNotes:");
            for note in notes {
                text.push_str("\n  - ");
                text.push_str(&note);
            }
        }
        text
    }
}

/// A short run's annualised figures, and ratios over a near-zero
/// volatility, are printed as computed (the peers compute them the same
/// way) but said to be what they are.
fn notes(entries: &[(String, StatValue)]) -> Vec<String> {
    let number = |key: &str| {
        entries.iter().find_map(|(k, v)| match v {
            StatValue::Number(Some(x)) if *k == key => Some(*x),
            _ => None,
        })
    };
    let days = entries
        .iter()
        .find_map(|(k, v)| match v {
            StatValue::Duration(Some(ns)) if *k == "Duration" => Some(*ns / NANOS_PER_DAY),
            _ => None,
        })
        .unwrap_or(0);
    let mut notes = Vec::new();
    for key in ["Sharpe Ratio", "Sortino Ratio", "Calmar Ratio"] {
        if let Some(x) = number(key).filter(|x| x.abs() > RATIO_BEYOND_SENSE) {
            let volatility = number("Volatility (Ann.) [%]").unwrap_or(f64::NAN);
            notes.push(format!(
                "{key} {x:.1}: a ratio over a volatility near zero ({volatility:.4} % a year) over {days} days; read it as undefined"
            ));
        }
    }
    if days < SHORT_RUN_DAYS && number("Return (Ann.) [%]").is_some() {
        notes.push(format!(
            "Return (Ann.), CAGR and the ratios are annualised from {days} days: a short run's return compounded over a year"
        ));
    }
    notes
}

/// No market gives an annualised Sharpe, Sortino or Calmar ratio this
/// large: past it the divisor is all but zero.
const RATIO_BEYOND_SENSE: f64 = 100.0;
/// Below this many days an annualised figure extrapolates far.
const SHORT_RUN_DAYS: i64 = 90;

/// A table of text cells with a header row, numbers right-aligned.
#[must_use]
pub fn render_rows(header: &[String], rows: &[Vec<String>]) -> String {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(header.iter().map(Cell::new));
    for row in rows {
        table.add_row(row.iter().map(|text| {
            let numeric = text.parse::<f64>().is_ok() || text == "—";
            let cell = Cell::new(text);
            if numeric {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            }
        }));
    }
    table.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_pandas() {
        assert_eq!(
            format_duration(
                69 * NANOS_PER_DAY + 10 * 3600 * NANOS_PER_SECOND + 39 * 60 * NANOS_PER_SECOND
            ),
            "69 days 10:39:00"
        );
        assert_eq!(format_value(&StatValue::Number(None)), "—");
        assert_eq!(format_value(&StatValue::Number(Some(1.0 / 3.0))), "0.3333");
    }
}
