//! Strategies written as Rhai scripts. This is the only module that names
//! rhai. A script is compiled once ([`ScriptProgram`], before any data is
//! read), checked for its hooks, and run by a [`ScriptStrategy`] that
//! drives it like any built-in strategy. The script reference is
//! docs/scripting.md.

mod api;
mod error;
mod expression;
mod sandbox;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rhai::{AST, CallFnOptions, Dynamic, Engine, FuncArgs, Map, Scope};

pub use api::{BarView, ORDER_OPTIONS};
pub use error::ScriptError;
pub use expression::{BoolExpression, ExprError, ExprNumber};
pub use sandbox::{DISABLED_SYMBOLS, ScriptLimits, build_engine};

use crate::core::clock::TimeEvent;
use crate::core::events::{OrderEvent, OrderEventKind, OrderFilled, PositionEvent};
use crate::core::fixed::raw_to_f64;
use crate::core::identifiers::{InstrumentIndex, StrategyId};
use crate::core::text::line_column;
use crate::indicators::BarIndicator;
use crate::model::data::{Bar, QuoteTick, TradeTick};
use crate::model::instruments::Instrument;
use crate::model::orders::{Order, OrderFactory};
use crate::state::cache::Cache;
use crate::trading::params::{ParamValue, Params};
use crate::trading::strategy::{HookResult, Strategy, StrategyContext, StrategyError};

use api::{Ctx, CtxState, ScriptCommand};

/// A hook a script may define, with the parameters it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hook {
    pub name: &'static str,
    pub params: &'static [&'static str],
}

const fn hook(name: &'static str, params: &'static [&'static str]) -> Hook {
    Hook { name, params }
}

/// Every hook, in the order docs/scripting.md lists them.
pub const HOOKS: &[Hook] = &[
    hook("on_start", &["ctx"]),
    hook("on_bar", &["ctx", "bar"]),
    hook("on_quote_tick", &["ctx", "tick"]),
    hook("on_trade_tick", &["ctx", "tick"]),
    hook("on_order_event", &["ctx", "event"]),
    hook("on_order_submitted", &["ctx", "event"]),
    hook("on_order_accepted", &["ctx", "event"]),
    hook("on_order_rejected", &["ctx", "event"]),
    hook("on_order_denied", &["ctx", "event"]),
    hook("on_order_canceled", &["ctx", "event"]),
    hook("on_order_expired", &["ctx", "event"]),
    hook("on_order_triggered", &["ctx", "event"]),
    hook("on_order_updated", &["ctx", "event"]),
    hook("on_order_filled", &["ctx", "event"]),
    hook("on_position_opened", &["ctx", "position"]),
    hook("on_position_changed", &["ctx", "position"]),
    hook("on_position_closed", &["ctx", "position"]),
    hook("on_timer", &["ctx", "timer"]),
    hook("on_stop", &["ctx"]),
];

/// Hooks that receive market data: a script needs at least one.
pub const DATA_HOOKS: &[&str] = &["on_bar", "on_quote_tick", "on_trade_tick"];

/// The `ctx` methods scripts get, as registered (for the docs check).
#[must_use]
pub fn ctx_methods() -> Vec<&'static str> {
    let mut engine = Engine::new_raw();
    api::register(&mut engine)
}

/// A compiled, checked script.
#[derive(Debug)]
pub struct ScriptProgram {
    pub path: PathBuf,
    pub limits: ScriptLimits,
    ast: AST,
    /// Script functions with their parameter counts.
    functions: HashMap<String, usize>,
    /// Copying open orders before every call costs; only scripts that read them pay.
    reads_open_orders: bool,
    /// Asked on every bar: no name lookup.
    has_on_bar: bool,
    /// Whether any hook a status event can reach is defined (`on_order_event`
    /// or an `on_order_<status>`); without one, the engine does not call the
    /// strategy for status events.
    handles_order_events: bool,
}

impl ScriptProgram {
    /// Reads and compiles the script at `path`.
    ///
    /// # Errors
    /// When it cannot be read, does not compile, or its hooks are wrong.
    pub fn load(path: &Path, limits: ScriptLimits) -> Result<Self, ScriptError> {
        let source = std::fs::read_to_string(path)
            .map_err(|e| ScriptError::file(path, format!("cannot read the script: {e}")))?;
        Self::compile(path, &source, limits)
    }

