//! What a script sees: the `ctx` object (state of the run, orders,
//! indicators, timers) and the `Bar` type. A script never holds engine
//! references: before each hook the strategy copies what `ctx` reads into
//! [`CtxState`], and after it turns the commands `ctx` collected into
//! engine commands.
//!
//! Prices and amounts reach scripts as `f64`; prices a script passes back
//! are rounded half up to the instrument's precision, quantities must be
//! exact at its size precision (see docs/scripting.md).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map};

use crate::core::enums::{OrderSide, TimeInForce};
use crate::core::fixed::{self, FIXED_PRECISION};
use crate::core::identifiers::{ClientOrderId, InstrumentIndex};
use crate::core::time::parse_duration_ns;
use crate::core::{Price, Quantity, UnixNanos};
use crate::engine::commands::{OrderList, OrderSize, SubmitOrder, TradingCommand};
use crate::engine::risk::{FillCost, fraction_to_quantity};
use crate::indicators::{BarIndicator, BarInput, History};
use crate::model::instruments::Instrument;
use crate::model::orders::{OrderFactory, OrderKind};

mod bets;
mod indicators;
mod lists;
mod trailing;

pub(super) type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

pub(super) fn fail<T>(message: impl Into<String>) -> RhaiResult<T> {
    Err(message.into().into())
}

/// One bar as a script reads it (`bar.close`, `bar.ts`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarView {
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: f64,
    pub ts: i64,
}

impl BarView {
    pub const fn input(&self) -> BarInput {
        BarInput {
            open: self.open,
            high: self.high,
            low: self.low,
            close: self.close,
            volume: self.volume,
        }
    }
}

/// A script order the engine has not numbered yet, with the id the script
/// was given for it.
#[derive(Debug, Clone)]
pub enum ScriptCommand {
    Submit {
        order: SubmitOrder,
        expected_id: ClientOrderId,
    },
    /// Orders tied together; `expected_ids` in list order.
    SubmitList {
        list: OrderList,
        expected_ids: Vec<ClientOrderId>,
    },
    Other(TradingCommand),
}

/// A registered indicator line: which indicator, which of its lines.
#[derive(Debug, Clone, Copy)]
enum Line {
    Builtin { indicator: usize, line: usize },
    Custom(usize),
}

/// An indicator computed by a script function.
#[derive(Debug, Clone)]
pub struct CustomIndicator {
    pub function: ImmutableString,
    pub history: History,
}

/// Everything `ctx` reads and writes during one hook call.
#[derive(Debug)]
pub struct CtxState {
    pub instrument_index: InstrumentIndex,
    pub instrument: Instrument,
    pub params: Map,
    /// Ids of orders are predicted with this (it never reserves).
    pub namer: OrderFactory,
    /// Orders the strategy's factory has numbered before this call.
    pub orders_numbered: u64,
    /// Script functions by name with their parameter counts.
    pub functions: HashMap<String, usize>,
    /// Indicators may only be registered in `on_start`.
    pub starting: bool,
    pub now: UnixNanos,
    pub bar: Option<BarView>,
    /// Bars of the strategy's instrument seen, minus one (−1 before the first).
    pub bar_index: i64,
    pub last_close: Option<Price>,
    pub position_raw: i128,
    pub cash_raw: i128,
    pub equity_raw: i128,
    pub taker_fee_raw: i128,
    /// Filled only for scripts that call `open_orders`.
    pub open_orders: Array,
    pub builtins: Vec<BarIndicator>,
    /// Each built-in as registered, never fed (for the report's overlays).
    pub registered: Vec<(String, BarIndicator)>,
    pub custom: Vec<CustomIndicator>,
    /// What the registered indicators can take once full, and its limit
    /// (`max_indicator_bytes`): Rhai's own limits bound a script's values,
    /// this bounds the buffers its indicators keep outside them.
    indicator_bytes: usize,
    pub max_indicator_bytes: usize,
    /// Orders the script may submit over the run (`max_orders`): each is
    /// kept for the reports, so a loop of orders would take the host's
    /// memory.
    pub max_orders: u64,
    /// The names of the timers set and not cancelled, at most
    /// [`MAX_TIMERS`].
    timers: std::collections::BTreeSet<Arc<str>>,
    /// Names of the registered lines. A script has a handful, so a scan
    /// beats hashing the name on every read.
    lines: Vec<(String, Line)>,
    /// Pairs of lines whose crossing wakes `on_bar`; empty = every bar.
    wake_crosses: Vec<(Line, Line)>,
    pub commands: Vec<ScriptCommand>,
    /// The first bar (from 0) on which every registered indicator had a
    /// value: the strategy's warm-up, as the built-ins report theirs.
    pub warmed_at: Option<i64>,
}

