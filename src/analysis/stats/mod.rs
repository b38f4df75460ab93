//! Statistics with the keys and definitions of Backtesting.py (see each
//! metric's file for its formula). An undefined value is `None`, never a
//! sentinel number.

mod alpha;
mod annualized;
mod avg_drawdown;
mod avg_trade;
mod best_worst_trade;
mod beta;
mod buy_and_hold_return;
mod cagr;
mod calmar_ratio;
mod drawdown;
mod drawdown_duration;
mod expectancy;
mod exposure_time;
mod kelly;
mod max_drawdown;
mod profit_factor;
mod resolution;
mod sample;
mod sharpe_ratio;
mod sortino_ratio;
mod sqn;
#[cfg(test)]
pub(crate) mod test_trades;
mod total_return;
mod trade_duration;
mod trade_returns;
mod win_rate;

use serde::Serialize;

use crate::core::{Money, UnixNanos};

use super::trades::Trade;

pub use alpha::alpha_pct;
pub use annualized::{Annualized, annual_trading_days, day_returns};
pub use avg_drawdown::avg_drawdown_pct;
pub use avg_trade::avg_trade_pct;
pub use best_worst_trade::best_worst_trade_pct;
pub use beta::MarketReturns;
pub use buy_and_hold_return::buy_and_hold_return_pct;
pub use cagr::cagr_pct;
pub use calmar_ratio::calmar_ratio;
pub use drawdown::{DrawdownPeriod, drawdown_pct_series, drawdown_periods};
pub use drawdown_duration::drawdown_durations;
pub use expectancy::expectancy_pct;
pub use exposure_time::exposure_time_pct;
pub use kelly::{kelly_criterion, kelly_fraction};
pub use max_drawdown::max_drawdown_pct;
pub use profit_factor::profit_factor;
pub use resolution::data_resolution;
pub use sample::{mean, variance};
pub use sharpe_ratio::sharpe_ratio;
pub use sortino_ratio::sortino_ratio;
pub use sqn::sqn;
pub use total_return::return_pct;
pub use trade_duration::trade_durations;
pub use trade_returns::trade_returns;
pub use win_rate::win_rate_pct;

/// Every key of the stats table, in its order.
pub const STAT_KEYS: [&str; 32] = [
    "Start",
    "End",
    "Duration",
    "Exposure Time [%]",
    "Equity Final [$]",
    "Equity Peak [$]",
    "Commissions [$]",
    "Return [%]",
    "Buy & Hold Return [%]",
    "Return (Ann.) [%]",
    "Volatility (Ann.) [%]",
    "CAGR [%]",
    "Sharpe Ratio",
    "Sortino Ratio",
    "Calmar Ratio",
    "Alpha [%]",
    "Beta",
    "Max. Drawdown [%]",
    "Avg. Drawdown [%]",
    "Max. Drawdown Duration",
    "Avg. Drawdown Duration",
    "# Trades",
    "Win Rate [%]",
    "Best Trade [%]",
    "Worst Trade [%]",
    "Avg. Trade [%]",
    "Max. Trade Duration",
    "Avg. Trade Duration",
    "Profit Factor",
    "Expectancy [%]",
    "SQN",
    "Kelly Criterion",
];

/// One value in the stats table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum StatValue {
    Time(UnixNanos),
    /// Nanoseconds; `None` when undefined.
    Duration(Option<i64>),
    Money(Money),
    Number(Option<f64>),
    Count(u64),
}

