//! What a run produced, ready for the exporters: stats, round trips, orders
//! with their events, the equity curve and the final balances.

use std::collections::HashMap;

use serde::Serialize;

use crate::analysis::analyzers::{Analysis, AnalysisInput};
use crate::analysis::downsample::Candle;
use crate::analysis::observers::Observation;
use crate::analysis::stats::{MarketReturns, Stats, StatsInput, day_returns};
use crate::analysis::trades::{Trade, excursions};
use crate::analysis::turnover::Turnover;
/// Result tables as Parquet, for the report's exporters (which reach the
/// data layer only through the results).
pub use crate::data::table::{TableColumn, table_to_parquet};
use crate::indicators::BarIndicator;

use crate::core::events::{AccountState, OrderEventKind};
use crate::core::identifiers::{InstrumentIndex, StrategyIndex};
use crate::core::{Currency, Money, UnixNanos};
use crate::model::data::Bar;
use crate::model::orders::OrderRecord;
use crate::model::position::Position;
use crate::state::cache::Cache;
use crate::state::order_history::OrderHistory;

use super::engine::{EquityCurve, FundingPayment, RunOutput};
use super::{BacktestError, EngineStep};

/// One run's results.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestResult {
    pub name: String,
    pub config: String,
    pub report_currency: Currency,
    pub bars: usize,
    pub stats: Stats,
    /// Closed round trips.
    pub trades: Vec<Trade>,
    /// Positions still open at the end (marked to market in the equity).
    pub open_trades: Vec<Trade>,
    #[serde(skip)]
    pub orders: OrderHistory,
    #[serde(skip)]
    pub order_notes: Vec<(crate::core::identifiers::OrderIndex, std::sync::Arc<str>)>,
    #[serde(skip)]
    pub equity: EquityCurve,
    pub accounts: Vec<AccountState>,
    pub warnings: Vec<String>,
    /// Margin calls (each also a warning); absent from `results.json`
    /// when there was none.
    #[serde(skip_serializing_if = "is_zero")]
    pub margin_calls: usize,
    /// The orders that liquidated positions after a margin call.
    #[serde(skip)]
    pub liquidations: Vec<crate::core::identifiers::OrderIndex>,
    /// Every funding payment on a perpetual, in the order charged.
    #[serde(skip)]
    pub funding: Vec<FundingPayment>,
    /// What the report draws beyond the results (set by the runner).
    #[serde(skip)]
    pub chart: ChartData,
    /// Traded value against mean equity.
    pub turnover: Turnover,
    /// The first strategy's overlay indicators, not yet drawn.
    #[serde(skip)]
    pub overlay_specs: Vec<(String, BarIndicator)>,
    /// The tables of the config's `[[analyzers]]` (set by the runner).
    pub analyses: Vec<Analysis>,
    /// What `[observers]` recorded, and the instrument of each position
    /// column.
    #[serde(skip)]
    pub observations: Vec<Observation>,
    #[serde(skip)]
    pub instrument_ids: Vec<String>,
    /// Percentage changes of each calendar day's last equity (what the
    /// time-based ratios and a sweep's overfitting guards read).
    #[serde(skip)]
    pub day_returns: Vec<f64>,
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
const fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// Report-only data: the primary instrument's thinned candles and the
/// config's text.
#[derive(Debug, Clone, Default)]
pub struct ChartData {
    pub candles: Vec<Candle>,
    /// Indicator lines over the price, one value per candle.
    pub overlays: Vec<(String, Vec<Option<f64>>)>,
    pub config_text: String,
}

/// Who filled what when: how a position finds the order that opened it.
type OpeningFill = (StrategyIndex, InstrumentIndex, UnixNanos);