impl CtxState {
    #[must_use]
    pub fn new(
        instrument_index: InstrumentIndex,
        instrument: Instrument,
        params: Map,
        namer: OrderFactory,
        functions: HashMap<String, usize>,
    ) -> Self {
        Self {
            instrument_index,
            instrument,
            params,
            namer,
            orders_numbered: 0,
            functions,
            starting: false,
            now: UnixNanos(0),
            bar: None,
            bar_index: -1,
            last_close: None,
            position_raw: 0,
            cash_raw: 0,
            equity_raw: 0,
            taker_fee_raw: 0,
            open_orders: Array::new(),
            builtins: Vec::new(),
            registered: Vec::new(),
            custom: Vec::new(),
            indicator_bytes: 0,
            max_indicator_bytes: super::ScriptLimits::default().max_indicator_bytes,
            max_orders: super::ScriptLimits::default().max_orders,
            timers: std::collections::BTreeSet::new(),
            lines: Vec::new(),
            wake_crosses: Vec::new(),
            commands: Vec::new(),
            warmed_at: None,
        }
    }

    /// Notes this bar as the end of the warm-up when it is the first on
    /// which every registered indicator (built-in or the script's own) has
    /// a value: as Backtesting.py counts a strategy's warm-up, the most
    /// leading undefined values of any of its indicators.
    pub fn note_warm_up(&mut self) {
        if self.warmed_at.is_none()
            && self.builtins.iter().all(|b| b.get(0, 0).is_some())
            && self.custom.iter().all(|c| !c.history.is_empty())
        {
            self.warmed_at = Some(self.bar_index);
        }
    }

    fn register(&mut self, name: &str, indicator: BarIndicator) -> RhaiResult<()> {
        self.check_new_name(name)?;
        // The clone kept for the overlay is never fed: its buffers stay
        // empty (they grow with the values fed).
        self.charge(name, indicator.max_bytes())?;
        let index = self.builtins.len();
        self.lines.push((
            name.to_string(),
            Line::Builtin {
                indicator: index,
                line: 0,
            },
        ));
        for (k, extra) in indicator.extra_lines().iter().enumerate() {
            self.lines.push((
                format!("{name}.{extra}"),
                Line::Builtin {
                    indicator: index,
                    line: k + 1,
                },
            ));
        }
        self.registered.push((name.to_string(), indicator.clone()));
        self.builtins.push(indicator);
        Ok(())
    }

    /// Counts `bytes` of buffers (and the name's copies) against
    /// `max_indicator_bytes`.
    fn charge(&mut self, name: &str, bytes: usize) -> RhaiResult<()> {
        let total = self
            .indicator_bytes
            .saturating_add(bytes)
            .saturating_add(name.len().saturating_mul(3));
        if total > self.max_indicator_bytes {
            return fail(format!(
                "indicator '{name}' would take the script's indicators to {} bytes, over the limit (max_indicator_bytes = {}): use shorter periods or fewer indicators, or raise the limit",
                total, self.max_indicator_bytes
            ));
        }
        self.indicator_bytes = total;
        Ok(())
    }

    fn check_new_name(&self, name: &str) -> RhaiResult<()> {
        if !self.starting {
            return fail(format!(
                "indicator '{name}' must be registered in on_start (it would miss earlier bars)"
            ));
        }
        if name.is_empty() || name.contains('.') {
            return fail(format!(
                "indicator name '{name}' must be non-empty and without '.'"
            ));
        }
        if self.lines.iter().any(|(n, _)| n == name) {
            return fail(format!("indicator '{name}' is registered twice"));
        }
        Ok(())
    }

    fn line(&self, name: &str) -> RhaiResult<Line> {
        if let Some((_, line)) = self.lines.iter().find(|(n, _)| n == name) {
            return Ok(*line);
        }
        let mut known: Vec<&str> = self.lines.iter().map(|(n, _)| n.as_str()).collect();
        known.sort_unstable();
        fail(format!(
            "no indicator '{name}' (registered: {})",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ))
    }

    fn read(&self, line: Line, ago: usize) -> Option<f64> {
        match line {
            Line::Builtin { indicator, line } => {
                self.builtins.get(indicator).and_then(|i| i.get(line, ago))
            }
            Line::Custom(index) => self.custom.get(index).and_then(|c| c.history.get(ago)),
        }
    }

