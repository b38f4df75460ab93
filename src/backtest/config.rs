//! A validated run: raw TOML → checked, resolved types. Everything that can
//! be wrong with a config is found here, before any bar is read (a venue's
//! funding-rate file, a small table of its settings, is read here).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::Spanned;

use super::fx::FxTable;
use crate::analysis::analyzers::{Analyzer, Period};
use crate::analysis::sizers::Sizer;
use crate::core::enums::AccountType;
use crate::core::fixed::{self, FIXED_SCALAR};
use crate::core::identifiers::{InstrumentId, InstrumentIndex, StrategyId, VenueIndex};
use crate::core::time::parse_duration_ns;
use crate::core::{Currency, Money, Price, Quantity, UnixNanos};
use crate::data::{BarColumns, BarFileSpec, DataFormat, PriceDomain, TimestampFormat};
use crate::engine::matching::MarketPrice;
use crate::engine::risk::RiskLimits;
use crate::model::data::BarType;
use crate::model::instruments::{Instrument, InstrumentKind, OptionRight};
use crate::trading::builtin;
use crate::trading::params::{ParamValue, Params};
use crate::trading::script::{ScriptLimits, ScriptProgram};
use crate::venues::exchange::VenueConfig;
use crate::venues::funding::FundingSource;
use crate::venues::models::{FeeModel, FillModel, LatencyModel, SlippageModel};

use super::config_raw::{
    RawAnalyzer, RawConfig, RawData, RawFeeModel, RawFormat, RawFunding, RawInstrument,
    RawInstrumentKind, RawIntrabar, RawMarketFill, RawScriptLimits, RawSizer, RawStrategy,
    RawTimestampFormat, RawVenue,
};
use super::error::ConfigError;

mod analysis;
mod data;
mod instruments;
mod strategies;
mod venues;

use analysis::{analyzer, fx_table};
use data::data_spec;
use instruments::instrument;
use strategies::{params, sizer, strategy_logic};
use venues::{instrument_fee, venue};

pub use crate::engine::risk::MarginRates;

/// A venue with its account.
#[derive(Debug, Clone)]
pub struct VenueSpec {
    pub config: VenueConfig,
    pub account_type: AccountType,
    pub base_currency: Currency,
    pub starting_balances: Vec<Money>,
    pub leverage_raw: i128,
}

/// One bar file.
#[derive(Debug, Clone)]
pub struct DataSpec {
    pub file: BarFileSpec,
    pub bar_type: BarType,
    pub priority: u32,
}

/// What runs a strategy: a built-in by name, or a compiled script.
#[derive(Debug, Clone)]
pub enum StrategyLogic {
    Builtin(String),
    Script(Arc<ScriptProgram>),
}

impl StrategyLogic {
    /// The built-in's name or the script's file stem (for default ids).
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Self::Builtin(name) => name.clone(),
            Self::Script(program) => program.path.file_stem().map_or_else(
                || "script".to_string(),
                |s| s.to_string_lossy().into_owned(),
            ),
        }
    }
}

/// One strategy instance.
#[derive(Debug, Clone)]
pub struct StrategySpec {
    pub id: StrategyId,
    pub logic: StrategyLogic,
    pub instrument: InstrumentIndex,
    pub params: Params,
    /// Replaces the size of the strategy's orders that open or add to a
    /// position (orders that reduce keep their own size).
    pub sizer: Option<Sizer>,
}

/// Everything a run needs, checked.
#[derive(Debug, Clone)]
pub struct BacktestConfig {
    pub source: PathBuf,
    pub name: String,
    pub start: Option<UnixNanos>,
    pub end: Option<UnixNanos>,
    pub seed: u64,
    pub out_dir: PathBuf,
    /// Write the result tables as Parquet too.
    pub parquet: bool,
    /// After the last bar, cancel working orders and close open positions
    /// at the last close (Backtesting.py's `finalize_trades=True`).
    pub close_at_end: bool,
    /// Each binary instrument's outcome, when the config settles it: open
    /// positions close at 1 (it happened) or 0 after the last bar.
    pub settlements: Vec<Option<bool>>,
    /// What is replayed before trading starts (see [`Warmup`]).
    pub warmup: Option<Warmup>,
    /// Where the replay starts when it is before `start`: set by the
    /// runner from `warmup` and the data (`None` until then, and without
    /// a warm-up).
    pub replay_from: Option<UnixNanos>,
    pub venues: Vec<VenueSpec>,
    pub instruments: Vec<Instrument>,
    /// The venue of each instrument.
    pub instrument_venues: Vec<VenueIndex>,
    /// Per-instrument fee rates that replace the venue's percentage fees.
    pub instrument_fees: Vec<Option<FeeModel>>,
    /// Per-instrument margin rates (margin accounts).
    pub instrument_margins: Vec<MarginRates>,
    pub data: Vec<DataSpec>,
    pub strategies: Vec<StrategySpec>,
    pub risk: RiskLimits,
    /// `[[analyzers]]`, in config order.
    pub analyzers: Vec<Analyzer>,
    /// `[observers]`: off (`None`), every bar (`Some(None)`) or the last bar
    /// of every interval of so many ns.
    pub observe_every: Option<Option<i64>>,
    /// How balances in other currencies are converted.
    pub fx: FxTable,
}

