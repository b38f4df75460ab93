//! A validated run: raw TOML → checked, resolved types. Everything that can
//! be wrong with a config is found here, before any data is read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::Spanned;

use super::fx::FxTable;
use crate::analysis::analyzers::{Analyzer, Period};
use crate::analysis::sizers::Sizer;
use crate::core::enums::AccountType;
use crate::core::fixed::{self, FIXED_SCALAR};
use crate::core::identifiers::{InstrumentIndex, StrategyId, VenueIndex};
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
use crate::venues::models::{FeeModel, FillModel, LatencyModel, SlippageModel};

use super::config_raw::{
    RawAnalyzer, RawConfig, RawData, RawFeeModel, RawFormat, RawInstrument, RawInstrumentKind,
    RawIntrabar, RawMarketFill, RawScriptLimits, RawSizer, RawStrategy, RawTimestampFormat,
    RawVenue,
};
use super::error::ConfigError;

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
    let venues = raw
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

fn rate(
    check: &Checker<'_>,
    value: Option<&Spanned<toml::Value>>,
    field: &str,
) -> Result<i128, ConfigError> {
    let Some(value) = value else { return Ok(0) };
    let raw = check.decimal(value, field)?;
    if !(0..=FIXED_SCALAR).contains(&raw) {
        return Err(check.fail(
            value.span(),
            field,
            "a fee rate must be between 0 and 1 (0.001 = 0.1 %)",
        ));
    }
    Ok(raw)
}

fn venue(check: &Checker<'_>, raw: &RawVenue) -> Result<VenueSpec, ConfigError> {
    if raw.starting_balances.is_empty() {
        return Err(check.fail(
            raw.name.span(),
            "venues.starting_balances",
            "at least one starting balance is needed",
        ));
    }
    if let Some(m) = raw.starting_balances.iter().find(|m| m.raw < 0) {
        return Err(check.fail(
            raw.name.span(),
            "venues.starting_balances",
            format!("starting balance {m} is negative"),
        ));
    }
    let leverage_raw = match &raw.leverage {
        None => FIXED_SCALAR,
        Some(value) => {
            let lev = check.decimal(value, "venues.leverage")?;
            if lev < FIXED_SCALAR {
                return Err(check.fail(value.span(), "venues.leverage", "must be at least 1"));
            }
            if raw.account == AccountType::Cash && lev != FIXED_SCALAR {
                return Err(check.fail(
                    value.span(),
                    "venues.leverage",
                    "a cash account has no leverage: use account = \"margin\"",
                ));
            }
            lev
        }
    };
    if raw.account == AccountType::Betting {
        return Err(check.fail(
            raw.name.span(),
            "venues.account",
            "betting accounts are not supported yet: use cash or margin",
        ));
    }
    let fees = match &raw.fee_model {
        None => FeeModel::default(),
        Some(model) => fee_model(check, model)?,
    };
    let ms = |v: u64| {
        i64::try_from(v)
            .unwrap_or(i64::MAX / 1_000_000)
            .saturating_mul(1_000_000)
    };
    Ok(VenueSpec {
        config: VenueConfig {
            venue: raw.name.get_ref().clone(),
            oms: raw.oms,
            fill: FillModel {
                market_price: match raw.fill_model {
                    RawMarketFill::NextOpen => MarketPrice::Open,
                    RawMarketFill::Mid => MarketPrice::Mid,
                    RawMarketFill::Worst => MarketPrice::Worst,
                },
                pessimistic: raw.intrabar == RawIntrabar::Pessimistic,
            },
            fees,
            slippage: SlippageModel {
                ticks: raw.slippage.ticks,
            },
            latency: LatencyModel {
                base_ns: ms(raw.latency.base_ms),
                jitter_ns: ms(raw.latency.jitter_ms),
            },
            max_order_notional: raw.max_notional_per_order,
        },
        account_type: raw.account,
        base_currency: raw.base_currency,
        starting_balances: raw.starting_balances.clone(),
        leverage_raw,
    })
}