    /// +1 when `a` crossed above `b` on this bar, −1 below, 0 neither
    /// (or not both warmed up over the last two bars).
    fn cross(&self, a: Line, b: Line) -> i64 {
        let values = (
            self.read(a, 0),
            self.read(a, 1),
            self.read(b, 0),
            self.read(b, 1),
        );
        let (Some(a0), Some(a1), Some(b0), Some(b1)) = values else {
            return 0;
        };
        if a1 <= b1 && a0 > b0 {
            1
        } else if a1 >= b1 && a0 < b0 {
            -1
        } else {
            0
        }
    }

    /// Takes the next bar of the strategy's instrument and feeds it to the
    /// built-in indicators.
    pub fn feed_bar(&mut self, view: BarView) {
        self.bar = Some(view);
        self.bar_index += 1;
        let input = view.input();
        for indicator in &mut self.builtins {
            indicator.update(&input);
        }
        // With the script's own indicators, once they are fed too.
        if self.custom.is_empty() {
            self.note_warm_up();
        }
    }

    /// Whether this bar wakes `on_bar`: always, unless the script asked to
    /// be woken only by crosses (`wake_on_cross`), then when one happened.
    #[must_use]
    pub fn wakes_on_bar(&self) -> bool {
        self.wake_crosses.is_empty()
            || self
                .wake_crosses
                .iter()
                .any(|(a, b)| self.cross(*a, *b) != 0)
    }

    fn value(&self, name: &str, ago: usize) -> RhaiResult<Dynamic> {
        let value = self.read(self.line(name)?, ago);
        Ok(value.map_or(Dynamic::UNIT, Dynamic::from_float))
    }

    fn submit(&mut self, side: OrderSide, options: &Map) -> RhaiResult<ImmutableString> {
        let order = order_from_options(self, side, options)?;
        let (sl, tp) = lists::exits(self, options)?;
        if sl.is_some() || tp.is_some() {
            let ids = self.submit_list(OrderList::bracket(order, sl, tp))?;
            return Ok(ImmutableString::from(ids[0].to_string()));
        }
        self.check_order_limit(1)?;
        let expected_id = self
            .namer
            .id_after(self.orders_numbered + self.pending_submits());
        let text = ImmutableString::from(expected_id.to_string());
        self.commands
            .push(ScriptCommand::Submit { order, expected_id });
        Ok(text)
    }

    fn check_order_limit(&self, more: u64) -> RhaiResult<()> {
        if self.orders_numbered + self.pending_submits() + more > self.max_orders {
            return fail(format!(
                "order limit reached (max_orders = {}): every order is kept for the reports; raise the limit if the strategy needs more",
                self.max_orders
            ));
        }
        Ok(())
    }

    /// Queues `list`; the ids its orders will have, in list order.
    pub(super) fn submit_list(&mut self, list: OrderList) -> RhaiResult<Vec<ClientOrderId>> {
        let count = list.orders.len() as u64;
        self.check_order_limit(count)?;
        let first = self.orders_numbered + self.pending_submits();
        let expected_ids: Vec<ClientOrderId> = (first..first + count)
            .map(|k| self.namer.id_after(k))
            .collect();
        self.commands.push(ScriptCommand::SubmitList {
            list,
            expected_ids: expected_ids.clone(),
        });
        Ok(expected_ids)
    }

    fn pending_submits(&self) -> u64 {
        self.commands
            .iter()
            .map(|c| match c {
                ScriptCommand::Submit { .. } => 1,
                ScriptCommand::SubmitList { list, .. } => list.orders.len() as u64,
                ScriptCommand::Other(_) => 0,
            })
            .sum()
    }

    fn push(&mut self, command: TradingCommand) {
        self.commands.push(ScriptCommand::Other(command));
    }
}

/// The `ctx` a hook receives: a handle on the strategy's [`CtxState`].
#[derive(Debug, Clone)]
pub struct Ctx(pub Arc<Mutex<CtxState>>);

impl Ctx {
    /// The state, even if a previous holder panicked (it holds plain data).
    pub fn lock(&self) -> MutexGuard<'_, CtxState> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn to_f64(raw: i128) -> f64 {
    fixed::raw_to_f64(raw)
}

/// A number from a script: an integer or a float.
pub(super) fn number(value: &Dynamic, what: &str) -> RhaiResult<f64> {
    if let Ok(f) = value.as_float() {
        return Ok(f);
    }
    if let Ok(i) = value.as_int() {
        #[allow(clippy::cast_precision_loss, reason = "script integers are small")]
        return Ok(i as f64);
    }
    fail(format!(
        "{what} must be a number, got {}",
        value.type_name()
    ))
}

