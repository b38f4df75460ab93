//! Runs made one after another on consecutive windows, read as one run:
//! how `bt walk-forward` reports its out-of-sample windows. Each window's
//! run starts with the cash the one before ended with, so the curves join
//! into one; the statistics are those of the joined curve and trades.

use crate::analysis::stats::{StatValue, Stats, StatsInput, day_returns};
use crate::analysis::turnover::Turnover;
use crate::core::Money;
use crate::core::identifiers::{OrderIndex, PositionId};
use crate::state::order_history::OrderHistory;

use super::engine::EquityCurve;
use super::results::{BacktestResult, Benchmark, ChartData};
use super::{BacktestError, EngineStep};

/// One window's run and the prefix its ids take in the joined run
/// (`"W3-"`: ids of different windows never clash).
#[derive(Debug)]
pub struct Piece {
    pub prefix: String,
    pub result: BacktestResult,
}

/// `pieces` (in time order, each window after the one before) as one
/// run named `name`, measured against `benchmark` (the primary
/// instrument's closes over the whole span). The chart data and the
/// analyses are left for the caller. `None` without pieces.
///
/// # Errors
/// A prefix that makes an id invalid.
pub fn stitch(
    pieces: Vec<Piece>,
    benchmark: &Benchmark,
    name: &str,
) -> Result<Option<BacktestResult>, BacktestError> {
    let Some(first) = pieces.first() else {
        return Ok(None);
    };
    let currency = first.result.report_currency;
    let config = first.result.config.clone();
    let instrument_ids = first.result.instrument_ids.clone();
    let points = pieces.iter().map(|p| p.result.equity.ts.len()).sum();
    let mut curve = EquityCurve::with_capacity(points);
    let (mut trades, mut open_trades, mut notes) = (Vec::new(), Vec::new(), Vec::new());
    let (mut observations, mut warnings) = (Vec::new(), Vec::<String>::new());
    let (mut commissions_raw, mut traded_raw, mut bars) = (0i128, 0i128, 0usize);
    let mut histories = Vec::with_capacity(pieces.len());
    let mut accounts = Vec::new();
    let mut orders_before = 0usize;
    let (mut margin_calls, mut liquidations, mut funding) = (0usize, Vec::new(), Vec::new());
    for Piece { prefix, result } in pieces {
        curve.ts.extend_from_slice(&result.equity.ts);
        curve
            .equity_raw
            .extend_from_slice(&result.equity.equity_raw);
        let rename = |mut trade: crate::analysis::trades::Trade| {
            PositionId::new(&format!("{prefix}{}", trade.position_id)).map(|id| {
                trade.position_id = id;
                trade
            })
        };
        for trade in result.trades.iter().cloned() {
            trades.push(rename(trade).map_err(BacktestError::at(EngineStep::BuildResults))?);
        }
        for trade in result.open_trades.iter().cloned() {
            open_trades.push(rename(trade).map_err(BacktestError::at(EngineStep::BuildResults))?);
        }
        notes.extend(result.order_notes.iter().map(|(index, note)| {
            (
                OrderIndex::next_in(index.get() + orders_before),
                std::sync::Arc::clone(note),
            )
        }));
        liquidations.extend(
            result
                .liquidations
                .iter()
                .map(|index| OrderIndex::next_in(index.get() + orders_before)),
        );
        margin_calls += result.margin_calls;
        for payment in &result.funding {
            let position_id = PositionId::new(&format!("{prefix}{}", payment.position_id))
                .map_err(BacktestError::at(EngineStep::BuildResults))?;
            funding.push(super::engine::FundingPayment {
                position_id,
                ..payment.clone()
            });
        }
        orders_before += result.orders.len();
        if let Some(StatValue::Money(paid)) = result.stats.get("Commissions [$]") {
            commissions_raw += paid.raw;
        }
        traded_raw += result.turnover.traded_value.raw;
        bars += result.bars;
        observations.extend(result.observations.iter().cloned());
        for warning in &result.warnings {
            if !warnings.contains(warning) {
                warnings.push(warning.clone());
            }
        }
        accounts.clone_from(&result.accounts);
        histories.push((result.orders.clone(), prefix));
    }
    let orders =
        OrderHistory::concat(&histories).map_err(BacktestError::at(EngineStep::BuildResults))?;
    // Round trips in the order they closed, as in one run.
    trades.sort_by_key(|t| t.exit_time.unwrap_or(crate::core::UnixNanos(i64::MAX)));
    let equity = curve.values();
    let day_returns = day_returns(&curve.ts, &equity);
    let raw = &curve.equity_raw;
    let final_and_peak = raw
        .last()
        .zip(raw.iter().max())
        .map(|(last, peak)| (Money::new(*last, currency), Money::new(*peak, currency)));
    let stats = Stats::compute(&StatsInput {
        equity_ts: &curve.ts,
        equity: &equity,
        final_and_peak,
        day_returns: &day_returns,
        closes: &benchmark.closes,
        market: benchmark.market.as_ref(),
        // Each window warmed up on bars before it opened.
        warmup: 0,
        trades: &trades,
        commissions: Money::new(commissions_raw, currency),
    });
    let turnover = Turnover::compute(Money::new(traded_raw, currency), &equity);
    Ok(Some(BacktestResult {
        name: name.to_string(),
        config,
        report_currency: currency,
        bars,
        stats,
        trades,
        open_trades,
        orders,
        order_notes: notes,
        equity: curve,
        accounts,
        warnings,
        margin_calls,
        liquidations,
        funding,
        chart: ChartData::default(),
        turnover,
        overlay_specs: Vec::new(),
        analyses: Vec::new(),
        observations,
        instrument_ids,
        day_returns,
    }))
}
