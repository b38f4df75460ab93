//! Engine throughput on 1,000,000 synthetic 1-minute bars (engine time
//! only: bars are generated before timing). Workloads of
//! ../shared/reference/WORKLOADS.md: W1 buy-and-hold, W2 EMA cross, W3 100
//! resting limit orders refreshed every 100 bars; W2 also as the Rhai
//! script strategies/ema_cross.rhai.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a bench fails loudly"
)]

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use bt::backtest::config::{self, BacktestConfig};
use bt::backtest::engine::BacktestEngine;
use bt::core::enums::OrderSide;
use bt::core::identifiers::InstrumentIndex;
use bt::core::{Price, Quantity};
use bt::data::synthetic::{GbmSpec, generate_gbm};
use bt::engine::replay::BarStream;
use bt::model::data::Bar;
use bt::trading::builtin;
use bt::trading::params::{ParamValue, Params};
use bt::trading::script::{ScriptLimits, ScriptProgram, ScriptStrategy};
use bt::trading::strategy::{HookResult, Strategy, StrategyContext};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const BARS: usize = 1_000_000;

fn config(fee: &str) -> BacktestConfig {
    let text = format!(
        r#"[backtest]
name = "bench"
[[venues]]
name = "SIM"
base_currency = "USD"
starting_balances = ["100000 USD"]
fee_model = {{ kind = "percentage", maker = {fee}, taker = {fee} }}
[[instruments]]
id = "SYNTH.SIM"
kind = "equity"
currency = "USD"
price_precision = 2
size_precision = 0
[[data]]
instrument = "SYNTH.SIM"
path = "bench.csv"
[[strategies]]
builtin = "buy_and_hold"
instrument = "SYNTH.SIM"
"#
    );
    config::parse(Path::new("bench.toml"), &text).unwrap()
}

/// W3: every 100 bars cancel everything, flatten, and rest 100 limit buys.
struct OrderHeavy {
    bars: usize,
    seen: usize,
}

impl Strategy for OrderHeavy {
    // It does nothing with its orders' events, and says so, as a user who
    // cares about speed would (see `Strategy::wants_order_events`).
    fn wants_order_events(&self) -> bool {
        false
    }

    fn on_bar(&mut self, ctx: &mut StrategyContext<'_>, bar: &Bar) -> HookResult {
        let i = self.seen;
        self.seen += 1;
        if !i.is_multiple_of(100) || i + 1 == self.bars {
            return Ok(());
        }
        let instrument = InstrumentIndex(0);
        ctx.cancel_all(Some(instrument));
        ctx.close_position(instrument);
        let close = bar.close().as_f64();
        let one = Quantity::parse("1", 0).unwrap();
        for k in 0..100 {
            let p = 0.01 + f64::from(k) * 0.09 / 99.0;
            let price = Price::from_f64(close * (1.0 - p), 2).unwrap();
            ctx.limit(instrument, OrderSide::Buy, price, one);
        }
        Ok(())
    }
}

fn run(config: &BacktestConfig, strategy: Box<dyn Strategy>, bars: &[Bar]) -> usize {
    let engine = BacktestEngine::new(config, vec![strategy]).unwrap();
    let output = engine
        .run(vec![(
            "SYNTH.SIM-1-MINUTE-LAST".into(),
            BarStream { bars, priority: 0 },
        )])
        .unwrap();
    output.curve.ts.len()
}

fn throughput(c: &mut Criterion) {
    let bars = generate_gbm(&GbmSpec {
        bars: BARS,
        ..GbmSpec::default()
    });
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.throughput(Throughput::Elements(BARS as u64));
    let free = config("0");
    let w2 = config("0.001");
    group.bench_function("w1_buy_and_hold_1m", |b| {
        b.iter(|| {
            run(
                &free,
                builtin::build("buy_and_hold", InstrumentIndex(0), &Params::default()).unwrap(),
                black_box(&bars),
            )
        });
    });
    group.bench_function("w2_ema_cross_1m", |b| {
        b.iter(|| {
            run(
                &w2,
                builtin::build("ema_cross", InstrumentIndex(0), &Params::default()).unwrap(),
                black_box(&bars),
            )
        });
    });
    // The example as written (woken only on crosses), and the same script
    // with on_bar called on every bar: what a script without the hint costs.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("strategies/ema_cross.rhai");
    let source = std::fs::read_to_string(&path).unwrap();
    let every_bar = source.replace("ctx.wake_on_cross(\"fast\", \"slow\");", "");
    assert_ne!(
        every_bar, source,
        "the example no longer asks for wake_on_cross"
    );
    // The engine numbers orders under the config's strategy id.
    let id = w2.strategies[0].id.clone();
    for (name, text) in [
        ("w2_ema_cross_script_1m", &source),
        ("w2_ema_cross_script_every_bar_1m", &every_bar),
    ] {
        let program =
            Arc::new(ScriptProgram::compile(&path, text, ScriptLimits::default()).unwrap());
        group.bench_function(name, |b| {
            b.iter(|| {
                let params = Params::new(
                    [
                        ("fast".to_string(), ParamValue::Int(10)),
                        ("slow".to_string(), ParamValue::Int(30)),
                    ]
                    .into(),
                );
                let strategy = ScriptStrategy::new(
                    Arc::clone(&program),
                    &id,
                    InstrumentIndex(0),
                    w2.instruments[0].clone(),
                    &params,
                )
                .unwrap();
                run(&w2, Box::new(strategy), black_box(&bars))
            });
        });
    }
    group.bench_function("w3_order_heavy_1m", |b| {
        b.iter(|| {
            run(
                &free,
                Box::new(OrderHeavy {
                    bars: BARS,
                    seen: 0,
                }),
                black_box(&bars),
            )
        });
    });
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
