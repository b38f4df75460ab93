//! Statistics with the keys and definitions of Backtesting.py (see each
//! metric's file for its formula). An undefined value is `None`, never a
//! sentinel number.

mod annualized;
mod buy_and_hold_return;
mod max_drawdown;
mod sharpe_ratio;
mod total_return;
mod win_rate;

use serde::Serialize;

use crate::core::{Money, UnixNanos};

use super::trades::Trade;

pub use annualized::{Annualized, annual_trading_days, day_returns};
pub use buy_and_hold_return::buy_and_hold_return_pct;
pub use max_drawdown::max_drawdown_pct;
pub use sharpe_ratio::sharpe_ratio;
pub use total_return::return_pct;
pub use win_rate::win_rate_pct;

/// One value in the stats table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum StatValue {
    Time(UnixNanos),
    /// Nanoseconds.
    Duration(i64),
    Money(Money),
    Number(Option<f64>),
    Count(u64),
}

/// What the statistics are computed from.
#[derive(Debug, Clone, Copy)]
pub struct StatsInput<'a> {
    /// Time of each equity point.
    pub equity_ts: &'a [UnixNanos],
    /// Equity after each point, in the report currency (exact).
    pub equity: &'a [Money],
    /// Closes of the primary instrument, one per bar.
    pub closes: &'a [f64],
    /// Bars of strategy warm-up (Buy & Hold starts after them).
    pub warmup: usize,
    /// Closed round trips.
    pub trades: &'a [Trade],
    /// Commissions paid, in the report currency.
    pub commissions: Money,
}

/// The ordered stats table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub entries: Vec<(String, StatValue)>,
}

impl Stats {
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&StatValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Computes every statistic.
    #[must_use]
    pub fn compute(input: &StatsInput<'_>) -> Self {
        let mut entries: Vec<(String, StatValue)> = Vec::new();
        let mut push = |key: &str, value: StatValue| entries.push((key.to_string(), value));
        let start = input.equity_ts.first().copied().unwrap_or_default();
        let end = input.equity_ts.last().copied().unwrap_or_default();
        push("Start", StatValue::Time(start));
        push("End", StatValue::Time(end));
        push("Duration", StatValue::Duration(end.0 - start.0));
        let equity_f: Vec<f64> = input.equity.iter().map(|m| m.as_f64()).collect();
        if let (Some(last), Some(peak)) = (
            input.equity.last(),
            input.equity.iter().max_by_key(|m| m.raw),
        ) {
            push("Equity Final [$]", StatValue::Money(*last));
            push("Equity Peak [$]", StatValue::Money(*peak));
        }
        push("Commissions [$]", StatValue::Money(input.commissions));
        push("Return [%]", StatValue::Number(return_pct(&equity_f)));
        push(
            "Buy & Hold Return [%]",
            StatValue::Number(buy_and_hold_return_pct(input.closes, input.warmup)),
        );
        let days = day_returns(input.equity_ts, &equity_f);
        let annualized = Annualized::compute(&days, annual_trading_days(input.equity_ts));
        push(
            "Return (Ann.) [%]",
            StatValue::Number(annualized.map(|a| a.annual_return * 100.0)),
        );
        push(
            "Volatility (Ann.) [%]",
            StatValue::Number(annualized.map(|a| a.annual_volatility * 100.0)),
        );
        push(
            "Sharpe Ratio",
            StatValue::Number(annualized.and_then(|a| sharpe_ratio(&a, 0.0))),
        );
        push(
            "Max. Drawdown [%]",
            StatValue::Number(max_drawdown_pct(&equity_f)),
        );
        push(
            "# Trades",
            StatValue::Count(u64::try_from(input.trades.len()).unwrap_or(u64::MAX)),
        );
        push(
            "Win Rate [%]",
            StatValue::Number(win_rate_pct(input.trades)),
        );
        Self { entries }
    }
}