fn sizer(check: &Checker<'_>, raw: &RawSizer) -> Result<Sizer, ConfigError> {
    let kind = raw.kind.get_ref().as_str();
    let span = raw.kind.span();
    let fail = |field: &str, message: String| {
        check.fail(
            raw.kind.span(),
            &format!("strategies.sizer.{field}"),
            message,
        )
    };
    // Each kind's fields; any other field given is an error.
    let (fields, sizer): (&[&str], Result<Sizer, ConfigError>) = match kind {
        "fixed_quantity" => (
            &["quantity"],
            match raw.quantity {
                Some(q) if !q.is_zero() => Ok(Sizer::FixedQuantity(q)),
                _ => Err(fail(
                    "quantity",
                    "fixed_quantity needs a positive 'quantity'".into(),
                )),
            },
        ),
        "fraction_of_equity" => (
            &["fraction"],
            match &raw.fraction {
                Some(value) => {
                    let fraction = check.decimal(value, "strategies.sizer.fraction")?;
                    if fraction <= 0 || fraction > FIXED_SCALAR {
                        Err(check.fail(
                            value.span(),
                            "strategies.sizer.fraction",
                            "must be in (0, 1]",
                        ))
                    } else {
                        Ok(Sizer::FractionOfEquity(fraction))
                    }
                }
                None => Err(fail(
                    "fraction",
                    "fraction_of_equity needs 'fraction'".into(),
                )),
            },
        ),
        "all_in" => (&[], Ok(Sizer::FractionOfEquity(FIXED_SCALAR))),
        "fixed_risk" => (
            &["risk", "atr_period", "atr_multiple"],
            (|| {
                let risk = in_range(check, &span, raw.risk.as_ref(), "risk", 0.0, 1.0)?;
                let atr_multiple = in_range(
                    check,
                    &span,
                    raw.atr_multiple.as_ref(),
                    "atr_multiple",
                    0.0,
                    1e6,
                )?;
                let atr_period = positive(check, &span, raw.atr_period.as_ref(), "atr_period")?;
                Ok(Sizer::FixedRisk {
                    risk,
                    atr_period,
                    atr_multiple,
                })
            })(),
        ),
        "kelly" => (
            &["cap", "min_trades"],
            in_range(check, &span, raw.cap.as_ref(), "cap", 0.0, 1.0).map(|cap| Sizer::Kelly {
                cap,
                min_trades: raw.min_trades.unwrap_or(20),
            }),
        ),
        "volatility_target" => (
            &["target", "lookback"],
            (|| {
                let target = in_range(check, &span, raw.target.as_ref(), "target", 0.0, 100.0)?;
                let lookback = positive(check, &span, raw.lookback.as_ref(), "lookback")?;
                if lookback < 2 {
                    return Err(fail("lookback", "lookback needs at least 2 returns".into()));
                }
                Ok(Sizer::VolatilityTarget { target, lookback })
            })(),
        ),
        other => {
            return Err(check.fail(
                raw.kind.span(),
                "strategies.sizer.kind",
                format!(
                    "unknown sizer '{other}' (expected fixed_quantity, fraction_of_equity, all_in, fixed_risk, kelly or volatility_target)"
                ),
            ));
        }
    };
    let given = [
        ("quantity", raw.quantity.is_some()),
        ("fraction", raw.fraction.is_some()),
        ("risk", raw.risk.is_some()),
        ("atr_period", raw.atr_period.is_some()),
        ("atr_multiple", raw.atr_multiple.is_some()),
        ("cap", raw.cap.is_some()),
        ("min_trades", raw.min_trades.is_some()),
        ("target", raw.target.is_some()),
        ("lookback", raw.lookback.is_some()),
    ];
    if let Some((field, _)) = given.iter().find(|(f, set)| *set && !fields.contains(f)) {
        return Err(fail(
            field,
            format!("'{field}' does not apply to the {kind} sizer"),
        ));
    }
    sizer
}

/// A required number in (low, high].
fn in_range(
    check: &Checker<'_>,
    kind: &std::ops::Range<usize>,
    value: Option<&Spanned<f64>>,
    field: &str,
    low: f64,
    high: f64,
) -> Result<f64, ConfigError> {
    let field = format!("strategies.sizer.{field}");
    let Some(value) = value else {
        return Err(check.fail(kind.clone(), &field, "is required for this sizer"));
    };
    let x = *value.get_ref();
    if x > low && x <= high {
        Ok(x)
    } else {
        Err(check.fail(
            value.span(),
            &field,
            format!("must be in ({low}, {high}], got {x}"),
        ))
    }
}