fn trade(
    position: &Position,
    cache: &Cache,
    strategy_ids: &[crate::core::identifiers::StrategyId],
    prices: &[&[Bar]],
    tags: &HashMap<OpeningFill, &str>,
) -> Result<Trade, BacktestError> {
    let instrument = cache
        .instrument(position.instrument)
        .ok_or(BacktestError::UnknownOwner("instrument"))?;
    let size = instrument
        .make_qty(position.opened_qty_raw)
        .map_err(BacktestError::at(EngineStep::BuildResults))?;
    let entry_price = position.avg_px_open(instrument).unwrap_or_default();
    let exit_price = if position.is_closed() {
        position.avg_px_close(instrument)
    } else {
        None
    };
    let excursion = prices.get(position.instrument.get()).and_then(|bars| {
        excursions(
            bars,
            position.entry,
            position.ts_opened,
            position.ts_closed,
            entry_price,
            exit_price,
        )
    });
    Ok(Trade {
        position_id: position.id.clone(),
        strategy_id: strategy_ids
            .get(position.strategy.get())
            .cloned()
            .ok_or(BacktestError::UnknownOwner("strategy"))?,
        instrument_id: instrument.id.clone(),
        entry_side: position.entry,
        size,
        entry_time: position.ts_opened,
        exit_time: position.ts_closed,
        entry_price,
        exit_price,
        pnl: position.realized_pnl(),
        commission: Money::new(position.commissions_raw, position.currency),
        funding: Money::new(position.funding_raw, position.currency),
        mae_pct: excursion.map(|(mae, _)| mae),
        mfe_pct: excursion.map(|(_, mfe)| mfe),
        tag: tags
            .get(&(position.strategy, position.instrument, position.ts_opened))
            .map(|t| (*t).to_string()),
    })
}

/// How much of a run its results keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Everything the exporters write.
    Full,
    /// What the stats need, as a sweep keeps of each run: no order
    /// records, trade tags or excursions, and a turnover of zero.
    Stats,
}

/// What a run is measured against: the primary instrument's closes in the
/// window (Buy & Hold) and their log returns (Beta). The same for every
/// run on the same data, so a sweep makes it once.
#[derive(Debug, Clone, PartialEq)]
pub struct Benchmark {
    pub closes: Vec<f64>,
    pub market: Option<MarketReturns>,
}

impl Benchmark {
    #[must_use]
    pub fn new(closes: Vec<f64>) -> Self {
        let market = MarketReturns::new(&closes);
        Self { closes, market }
    }
}

/// What results are built from besides the engine's output.
#[derive(Debug)]
pub struct ResultInputs<'a> {
    pub name: &'a str,
    /// The config's path, as shown.
    pub config: &'a str,
    pub benchmark: &'a Benchmark,
    /// The bars of each instrument (by index), for trade excursions.
    pub prices: &'a [&'a [Bar]],
    /// Bars replayed.
    pub bars: usize,
    pub warnings: Vec<String>,
    pub detail: Detail,
}

