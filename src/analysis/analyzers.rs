//! Analyzers, the Backtrader pattern: units a config lists under
//! `[[analyzers]]`, each reading the finished run and adding its own table
//! to results.json (under `analyzers`, in config order).

use serde::Serialize;

use crate::core::UnixNanos;

use super::breakdown::Breakdown;
use super::periods::{MonthReturn, monthly_returns};
use super::stats::{
    Annualized, DrawdownPeriod, annual_trading_days, cagr_pct, day_returns, drawdown_periods,
    exposure_time_pct, max_drawdown_pct, return_pct, sharpe_ratio, sortino_ratio,
};
use super::trades::Trade;

/// The periods of a period-returns table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Monthly,
    Yearly,
}

/// An analyzer a config can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Analyzer {
    /// Total, annualised and risk-adjusted returns.
    Returns,
    /// The deepest drawdowns with their dates (at most `top` of them).
    Drawdown { top: usize },
    /// Closed trades by side, instrument, venue and strategy.
    Trades,
    /// How much of the run a position was open.
    Exposure,
    /// Returns per month or per year.
    PeriodReturns(Period),
}

/// What analyzers read.
#[derive(Debug, Clone, Copy)]
pub struct AnalysisInput<'a> {
    pub ts: &'a [UnixNanos],
    pub equity: &'a [f64],
    /// Closed trades.
    pub trades: &'a [Trade],
    /// Trades still open at the end.
    pub open_trades: &'a [Trade],
}

/// One period's return.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodReturn {
    /// `2020-01` or `2020`.
    pub period: String,
    pub return_pct: f64,
}

/// An analyzer's table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "analyzer", rename_all = "snake_case")]
pub enum Analysis {
    Returns {
        total_return_pct: Option<f64>,
        annual_return_pct: Option<f64>,
        annual_volatility_pct: Option<f64>,
        cagr_pct: Option<f64>,
        sharpe_ratio: Option<f64>,
        sortino_ratio: Option<f64>,
        /// Calendar days with a return (what annualisation uses).
        days: usize,
    },
    Drawdown {
        max_drawdown_pct: Option<f64>,
        periods: usize,
        /// The deepest periods first.
        deepest: Vec<DrawdownPeriod>,
    },
    Trades(Box<Breakdown>),
    /// Open trades count too, to the last bar (the stats count closed
    /// trades only, as Backtesting.py).
    Exposure {
        exposure_time_pct: Option<f64>,
        bars: usize,
    },
    PeriodReturns {
        period: Period,
        returns: Vec<PeriodReturn>,
    },
}

/// Yearly returns chained from the monthly ones.
fn yearly(months: &[MonthReturn]) -> Vec<PeriodReturn> {
    let mut out: Vec<(i64, f64)> = Vec::new();
    for m in months {
        let growth = 1.0 + m.return_pct / 100.0;
        match out.last_mut() {
            Some((year, g)) if *year == m.year => *g *= growth,
            _ => out.push((m.year, growth)),
        }
    }
    out.into_iter()
        .map(|(year, g)| PeriodReturn {
            period: year.to_string(),
            return_pct: (g - 1.0) * 100.0,
        })
        .collect()
}

