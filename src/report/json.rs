//! `results.json`: the run's name and config, stats (undefined values are
//! `null`), round trips and final balances.

use serde_json::{Map, Value, json};

use crate::analysis::breakdown::Breakdown;
use crate::analysis::stats::StatValue;
use crate::backtest::results::BacktestResult;

use super::{Exporter, ReportError};

/// Writes `results.json`.
#[derive(Debug, Clone, Copy)]
pub struct JsonResults;

fn stat_json(value: &StatValue) -> Value {
    match value {
        StatValue::Time(ts) => json!(ts.to_string()),
        StatValue::Duration(ns) => {
            ns.map_or(Value::Null, |ns| json!(super::table::format_duration(ns)))
        }
        StatValue::Money(m) => json!(m.to_full_precision_string()),
        StatValue::Number(x) => x
            .filter(|v| v.is_finite())
            .map_or(Value::Null, |v| json!(v)),
        StatValue::Count(n) => json!(n),
    }
}

/// The stats as an ordered JSON object.
#[must_use]
pub fn stats_json(result: &BacktestResult) -> Value {
    let mut stats = Map::new();
    for (key, value) in &result.stats.entries {
        stats.insert(key.clone(), stat_json(value));
    }
    Value::Object(stats)
}

/// The funding payments in brief: how many, and the net amount received
/// (+) or paid (−) in each currency (`funding.csv` lists them).
fn funding_json(result: &BacktestResult) -> Value {
    let mut totals: Vec<crate::core::Money> = Vec::new();
    for payment in &result.funding {
        let amount = payment.amount;
        match totals.iter_mut().find(|m| m.currency == amount.currency) {
            Some(total) => total.raw += amount.raw,
            None => totals.push(amount),
        }
    }
    let net: Map<String, Value> = totals
        .iter()
        .map(|m| (m.currency.to_string(), json!(m.to_full_precision_string())))
        .collect();
    json!({ "payments": result.funding.len(), "net": net })
}

impl Exporter for JsonResults {
    fn file_name(&self) -> &'static str {
        "results.json"
    }

    fn render(&self, result: &BacktestResult) -> Result<Vec<u8>, ReportError> {
        let err = |e: serde_json::Error| ReportError::Render {
            what: "results.json",
            message: e.to_string(),
        };
        let mut doc = json!({
            "name": result.name,
            "config": result.config,
            "config_text": result.chart.config_text,
            "report_currency": result.report_currency,
            "bars": result.bars,
            "stats": stats_json(result),
            "breakdown": serde_json::to_value(Breakdown::compute(&result.trades)).map_err(err)?,
            "turnover": serde_json::to_value(&result.turnover).map_err(err)?,
            "analyzers": serde_json::to_value(&result.analyses).map_err(err)?,
            "trades": serde_json::to_value(&result.trades).map_err(err)?,
            "open_trades": serde_json::to_value(&result.open_trades).map_err(err)?,
            "accounts": serde_json::to_value(&result.accounts).map_err(err)?,
            "warnings": result.warnings,
        });
        // Only runs that had one say so: other results stay as they were.
        if result.margin_calls > 0 {
            doc["margin_calls"] = json!(result.margin_calls);
        }
        if !result.funding.is_empty() {
            doc["funding"] = funding_json(result);
        }
        let mut bytes = serde_json::to_vec_pretty(&doc).map_err(err)?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}