/// A required whole number ≥ 1.
fn positive(
    check: &Checker<'_>,
    kind: &std::ops::Range<usize>,
    value: Option<&Spanned<usize>>,
    field: &str,
) -> Result<usize, ConfigError> {
    let field = format!("strategies.sizer.{field}");
    let most = crate::indicators::MAX_PERIOD;
    match value {
        Some(v) if (1..=most).contains(v.get_ref()) => Ok(*v.get_ref()),
        Some(v) => Err(check.fail(v.span(), &field, format!("must be from 1 to {most}"))),
        None => Err(check.fail(kind.clone(), &field, "is required for this sizer")),
    }
}

/// `[fx_rates]` plus the fx_pair instruments with data, checked to cover
/// every currency an account holds or settles in, and every venue's base
/// currency against the report currency (the first venue's).
fn fx_table(
    check: &Checker<'_>,
    raw: &RawConfig,
    venues: &[VenueSpec],
    instruments: &[Instrument],
    instrument_venues: &[VenueIndex],
    data: &[DataSpec],
) -> Result<FxTable, ConfigError> {
    let mut fixed = Vec::new();
    for (pair, value) in &raw.fx_rates {
        let field = format!("fx_rates.{pair}");
        let currencies = pair.split_once('/').and_then(|(a, b)| {
            Some((
                a.trim().parse::<Currency>().ok()?,
                b.trim().parse::<Currency>().ok()?,
            ))
        });
        let Some((from, to)) = currencies else {
            return Err(check.fail(
                value.span(),
                &field,
                format!("'{pair}' is not a pair of known currencies like \"EUR/USD\""),
            ));
        };
        if from == to {
            return Err(check.fail(
                value.span(),
                &field,
                format!("'{pair}' converts {from} into itself: its rate is always 1, remove it"),
            ));
        }
        let rate = check.decimal(value, &field)?;
        if rate <= 0 {
            return Err(check.fail(value.span(), &field, "a rate must be positive"));
        }
        fixed.push((from, to, rate));
    }
    let fed: Vec<bool> = (0..instruments.len())
        .map(|i| data.iter().any(|d| d.file.instrument.get() == i))
        .collect();
    let table = FxTable::new(&fixed, instruments, &fed);
    let report = venues.first().map_or(Currency::USD, |v| v.base_currency);
    for (v, venue) in venues.iter().enumerate() {
        let held = venue.starting_balances.iter().map(|m| m.currency);
        let settled = instruments
            .iter()
            .zip(instrument_venues)
            .filter(|(_, iv)| iv.get() == v)
            .map(|(i, _)| i.settlement_currency());
        let mut needed: Vec<(Currency, Currency)> = held
            .chain(settled)
            .map(|c| (c, venue.base_currency))
            .collect();
        needed.push((venue.base_currency, report));
        if let Some((from, to)) = needed
            .into_iter()
            .find(|(from, to)| !table.can_convert(*from, *to))
        {
            return Err(ConfigError::file(
                check.path,
                format!(
                    "venue '{}' needs {from} in {to} to value its account: add an fx_pair instrument with [[data]] quoting {from} in {to}, or [fx_rates] \"{from}/{to}\" = <rate>",
                    venue.config.venue
                ),
            ));
        }
    }
    Ok(table)
}