    /// Compiles `source` (named `path` in errors) and checks its hooks.
    ///
    /// # Errors
    /// Syntax errors, disallowed symbols, unknown or misdeclared hooks, or
    /// no data hook.
    pub fn compile(path: &Path, source: &str, limits: ScriptLimits) -> Result<Self, ScriptError> {
        let mut engine = build_engine(&limits, "compile");
        api::register(&mut engine);
        let ast = engine
            .compile(source)
            .map_err(|e| ScriptError::parse(path, &e))?;
        let functions: HashMap<String, usize> = ast
            .iter_functions()
            .map(|f| (f.name.to_string(), f.params.len()))
            .collect();
        let mut names: Vec<&String> = functions.keys().collect();
        names.sort();
        for name in names {
            check_hook(path, source, name, functions[name])?;
        }
        if !DATA_HOOKS.iter().any(|h| functions.contains_key(*h)) {
            return Err(ScriptError::file(
                path,
                format!(
                    "the script defines no data hook: define one of {}",
                    DATA_HOOKS.join(", ")
                ),
            ));
        }
        Ok(Self {
            path: path.to_path_buf(),
            limits,
            ast,
            has_on_bar: functions.contains_key("on_bar"),
            handles_order_events: HOOKS.iter().any(|h| {
                h.name.starts_with("on_order_")
                    && h.name != "on_order_filled"
                    && functions.contains_key(h.name)
            }),
            functions,
            reads_open_orders: source.contains("open_orders"),
        })
    }

    fn defines(&self, hook: &str) -> bool {
        self.functions.contains_key(hook)
    }
}

/// An unknown `on_*` function or a hook with the wrong parameters.
fn check_hook(path: &Path, source: &str, name: &str, params: usize) -> Result<(), ScriptError> {
    if !name.starts_with("on_") {
        return Ok(());
    }
    let located = |message: String| {
        let offset = source.find(&format!("fn {name}")).unwrap_or(0);
        let (line, column) = line_column(source, offset);
        ScriptError {
            path: path.to_path_buf(),
            line: Some(line),
            column: Some(column),
            message,
        }
    };
    match HOOKS.iter().find(|h| h.name == name) {
        Some(hook) if hook.params.len() == params => Ok(()),
        Some(hook) => Err(located(format!(
            "hook {name} takes ({}), not {params} parameter(s)",
            hook.params.join(", ")
        ))),
        None => {
            let nearest = crate::core::text::nearest(name, HOOKS.iter().map(|h| h.name));
            let hint = nearest.map_or_else(String::new, |h| format!(" — did you mean '{h}'?"));
            Err(located(format!(
                "unknown hook '{name}'{hint} (functions named on_* are hooks)"
            )))
        }
    }
}

fn param_map(params: &Params) -> Map {
    params
        .values()
        .iter()
        .map(|(name, value)| {
            let value = match value {
                ParamValue::Int(i) => Dynamic::from_int(*i),
                ParamValue::Float(f) => Dynamic::from_float(*f),
                ParamValue::Text(t) => Dynamic::from(t.clone()),
                ParamValue::Bool(b) => Dynamic::from_bool(*b),
            };
            (name.as_str().into(), value)
        })
        .collect()
}

/// A script driven as a [`Strategy`].
pub struct ScriptStrategy {
    program: Arc<ScriptProgram>,
    engine: Engine,
    scope: Scope<'static>,
    /// The script's `this`: state that lasts across calls.
    state: Dynamic,
    ctx: Ctx,
    instrument: InstrumentIndex,
}

impl std::fmt::Debug for ScriptStrategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptStrategy")
            .field("path", &self.program.path)
            .finish_non_exhaustive()
    }
}

impl ScriptStrategy {
    /// Runs the script's top-level statements once and readies its hooks.
    ///
    /// # Errors
    /// When the top-level statements fail.
    pub fn new(
        program: Arc<ScriptProgram>,
        strategy_id: &StrategyId,
        instrument: InstrumentIndex,
        spec: Instrument,
        params: &Params,
    ) -> Result<Self, ScriptError> {
        let mut engine = build_engine(&program.limits, strategy_id.as_str());
        api::register(&mut engine);
        let mut scope = Scope::new();
        engine
            .run_ast_with_scope(&mut scope, &program.ast)
            .map_err(|e| ScriptError::runtime(&program.path, &e, &program.limits, None))?;
        let mut state = CtxState::new(
            instrument,
            spec,
            param_map(params),
            OrderFactory::new(strategy_id),
            program.functions.clone(),
        );
        state.max_indicator_bytes = program.limits.max_indicator_bytes;
        state.max_orders = program.limits.max_orders;
        Ok(Self {
            program,
            engine,
            scope,
            state: Dynamic::from_map(Map::new()),
            ctx: Ctx(Arc::new(Mutex::new(state))),
            instrument,
        })
    }