impl Analyzer {
    /// Runs the analyzer.
    #[must_use]
    pub fn analyze(&self, input: &AnalysisInput<'_>) -> Analysis {
        match *self {
            Self::Returns => {
                let days = day_returns(input.ts, input.equity);
                let annual_days = annual_trading_days(input.ts);
                let annualized = Annualized::compute(&days, annual_days);
                let duration = match (input.ts.first(), input.ts.last()) {
                    (Some(a), Some(b)) => b.0 - a.0,
                    _ => 0,
                };
                Analysis::Returns {
                    total_return_pct: return_pct(input.equity),
                    annual_return_pct: annualized.map(|a| a.annual_return * 100.0),
                    annual_volatility_pct: annualized.map(|a| a.annual_volatility * 100.0),
                    cagr_pct: cagr_pct(input.equity, duration),
                    sharpe_ratio: annualized.and_then(|a| sharpe_ratio(&a, 0.0)),
                    sortino_ratio: annualized
                        .and_then(|a| sortino_ratio(a.annual_return, &days, annual_days, 0.0)),
                    days: days.len(),
                }
            }
            Self::Drawdown { top } => {
                let mut periods = drawdown_periods(input.ts, input.equity);
                let count = periods.len();
                periods.sort_by(|a, b| b.peak.total_cmp(&a.peak));
                periods.truncate(top);
                Analysis::Drawdown {
                    max_drawdown_pct: max_drawdown_pct(input.equity),
                    periods: count,
                    deepest: periods,
                }
            }
            Self::Trades => Analysis::Trades(Box::new(Breakdown::compute(input.trades))),
            Self::Exposure => Analysis::Exposure {
                exposure_time_pct: exposure_time_pct(
                    input.ts,
                    input.trades.iter().chain(input.open_trades),
                ),
                bars: input.ts.len(),
            },
            Self::PeriodReturns(period) => {
                let months = monthly_returns(input.ts, input.equity);
                let returns = match period {
                    Period::Monthly => months
                        .iter()
                        .map(|m| PeriodReturn {
                            period: format!("{:04}-{:02}", m.year, m.month),
                            return_pct: m.return_pct,
                        })
                        .collect(),
                    Period::Yearly => yearly(&months),
                };
                Analysis::PeriodReturns { period, returns }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::time::NANOS_PER_DAY;

    fn input<'a>(ts: &'a [UnixNanos], equity: &'a [f64]) -> AnalysisInput<'a> {
        AnalysisInput {
            ts,
            equity,
            trades: &[],
            open_trades: &[],
        }
    }

    #[test]
    fn yearly_returns_chain_the_months() {
        // 2020-12-01, 2020-12-31, 2021-01-15, 2021-02-15.
        let ts = [18_597, 18_627, 18_642, 18_673].map(|d| UnixNanos(d * NANOS_PER_DAY));
        let equity = [100.0, 110.0, 121.0, 108.9];
        let Analysis::PeriodReturns { returns, .. } =
            Analyzer::PeriodReturns(Period::Yearly).analyze(&input(&ts, &equity))
        else {
            panic!("wrong table");
        };
        assert_eq!(returns.len(), 2);
        assert_eq!(returns[0].period, "2020");
        assert!((returns[0].return_pct - 10.0).abs() < 1e-9);
        // 2021: 110 → 108.9.
        assert!((returns[1].return_pct + 1.0).abs() < 1e-9);
        let Analysis::PeriodReturns { returns, .. } =
            Analyzer::PeriodReturns(Period::Monthly).analyze(&input(&ts, &equity))
        else {
            panic!("wrong table");
        };
        assert_eq!(
            returns
                .iter()
                .map(|r| r.period.as_str())
                .collect::<Vec<_>>(),
            ["2020-12", "2021-01", "2021-02"]
        );
    }

    #[test]
    fn the_deepest_drawdowns_come_first() {
        let ts: Vec<UnixNanos> = (0..7).map(|i| UnixNanos(i * 10)).collect();
        let equity = [100.0, 90.0, 95.0, 120.0, 60.0, 90.0, 100.0];
        let Analysis::Drawdown {
            periods, deepest, ..
        } = (Analyzer::Drawdown { top: 1 }).analyze(&input(&ts, &equity))
        else {
            panic!("wrong table");
        };
        assert_eq!(periods, 2);
        assert_eq!(deepest.len(), 1);
        assert!((deepest[0].peak - 0.5).abs() < 1e-12);
        assert_eq!(
            (deepest[0].start, deepest[0].end),
            (UnixNanos(30), UnixNanos(60))
        );
    }

    #[test]
    fn returns_and_exposure_tables() {
        let ts: Vec<UnixNanos> = (0..3).map(|d| UnixNanos(d * NANOS_PER_DAY)).collect();
        let equity = [100.0, 110.0, 99.0];
        let Analysis::Returns {
            total_return_pct,
            days,
            ..
        } = Analyzer::Returns.analyze(&input(&ts, &equity))
        else {
            panic!("wrong table");
        };
        assert!((total_return_pct.unwrap() + 1.0).abs() < 1e-9);
        assert_eq!(days, 2);
        assert_eq!(
            Analyzer::Exposure.analyze(&input(&ts, &equity)),
            Analysis::Exposure {
                exposure_time_pct: Some(0.0),
                bars: 3
            }
        );
    }
}
