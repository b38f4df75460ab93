//! The TOML schema as written (`deny_unknown_fields` everywhere). Values
//! with their own syntax (money, ids, enums) are parsed while the TOML is
//! read, so their errors carry the line and column; cross-references keep
//! their spans for the checks in `config`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::core::enums::{AccountType, OmsType};
use crate::core::identifiers::{InstrumentId, StrategyId, Venue};
use crate::core::{Currency, Money, Quantity};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub backtest: RawBacktest,
    #[serde(default)]
    pub venues: Vec<RawVenue>,
    #[serde(default)]
    pub instruments: Vec<RawInstrument>,
    #[serde(default)]
    pub data: Vec<RawData>,
    #[serde(default)]
    pub strategies: Vec<RawStrategy>,
    #[serde(default)]
    pub risk: RawRisk,
    #[serde(default)]
    pub analyzers: Vec<RawAnalyzer>,
    pub observers: Option<RawObservers>,
    /// Fixed exchange rates, `"EUR/USD" = 1.085` (USD per EUR).
    #[serde(default)]
    pub fx_rates: BTreeMap<String, Spanned<toml::Value>>,
    /// `[optimize]`: what `bt optimize` searches; its schema and checks
    /// live in `optimization::spec`, so a run ignores it.
    #[serde(default, rename = "optimize")]
    pub _optimize: Option<serde::de::IgnoredAny>,
    /// `[walk_forward]`: how `bt walk-forward` windows the data; checked
    /// in `optimization::walk_forward::spec`.
    #[serde(default, rename = "walk_forward")]
    pub _walk_forward: Option<serde::de::IgnoredAny>,
}

/// `[observers] every = "1h"` (or `"bar"`): curves written to observers.csv.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawObservers {
    pub every: Spanned<String>,
}

/// `[[analyzers]] kind = "returns" | "drawdown" | "trades" | "exposure" |
/// "period_returns"`, with `top` (drawdown) or `period` (period_returns).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAnalyzer {
    pub kind: Spanned<String>,
    pub period: Option<Spanned<String>>,
    pub top: Option<Spanned<usize>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBacktest {
    pub name: String,
    pub start: Option<Spanned<String>>,
    pub end: Option<Spanned<String>>,
    #[serde(default)]
    pub seed: u64,
    pub out_dir: Option<String>,
    /// Also write the result tables as Parquet.
    #[serde(default)]
    pub parquet: bool,
    /// Close every open trade at the last bar's close.
    #[serde(default)]
    pub close_at_end: bool,
    /// Bars (an integer) or a duration (`"30d"`) replayed before trading
    /// starts.
    pub warmup: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RawMarketFill {
    #[default]
    NextOpen,
    Mid,
    Worst,
}

#[derive(Debug, Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RawIntrabar {
    #[default]
    Nearest,
    Pessimistic,
}