fn analyzer(check: &Checker<'_>, raw: &RawAnalyzer) -> Result<Analyzer, ConfigError> {
    let kind = raw.kind.get_ref().as_str();
    let misplaced = match kind {
        "period_returns" => raw.top.as_ref().map(|t| ("top", t.span())),
        "drawdown" => raw.period.as_ref().map(|p| ("period", p.span())),
        _ => raw
            .top
            .as_ref()
            .map(|t| ("top", t.span()))
            .or(raw.period.as_ref().map(|p| ("period", p.span()))),
    };
    if let Some((field, span)) = misplaced {
        return Err(check.fail(
            span,
            &format!("analyzers.{field}"),
            format!("'{field}' does not apply to the {kind} analyzer"),
        ));
    }
    match kind {
        "returns" => Ok(Analyzer::Returns),
        "drawdown" => Ok(Analyzer::Drawdown {
            top: raw.top.as_ref().map_or(5, |t| *t.get_ref()),
        }),
        "trades" => Ok(Analyzer::Trades),
        "exposure" => Ok(Analyzer::Exposure),
        "period_returns" => match raw.period.as_ref().map(|p| p.get_ref().as_str()) {
            None | Some("monthly") => Ok(Analyzer::PeriodReturns(Period::Monthly)),
            Some("yearly") => Ok(Analyzer::PeriodReturns(Period::Yearly)),
            Some(other) => Err(check.fail(
                raw.period.as_ref().map_or(raw.kind.span(), Spanned::span),
                "analyzers.period",
                format!("unknown period '{other}' (expected monthly or yearly)"),
            )),
        },
        other => Err(check.fail(
            raw.kind.span(),
            "analyzers.kind",
            format!(
                "unknown analyzer '{other}' (expected returns, drawdown, trades, exposure or period_returns)"
            ),
        )),
    }
}

fn fee_model(check: &Checker<'_>, raw: &RawFeeModel) -> Result<FeeModel, ConfigError> {
    let kind = raw.kind.get_ref().as_str();
    let misplaced = match kind {
        "percentage" => raw.amount.is_some().then_some("amount"),
        "flat" | "per_unit" => raw
            .maker
            .as_ref()
            .map(|_| "maker")
            .or(raw.taker.as_ref().map(|_| "taker")),
        _ => None,
    };
    if let Some(field) = misplaced {
        return Err(check.fail(
            raw.kind.span(),
            &format!("venues.fee_model.{field}"),
            format!("'{field}' does not apply to fee model '{kind}'"),
        ));
    }
    let amount = || {
        raw.amount.ok_or_else(|| {
            check.fail(
                raw.kind.span(),
                "venues.fee_model.amount",
                format!("fee model '{kind}' needs 'amount', e.g. \"1.00 USD\""),
            )
        })
    };
    Ok(match kind {
        "percentage" => FeeModel::Percentage {
            maker_raw: rate(check, raw.maker.as_ref(), "venues.fee_model.maker")?,
            taker_raw: rate(check, raw.taker.as_ref(), "venues.fee_model.taker")?,
        },
        "flat" => FeeModel::FlatPerOrder { amount: amount()? },
        "per_unit" => FeeModel::PerUnit { amount: amount()? },
        other => {
            return Err(check.fail(
                raw.kind.span(),
                "venues.fee_model.kind",
                format!("unknown fee model '{other}' (expected percentage, flat or per_unit)"),
            ));
        }
    })
}

fn instrument_fee(
    check: &Checker<'_>,
    raw: &RawInstrument,
) -> Result<Option<FeeModel>, ConfigError> {
    if raw.maker_fee.is_none() && raw.taker_fee.is_none() {
        return Ok(None);
    }
    Ok(Some(FeeModel::Percentage {
        maker_raw: rate(check, raw.maker_fee.as_ref(), "instruments.maker_fee")?,
        taker_raw: rate(check, raw.taker_fee.as_ref(), "instruments.taker_fee")?,
    }))
}