/// A whole number ≥ `min`.
fn whole(value: &Dynamic, what: &str, min: usize) -> RhaiResult<usize> {
    let n = value
        .as_int()
        .map_err(|t| format!("{what} must be an integer, got {t}"))?;
    usize::try_from(n).ok().filter(|n| *n >= min).map_or_else(
        || fail(format!("{what} must be at least {min}, got {n}")),
        Ok,
    )
}

/// A quantity exact at the instrument's size precision and on its lot grid.
fn quantity(state: &CtxState, value: &Dynamic) -> RhaiResult<Quantity> {
    let instrument = &state.instrument;
    let precision = instrument.size_precision;
    let raw = if let Ok(text) = value.clone().into_immutable_string() {
        let (raw, decimals) = fixed::parse_raw(&text).map_err(|e| e.to_string())?;
        if decimals > precision {
            return fail(format!(
                "quantity {text} has more decimals than {} allows ({precision})",
                instrument.id
            ));
        }
        raw
    } else {
        let q = number(value, "quantity")?;
        let exact = fixed::raw_from_f64(q, FIXED_PRECISION).map_err(|e| e.to_string())?;
        let rounded = fixed::raw_from_f64(q, precision).map_err(|e| e.to_string())?;
        if exact != rounded {
            return fail(format!(
                "quantity {q} has more decimals than {} allows ({precision})",
                instrument.id
            ));
        }
        rounded
    };
    let qty = Quantity::from_raw(raw, precision).map_err(|e| format!("quantity: {e}"))?;
    instrument.validate_qty(qty).map_err(|e| e.to_string())?;
    Ok(qty)
}

/// A price rounded half up to the instrument's precision.
pub(super) fn price(state: &CtxState, value: &Dynamic, what: &str) -> RhaiResult<Price> {
    let p = number(value, what)?;
    let precision = state.instrument.price_precision;
    let raw = fixed::raw_from_f64(p, precision).map_err(|e| format!("{what}: {e}"))?;
    let price = Price::from_raw(raw, precision).map_err(|e| format!("{what}: {e}"))?;
    state
        .instrument
        .validate_price(price)
        .map_err(|e| e.to_string())?;
    Ok(price)
}

/// The option names `buy`/`sell` take.
pub const ORDER_OPTIONS: &[&str] = &[
    "quantity",
    "sl",
    "tp",
    "size",
    "limit",
    "stop",
    "touch",
    "trail",
    "trail_ticks",
    "trail_bp",
    "activation",
    "limit_offset",
    "tif",
    "tag",
    "reduce_only",
];