impl BacktestResult {
    /// Builds results from an engine's output.
    ///
    /// # Errors
    /// When the output is inconsistent (a position of an unknown instrument).
    pub fn build(mut output: RunOutput, inputs: ResultInputs<'_>) -> Result<Self, BacktestError> {
        let ResultInputs {
            name,
            config,
            benchmark,
            prices,
            bars,
            warnings,
            detail,
        } = inputs;
        // The orders move out of the cache as they are: reports read them
        // one at a time.
        let history = if detail == Detail::Full {
            output.cache.take_order_history()
        } else {
            OrderHistory::default()
        };
        let cache = &output.cache;
        let currency = output.report_currency;
        // Without prices, trades have no excursions.
        let prices = if detail == Detail::Full { prices } else { &[] };
        // One pass over every fill: each position's tag (that of a tagged
        // order of the same strategy and instrument that filled when the
        // position opened) and the value traded in the report currency.
        let mut tags: HashMap<OpeningFill, &str> = HashMap::new();
        let mut traded_raw: i128 = 0;
        for OrderRecord { order, events } in history.records() {
            let instrument = cache.instrument(order.instrument);
            for event in &events {
                let OrderEventKind::Filled(fill) = &event.kind else {
                    continue;
                };
                if let Some(tag) = history.tag(&order) {
                    let key = (order.strategy, order.instrument, event.ts_event);
                    tags.entry(key).or_insert(tag);
                }
                if let Some(Ok(value)) = instrument.map(|i| i.notional(fill.last_qty, fill.last_px))
                    && value.currency == currency
                {
                    traded_raw = traded_raw.saturating_add(value.raw.abs());
                }
            }
        }
        let mut trades = Vec::new();
        let mut open_trades = Vec::new();
        for position in cache.positions() {
            let t = trade(position, cache, &output.strategy_ids, prices, &tags)?;
            if t.is_closed() {
                trades.push(t)
            } else {
                open_trades.push(t)
            }
        }
        // Round trips in the order they closed; ties keep position order.
        trades.sort_by_key(|t| t.exit_time.unwrap_or(UnixNanos(i64::MAX)));
        // Backtesting.py's "Commissions [$]" sums its closed trades' fees:
        // those of positions still open are left out until they close.
        let open_fees: i128 = open_trades
            .iter()
            .filter(|t| t.commission.currency == currency)
            .map(|t| t.commission.raw)
            .sum();
        let commissions_raw: i128 = output
            .accounts
            .iter()
            .map(|a| a.commissions_raw(currency))
            .sum::<i128>()
            - open_fees;
        // The curve in floats once, for every statistic that reads it.
        let equity = output.curve.values();
        let day_returns = day_returns(&output.curve.ts, &equity);
        let raw = &output.curve.equity_raw;
        let final_and_peak = raw
            .last()
            .zip(raw.iter().max())
            .map(|(last, peak)| (Money::new(*last, currency), Money::new(*peak, currency)));
        let stats = Stats::compute(&StatsInput {
            equity_ts: &output.curve.ts,
            equity: &equity,
            final_and_peak,
            day_returns: &day_returns,
            closes: &benchmark.closes,
            market: benchmark.market.as_ref(),
            warmup: output.warmup,
            trades: &trades,
            commissions: Money::new(commissions_raw, currency),
        });
        let last_ts = output.curve.ts.last().copied().unwrap_or_default();
        let turnover = Turnover::compute(Money::new(traded_raw, currency), &equity);
        Ok(Self {
            name: name.to_string(),
            config: config.to_string(),
            report_currency: currency,
            bars,
            stats,
            trades,
            open_trades,
            orders: history,
            order_notes: output.cancel_reasons,
            equity: output.curve,
            accounts: output.accounts.iter().map(|a| a.state(last_ts)).collect(),
            margin_calls: output.margin_calls.len(),
            warnings: warnings.into_iter().chain(output.margin_calls).collect(),
            liquidations: output.liquidations,
            funding: output.funding_payments,
            chart: ChartData::default(),
            turnover,
            overlay_specs: output.overlays,
            analyses: Vec::new(),
            instrument_ids: cache
                .instruments()
                .iter()
                .map(|i| i.id.to_string())
                .collect(),
            observations: output.observations,
            day_returns,
        })
    }

    /// Runs `analyzers` over this run's equity and trades.
    #[must_use]
    pub fn analyze(&self, analyzers: &[crate::analysis::analyzers::Analyzer]) -> Vec<Analysis> {
        let equity = self.equity.values();
        let input = AnalysisInput {
            ts: &self.equity.ts,
            equity: &equity,
            trades: &self.trades,
            open_trades: &self.open_trades,
        };
        analyzers.iter().map(|a| a.analyze(&input)).collect()
    }

    /// The final equity in the report currency.
    #[must_use]
    pub fn final_equity(&self) -> Option<Money> {
        self.equity
            .equity_raw
            .last()
            .map(|raw| Money::new(*raw, self.report_currency))
    }
}