/// What the statistics are computed from.
#[derive(Debug, Clone, Copy)]
pub struct StatsInput<'a> {
    /// Time of each equity point.
    pub equity_ts: &'a [UnixNanos],
    /// Equity after each point, in the report currency.
    pub equity: &'a [f64],
    /// The last and the highest equity, exact; `None` without points.
    pub final_and_peak: Option<(Money, Money)>,
    /// [`day_returns`] of the equity (computed once by the caller, who
    /// keeps them).
    pub day_returns: &'a [f64],
    /// Closes of the primary instrument, one per bar.
    pub closes: &'a [f64],
    /// Their log returns for Beta (a sweep makes them once for all its
    /// runs); `None` when the closes give none (fewer than three, or one
    /// not positive), and Beta is undefined.
    pub market: Option<&'a MarketReturns>,
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

    /// Computes every statistic, in Backtesting.py's order.
    #[must_use]
    pub fn compute(input: &StatsInput<'_>) -> Self {
        /// Backtesting.py's default risk-free rate.
        const RF: f64 = 0.0;
        let mut entries: Vec<(String, StatValue)> = Vec::new();
        let mut push = |key: &str, value: StatValue| entries.push((key.to_string(), value));
        let number = StatValue::Number;
        let ts = input.equity_ts;
        let start = ts.first().copied().unwrap_or_default();
        let end = ts.last().copied().unwrap_or_default();
        let resolution = data_resolution(ts);
        let equity_f = input.equity;
        push("Start", StatValue::Time(start));
        push("End", StatValue::Time(end));
        push("Duration", StatValue::Duration(Some(end.0 - start.0)));
        push(
            "Exposure Time [%]",
            number(exposure_time_pct(ts, input.trades)),
        );
        if let Some((last, peak)) = input.final_and_peak {
            push("Equity Final [$]", StatValue::Money(last));
            push("Equity Peak [$]", StatValue::Money(peak));
        }
        push("Commissions [$]", StatValue::Money(input.commissions));
        let total_return = return_pct(equity_f);
        let buy_and_hold = buy_and_hold_return_pct(input.closes, input.warmup);
        push("Return [%]", number(total_return));
        push("Buy & Hold Return [%]", number(buy_and_hold));
        let days = input.day_returns;
        let annual_days = annual_trading_days(ts);
        let annualized = Annualized::compute(days, annual_days);
        let annual_return = annualized.map(|a| a.annual_return);
        push(
            "Return (Ann.) [%]",
            number(annual_return.map(|r| r * 100.0)),
        );
        push(
            "Volatility (Ann.) [%]",
            number(annualized.map(|a| a.annual_volatility * 100.0)),
        );
        push("CAGR [%]", number(cagr_pct(equity_f, end.0 - start.0)));
        push(
            "Sharpe Ratio",
            number(annualized.and_then(|a| sharpe_ratio(&a, RF))),
        );
        push(
            "Sortino Ratio",
            number(annual_return.and_then(|r| sortino_ratio(r, days, annual_days, RF))),
        );
        let max_drawdown = max_drawdown_pct(equity_f);
        push(
            "Calmar Ratio",
            number(
                annual_return
                    .zip(max_drawdown)
                    .and_then(|(r, dd)| calmar_ratio(r, -dd / 100.0)),
            ),
        );
        let beta = input.market.and_then(|market| market.beta(equity_f));
        push(
            "Alpha [%]",
            number(match (total_return, buy_and_hold, beta) {
                (Some(r), Some(bh), Some(b)) => Some(alpha_pct(r, bh, b, RF)),
                _ => None,
            }),
        );
        push("Beta", number(beta));
        push("Max. Drawdown [%]", number(max_drawdown));
        let periods = drawdown_periods(ts, equity_f);
        push("Avg. Drawdown [%]", number(avg_drawdown_pct(&periods)));
        let (dd_max, dd_avg) = drawdown_durations(&periods, resolution);
        push("Max. Drawdown Duration", StatValue::Duration(dd_max));
        push("Avg. Drawdown Duration", StatValue::Duration(dd_avg));
        push(
            "# Trades",
            StatValue::Count(u64::try_from(input.trades.len()).unwrap_or(u64::MAX)),
        );
        push("Win Rate [%]", number(win_rate_pct(input.trades)));
        let returns = trade_returns(input.trades);
        let (best, worst) = best_worst_trade_pct(&returns);
        push("Best Trade [%]", number(best));
        push("Worst Trade [%]", number(worst));
        push("Avg. Trade [%]", number(avg_trade_pct(&returns)));
        let (trade_max, trade_avg) = trade_durations(input.trades, resolution);
        push("Max. Trade Duration", StatValue::Duration(trade_max));
        push("Avg. Trade Duration", StatValue::Duration(trade_avg));
        push("Profit Factor", number(profit_factor(&returns)));
        push("Expectancy [%]", number(expectancy_pct(&returns)));
        push("SQN", number(sqn(input.trades)));
        push("Kelly Criterion", number(kelly_criterion(input.trades)));
        Self { entries }
    }
}

#[cfg(test)]
mod tests {
    use super::test_trades::trade;
    use super::*;
    use crate::core::Currency;
    use crate::core::time::NANOS_PER_DAY;