impl BacktestConfig {
    /// Whether some venue charges funding on its perpetuals.
    #[must_use]
    pub fn has_funding(&self) -> bool {
        self.venues.iter().any(|v| !v.config.funding.is_empty())
    }
}

/// A config's path and text, for located errors (also used by the
/// `[optimize]` table's checks).
#[derive(Debug, Clone, Copy)]
pub struct Checker<'a> {
    pub path: &'a Path,
    pub source: &'a str,
}

impl Checker<'_> {
    /// An error at `span` of the text, naming `field`.
    #[must_use]
    pub fn fail(
        &self,
        span: std::ops::Range<usize>,
        field: &str,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError::at(self.path, self.source, span, field, message)
    }

    /// A decimal from a TOML number or string, as raw at the global scale.
    fn decimal(&self, value: &Spanned<toml::Value>, field: &str) -> Result<i128, ConfigError> {
        let text = match value.get_ref() {
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::String(s) => s.clone(),
            other => {
                return Err(self.fail(
                    value.span(),
                    field,
                    format!("expected a number, got {}", other.type_str()),
                ));
            }
        };
        fixed::parse_raw(&text)
            .map(|(raw, _)| raw)
            .map_err(|e| self.fail(value.span(), field, e.to_string()))
    }

    fn timestamp(&self, value: &Spanned<String>, field: &str) -> Result<UnixNanos, ConfigError> {
        UnixNanos::parse_rfc3339(value.get_ref())
            .map_err(|e| self.fail(value.span(), field, e.to_string()))
    }
}

/// Reads and checks a config file.
///
/// # Errors
/// A [`ConfigError`] with the file, line, column and field at fault.
pub fn load(path: &Path) -> Result<BacktestConfig, ConfigError> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::file(path, format!("cannot read: {e}")))?;
    parse(path, &source)
}