fn instrument(check: &Checker<'_>, raw: &RawInstrument) -> Result<Instrument, ConfigError> {
    let span = raw.id.span();
    let need = |field: &str, present: bool| -> Result<(), ConfigError> {
        if present {
            Ok(())
        } else {
            Err(check.fail(
                span.clone(),
                &format!("instruments.{field}"),
                format!("kind {:?} needs '{field}'", raw.kind),
            ))
        }
    };
    let expiry = |field: &str| -> Result<UnixNanos, ConfigError> {
        need(field, raw.expiry.is_some())?;
        raw.expiry.as_ref().map_or(Ok(UnixNanos(0)), |e| {
            check.timestamp(e, "instruments.expiry")
        })
    };
    // Fields that belong to other kinds are mistakes, not silently ignored.
    let extras: [(&str, bool, &[RawInstrumentKind]); 9] = [
        (
            "base_currency",
            raw.base_currency.is_some(),
            &[
                RawInstrumentKind::FxPair,
                RawInstrumentKind::CryptoPerpetual,
            ],
        ),
        (
            "is_inverse",
            raw.is_inverse.is_some(),
            &[RawInstrumentKind::CryptoPerpetual],
        ),
        (
            "underlying",
            raw.underlying.is_some(),
            &[RawInstrumentKind::Future, RawInstrumentKind::Option],
        ),
        (
            "expiry",
            raw.expiry.is_some(),
            &[
                RawInstrumentKind::Future,
                RawInstrumentKind::Option,
                RawInstrumentKind::PredictionMarket,
            ],
        ),
        ("strike", raw.strike.is_some(), &[RawInstrumentKind::Option]),
        ("right", raw.right.is_some(), &[RawInstrumentKind::Option]),
        (
            "market",
            raw.market.is_some(),
            &[RawInstrumentKind::Betting],
        ),
        (
            "selection",
            raw.selection.is_some(),
            &[RawInstrumentKind::Betting],
        ),
        (
            "outcome",
            raw.outcome.is_some(),
            &[RawInstrumentKind::PredictionMarket],
        ),
    ];
    for (field, present, kinds) in extras {
        if present && !kinds.contains(&raw.kind) {
            return Err(check.fail(
                span.clone(),
                &format!("instruments.{field}"),
                format!("'{field}' does not apply to kind {:?}", raw.kind),
            ));
        }
    }
    let kind = match raw.kind {
        RawInstrumentKind::Equity => InstrumentKind::Equity,
        RawInstrumentKind::FxPair => {
            need("base_currency", raw.base_currency.is_some())?;
            InstrumentKind::CurrencyPair {
                base_currency: raw.base_currency.unwrap_or(raw.currency),
            }
        }
        RawInstrumentKind::CryptoPerpetual => {
            need("base_currency", raw.base_currency.is_some())?;
            InstrumentKind::CryptoPerpetual {
                base_currency: raw.base_currency.unwrap_or(raw.currency),
                is_inverse: raw.is_inverse.unwrap_or(false),
            }
        }
        RawInstrumentKind::Future => {
            need("underlying", raw.underlying.is_some())?;
            InstrumentKind::Future {
                underlying: raw.underlying.clone().unwrap_or_default(),
                expiry: expiry("expiry")?,
            }
        }
        RawInstrumentKind::Option => {
            need("underlying", raw.underlying.is_some())?;
            need("strike", raw.strike.is_some())?;
            need("right", raw.right.is_some())?;
            let strike = raw.strike.as_ref().map_or(Ok(Price::default()), |s| {
                Price::parse(s.get_ref(), raw.price_precision)
                    .map_err(|e| check.fail(s.span(), "instruments.strike", e.to_string()))
            })?;
            let right = match raw
                .right
                .as_ref()
                .map(|r| r.get_ref().to_ascii_lowercase())
                .as_deref()
            {
                Some("call") => OptionRight::Call,
                Some("put") => OptionRight::Put,
                _ => {
                    return Err(check.fail(
                        raw.right.as_ref().map_or(span.clone(), Spanned::span),
                        "instruments.right",
                        "expected \"call\" or \"put\"",
                    ));
                }
            };
            InstrumentKind::Option {
                underlying: raw.underlying.clone().unwrap_or_default(),
                strike,
                right,
                expiry: expiry("expiry")?,
            }
        }
        RawInstrumentKind::Betting => {
            need("market", raw.market.is_some())?;
            need("selection", raw.selection.is_some())?;
            InstrumentKind::Betting {
                market: raw.market.clone().unwrap_or_default(),
                selection: raw.selection.clone().unwrap_or_default(),
            }
        }
        RawInstrumentKind::PredictionMarket => {
            need("outcome", raw.outcome.is_some())?;
            let expiry = raw
                .expiry
                .as_ref()
                .map(|e| check.timestamp(e, "instruments.expiry"))
                .transpose()?;
            InstrumentKind::PredictionMarket {
                outcome: raw.outcome.clone().unwrap_or_default(),
                expiry,
            }
        }
    };
    let mut inst = Instrument::new(
        raw.id.get_ref().clone(),
        kind,
        raw.currency,
        raw.price_precision,
        raw.size_precision,
    )
    .map_err(|e| check.fail(span.clone(), "instruments.price_precision", e.to_string()))?;
    if let Some(inc) = &raw.price_increment {
        inst.price_increment = Price::parse(inc.get_ref(), raw.price_precision)
            .map_err(|e| check.fail(inc.span(), "instruments.price_increment", e.to_string()))?;
        if inst.price_increment.raw <= 0 {
            return Err(check.fail(
                inc.span(),
                "instruments.price_increment",
                "must be positive",
            ));
        }
    }
    if let Some(inc) = &raw.size_increment {
        inst.size_increment = Quantity::parse(inc.get_ref(), raw.size_precision)
            .map_err(|e| check.fail(inc.span(), "instruments.size_increment", e.to_string()))?;
        if inst.size_increment.is_zero() {
            return Err(check.fail(inc.span(), "instruments.size_increment", "must be positive"));
        }
    }
    if let Some(m) = raw.multiplier {
        if m.is_zero() {
            return Err(check.fail(span, "instruments.multiplier", "must be positive"));
        }
        inst.multiplier = m;
    }
    if let (Some(min), Some(max)) = (raw.min_quantity, raw.max_quantity)
        && min > max
    {
        return Err(check.fail(
            span,
            "instruments.min_quantity",
            format!("min_quantity {min} is above max_quantity {max}: every order would be denied"),
        ));
    }
    inst.min_quantity = raw.min_quantity;
    inst.max_quantity = raw.max_quantity;
    Ok(inst)
}