/// `{ kind = "percentage", maker, taker }`, `{ kind = "flat", amount }` or
/// `{ kind = "per_unit", amount }` (a struct, not a tagged enum, so the
/// values keep their spans).
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawFeeModel {
    pub kind: Spanned<String>,
    pub maker: Option<Spanned<toml::Value>>,
    pub taker: Option<Spanned<toml::Value>>,
    pub amount: Option<Money>,
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawSlippage {
    #[serde(default)]
    pub ticks: u32,
    /// Price impact of a fill's share of the bar's volume (0 to 1).
    pub volume_impact: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct RawLatency {
    #[serde(default)]
    pub base_ms: u64,
    #[serde(default)]
    pub jitter_ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVenue {
    pub name: Spanned<Venue>,
    #[serde(default = "default_oms")]
    pub oms: OmsType,
    #[serde(default = "default_account")]
    pub account: AccountType,
    pub base_currency: Currency,
    pub starting_balances: Vec<Money>,
    pub leverage: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub fill_model: RawMarketFill,
    #[serde(default)]
    pub intrabar: RawIntrabar,
    pub fee_model: Option<RawFeeModel>,
    #[serde(default)]
    pub slippage: RawSlippage,
    #[serde(default)]
    pub latency: RawLatency,
    pub max_notional_per_order: Option<Money>,
    /// Margin accounts: close every position at the close of a bar whose
    /// equity fell below the maintenance margin (default true).
    pub liquidation: Option<bool>,
    /// The largest share of a bar's volume the venue fills (0 < x ≤ 1).
    pub max_volume_share: Option<Spanned<toml::Value>>,
    /// Funding payments on the venue's perpetuals.
    pub funding: Option<Spanned<RawFunding>>,
}

/// `[venues.funding]`: a fixed `rate` every `interval`, or a `file` of
/// rates at their funding times.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFunding {
    pub rate: Option<Spanned<toml::Value>>,
    pub interval: Option<Spanned<String>>,
    pub file: Option<Spanned<String>>,
    /// The file's timestamps (a file only).
    pub timestamp_format: Option<RawTimestampFormat>,
}

const fn default_oms() -> OmsType {
    OmsType::Netting
}

const fn default_account() -> AccountType {
    AccountType::Cash
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RawInstrumentKind {
    Equity,
    FxPair,
    CryptoPerpetual,
    Future,
    Option,
    Betting,
    PredictionMarket,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInstrument {
    pub id: Spanned<InstrumentId>,
    pub kind: RawInstrumentKind,
    pub currency: Currency,
    pub price_precision: u8,
    pub size_precision: u8,
    pub price_increment: Option<Spanned<String>>,
    pub size_increment: Option<Spanned<String>>,
    pub multiplier: Option<Quantity>,
    pub min_quantity: Option<Quantity>,
    pub max_quantity: Option<Quantity>,
    pub maker_fee: Option<Spanned<toml::Value>>,
    pub taker_fee: Option<Spanned<toml::Value>>,
    /// Initial margin as a share of notional (margin accounts; default
    /// 1 / the venue's leverage).
    pub margin_init: Option<Spanned<toml::Value>>,
    /// Maintenance margin as a share of notional (default half the
    /// initial).
    pub margin_maint: Option<Spanned<toml::Value>>,
    // Kind-specific fields, checked against the kind.
    pub base_currency: Option<Currency>,
    pub is_inverse: Option<bool>,
    pub underlying: Option<String>,
    pub expiry: Option<Spanned<String>>,
    pub strike: Option<Spanned<String>>,
    pub right: Option<Spanned<String>>,
    pub market: Option<String>,
    pub selection: Option<String>,
    pub outcome: Option<String>,
    /// Binary instruments: 1 when the outcome happened (the selection
    /// won), 0 when not; open positions settle at it after the last bar.
    pub settlement: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawColumns {
    pub timestamp: Option<String>,
    pub open: Option<String>,
    pub high: Option<String>,
    pub low: Option<String>,
    pub close: Option<String>,
    pub volume: Option<String>,
}

#[derive(Debug, Deserialize, Clone, Copy, Default)]
#[serde(rename_all = "snake_case")]
pub enum RawTimestampFormat {
    #[default]
    Rfc3339,
    UnixS,
    UnixMs,
    UnixUs,
    UnixNs,
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum RawFormat {
    Csv,
    Parquet,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawData {
    pub instrument: Spanned<InstrumentId>,
    pub path: Spanned<String>,
    pub format: Option<RawFormat>,
    pub bar_type: Option<Spanned<String>>,
    #[serde(default)]
    pub columns: RawColumns,
    #[serde(default)]
    pub timestamp_format: RawTimestampFormat,
    #[serde(default)]
    pub sort: bool,
    /// Lower replays first among bars with the same timestamp.
    pub priority: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStrategy {
    pub id: Option<Spanned<StrategyId>>,
    /// One of `builtin` (a name) or `script` (a Rhai file).
    pub builtin: Option<Spanned<String>>,
    pub script: Option<Spanned<String>>,
    /// Resource limits of a script (each optional).
    pub limits: Option<Spanned<RawScriptLimits>>,
    pub instrument: Spanned<InstrumentId>,
    #[serde(default)]
    pub params: BTreeMap<String, Spanned<toml::Value>>,
    pub sizer: Option<RawSizer>,
}

/// `limits = { max_operations = 5_000_000 }` under a script strategy.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawScriptLimits {
    pub max_operations: Option<u64>,
    pub max_call_levels: Option<usize>,
    pub max_expr_depth: Option<usize>,
    pub max_string_size: Option<usize>,
    pub max_array_size: Option<usize>,
    pub max_map_size: Option<usize>,
    pub max_indicator_bytes: Option<usize>,
    pub max_orders: Option<u64>,
}

/// `{ kind = "fixed_quantity", quantity = "10" }`,
/// `{ kind = "fraction_of_equity", fraction = 0.5 }`, `{ kind = "all_in" }`,
/// `{ kind = "fixed_risk", risk = 0.01, atr_period = 14, atr_multiple = 2 }`,
/// `{ kind = "kelly", cap = 0.5, min_trades = 20 }` or
/// `{ kind = "volatility_target", target = 0.15, lookback = 20 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSizer {
    pub kind: Spanned<String>,
    pub quantity: Option<Quantity>,
    pub fraction: Option<Spanned<toml::Value>>,
    /// fixed_risk: fraction of equity risked per trade.
    pub risk: Option<Spanned<f64>>,
    pub atr_period: Option<Spanned<usize>>,
    pub atr_multiple: Option<Spanned<f64>>,
    /// kelly: the largest fraction, and trades needed before Kelly applies.
    pub cap: Option<Spanned<f64>>,
    pub min_trades: Option<usize>,
    /// volatility_target: annual volatility aimed at, and returns measured.
    pub target: Option<Spanned<f64>>,
    pub lookback: Option<Spanned<usize>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawRisk {
    pub max_order_quantity: Option<Quantity>,
    pub max_position: Option<Quantity>,
    pub max_notional_per_order: Option<Money>,
}