    fn money(values: &[f64]) -> Vec<Money> {
        values
            .iter()
            .map(|v| {
                Money::new(
                    crate::core::fixed::raw_from_f64(*v, 9).unwrap(),
                    Currency::USD,
                )
            })
            .collect()
    }

    fn number(stats: &Stats, key: &str) -> Option<f64> {
        match stats.get(key) {
            Some(StatValue::Number(x)) => *x,
            other => panic!("{key}: {other:?}"),
        }
    }

    fn stats(ts: &[UnixNanos], equity: &[f64], closes: &[f64], trades: &[Trade]) -> Stats {
        let exact = money(equity);
        let peak = exact.iter().max_by_key(|m| m.raw).copied();
        Stats::compute(&StatsInput {
            equity_ts: ts,
            equity,
            final_and_peak: exact.last().copied().zip(peak),
            day_returns: &day_returns(ts, equity),
            market: MarketReturns::new(closes).as_ref(),
            closes,
            warmup: 0,
            trades,
            commissions: Money::zero(Currency::USD),
        })
    }

    #[test]
    fn every_backtesting_py_key_in_its_order() {
        let ts: Vec<UnixNanos> = (0..3).map(|d| UnixNanos(d * NANOS_PER_DAY)).collect();
        let s = stats(&ts, &[100.0, 110.0, 99.0], &[1.0, 1.1, 0.99], &[]);
        let keys: Vec<&str> = s.entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, STAT_KEYS);
    }

    #[test]
    fn no_trades_leaves_trade_stats_undefined() {
        let ts: Vec<UnixNanos> = (0..3).map(|d| UnixNanos(d * NANOS_PER_DAY)).collect();
        let s = stats(&ts, &[100.0, 100.0, 100.0], &[1.0, 1.1, 0.99], &[]);
        for key in [
            "Win Rate [%]",
            "Best Trade [%]",
            "Avg. Trade [%]",
            "Profit Factor",
            "Expectancy [%]",
            "SQN",
            "Kelly Criterion",
        ] {
            assert_eq!(number(&s, key), None, "{key}");
        }
        assert_eq!(
            s.get("Max. Trade Duration"),
            Some(&StatValue::Duration(None))
        );
        assert_eq!(number(&s, "Exposure Time [%]"), Some(0.0));
        // Flat equity: no volatility, no drawdown.
        assert_eq!(number(&s, "Sharpe Ratio"), None);
        assert_eq!(number(&s, "Calmar Ratio"), None);
        assert_eq!(number(&s, "Avg. Drawdown [%]"), None);
        assert_eq!(number(&s, "Beta"), Some(0.0));
    }

    #[test]
    fn one_trade_and_all_winners() {
        let minute = 60_000_000_000;
        let ts: Vec<UnixNanos> = (0..4).map(|i| UnixNanos(i * minute)).collect();
        let one = [trade(minute, 2 * minute, 5.0)];
        let s = stats(
            &ts,
            &[100.0, 100.0, 105.0, 105.0],
            &[100.0, 100.0, 105.0, 105.0],
            &one,
        );
        assert_eq!(number(&s, "Win Rate [%]"), Some(100.0));
        assert_eq!(number(&s, "Best Trade [%]"), number(&s, "Worst Trade [%]"));
        assert!((number(&s, "Expectancy [%]").unwrap() - 5.0).abs() < 1e-9);
        assert_eq!(number(&s, "SQN"), None, "one trade has no spread");
        assert_eq!(number(&s, "Profit Factor"), None, "no losing trade");
        assert_eq!(number(&s, "Kelly Criterion"), None, "no losing trade");
        assert_eq!(number(&s, "Exposure Time [%]"), Some(50.0));
        assert_eq!(
            s.get("Max. Trade Duration"),
            Some(&StatValue::Duration(Some(minute)))
        );
        // Shorter than a day: nothing to annualise.
        assert_eq!(number(&s, "Return (Ann.) [%]"), None);
        assert_eq!(number(&s, "Sharpe Ratio"), None);
        assert_eq!(number(&s, "Sortino Ratio"), None);
        assert!((number(&s, "Return [%]").unwrap() - 5.0).abs() < 1e-9);
        // The equity moves exactly as the close: beta 1, alpha 0.
        assert!((number(&s, "Beta").unwrap() - 1.0).abs() < 1e-12);
        assert!(number(&s, "Alpha [%]").unwrap().abs() < 1e-9);
    }
}