/// A strategy's `builtin` or `script` (exactly one); a script is compiled
/// here, before any data is read. Returns the span errors about it point at.
fn strategy_logic(
    check: &Checker<'_>,
    raw: &RawStrategy,
    base_dir: &Path,
) -> Result<(StrategyLogic, std::ops::Range<usize>), ConfigError> {
    match (&raw.builtin, &raw.script) {
        (Some(name), None) => {
            if let Some(limits) = &raw.limits {
                return Err(check.fail(
                    limits.span(),
                    "strategies.limits",
                    "limits apply to script strategies only",
                ));
            }
            Ok((StrategyLogic::Builtin(name.get_ref().clone()), name.span()))
        }
        (None, Some(script)) => {
            let path = base_dir.join(script.get_ref());
            if !path.is_file() {
                return Err(check.fail(
                    script.span(),
                    "strategies.script",
                    format!("no script file at {}", path.display()),
                ));
            }
            let limits = match &raw.limits {
                None => ScriptLimits::default(),
                Some(l) => {
                    let limits = script_limits(l.get_ref());
                    limits
                        .check()
                        .map_err(|m| check.fail(l.span(), "strategies.limits", m))?;
                    limits
                }
            };
            let program = ScriptProgram::load(&path, limits).map_err(ConfigError::from)?;
            Ok((StrategyLogic::Script(Arc::new(program)), script.span()))
        }
        (Some(name), Some(_)) => Err(check.fail(
            name.span(),
            "strategies",
            "give either builtin or script, not both",
        )),
        (None, None) => Err(check.fail(
            raw.instrument.span(),
            "strategies",
            format!(
                "needs builtin = \"...\" (one of {}) or script = \"path.rhai\"",
                builtin::BUILTIN_NAMES.join(", ")
            ),
        )),
    }
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

fn script_limits(raw: &RawScriptLimits) -> ScriptLimits {
    let d = ScriptLimits::default();
    ScriptLimits {
        max_operations: raw.max_operations.unwrap_or(d.max_operations),
        max_call_levels: raw.max_call_levels.unwrap_or(d.max_call_levels),
        max_expr_depth: raw.max_expr_depth.unwrap_or(d.max_expr_depth),
        max_string_size: raw.max_string_size.unwrap_or(d.max_string_size),
        max_array_size: raw.max_array_size.unwrap_or(d.max_array_size),
        max_map_size: raw.max_map_size.unwrap_or(d.max_map_size),
        max_indicator_bytes: raw.max_indicator_bytes.unwrap_or(d.max_indicator_bytes),
        max_orders: raw.max_orders.unwrap_or(d.max_orders),
    }
}

fn data_spec(
    check: &Checker<'_>,
    raw: &RawData,
    instrument: InstrumentIndex,
    inst: &Instrument,
    base_dir: &Path,
    position: usize,
) -> Result<DataSpec, ConfigError> {
    let bar_type: BarType = match &raw.bar_type {
        Some(text) => text
            .get_ref()
            .parse()
            .map_err(|e: crate::model::data::BarTypeError| {
                check.fail(text.span(), "data.bar_type", e.to_string())
            })?,
        None => format!("{}-1-MINUTE-LAST", inst.id).parse().map_err(
            |e: crate::model::data::BarTypeError| {
                check.fail(raw.instrument.span(), "data.instrument", e.to_string())
            },
        )?,
    };
    if bar_type.instrument_id != inst.id {
        let span = raw
            .bar_type
            .as_ref()
            .map_or(raw.instrument.span(), Spanned::span);
        return Err(check.fail(
            span,
            "data.bar_type",
            format!(
                "bar type is for '{}', not '{}'",
                bar_type.instrument_id, inst.id
            ),
        ));
    }
    let path = base_dir.join(raw.path.get_ref());
    let format = match raw.format {
        Some(RawFormat::Csv) => Some(DataFormat::Csv),
        Some(RawFormat::Parquet) => Some(DataFormat::Parquet),
        None => Some(
            DataFormat::from_path(&path)
                .map_err(|e| check.fail(raw.path.span(), "data.path", e.message))?,
        ),
    };
    let defaults = BarColumns::default();
    let c = &raw.columns;
    let columns = BarColumns {
        timestamp: c.timestamp.clone().unwrap_or(defaults.timestamp),
        open: c.open.clone().unwrap_or(defaults.open),
        high: c.high.clone().unwrap_or(defaults.high),
        low: c.low.clone().unwrap_or(defaults.low),
        close: c.close.clone().unwrap_or(defaults.close),
        volume: c.volume.clone().unwrap_or(defaults.volume),
    };
    let timestamp_format = match raw.timestamp_format {
        RawTimestampFormat::Rfc3339 => TimestampFormat::Rfc3339,
        RawTimestampFormat::UnixS => TimestampFormat::UnixSeconds,
        RawTimestampFormat::UnixMs => TimestampFormat::UnixMillis,
        RawTimestampFormat::UnixUs => TimestampFormat::UnixMicros,
        RawTimestampFormat::UnixNs => TimestampFormat::UnixNanos,
    };
    let file = BarFileSpec {
        path,
        format,
        columns,
        timestamp_format,
        instrument,
        price_precision: inst.price_precision,
        size_precision: inst.size_precision,
        sort: raw.sort,
        prices: match inst.kind {
            InstrumentKind::Future { .. } => PriceDomain::Any,
            InstrumentKind::Option { .. } => PriceDomain::NonNegative,
            _ => PriceDomain::Positive,
        },
    };
    let priority = raw
        .priority
        .unwrap_or_else(|| u32::try_from(position).unwrap_or(u32::MAX));
    Ok(DataSpec {
        file,
        bar_type,
        priority,
    })
}

fn params(
    check: &Checker<'_>,
    raw: &std::collections::BTreeMap<String, Spanned<toml::Value>>,
) -> Result<Params, ConfigError> {
    let mut values = std::collections::BTreeMap::new();
    for (name, value) in raw {
        let v = match value.get_ref() {
            toml::Value::Integer(i) => ParamValue::Int(*i),
            toml::Value::Float(f) => ParamValue::Float(*f),
            toml::Value::String(s) => ParamValue::Text(s.clone()),
            toml::Value::Boolean(b) => ParamValue::Bool(*b),
            other => {
                return Err(check.fail(
                    value.span(),
                    &format!("strategies.params.{name}"),
                    format!("unsupported parameter type {}", other.type_str()),
                ));
            }
        };
        values.insert(name.clone(), v);
    }
    Ok(Params::new(values))
}