    fn script_error(&self, error: &rhai::EvalAltResult, function: &str) -> StrategyError {
        StrategyError::script(ScriptError::runtime(
            &self.program.path,
            error,
            &self.program.limits,
            Some(function),
        ))
    }

    fn call(&mut self, function: &str, args: impl FuncArgs) -> Result<Dynamic, StrategyError> {
        let options = CallFnOptions::new()
            .eval_ast(false)
            .rewind_scope(true)
            .bind_this_ptr(&mut self.state);
        let result = self.engine.call_fn_with_options::<Dynamic>(
            options,
            &mut self.scope,
            &self.program.ast,
            function,
            args,
        );
        result.map_err(|e| self.script_error(&e, function))
    }

    /// Copies what `ctx` reads from the engine.
    fn refresh(&self, ctx: &StrategyContext<'_>) {
        let mut state = self.ctx.lock();
        state.now = ctx.now;
        state.orders_numbered = ctx.factory.count();
        state.position_raw = ctx.position_raw(self.instrument);
        if let Some(account) = ctx.account(self.instrument) {
            state.cash_raw = account.cash.raw;
            state.equity_raw = account.equity.raw;
            state.taker_fee_raw = account.taker_fee_raw;
        }
        state.last_close = ctx.cache.last_bar(self.instrument).map(Bar::close);
        if self.program.reads_open_orders {
            state.open_orders = ctx
                .open_orders(Some(self.instrument))
                .map(|o| Dynamic::from_map(order_map(o, ctx.cache)))
                .collect();
        }
    }

    /// Hands the commands the script made to the engine.
    fn flush(&self, ctx: &mut StrategyContext<'_>) -> HookResult {
        let commands = std::mem::take(&mut self.ctx.lock().commands);
        for command in commands {
            match command {
                ScriptCommand::Submit { order, expected_id } => {
                    let id = ctx.submit(order);
                    if id != expected_id {
                        return Err(StrategyError {
                            message: format!(
                                "internal: order numbered {id}, the script was told {expected_id}"
                            ),
                            script: None,
                        });
                    }
                }
                ScriptCommand::SubmitList { list, expected_ids } => {
                    let ids = ctx.submit_list(list);
                    if ids != expected_ids {
                        return Err(StrategyError {
                            message: format!(
                                "internal: orders numbered {ids:?}, the script was told {expected_ids:?}"
                            ),
                            script: None,
                        });
                    }
                }
                ScriptCommand::Other(command) => ctx.queue(command),
            }
        }
        Ok(())
    }

    /// Calls `hook` (with `ctx`, plus `arg` when the hook takes one) if the
    /// script defines it, around a refresh and a flush.
    fn hook(
        &mut self,
        ctx: &mut StrategyContext<'_>,
        hook: &str,
        arg: impl FnOnce() -> Dynamic,
    ) -> HookResult {
        if !self.program.defines(hook) {
            return Ok(());
        }
        self.refresh(ctx);
        let takes_arg = HOOKS
            .iter()
            .find(|h| h.name == hook)
            .is_some_and(|h| h.params.len() == 2);
        if takes_arg {
            self.call(hook, (self.ctx.clone(), arg())).map(drop)?;
        } else {
            self.call(hook, (self.ctx.clone(),)).map(drop)?;
        }
        self.flush(ctx)
    }

    /// Feeds the bar to the `custom` script-defined indicators, in
    /// registration order (the built-ins were fed by the refresh).
    fn update_custom_indicators(&mut self, view: BarView, custom: usize) -> HookResult {
        for k in 0..custom {
            let function = self.ctx.lock().custom[k].function.clone();
            let value = self.call(&function, (self.ctx.clone(), view))?;
            let number = if value.is_unit() {
                None
            } else if let Ok(f) = value.as_float() {
                Some(f)
            } else if let Ok(i) = value.as_int() {
                #[allow(clippy::cast_precision_loss, reason = "script integers are small")]
                Some(i as f64)
            } else {
                return Err(StrategyError::script(ScriptError::file(
                    &self.program.path,
                    format!(
                        "indicator function '{function}' returned {}; it must return a number or ()",
                        value.type_name()
                    ),
                )));
            };
            if let Some(n) = number {
                self.ctx.lock().custom[k].history.push(n);
            }
        }
        Ok(())
    }
}