pub(super) fn order_from_options(
    state: &CtxState,
    side: OrderSide,
    options: &Map,
) -> RhaiResult<SubmitOrder> {
    if let Some(unknown) = options
        .keys()
        .find(|k| !ORDER_OPTIONS.contains(&k.as_str()))
    {
        return fail(format!(
            "unknown order option '{unknown}' (known: {})",
            ORDER_OPTIONS.join(", ")
        ));
    }
    let size = match (options.get("quantity"), options.get("size")) {
        (Some(_), Some(_)) => return fail("give either quantity or size, not both"),
        (Some(q), None) => OrderSize::Quantity(quantity(state, q)?),
        (None, Some(s)) => {
            let fraction = number(s, "size")?;
            if !(fraction > 0.0 && fraction <= 1.0) {
                return fail(format!(
                    "size is a fraction of equity in (0, 1], got {fraction}"
                ));
            }
            let raw = fixed::raw_from_f64(fraction, FIXED_PRECISION).map_err(|e| e.to_string())?;
            OrderSize::FractionOfEquity(raw)
        }
        (None, None) => OrderSize::FractionOfEquity(fixed::FIXED_SCALAR),
    };
    let limit = options
        .get("limit")
        .map(|v| price(state, v, "limit"))
        .transpose()?;
    let stop = options
        .get("stop")
        .map(|v| price(state, v, "stop"))
        .transpose()?;
    let touch = options
        .get("touch")
        .map(|v| price(state, v, "touch"))
        .transpose()?;
    let kind = match (limit, stop, touch) {
        (None, None, None) => OrderKind::Market,
        (Some(price), None, None) => OrderKind::Limit { price },
        (None, Some(trigger_price), None) => OrderKind::StopMarket { trigger_price },
        (Some(price), Some(trigger_price), None) => OrderKind::StopLimit {
            price,
            trigger_price,
        },
        (None, None, Some(trigger_price)) => OrderKind::MarketIfTouched { trigger_price },
        (Some(price), None, Some(trigger_price)) => OrderKind::LimitIfTouched {
            price,
            trigger_price,
        },
        (_, Some(_), Some(_)) => return fail("give either stop or touch, not both"),
    };
    let (kind, trailing) = match trailing::trailing(state, side, options, kind)? {
        Some((kind, spec)) => (kind, Some(spec)),
        None => (kind, None),
    };
    let mut order = SubmitOrder::new(state.instrument_index, side, kind, size);
    order.trailing = trailing.map(Box::new);
    if let Some(tif) = options.get("tif") {
        let text = tif.to_string();
        order.time_in_force = match text.to_ascii_uppercase().as_str() {
            "GTC" => TimeInForce::Gtc,
            "IOC" => TimeInForce::Ioc,
            "FOK" => TimeInForce::Fok,
            "DAY" => TimeInForce::Day,
            _ => return fail(format!("tif must be GTC, IOC, FOK or DAY, got '{text}'")),
        };
    }
    if let Some(tag) = options.get("tag") {
        let tag = tag.to_string();
        // Tags are written raw into trades.csv and orders.csv.
        if tag.chars().any(char::is_control) {
            return fail(format!(
                "tag \"{}\" holds control characters (newlines, tabs…): tags go into the CSV outputs as they are",
                tag.escape_default()
            ));
        }
        order.tags = Some(Arc::from(tag.as_str()));
    }
    if let Some(reduce) = options.get("reduce_only") {
        order.reduce_only = reduce
            .as_bool()
            .map_err(|t| format!("reduce_only must be true or false, got {t}"))?;
    }
    Ok(order)
}

/// Registers functions while recording their names, so the documented
/// list can be checked against what scripts really get.
pub struct Registry<'e> {
    engine: &'e mut Engine,
    pub names: Vec<&'static str>,
}

impl<'e> Registry<'e> {
    pub(super) fn fun<A: 'static, const N: usize, const C: bool, R, const L: bool, F>(
        &mut self,
        name: &'static str,
        f: F,
    ) where
        R: Clone + Send + Sync + 'static,
        F: rhai::RhaiNativeFunc<A, N, C, R, L> + Send + Sync + 'static,
    {
        self.engine.register_fn(name, f);
        if !self.names.contains(&name) {
            self.names.push(name);
        }
    }
}

/// Registers the `Bar` and `Ctx` types and every `ctx` method; returns the
/// method names.
pub fn register(engine: &mut Engine) -> Vec<&'static str> {
    engine.register_type_with_name::<BarView>("Bar");
    engine.register_get("open", |b: &mut BarView| b.open);
    engine.register_get("high", |b: &mut BarView| b.high);
    engine.register_get("low", |b: &mut BarView| b.low);
    engine.register_get("close", |b: &mut BarView| b.close);
    engine.register_get("volume", |b: &mut BarView| b.volume);
    engine.register_get("ts", |b: &mut BarView| b.ts);
    engine.register_type_with_name::<Ctx>("Ctx");
    let mut r = Registry {
        engine,
        names: Vec::new(),
    };
    register_reads(&mut r);
    register_orders(&mut r);
    lists::register(&mut r);
    bets::register(&mut r);
    indicators::register_indicators(&mut r);
    r.names
}