/// Checks config text read from `path`.
///
/// # Errors
/// A [`ConfigError`] with the line, column and field at fault.
pub fn parse(path: &Path, source: &str) -> Result<BacktestConfig, ConfigError> {
    let raw: RawConfig =
        toml::from_str(source).map_err(|e| ConfigError::from_toml(path, source, &e))?;
    let check = Checker { path, source };
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();

    if raw.backtest.name.trim().is_empty() {
        return Err(ConfigError::file(path, "[backtest] name must not be empty"));
    }
    // The default out_dir is out/<name>: a name that is not one plain
    // path component would write elsewhere (`../../x`, `/etc/x`).
    let name = &raw.backtest.name;
    let one_component = !name.contains(['/', '\\'])
        && name != "."
        && name != ".."
        && !name.chars().any(char::is_control);
    if !one_component {
        return Err(ConfigError::in_field(
            path,
            "backtest.name",
            format!(
                "'{}' is not a plain name: no slashes, '.', '..' or control characters (the results go to out/<name> unless out_dir says otherwise)",
                name.escape_default()
            ),
        ));
    }
    let start = raw
        .backtest
        .start
        .as_ref()
        .map(|s| check.timestamp(s, "backtest.start"))
        .transpose()?;
    let end = raw
        .backtest
        .end
        .as_ref()
        .map(|s| check.timestamp(s, "backtest.end"))
        .transpose()?;
    if let (Some(s), Some(e), Some(span)) = (start, end, raw.backtest.end.as_ref())
        && e <= s
    {
        return Err(check.fail(span.span(), "backtest.end", "must be after start"));
    }
    if raw.venues.is_empty() {
        return Err(ConfigError::file(path, "at least one [[venues]] is needed"));
    }
    let mut venues = raw
        .venues
        .iter()
        .map(|v| venue(&check, v))
        .collect::<Result<Vec<_>, _>>()?;
    let mut seen = BTreeSet::new();
    for v in &raw.venues {
        if !seen.insert(v.name.get_ref().clone()) {
            return Err(check.fail(
                v.name.span(),
                "venues.name",
                format!("venue '{}' is declared twice", v.name.get_ref()),
            ));
        }
    }

    let mut instruments = Vec::new();
    let mut instrument_venues = Vec::new();
    let mut instrument_fees = Vec::new();
    let mut instrument_margins = Vec::new();
    let mut settlements = Vec::new();
    for raw_inst in &raw.instruments {
        let id = raw_inst.id.get_ref();
        if instruments.iter().any(|i: &Instrument| &i.id == id) {
            return Err(check.fail(
                raw_inst.id.span(),
                "instruments.id",
                format!("instrument '{id}' is declared twice"),
            ));
        }
        let Some(venue_index) = raw
            .venues
            .iter()
            .position(|v| v.name.get_ref() == &id.venue)
        else {
            return Err(check.fail(
                raw_inst.id.span(),
                "instruments.id",
                format!(
                    "venue '{}' of '{id}' is not declared in [[venues]]",
                    id.venue
                ),
            ));
        };
        let inst = instrument(&check, raw_inst)?;
        let spec = &venues[venue_index];
        if spec.account_type == AccountType::Betting && !inst.is_binary() {
            return Err(check.fail(
                raw_inst.id.span(),
                "instruments.kind",
                format!(
                    "'{id}' is not a betting or prediction_market instrument, and venue '{}' keeps a betting account",
                    id.venue
                ),
            ));
        }
        settlements.push(instruments::settlement(&check, raw_inst)?);
        let settlement = inst.settlement_currency();
        if !spec
            .starting_balances
            .iter()
            .any(|m| m.currency == settlement)
            && spec.base_currency != settlement
        {
            return Err(check.fail(
                raw_inst.id.span(),
                "instruments.id",
                format!(
                    "'{id}' settles in {settlement}, but venue '{}' has no {settlement} balance",
                    id.venue
                ),
            ));
        }
        instrument_fees.push(instrument_fee(&check, raw_inst)?);
        instrument_margins.push(venues::instrument_margin(&check, raw_inst)?);
        instrument_venues.push(
            VenueIndex::from_usize(venue_index)
                .map_err(|e| ConfigError::file(path, e.to_string()))?,
        );
        instruments.push(inst);
    }
    if instruments.is_empty() {
        return Err(ConfigError::file(
            path,
            "at least one [[instruments]] is needed",
        ));
    }
    for (v, (raw_venue, spec)) in raw.venues.iter().zip(&mut venues).enumerate() {
        let Some(raw_funding) = &raw_venue.funding else {
            continue;
        };
        let perpetuals: Vec<(InstrumentIndex, &InstrumentId)> = instruments
            .iter()
            .zip(&instrument_venues)
            .enumerate()
            .filter(|(_, (inst, venue))| {
                venue.get() == v && matches!(inst.kind, InstrumentKind::CryptoPerpetual { .. })
            })
            .filter_map(|(i, (inst, _))| Some((InstrumentIndex::from_usize(i).ok()?, &inst.id)))
            .collect();
        spec.config.funding = venues::funding(
            &check,
            raw_funding,
            &base_dir,
            &perpetuals,
            instruments.len(),
        )?;
    }

    let index_of = |id: &Spanned<crate::core::identifiers::InstrumentId>,
                    field: &str|
     -> Result<InstrumentIndex, ConfigError> {
        instruments
            .iter()
            .position(|i| &i.id == id.get_ref())
            .and_then(|i| InstrumentIndex::from_usize(i).ok())
            .ok_or_else(|| {
                check.fail(
                    id.span(),
                    field,
                    format!(
                        "instrument '{}' is not declared in [[instruments]]",
                        id.get_ref()
                    ),
                )
            })
    };

    let mut data = Vec::new();
    for (position, raw_data) in raw.data.iter().enumerate() {
        let index = index_of(&raw_data.instrument, "data.instrument")?;
        data.push(data_spec(
            &check,
            raw_data,
            index,
            &instruments[index.get()],
            &base_dir,
            position,
        )?);
    }
    if data.is_empty() {
        return Err(ConfigError::file(
            path,
            "at least one [[data]] file is needed",
        ));
    }

    let mut strategies = Vec::new();
    for (n, raw_strategy) in raw.strategies.iter().enumerate() {
        let instrument = index_of(&raw_strategy.instrument, "strategies.instrument")?;
        if !data.iter().any(|d| d.file.instrument == instrument) {
            return Err(check.fail(
                raw_strategy.instrument.span(),
                "strategies.instrument",
                format!("no [[data]] feeds '{}'", raw_strategy.instrument.get_ref()),
            ));
        }
        let (logic, name_span) = strategy_logic(&check, raw_strategy, &base_dir)?;
        let id = match &raw_strategy.id {
            Some(id) => id.get_ref().clone(),
            None => StrategyId::new(&format!("{}-{}", logic.name(), n + 1))
                .map_err(|e| check.fail(name_span.clone(), "strategies", e.to_string()))?,
        };
        if strategies.iter().any(|s: &StrategySpec| s.id == id) {
            let span = raw_strategy.id.as_ref().map_or(name_span, Spanned::span);
            return Err(check.fail(
                span,
                "strategies.id",
                format!("strategy id '{id}' is used twice"),
            ));
        }
        let params = params(&check, &raw_strategy.params)?;
        if let StrategyLogic::Builtin(name) = &logic {
            // Build once now so bad parameters fail before data is read.
            if let Err(e) = builtin::build(name, instrument, &params) {
                let (span, field) = match &e {
                    builtin::BuiltinError::Param(p) => (
                        raw_strategy
                            .params
                            .get(&p.name)
                            .map_or(name_span, Spanned::span),
                        format!("strategies.params.{}", p.name),
                    ),
                    builtin::BuiltinError::Unknown(_) => {
                        (name_span, "strategies.builtin".to_string())
                    }
                };
                return Err(check.fail(span, &field, e.to_string()));
            }
        }
        let sizer = raw_strategy
            .sizer
            .as_ref()
            .map(|raw| sizer(&check, raw))
            .transpose()?;
        strategies.push(StrategySpec {
            id,
            logic,
            instrument,
            params,
            sizer,
        });
    }
    if strategies.is_empty() {
        return Err(ConfigError::file(
            path,
            "at least one [[strategies]] is needed",
        ));
    }

    let fx = fx_table(
        &check,
        &raw,
        &venues,
        &instruments,
        &instrument_venues,
        &data,
    )?;

    let risk = RiskLimits {
        max_order_quantity: raw.risk.max_order_quantity,
        max_position: raw.risk.max_position,
        max_order_notional: raw.risk.max_notional_per_order,
    };
    let out_dir = raw.backtest.out_dir.as_deref().map_or_else(
        || PathBuf::from("out").join(&raw.backtest.name),
        PathBuf::from,
    );
    Ok(BacktestConfig {
        source: path.to_path_buf(),
        name: raw.backtest.name.clone(),
        start,
        end,
        seed: raw.backtest.seed,
        out_dir,
        parquet: raw.backtest.parquet,
        close_at_end: raw.backtest.close_at_end,
        settlements,
        warmup: raw
            .backtest
            .warmup
            .as_ref()
            .map(|w| warmup(&check, w))
            .transpose()?,
        replay_from: None,
        venues,
        instruments,
        instrument_venues,
        instrument_fees,
        instrument_margins,
        data,
        strategies,
        risk,
        analyzers: raw
            .analyzers
            .iter()
            .map(|a| analyzer(&check, a))
            .collect::<Result<_, _>>()?,
        fx,
        observe_every: raw
            .observers
            .as_ref()
            .map(|o| match o.every.get_ref().as_str() {
                "bar" => Ok(None),
                text => parse_duration_ns(text)
                    .map(Some)
                    .map_err(|e| check.fail(o.every.span(), "observers.every", e)),
            })
            .transpose()?,
    })
}

/// Bars fed to strategies and indicators before trading starts: no order
/// is accepted and no equity recorded before `start` (or, without a
/// `start`, before the end of the warm-up from the first bar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warmup {
    /// This many bars of the first strategy's instrument.
    Bars(usize),
    /// This long, in nanoseconds.
    Span(i64),
}

fn warmup(check: &Checker<'_>, raw: &toml::Spanned<toml::Value>) -> Result<Warmup, ConfigError> {
    let fail = |message: String| check.fail(raw.span(), "backtest.warmup", message);
    match raw.get_ref() {
        toml::Value::Integer(n) if (1..=10_000_000).contains(n) => {
            Ok(Warmup::Bars(usize::try_from(*n).unwrap_or(0)))
        }
        toml::Value::String(text) => crate::core::time::parse_duration_ns(text)
            .map(Warmup::Span)
            .map_err(fail),
        other => Err(fail(format!(
            "expected a number of bars from 1 to 10,000,000 or a duration like \"30d\", got {other}"
        ))),
    }
}
