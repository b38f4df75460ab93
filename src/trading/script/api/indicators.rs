//! The indicator methods of `ctx`: built-ins by period, MACD, Bollinger,
//! stochastic, VWAP, custom indicators written in the script, and the
//! reads and crosses of their lines.

use rhai::{Dynamic, ImmutableString};

use crate::indicators::{
    Atr, BarIndicator, Bollinger, DEFAULT_HISTORY, Ema, History, Macd, Roc, Rsi, Sma, Stochastic,
    Vwap,
};

use super::{Ctx, CustomIndicator, Line, Registry, RhaiResult, fail, number, whole};

pub(super) fn register_indicators(r: &mut Registry<'_>) {
    fn made<T>(made: Result<T, crate::indicators::PeriodError>) -> RhaiResult<T> {
        made.map_err(|e| e.to_string().into())
    }
    // The indicators that take one period, each registered the same way.
    type ByPeriod = fn(usize) -> Result<BarIndicator, crate::indicators::PeriodError>;
    let by_period: [(&'static str, ByPeriod); 5] = [
        ("sma", |n| Sma::new(n).map(BarIndicator::Sma)),
        ("ema", |n| Ema::new(n).map(BarIndicator::Ema)),
        ("atr", |n| Atr::new(n).map(BarIndicator::Atr)),
        ("rsi", |n| Rsi::new(n).map(BarIndicator::Rsi)),
        ("roc", |n| Roc::new(n).map(BarIndicator::Roc)),
    ];
    for (method, build) in by_period {
        r.fun(
            method,
            move |ctx: &mut Ctx, name: &str, n: Dynamic| -> RhaiResult<()> {
                let indicator = made(build(whole(&n, "period", 1)?))?;
                ctx.lock().register(name, indicator)
            },
        );
    }
    r.fun(
        "macd",
        |ctx: &mut Ctx,
         name: &str,
         fast: Dynamic,
         slow: Dynamic,
         signal: Dynamic|
         -> RhaiResult<()> {
            let macd = made(Macd::new(
                whole(&fast, "fast period", 1)?,
                whole(&slow, "slow period", 1)?,
                whole(&signal, "signal period", 1)?,
            ))?;
            ctx.lock().register(name, BarIndicator::Macd(macd))
        },
    );
    r.fun(
        "bollinger",
        |ctx: &mut Ctx, name: &str, n: Dynamic, width: Dynamic| -> RhaiResult<()> {
            let bands = made(Bollinger::new(
                whole(&n, "period", 1)?,
                number(&width, "width")?,
            ))?;
            ctx.lock().register(name, BarIndicator::Bollinger(bands))
        },
    );
    r.fun(
        "stochastic",
        |ctx: &mut Ctx, name: &str, k: Dynamic, d: Dynamic| -> RhaiResult<()> {
            let st = made(Stochastic::new(
                whole(&k, "%K period", 1)?,
                whole(&d, "%D period", 1)?,
            ))?;
            ctx.lock().register(name, BarIndicator::Stochastic(st))
        },
    );
    r.fun("vwap", |ctx: &mut Ctx, name: &str| -> RhaiResult<()> {
        ctx.lock().register(name, BarIndicator::Vwap(Vwap::new(0)))
    });
    r.fun(
        "vwap",
        |ctx: &mut Ctx, name: &str, n: Dynamic| -> RhaiResult<()> {
            let period = crate::indicators::PeriodError::check("VWAP", whole(&n, "period", 1)?);
            let vwap = Vwap::new(made(period)?);
            ctx.lock().register(name, BarIndicator::Vwap(vwap))
        },
    );
    r.fun(
        "indicator",
        |ctx: &mut Ctx, name: &str, function: ImmutableString| -> RhaiResult<()> {
            let mut state = ctx.lock();
            state.check_new_name(name)?;
            match state.functions.get(function.as_str()) {
                Some(2) => {}
                Some(n) => {
                    return fail(format!(
                        "indicator function '{function}' must take (ctx, bar), it takes {n} parameter(s)"
                    ));
                }
                None => return fail(format!("no function '{function}' in the script")),
            }
            let history = History::new(DEFAULT_HISTORY);
            state.charge(name, history.max_bytes())?;
            let index = state.custom.len();
            state.lines.push((name.to_string(), Line::Custom(index)));
            state.custom.push(CustomIndicator { function, history });
            Ok(())
        },
    );
    r.fun("ind", |ctx: &mut Ctx, name: &str| ctx.lock().value(name, 0));
    // One call for the commonest question, as Backtesting.py's `crossover`:
    // each script call costs more than the comparisons it replaces.
    r.fun(
        "cross",
        |ctx: &mut Ctx, a: &str, b: &str| -> RhaiResult<i64> {
            let state = ctx.lock();
            Ok(state.cross(state.line(a)?, state.line(b)?))
        },
    );
    // A script call per bar costs far more than the engine's work on that
    // bar; a strategy that acts only on crosses can say so and be called
    // only then (the comparison runs in Rust on every bar).
    r.fun(
        "wake_on_cross",
        |ctx: &mut Ctx, a: &str, b: &str| -> RhaiResult<()> {
            let mut state = ctx.lock();
            if !state.starting {
                return fail("wake_on_cross must be called in on_start".to_string());
            }
            let pair = (state.line(a)?, state.line(b)?);
            state.wake_crosses.push(pair);
            Ok(())
        },
    );
    // Typed exactly (not Dynamic): Rhai resolves exact signatures fastest,
    // and this is the call scripts make most.
    r.fun(
        "ind",
        |ctx: &mut Ctx, name: &str, ago: i64| -> RhaiResult<Dynamic> {
            let ago = usize::try_from(ago)
                .map_err(|_| format!("bars ago must be at least 0, got {ago}"))?;
            ctx.lock().value(name, ago)
        },
    );
}