fn order_map(order: &Order, cache: &Cache) -> Map {
    let mut map = Map::new();
    map.insert("id".into(), order.client_order_id.to_string().into());
    map.insert("side".into(), order.side.to_string().into());
    map.insert("type".into(), order.kind.order_type().to_string().into());
    map.insert("status".into(), order.status.to_string().into());
    map.insert("quantity".into(), order.quantity.as_f64().into());
    map.insert("filled".into(), order.filled_qty.as_f64().into());
    let price = order
        .kind
        .price()
        .map_or(Dynamic::UNIT, |p| p.as_f64().into());
    map.insert("price".into(), price);
    let trigger = order
        .kind
        .trigger_price()
        .map_or(Dynamic::UNIT, |p| p.as_f64().into());
    map.insert("trigger_price".into(), trigger);
    let tag = cache
        .order_tag(order)
        .map_or(Dynamic::UNIT, |t| t.to_string().into());
    map.insert("tag".into(), tag);
    map
}

fn event_map(event: &OrderEvent, cache: &Cache) -> Map {
    // The order's map holds its id.
    let mut map = cache
        .order(event.order)
        .map(|order| order_map(order, cache))
        .unwrap_or_default();
    map.insert("event".into(), event.kind.name().into());
    map.insert("ts".into(), Dynamic::from_int(event.ts_event.0));
    match &event.kind {
        OrderEventKind::Denied { reason } | OrderEventKind::Rejected { reason } => {
            map.insert("reason".into(), reason.as_ref().into());
        }
        OrderEventKind::Filled(fill) => fill_fields(&mut map, fill),
        _ => {}
    }
    map
}

fn fill_fields(map: &mut Map, fill: &OrderFilled) {
    map.insert("last_qty".into(), fill.last_qty.as_f64().into());
    map.insert("last_px".into(), fill.last_px.as_f64().into());
    map.insert("commission".into(), raw_to_f64(fill.commission.raw).into());
}

fn position_map(event: &PositionEvent) -> Map {
    let mut map = Map::new();
    map.insert("id".into(), event.position_id.to_string().into());
    map.insert("instrument".into(), event.instrument_id.to_string().into());
    map.insert("side".into(), event.side.to_string().into());
    map.insert("quantity".into(), raw_to_f64(event.signed_qty_raw).into());
    map.insert(
        "realized_pnl".into(),
        raw_to_f64(event.realized_pnl.raw).into(),
    );
    map.insert("ts".into(), Dynamic::from_int(event.ts_event.0));
    map
}

fn hook_of(kind: &OrderEventKind) -> Option<&'static str> {
    Some(match kind {
        OrderEventKind::Submitted => "on_order_submitted",
        OrderEventKind::Accepted { .. } => "on_order_accepted",
        OrderEventKind::Rejected { .. } => "on_order_rejected",
        OrderEventKind::Denied { .. } => "on_order_denied",
        OrderEventKind::Canceled => "on_order_canceled",
        OrderEventKind::Expired => "on_order_expired",
        OrderEventKind::Triggered => "on_order_triggered",
        OrderEventKind::Updated(_) => "on_order_updated",
        // Fills reach `on_order_filled` through their own trait hook.
        OrderEventKind::Filled(_)
        | OrderEventKind::Initialized
        | OrderEventKind::PendingUpdate
        | OrderEventKind::PendingCancel => return None,
    })
}

impl Strategy for ScriptStrategy {
    fn wants_order_events(&self) -> bool {
        self.program.handles_order_events
    }

    fn on_start(&mut self, ctx: &mut StrategyContext<'_>) -> HookResult {
        self.ctx.lock().starting = true;
        let result = self.hook(ctx, "on_start", || Dynamic::UNIT);
        self.ctx.lock().starting = false;
        result
    }

    fn on_bar(&mut self, ctx: &mut StrategyContext<'_>, bar: &Bar) -> HookResult {
        if bar.instrument != self.instrument {
            return Ok(());
        }
        let view = BarView {
            open: bar.open().as_f64(),
            high: bar.high().as_f64(),
            low: bar.low().as_f64(),
            close: bar.close().as_f64(),
            volume: bar.volume().as_f64(),
            ts: bar.ts_init.0,
        };
        let (custom, wakes) = {
            let mut state = self.ctx.lock();
            state.feed_bar(view);
            // Built-ins are fed; when no script code runs on this bar, the
            // rest of the refresh would only be thrown away.
            let wakes = self.program.has_on_bar && state.wakes_on_bar();
            if state.custom.is_empty() && !wakes {
                return Ok(());
            }
            (state.custom.len(), wakes)
        };
        self.refresh(ctx);
        // Crosses of script-defined lines are known only once they are fed.
        let wakes = if custom > 0 {
            self.update_custom_indicators(view, custom)?;
            let mut state = self.ctx.lock();
            state.note_warm_up();
            self.program.has_on_bar && state.wakes_on_bar()
        } else {
            wakes
        };
        if wakes {
            self.call("on_bar", (self.ctx.clone(), view)).map(drop)?;
        }
        self.flush(ctx)
    }