fn register_reads(r: &mut Registry<'_>) {
    r.fun(
        "param",
        |ctx: &mut Ctx, name: &str| -> RhaiResult<Dynamic> {
            ctx.lock().params.get(name).cloned().map_or_else(
                || fail(format!("no parameter '{name}' in the config's params")),
                Ok,
            )
        },
    );
    r.fun("param", |ctx: &mut Ctx, name: &str, default: Dynamic| {
        ctx.lock().params.get(name).cloned().unwrap_or(default)
    });
    r.fun("now", |ctx: &mut Ctx| ctx.lock().now.0);
    r.fun("time", |ctx: &mut Ctx| ctx.lock().now.to_string());
    r.fun("bar_index", |ctx: &mut Ctx| ctx.lock().bar_index);
    r.fun("bar", |ctx: &mut Ctx| {
        ctx.lock().bar.map_or(Dynamic::UNIT, Dynamic::from)
    });
    r.fun("instrument", |ctx: &mut Ctx| {
        ctx.lock().instrument.id.to_string()
    });
    r.fun("position", |ctx: &mut Ctx| to_f64(ctx.lock().position_raw));
    r.fun("is_flat", |ctx: &mut Ctx| ctx.lock().position_raw == 0);
    r.fun("is_long", |ctx: &mut Ctx| ctx.lock().position_raw > 0);
    r.fun("is_short", |ctx: &mut Ctx| ctx.lock().position_raw < 0);
    r.fun("cash", |ctx: &mut Ctx| to_f64(ctx.lock().cash_raw));
    r.fun("equity", |ctx: &mut Ctx| to_f64(ctx.lock().equity_raw));
    r.fun(
        "affordable",
        |ctx: &mut Ctx, size: Dynamic| -> RhaiResult<f64> {
            let fraction = number(&size, "size")?;
            let state = ctx.lock();
            let Some(price) = state.last_close else {
                return Ok(0.0);
            };
            let raw = fixed::raw_from_f64(fraction, FIXED_PRECISION).map_err(|e| e.to_string())?;
            let qty = fraction_to_quantity(
                &state.instrument,
                state.cash_raw,
                raw,
                price,
                &FillCost::cash(state.taker_fee_raw),
            )
            .map_err(|e| e.to_string())?;
            Ok(qty.as_f64())
        },
    );
    r.fun("open_orders", |ctx: &mut Ctx| {
        ctx.lock().open_orders.clone()
    });
}

/// Timers a script may have at once: each lives in the run's clock.
const MAX_TIMERS: usize = 10_000;

fn register_orders(r: &mut Registry<'_>) {
    r.fun("buy", |ctx: &mut Ctx| {
        ctx.lock().submit(OrderSide::Buy, &Map::new())
    });
    r.fun("buy", |ctx: &mut Ctx, options: Map| {
        ctx.lock().submit(OrderSide::Buy, &options)
    });
    r.fun("sell", |ctx: &mut Ctx| {
        ctx.lock().submit(OrderSide::Sell, &Map::new())
    });
    r.fun("sell", |ctx: &mut Ctx, options: Map| {
        ctx.lock().submit(OrderSide::Sell, &options)
    });
    r.fun("cancel", |ctx: &mut Ctx, id: &str| -> RhaiResult<()> {
        let mut state = ctx.lock();
        // Every id this strategy made so far, those submitted in this very
        // hook included: their cancel reaches the venue after the order.
        let made = state.orders_numbered + state.pending_submits();
        let known = ClientOrderId::existing(id)
            .map_err(|e| e.to_string())?
            .filter(|known| state.namer.names(known, made));
        let Some(known) = known else {
            let made = if made == 0 {
                "it has submitted none".to_string()
            } else {
                format!(
                    "its orders are {} to {}",
                    state.namer.id_after(0),
                    state.namer.id_after(made - 1)
                )
            };
            return Err(format!("cancel: '{id}' is not an order of this strategy ({made})").into());
        };
        // An order already filled or canceled stays so: nothing to do.
        state.push(TradingCommand::Cancel(known));
        Ok(())
    });
    r.fun("cancel_all", |ctx: &mut Ctx| {
        let mut state = ctx.lock();
        let instrument = Some(state.instrument_index);
        state.push(TradingCommand::CancelAll { instrument });
    });
    r.fun("close_position", |ctx: &mut Ctx| {
        let mut state = ctx.lock();
        let instrument = state.instrument_index;
        state.push(TradingCommand::ClosePosition { instrument });
    });
    r.fun("close_all", |ctx: &mut Ctx| {
        ctx.lock().push(TradingCommand::CloseAll);
    });
    r.fun(
        "set_timer",
        |ctx: &mut Ctx, name: &str, every: &str| -> RhaiResult<()> {
            let interval_ns = parse_duration_ns(every)?;
            let mut state = ctx.lock();
            let name: Arc<str> = Arc::from(name);
            if !state.timers.contains(&name) && state.timers.len() >= MAX_TIMERS {
                return fail(format!(
                    "timer limit reached: at most {MAX_TIMERS} timers at once (cancel_timer frees one)"
                ));
            }
            state.timers.insert(Arc::clone(&name));
            state.push(TradingCommand::SetTimer { name, interval_ns });
            Ok(())
        },
    );
    r.fun("cancel_timer", |ctx: &mut Ctx, name: &str| {
        let mut state = ctx.lock();
        let name: Arc<str> = Arc::from(name);
        state.timers.remove(&name);
        state.push(TradingCommand::CancelTimer { name });
    });
}