    fn on_quote_tick(&mut self, ctx: &mut StrategyContext<'_>, tick: &QuoteTick) -> HookResult {
        self.hook(ctx, "on_quote_tick", || {
            let mut map = Map::new();
            map.insert("bid".into(), tick.bid_price.as_f64().into());
            map.insert("ask".into(), tick.ask_price.as_f64().into());
            map.insert("bid_size".into(), tick.bid_size.as_f64().into());
            map.insert("ask_size".into(), tick.ask_size.as_f64().into());
            map.insert("ts".into(), Dynamic::from_int(tick.ts_event.0));
            Dynamic::from_map(map)
        })
    }

    fn on_trade_tick(&mut self, ctx: &mut StrategyContext<'_>, tick: &TradeTick) -> HookResult {
        self.hook(ctx, "on_trade_tick", || {
            let mut map = Map::new();
            map.insert("price".into(), tick.price.as_f64().into());
            map.insert("size".into(), tick.size.as_f64().into());
            let side = tick
                .aggressor_side
                .map_or(Dynamic::UNIT, |s| s.to_string().into());
            map.insert("side".into(), side);
            map.insert("ts".into(), Dynamic::from_int(tick.ts_event.0));
            Dynamic::from_map(map)
        })
    }

    fn on_order_event(&mut self, ctx: &mut StrategyContext<'_>, event: &OrderEvent) -> HookResult {
        if !self.program.handles_order_events {
            return Ok(());
        }
        let map = Dynamic::from_map(event_map(event, ctx.cache));
        self.hook(ctx, "on_order_event", || map.clone())?;
        match hook_of(&event.kind) {
            Some(hook) => self.hook(ctx, hook, || map),
            None => Ok(()),
        }
    }

    fn on_order_filled(
        &mut self,
        ctx: &mut StrategyContext<'_>,
        event: &OrderEvent,
        _fill: &OrderFilled,
    ) -> HookResult {
        let map = Dynamic::from_map(event_map(event, ctx.cache));
        self.hook(ctx, "on_order_filled", || map)
    }

    fn on_position_opened(
        &mut self,
        ctx: &mut StrategyContext<'_>,
        event: &PositionEvent,
    ) -> HookResult {
        self.hook(ctx, "on_position_opened", || {
            Dynamic::from_map(position_map(event))
        })
    }

    fn on_position_changed(
        &mut self,
        ctx: &mut StrategyContext<'_>,
        event: &PositionEvent,
    ) -> HookResult {
        self.hook(ctx, "on_position_changed", || {
            Dynamic::from_map(position_map(event))
        })
    }

    fn on_position_closed(
        &mut self,
        ctx: &mut StrategyContext<'_>,
        event: &PositionEvent,
    ) -> HookResult {
        self.hook(ctx, "on_position_closed", || {
            Dynamic::from_map(position_map(event))
        })
    }

    fn on_timer(&mut self, ctx: &mut StrategyContext<'_>, event: &TimeEvent) -> HookResult {
        self.hook(ctx, "on_timer", || {
            let mut map = Map::new();
            map.insert("name".into(), event.name.as_ref().into());
            map.insert("ts".into(), Dynamic::from_int(event.ts_event.0));
            Dynamic::from_map(map)
        })
    }

    fn on_stop(&mut self, ctx: &mut StrategyContext<'_>) -> HookResult {
        self.hook(ctx, "on_stop", || Dynamic::UNIT)
    }

    fn overlays(&self) -> Vec<(String, BarIndicator)> {
        self.ctx.lock().registered.clone()
    }

    /// `params.warmup` when the config gives it; else, once the run has
    /// fed the script's indicators, the bars before all had a value (all
    /// the bars seen when one never had).
    fn warmup_bars(&self) -> usize {
        let state = self.ctx.lock();
        if let Some(bars) = state.params.get("warmup").and_then(|v| v.as_int().ok()) {
            return usize::try_from(bars).unwrap_or(0);
        }
        let bars = match state.warmed_at {
            Some(index) => index,
            None if state.builtins.is_empty() && state.custom.is_empty() => 0,
            None => state.bar_index + 1,
        };
        usize::try_from(bars).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests;
