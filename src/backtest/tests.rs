//! Engine-level tests: lifecycle, accounting identities, multi-venue.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use proptest::prelude::{ProptestConfig, prop_assert, prop_assert_eq, proptest};
use proptest::strategy::Strategy as _;

use super::config;
use super::engine::BacktestEngine;
use super::results::BacktestResult;
use crate::core::clock::TimeEvent;
use crate::core::enums::{OrderSide, OrderStatus, TimeInForce};
use crate::core::events::{OrderEvent, OrderEventKind, PositionEvent};
use crate::core::fixed::{self, FIXED_SCALAR};
use crate::core::identifiers::{ClientOrderId, InstrumentIndex};
use crate::core::{Price, Quantity, UnixNanos};
use crate::data::synthetic::{GbmSpec, generate_gbm};
use crate::engine::commands::{OrderSize, SubmitOrder};
use crate::engine::replay::BarStream;
use crate::model::data::Bar;
use crate::model::orders::OrderKind;
use crate::model::orders::trailing::{TrailOffset, TrailingSpec};
use crate::trading::strategy::{HookResult, Strategy, StrategyContext};

/// What the scripted strategy does on a given bar.
#[derive(Debug, Clone)]
enum Action {
    Buy(i64),
    Sell(i64),
    Limit(OrderSide, &'static str, i64),
    LimitWith(&'static str, i64, TimeInForce, Option<i64>),
    Stop(OrderSide, &'static str, i64),
    /// A reduce-only sell: a stop (`true`) or a limit at the price.
    ExitSell(bool, &'static str, i64),
    /// A market buy with a stop-loss and a take-profit that many basis
    /// points below and above the close: a bracket.
    Bracket(i64, i64, i64),
    /// A trailing sell stop this far below the best price since it started.
    TrailSell(&'static str, i64),
    CancelAll,
    Cancel(&'static str),
    CloseAll,
    Timer(i64),
}

/// Replays a script of actions by bar number and records what it sees.
#[derive(Debug, Default)]
struct Scripted {
    instrument: u32,
    script: BTreeMap<usize, Vec<Action>>,
    bar: usize,
    /// What the strategy saw, shared with the test after the engine took it.
    log: Arc<Mutex<Vec<String>>>,
}

impl Scripted {
    fn note(&self, line: String) {
        if let Ok(mut log) = self.log.lock() {
            log.push(line);
        }
    }
}

impl Strategy for Scripted {
    fn on_bar(&mut self, ctx: &mut StrategyContext<'_>, bar: &Bar) -> HookResult {
        if bar.instrument.0 != self.instrument {
            return Ok(());
        }
        let instrument = bar.instrument;
        let qty = |n: i64| Quantity::from_raw(i128::from(n) * FIXED_SCALAR, 0).unwrap_or_default();
        let px = |text: &str| Price::parse(text, 2).unwrap_or_default();
        let order_of =
            |side, kind, n| SubmitOrder::new(instrument, side, kind, OrderSize::Quantity(qty(n)));
        for action in self.script.get(&self.bar).cloned().unwrap_or_default() {
            match action {
                Action::Buy(n) => {
                    ctx.buy(instrument, OrderSize::Quantity(qty(n)));
                }
                Action::Sell(n) => {
                    ctx.sell(instrument, OrderSize::Quantity(qty(n)));
                }
                Action::Limit(side, price, n) => {
                    ctx.limit(instrument, side, px(price), qty(n));
                }
                Action::LimitWith(price, n, time_in_force, expire_minutes) => {
                    let kind = OrderKind::Limit { price: px(price) };
                    let mut order = order_of(OrderSide::Buy, kind, n);
                    order.time_in_force = time_in_force;
                    order.expire_time = expire_minutes.map(|m| UnixNanos(m * 60_000_000_000));
                    ctx.submit(order);
                }
                Action::Stop(side, price, n) => {
                    ctx.stop(instrument, side, px(price), qty(n));
                }
                Action::ExitSell(stop, price, n) => {
                    let kind = if stop {
                        OrderKind::StopMarket {
                            trigger_price: px(price),
                        }
                    } else {
                        OrderKind::Limit { price: px(price) }
                    };
                    let mut order = order_of(OrderSide::Sell, kind, n);
                    order.reduce_only = true;
                    ctx.submit(order);
                }
                Action::Bracket(n, below, above) => {
                    // On the tick grid (2 decimals, 10^7 raw).
                    let at = |bp: i64| Price {
                        raw: bar.close * (10_000 + bp) / 10_000 / 10_000_000 * 10_000_000,
                        precision: 2,
                    };
                    let entry = order_of(OrderSide::Buy, OrderKind::Market, n);
                    ctx.bracket(entry, Some(at(-below)), Some(at(above)));
                }
                Action::TrailSell(distance, n) => {
                    let spec = TrailingSpec {
                        offset: TrailOffset::Price(px(distance).raw),
                        activation: None,
                        limit_offset: None,
                        tick: 10_000_000,
                    };
                    ctx.trailing_stop(instrument, OrderSide::Sell, qty(n), spec);
                }
                Action::CancelAll => ctx.cancel_all(Some(instrument)),
                Action::Cancel(id) => ctx.cancel(ClientOrderId::new(id).unwrap()),
                Action::CloseAll => ctx.close_all(),
                Action::Timer(secs) => ctx.set_timer("tick", secs * 1_000_000_000),
            }
        }
        self.bar += 1;
        Ok(())
    }

    fn on_order_event(&mut self, ctx: &mut StrategyContext<'_>, event: &OrderEvent) -> HookResult {
        let id = ctx
            .cache
            .order(event.order)
            .map(|o| o.client_order_id.to_string());
        self.note(format!("{} {}", id.unwrap_or_default(), event.kind.name()));
        Ok(())
    }

    fn on_position_opened(
        &mut self,
        _ctx: &mut StrategyContext<'_>,
        event: &PositionEvent,
    ) -> HookResult {
        self.note(format!("opened {} {}", event.position_id, event.side));
        Ok(())
    }

    fn on_position_closed(
        &mut self,
        _ctx: &mut StrategyContext<'_>,
        event: &PositionEvent,
    ) -> HookResult {
        self.note(format!(
            "closed {} {}",
            event.position_id, event.realized_pnl
        ));
        Ok(())
    }

    fn on_timer(&mut self, ctx: &mut StrategyContext<'_>, event: &TimeEvent) -> HookResult {
        self.note(format!("timer {} at {}", event.name, ctx.now));
        Ok(())
    }
}

const ONE_VENUE: &str = r#"
[backtest]
name = "t"
[[venues]]
name = "SIM"
base_currency = "USD"
starting_balances = ["100000 USD"]
fee_model = { kind = "percentage", maker = "0.0005", taker = "0.001" }
[[instruments]]
id = "X.SIM"
kind = "equity"
currency = "USD"
price_precision = 2
size_precision = 0
[[data]]
instrument = "X.SIM"
path = "unused.csv"
[[strategies]]
builtin = "buy_and_hold"
instrument = "X.SIM"
"#;

/// [`ONE_VENUE`] with more settings for its venue.
fn one_venue_with(settings: &str) -> String {
    ONE_VENUE.replace(
        "base_currency = \"USD\"",
        &format!("{settings}\nbase_currency = \"USD\""),
    )
}

fn bar(ts: i64, o: &str, h: &str, l: &str, c: &str, instrument: u32) -> Bar {
    let p = |t: &str| Price::parse(t, 2).unwrap().raw;
    Bar {
        ts_event: UnixNanos(ts * 60_000_000_000),
        ts_init: UnixNanos(ts * 60_000_000_000),
        open: p(o),
        high: p(h),
        low: p(l),
        close: p(c),
        volume: 0,
        instrument: InstrumentIndex(instrument),
        price_precision: 2,
        size_precision: 0,
    }
}

/// Runs `strategies` on `bars` (one stream per data spec) under `toml`.
fn run(toml: &str, strategies: Vec<Box<dyn Strategy>>, bars: Vec<Vec<Bar>>) -> BacktestResult {
    let cfg = config::parse(Path::new("test.toml"), toml).unwrap();
    let engine = BacktestEngine::new(&cfg, strategies).unwrap();
    let streams = cfg
        .data
        .iter()
        .zip(&bars)
        .map(|(d, b)| {
            (
                d.bar_type.to_string(),
                BarStream {
                    bars: b,
                    priority: d.priority,
                },
            )
        })
        .collect();
    let output = engine.run(streams).unwrap();
    let closes: Vec<f64> = bars[0].iter().map(|b| b.close().as_f64()).collect();
    let prices: Vec<&[Bar]> = bars.iter().map(Vec::as_slice).collect();
    BacktestResult::build(
        output,
        crate::backtest::results::ResultInputs {
            name: "t",
            config: "test.toml",
            benchmark: &crate::backtest::results::Benchmark::new(closes),
            prices: &prices,
            bars: bars[0].len(),
            warnings: Vec::new(),
            detail: crate::backtest::results::Detail::Full,
        },
    )
    .unwrap()
}

fn scripted(script: &[(usize, Action)]) -> Scripted {
    let mut s = Scripted::default();
    for (bar, action) in script {
        s.script.entry(*bar).or_default().push(action.clone());
    }
    s
}

/// Bars that stay within 10 cents of 10.00.
fn calm_bars(n: i64) -> Vec<Bar> {
    (0..n)
        .map(|i| bar(i, "10.00", "10.10", "9.90", "10.00", 0))
        .collect()
}

fn flat_bars(n: i64) -> Vec<Bar> {
    (0..n)
        .map(|i| bar(i, "10.00", "10.50", "9.50", "10.00", 0))
        .collect()
}

#[test]
fn order_lifecycle_market_fills_at_next_open() {
    let bars = vec![
        bar(0, "10.00", "10.10", "9.90", "10.00", 0),
        bar(1, "10.20", "10.30", "10.10", "10.25", 0),
        bar(2, "10.25", "10.40", "10.20", "10.30", 0),
    ];
    let result = run(
        ONE_VENUE,
        vec![Box::new(scripted(&[(0, Action::Buy(100))]))],
        vec![bars],
    );
    let order = &result.orders.record(0).unwrap();
    let names: Vec<&str> = order.events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(names, ["INITIALIZED", "SUBMITTED", "ACCEPTED", "FILLED"]);
    assert_eq!(order.order.status, OrderStatus::Filled);
    assert_eq!(order.order.avg_px().unwrap().raw, 10_200_000_000);
    assert_eq!(
        order.events[3].ts_event,
        UnixNanos(60_000_000_000),
        "fills on bar 1, not bar 0"
    );
    // Cash: 100000 − 100 × 10.20 − 1.02 commission; equity at the close 10.30.
    let account = &result.accounts[0].balances[0];
    assert_eq!(fixed::format_raw(account.total.raw, 2), "98978.98");
    assert_eq!(
        fixed::format_raw(*result.equity.equity_raw.last().unwrap(), 2),
        "100008.98"
    );
}

#[test]
fn position_lifecycle_pnl_is_price_move_times_qty_minus_commissions() {
    let bars = vec![
        bar(0, "10.00", "10.00", "10.00", "10.00", 0),
        bar(1, "10.00", "10.00", "10.00", "10.00", 0),
        bar(2, "12.00", "12.00", "12.00", "12.00", 0),
        bar(3, "12.00", "12.00", "12.00", "12.00", 0),
    ];
    let result = run(
        ONE_VENUE,
        vec![Box::new(scripted(&[
            (0, Action::Buy(100)),
            (1, Action::CloseAll),
        ]))],
        vec![bars],
    );
    assert_eq!(result.trades.len(), 1);
    let trade = &result.trades[0];
    // (12 − 10) × 100 − 1.00 − 1.20
    assert_eq!(fixed::format_raw(trade.pnl.raw, 2), "197.80");
    assert_eq!(fixed::format_raw(trade.commission.raw, 2), "2.20");
    assert_eq!(
        fixed::format_raw(*result.equity.equity_raw.last().unwrap(), 2),
        "100197.80"
    );
}

#[test]
fn reversal_closes_one_trade_and_opens_the_next() {
    let toml = ONE_VENUE
        .replace("name = \"SIM\"", "name = \"SIM\"\naccount = \"margin\"")
        .replace(
            "fee_model = { kind = \"percentage\", maker = \"0.0005\", taker = \"0.001\" }",
            "",
        );
    let bars = flat_bars(4);
    let result = run(
        &toml,
        vec![Box::new(scripted(&[
            (0, Action::Buy(100)),
            (1, Action::Sell(150)),
        ]))],
        vec![bars],
    );
    assert_eq!(result.trades.len(), 1);
    assert_eq!(result.open_trades.len(), 1);
    assert_eq!(result.open_trades[0].entry_side, OrderSide::Sell);
    assert_eq!(result.open_trades[0].size.to_string(), "50");
}

/// Orders by type with their final status, and the venue's notes.
fn outcome(result: &BacktestResult) -> (Vec<(String, OrderStatus)>, Vec<String>) {
    let status = result
        .orders
        .records()
        .map(|o| (o.order.order_type().to_string(), o.order.status))
        .collect();
    let notes = result
        .order_notes
        .iter()
        .map(|(_, reason)| reason.to_string())
        .collect();
    (status, notes)
}

#[test]
fn limits_stops_cancels_and_denials() {
    let bars = vec![
        bar(0, "10.00", "10.10", "9.90", "10.00", 0),
        bar(1, "10.00", "10.10", "9.70", "9.80", 0),
        bar(2, "9.80", "9.90", "9.60", "9.70", 0),
        bar(3, "9.70", "9.80", "9.60", "9.65", 0),
    ];
    let script = [
        (0, Action::Limit(OrderSide::Buy, "9.75", 10)),
        (0, Action::Limit(OrderSide::Buy, "5.00", 10)),
        (1, Action::Stop(OrderSide::Sell, "9.65", 10)),
        (2, Action::CancelAll),
        (3, Action::Sell(1000)),
    ];
    let result = run(ONE_VENUE, vec![Box::new(scripted(&script))], vec![bars]);
    assert_eq!(
        outcome(&result).0,
        vec![
            ("LIMIT".into(), OrderStatus::Filled),
            ("LIMIT".into(), OrderStatus::Canceled),
            ("STOP_MARKET".into(), OrderStatus::Filled),
            ("MARKET".into(), OrderStatus::Denied),
        ]
    );
    assert_eq!(
        result.orders.record(0).unwrap().order.avg_px().unwrap().raw,
        9_750_000_000
    );
    assert_eq!(
        result.orders.record(2).unwrap().order.avg_px().unwrap().raw,
        9_650_000_000
    );
    let denied = &result.orders.record(3).unwrap().events[1].kind;
    assert!(
        matches!(denied, OrderEventKind::Denied { reason } if &**reason == "a cash account cannot sell short"),
        "{denied:?}"
    );
    // Limit fills are maker (0.05 %), stops taker (0.1 %).
    let fees: Vec<String> = result
        .orders
        .records()
        .take(3)
        .collect::<Vec<_>>()
        .iter()
        .filter_map(|o| o.commissions().next())
        .map(|m| fixed::format_raw(m.raw, 5))
        .collect();
    assert_eq!(fees, vec!["0.04875", "0.09650"]);
}

#[test]
fn two_reduce_only_exits_on_one_bar_close_the_position_once() {
    // A stop-loss and a take-profit for the whole holding both rest on a
    // cash account; one bar reaches both: the first fills, the second
    // finds nothing left to reduce instead of selling short.
    let mut bars = calm_bars(4);
    bars[2] = bar(2, "10.00", "10.50", "9.50", "10.00", 0);
    let script = [
        (0, Action::Buy(10)),
        (1, Action::ExitSell(true, "9.60", 10)),
        (1, Action::ExitSell(false, "10.40", 10)),
    ];
    let result = run(ONE_VENUE, vec![Box::new(scripted(&script))], vec![bars]);
    let (status, notes) = outcome(&result);
    assert_eq!(
        status,
        vec![
            ("MARKET".into(), OrderStatus::Filled),
            ("STOP_MARKET".into(), OrderStatus::Filled),
            ("LIMIT".into(), OrderStatus::Canceled),
        ],
        "both extremes are as near: the path visits the low first"
    );
    assert_eq!(notes, vec!["reduce-only: no position left to reduce"]);
    assert_eq!(net_filled_raw(&result), 0);
}

#[test]
fn a_trailing_stop_from_the_rust_api_starts_off_the_last_close_and_follows() {
    // Long 1 from bar 1's open; a sell trailing 2.00 starts at 100 − 2 =
    // 98, rises with bar 2's high 105 to 103, and bar 3 falls through it.
    let bars = vec![
        bar(0, "100.00", "100.00", "100.00", "100.00", 0),
        bar(1, "100.00", "100.50", "99.50", "100.00", 0),
        bar(2, "101.00", "105.00", "101.00", "104.00", 0),
        bar(3, "104.00", "104.00", "100.00", "101.00", 0),
    ];
    let script = [(0, Action::Buy(1)), (1, Action::TrailSell("2.00", 1))];
    let result = run(ONE_VENUE, vec![Box::new(scripted(&script))], vec![bars]);
    let trail = result.orders.record(1).unwrap();
    assert_eq!(trail.order.order_type().to_string(), "TRAILING_STOP_MARKET");
    let fills: Vec<String> = trail
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            OrderEventKind::Filled(f) => Some(f.last_px.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(fills, vec!["103.00"]);
    // Before the first bar there is nothing to start from.
    assert!(
        TrailingSpec {
            offset: TrailOffset::Ticks(1),
            activation: None,
            limit_offset: None,
            tick: 1,
        }
        .start(OrderSide::Sell, None, None)
        .is_none()
    );
}

#[test]
fn a_reduce_only_exit_trades_only_what_is_left() {
    // 10 held; a plain sell of 4 fills first on the bar, so the reduce-only
    // sell of 10 fills 6 and the venue cancels the rest.
    let margin = one_venue_with("account = \"margin\"");
    let mut bars = calm_bars(4);
    bars[2] = bar(2, "10.00", "10.50", "9.90", "10.00", 0);
    let script = [
        (0, Action::Buy(10)),
        (1, Action::Limit(OrderSide::Sell, "10.20", 4)),
        (1, Action::ExitSell(false, "10.40", 10)),
    ];
    let result = run(&margin, vec![Box::new(scripted(&script))], vec![bars]);
    let (status, notes) = outcome(&result);
    assert_eq!(
        status,
        vec![
            ("MARKET".into(), OrderStatus::Filled),
            ("LIMIT".into(), OrderStatus::Filled),
            ("LIMIT".into(), OrderStatus::Canceled),
        ]
    );
    assert_eq!(
        result
            .orders
            .record(2)
            .unwrap()
            .order
            .filled_qty
            .to_string(),
        "6"
    );
    assert_eq!(
        notes,
        vec!["reduce-only: the rest would have reversed the position"]
    );
    assert_eq!(net_filled_raw(&result), 0);
}

#[test]
fn close_all_on_a_hedging_venue_closes_offsetting_positions() {
    // A long and a short of the same size net to zero, yet each is a
    // position of its own: closing them is two reduce-only orders, each
    // reducing the position it names.
    let hedging = one_venue_with("oms = \"hedging\"\naccount = \"margin\"");
    let script = [
        (0, Action::Buy(10)),
        (1, Action::Sell(10)),
        (2, Action::CloseAll),
    ];
    let result = run(
        &hedging,
        vec![Box::new(scripted(&script))],
        vec![calm_bars(5)],
    );
    let (status, notes) = outcome(&result);
    assert_eq!(status.len(), 4);
    assert!(
        status.iter().all(|(_, s)| *s == OrderStatus::Filled),
        "{status:?} {notes:?}"
    );
    assert_eq!(result.trades.len(), 2);
    assert!(result.open_trades.is_empty());
}

#[test]
fn time_in_force_ioc_gtd_day_and_unsupported() {
    let bars = flat_bars(5);
    let script = [
        (0, Action::LimitWith("9.00", 1, TimeInForce::Ioc, None)),
        (0, Action::LimitWith("9.60", 1, TimeInForce::Ioc, None)),
        (0, Action::LimitWith("9.00", 1, TimeInForce::Gtd, Some(2))),
        (0, Action::LimitWith("9.00", 1, TimeInForce::Day, None)),
        (0, Action::LimitWith("9.00", 1, TimeInForce::Gtd, None)),
        (
            0,
            Action::LimitWith("9.00", 1, TimeInForce::AtTheClose, None),
        ),
    ];
    let result = run(ONE_VENUE, vec![Box::new(scripted(&script))], vec![bars]);
    let status: Vec<OrderStatus> = result.orders.records().map(|o| o.order.status).collect();
    assert_eq!(
        status,
        vec![
            OrderStatus::Canceled,
            OrderStatus::Filled,
            OrderStatus::Expired,
            OrderStatus::Accepted,
            OrderStatus::Denied,
            OrderStatus::Denied
        ]
    );
    // The IOC order that could not fill was canceled on its first bar.
    assert_eq!(
        result
            .orders
            .record(0)
            .unwrap()
            .events
            .last()
            .unwrap()
            .ts_event,
        UnixNanos(60_000_000_000)
    );
    // The GTD order expired at its deadline, before bar 3.
    assert_eq!(
        result
            .orders
            .record(2)
            .unwrap()
            .events
            .last()
            .unwrap()
            .ts_event,
        UnixNanos(120_000_000_000)
    );
}

#[test]
fn cancel_by_client_order_id() {
    let script = [
        (0, Action::Limit(OrderSide::Buy, "5.00", 1)),
        (0, Action::Limit(OrderSide::Buy, "5.00", 1)),
        (1, Action::Cancel("O-buy_and_hold-1-2")),
    ];
    let result = run(
        ONE_VENUE,
        vec![Box::new(scripted(&script))],
        vec![flat_bars(3)],
    );
    let status: Vec<OrderStatus> = result.orders.records().map(|o| o.order.status).collect();
    assert_eq!(status, vec![OrderStatus::Accepted, OrderStatus::Canceled]);
}

#[test]
fn a_cancel_of_an_id_the_strategy_did_not_make_is_an_error() {
    for id in ["O-buy_and_hold-1-9", "O-other-1"] {
        let script = [
            (0, Action::Limit(OrderSide::Buy, "5.00", 1)),
            (1, Action::Cancel(id)),
        ];
        let cfg = config::parse(Path::new("test.toml"), ONE_VENUE).unwrap();
        let engine = BacktestEngine::new(&cfg, vec![Box::new(scripted(&script))]).unwrap();
        let bars = flat_bars(3);
        let stream = BarStream {
            bars: &bars,
            priority: cfg.data[0].priority,
        };
        let error = engine
            .run(vec![(cfg.data[0].bar_type.to_string(), stream)])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(&format!(
                "cancel of '{id}', which this strategy did not submit"
            )),
            "{error}"
        );
        assert!(error.contains("at 1970-01-01T00:01:00Z"), "{error}");
    }
}

#[test]
fn timers_fire_through_the_clock() {
    let strategy = scripted(&[(0, Action::Timer(120))]);
    let log = strategy.log.clone();
    run(ONE_VENUE, vec![Box::new(strategy)], vec![flat_bars(6)]);
    let timers: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with("timer"))
        .cloned()
        .collect();
    assert_eq!(
        timers,
        vec![
            "timer tick at 1970-01-01T00:02:00Z",
            "timer tick at 1970-01-01T00:04:00Z"
        ]
    );
}

#[test]
fn strategies_hear_their_order_and_position_events() {
    let strategy = scripted(&[(0, Action::Buy(10)), (1, Action::CloseAll)]);
    let log = strategy.log.clone();
    run(ONE_VENUE, vec![Box::new(strategy)], vec![flat_bars(3)]);
    let log = log.lock().unwrap().clone();
    assert_eq!(
        log,
        vec![
            "O-buy_and_hold-1-1 SUBMITTED",
            "O-buy_and_hold-1-1 ACCEPTED",
            "O-buy_and_hold-1-1 FILLED",
            "opened P-1 LONG",
            "O-buy_and_hold-1-2 SUBMITTED",
            "O-buy_and_hold-1-2 ACCEPTED",
            "O-buy_and_hold-1-2 FILLED",
            "closed P-1 -0.20 USD",
        ]
    );
}

const TWO_VENUES: &str = r#"
[backtest]
name = "multi"
[[venues]]
name = "CRYPTO"
oms = "netting"
account = "margin"
leverage = 5
base_currency = "USDT"
starting_balances = ["10000 USDT"]
fee_model = { kind = "percentage", taker = "0.0004" }
[[venues]]
name = "NYSE"
oms = "hedging"
account = "cash"
base_currency = "USD"
starting_balances = ["50000 USD"]
fee_model = { kind = "flat", amount = "1.00 USD" }
[[instruments]]
id = "BTCUSDT.CRYPTO"
kind = "crypto_perpetual"
base_currency = "BTC"
currency = "USDT"
price_precision = 2
size_precision = 0
[[instruments]]
id = "AAPL.NYSE"
kind = "equity"
currency = "USD"
price_precision = 2
size_precision = 0
[[data]]
instrument = "BTCUSDT.CRYPTO"
path = "a.csv"
[[data]]
instrument = "AAPL.NYSE"
path = "b.csv"
[[strategies]]
builtin = "buy_and_hold"
instrument = "BTCUSDT.CRYPTO"
[[strategies]]
builtin = "buy_and_hold"
instrument = "AAPL.NYSE"
[fx_rates]
"USD/USDT" = 1.0
"#;

#[test]
fn multi_venue_netting_margin_and_hedging_cash() {
    let crypto: Vec<Bar> = (0..4)
        .map(|i| {
            bar(
                i,
                "100.00",
                "101.00",
                "99.00",
                if i < 3 { "100.00" } else { "110.00" },
                0,
            )
        })
        .collect();
    let equity: Vec<Bar> = (0..4)
        .map(|i| bar(i, "50.00", "50.00", "50.00", "50.00", 1))
        .collect();
    let mut a = scripted(&[(0, Action::Buy(10)), (1, Action::Buy(5))]);
    a.instrument = 0;
    let mut b = scripted(&[(0, Action::Buy(10)), (1, Action::Buy(10))]);
    b.instrument = 1;
    let result = run(
        TWO_VENUES,
        vec![Box::new(a), Box::new(b)],
        vec![crypto, equity],
    );
    // NETTING keeps one crypto position; HEDGING opens one per entry.
    let open: Vec<(String, String)> = result
        .open_trades
        .iter()
        .map(|t| (t.instrument_id.to_string(), t.size.to_string()))
        .collect();
    assert_eq!(
        open,
        vec![
            ("BTCUSDT.CRYPTO".into(), "15".into()),
            ("AAPL.NYSE".into(), "10".into()),
            ("AAPL.NYSE".into(), "10".into())
        ]
    );
    let usdt = &result.accounts[0].balances[0];
    // Margin: only fees leave the balance (0.04 % of 1000 + 500); 1500 / 5 is locked.
    assert_eq!(fixed::format_raw(usdt.total.raw, 2), "9999.40");
    assert_eq!(fixed::format_raw(usdt.locked.raw, 2), "300.00");
    let usd = result.accounts[1]
        .balances
        .iter()
        .find(|b| b.total.currency.code() == "USD")
        .unwrap();
    // Cash: 20 × 50 paid plus a flat 1.00 per order.
    assert_eq!(fixed::format_raw(usd.total.raw, 2), "48998.00");
    // The headline curve is in the first venue's currency (USDT):
    // 9999.40 + 15 × (110 − 100) from the margin account, plus the cash
    // account's 48998.00 + 20 × 50 converted at 1 USDT per USD.
    assert_eq!(
        fixed::format_raw(*result.equity.equity_raw.last().unwrap(), 2),
        "60147.40"
    );
}

fn action_strategy() -> impl proptest::strategy::Strategy<Value = (usize, Action)> {
    (0usize..40, 1i64..50, 0u8..3, 1i64..300, 1i64..300).prop_map(|(bar, n, kind, below, above)| {
        let action = match kind {
            0 => Action::Buy(n),
            1 => Action::Sell(n),
            _ => Action::Bracket(n, below, above),
        };
        (bar, action)
    })
}

/// Whether any order tied to another by one-cancels-other filled along
/// with it: the first fill of such a group must cancel the rest.
fn an_oco_group_filled_twice(result: &BacktestResult) -> Option<String> {
    let filled = |index: crate::core::identifiers::OrderIndex| {
        result
            .orders
            .order(index)
            .is_some_and(|o| o.filled_qty.raw > 0)
    };
    result.orders.records().find_map(|r| {
        let links = result.orders.links(r.order.index)?;
        let twice = filled(r.order.index) && links.cancels.iter().any(|o| filled(*o));
        twice.then(|| r.order.client_order_id.to_string())
    })
}

/// Net filled quantity raw over all orders (+ bought, − sold).
fn net_filled_raw(result: &BacktestResult) -> i128 {
    result
        .orders
        .records()
        .flat_map(|o| o.events)
        .filter_map(|e| match &e.kind {
            OrderEventKind::Filled(f) if f.order_side == OrderSide::Buy => {
                Some(f.last_qty.signed_raw())
            }
            OrderEventKind::Filled(f) => Some(-f.last_qty.signed_raw()),
            _ => None,
        })
        .sum()
}

fn fill_fees_raw(result: &BacktestResult) -> i128 {
    result
        .orders
        .records()
        .flat_map(|o| o.events)
        .filter_map(|e| match &e.kind {
            OrderEventKind::Filled(f) => Some(f.commission.raw),
            _ => None,
        })
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn cash_plus_positions_is_equity_and_fees_are_charged_once(script in proptest::collection::vec(action_strategy(), 0..30), seed in 0u64..1000, margin: bool, capped: bool, funded: bool) {
        // Capped: orders fill over several bars in part (0.2 % of each
        // bar's volume); margin: at leverage 2, so margin calls liquidate;
        // funded: a perpetual paying 0.1 % (or receiving, when short)
        // every 5 bars.
        let cap = if capped { "max_volume_share = 0.002\n" } else { "" };
        let funding = if funded { "funding = { rate = \"0.001\", interval = \"5m\" }\n" } else { "" };
        let toml = if margin {
            one_venue_with(&format!("{cap}{funding}account = \"margin\"\nleverage = 2"))
        } else {
            one_venue_with(&format!("{cap}{funding}"))
        };
        let toml = if funded {
            toml.replace("kind = \"equity\"", "kind = \"crypto_perpetual\"\nbase_currency = \"BTC\"")
        } else {
            toml
        };
        // Every bar's free cash, observed.
        let toml = format!("{toml}\n[observers]\nevery = \"bar\"\n");
        let bars = generate_gbm(&GbmSpec { bars: 41, seed, ..GbmSpec::default() });
        let result = run(&toml, vec![Box::new(scripted(&script))], vec![bars.clone()]);
        let last_close = i128::from(bars.last().unwrap().close);
        let balance = result.accounts[0].balances[0].total.raw;
        let equity = *result.equity.equity_raw.last().unwrap();
        let net = net_filled_raw(&result);
        let realized: i128 = result.trades.iter().chain(&result.open_trades).map(|t| t.pnl.raw).sum();
        let fees = fill_fees_raw(&result);
        // Funding is booked once: to the account, and to the position
        // that paid or received it.
        let funding: i128 = result.funding.iter().map(|p| p.amount.raw).sum();
        let trade_funding: i128 = result.trades.iter().chain(&result.open_trades).map(|t| t.funding.raw).sum();
        prop_assert_eq!(funding, trade_funding);
        prop_assert!(funded || result.funding.is_empty());
        if margin {
            // Margin: the balance moves only by realized PnL after fees,
            // and funding.
            prop_assert_eq!(100_000 * FIXED_SCALAR + realized + funding, balance);
        } else {
            // Cash: cash + position value = equity, exactly.
            prop_assert_eq!(balance + net * last_close / FIXED_SCALAR, equity);
            prop_assert!(net >= 0, "a cash account never goes short");
            // And on every bar from the last fill on (valued between fills
            // without rebuilding anything).
            let last_fill = result.orders.records().flat_map(|o| o.events)
                .filter(|e| matches!(e.kind, OrderEventKind::Filled(_)))
                .map(|e| e.ts_event).max().unwrap_or_default();
            for (bar, (ts, point)) in bars.iter().zip(result.equity.ts.iter().zip(&result.equity.equity_raw)) {
                prop_assert_eq!(bar.ts_init, *ts);
                if *ts >= last_fill {
                    // Less the funding charged after this point.
                    let later: i128 = result.funding.iter().filter(|p| p.ts > *ts).map(|p| p.amount.raw).sum();
                    prop_assert_eq!(balance - later + net * i128::from(bar.close) / FIXED_SCALAR, *point);
                }
            }
        }
        // Each fill's commission is charged once: in the account, the trades and the stats.
        let trade_fees: i128 = result.trades.iter().chain(&result.open_trades).map(|t| t.commission.raw).sum();
        let stats_fees = match result.stats.get("Commissions [$]") { Some(crate::analysis::stats::StatValue::Money(m)) => m.raw, _ => -1 };
        prop_assert_eq!(fees, trade_fees);
        // The stat, as Backtesting.py's, counts closed trades only.
        let open_fees: i128 = result.open_trades.iter().map(|t| t.commission.raw).sum();
        prop_assert_eq!(fees - open_fees, stats_fees);
        // Exactly one exit of a bracket fills (or none yet).
        prop_assert_eq!(an_oco_group_filled_twice(&result), None);
        // The free balance never goes below zero before a margin call.
        let first_call = result
            .warnings
            .iter()
            .filter_map(|w| w.strip_prefix("margin call at "))
            .filter_map(|rest| UnixNanos::parse_rfc3339(rest.split(' ').next()?).ok())
            .min()
            .unwrap_or(UnixNanos(i64::MAX));
        prop_assert_eq!(result.observations.len(), bars.len());
        for point in result.observations.iter().filter(|o| o.ts < first_call) {
            prop_assert!(point.cash_raw >= 0, "free {} at {}", point.cash_raw, point.ts);
        }
    }
}

#[test]
fn the_backtest_window_bounds_the_bars_replayed() {
    let toml = ONE_VENUE.replace(
        "name = \"t\"",
        "name = \"t\"\nstart = \"1970-01-01T00:03:00Z\"\nend = \"1970-01-01T00:06:00Z\"",
    );
    let minutes = |result: &BacktestResult| -> Vec<i64> {
        result
            .equity
            .ts
            .iter()
            .map(|t| t.0 / 60_000_000_000)
            .collect()
    };
    // One stream (cut off once) and two (merged bar by bar) agree.
    let one = run(
        &toml,
        vec![Box::new(scripted(&[(0, Action::Buy(1))]))],
        vec![calm_bars(10)],
    );
    assert_eq!(minutes(&one), vec![3, 4, 5, 6]);
    let two_streams = toml.replace(
        "[[strategies]]",
        "[[data]]\ninstrument = \"X.SIM\"\npath = \"other.csv\"\nbar_type = \"X.SIM-5-MINUTE-LAST\"\n[[strategies]]",
    );
    let coarse: Vec<Bar> = (0..2)
        .map(|i| bar(i * 5, "10.00", "10.10", "9.90", "10.00", 0))
        .collect();
    let two = run(
        &two_streams,
        vec![Box::new(scripted(&[(0, Action::Buy(1))]))],
        vec![calm_bars(10), coarse],
    );
    assert_eq!(minutes(&two), vec![3, 4, 5, 6]);
    // The strategy's first bar is the window's first.
    assert_eq!(
        one.orders.record(0).unwrap().order.ts_init.0 / 60_000_000_000,
        3
    );
}

#[test]
fn the_plain_bar_loop_and_the_general_one_agree() {
    // One venue and one strategy take the plain loop; an observer sends
    // the same run through the general one.
    let bars = generate_gbm(&GbmSpec {
        bars: 3_000,
        sigma: 0.002,
        ..GbmSpec::default()
    });
    let cross = ONE_VENUE.replace("\"buy_and_hold\"", "\"ema_cross\"");
    let observed = format!("{cross}[observers]\nevery = \"bar\"\n");
    let strategy = || {
        crate::trading::builtin::build(
            "ema_cross",
            InstrumentIndex(0),
            &crate::trading::params::Params::default(),
        )
        .unwrap()
    };
    let plain = run(&cross, vec![strategy()], vec![bars.clone()]);
    let general = run(&observed, vec![strategy()], vec![bars]);
    assert!(plain.trades.len() > 10, "the run trades");
    assert!(plain.observations.is_empty() && !general.observations.is_empty());
    assert_eq!(plain.equity.ts, general.equity.ts);
    assert_eq!(plain.equity.equity_raw, general.equity.equity_raw);
    assert_eq!(
        serde_json::to_string(&plain).unwrap(),
        serde_json::to_string(&general).unwrap()
    );
}

#[test]
fn a_finished_curves_buffers_serve_the_next_curve_on_the_thread() {
    use super::engine::EquityCurve;
    // Each test runs on a thread of its own, with pools of its own.
    let mut first = EquityCurve::with_capacity(1000);
    first.ts.push(UnixNanos(1));
    first.equity_raw.push(2);
    let (ts, equity) = (first.ts.as_ptr(), first.equity_raw.as_ptr());
    drop(first);
    let second = EquityCurve::with_capacity(500);
    assert!(second.ts.is_empty() && second.equity_raw.is_empty());
    assert_eq!(second.ts.as_ptr(), ts, "the same memory, not a new buffer");
    assert_eq!(second.equity_raw.as_ptr(), equity);
    // A larger curve than any pooled buffer gets new memory.
    let third = EquityCurve::with_capacity(2000);
    assert!(third.ts.capacity() >= 2000);
    assert_ne!(third.ts.as_ptr(), ts);
}

/// Trades through `Scripted`'s actions, says it wants no order events, and
/// counts the events that still reach it.
struct FillsOnly {
    actions: Scripted,
    /// Fills through `on_order_filled`, other events through
    /// `on_order_event`.
    seen: Arc<Mutex<(usize, usize)>>,
}

impl Strategy for FillsOnly {
    fn on_bar(&mut self, ctx: &mut StrategyContext<'_>, bar: &Bar) -> HookResult {
        Strategy::on_bar(&mut self.actions, ctx, bar)
    }

    fn on_order_event(&mut self, _ctx: &mut StrategyContext<'_>, event: &OrderEvent) -> HookResult {
        if !matches!(event.kind, OrderEventKind::Filled(_)) {
            self.seen.lock().unwrap().1 += 1;
        }
        Ok(())
    }

    fn on_order_filled(
        &mut self,
        _ctx: &mut StrategyContext<'_>,
        _event: &OrderEvent,
        _fill: &crate::core::events::OrderFilled,
    ) -> HookResult {
        self.seen.lock().unwrap().0 += 1;
        Ok(())
    }

    fn wants_order_events(&self) -> bool {
        false
    }
}

#[test]
fn a_strategy_that_wants_no_order_events_still_gets_every_fill() {
    let actions = [
        (0, Action::Limit(OrderSide::Buy, "9.00", 10)),
        (0, Action::Buy(100)),
        (2, Action::CancelAll),
        (3, Action::Sell(100)),
        (4, Action::Buy(50)),
    ];
    let seen = Arc::new(Mutex::new((0, 0)));
    let declining = FillsOnly {
        actions: scripted(&actions),
        seen: Arc::clone(&seen),
    };
    let result = run(ONE_VENUE, vec![Box::new(declining)], vec![flat_bars(8)]);
    let filled = result
        .orders
        .records()
        .flat_map(|o| o.events)
        .filter(|e| matches!(e.kind, OrderEventKind::Filled(_)))
        .count();
    assert_eq!(filled, 3, "three market orders filled");
    assert_eq!(
        *seen.lock().unwrap(),
        (filled, 0),
        "fills only, no status event"
    );
    // The same actions by a strategy that wants them: it sees every event
    // of its orders, status events included.
    let recording = scripted(&actions);
    let log = Arc::clone(&recording.log);
    let result = run(ONE_VENUE, vec![Box::new(recording)], vec![flat_bars(8)]);
    let events: usize = result.orders.records().map(|o| o.events.len() - 1).sum();
    let seen = log
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with("O-"))
        .count();
    assert_eq!(seen, events, "every logged event reached the strategy");
}

#[test]
fn engine_errors_say_what_failed_and_keep_why() {
    let cause = crate::core::fixed::FixedError::Overflow("quantity");
    let error = super::BacktestError::at(crate::backtest::EngineStep::ClosePosition)(cause);
    assert!(matches!(
        error,
        super::BacktestError::Engine {
            step: crate::backtest::EngineStep::ClosePosition,
            ..
        }
    ));
    assert_eq!(error.to_string(), "cannot close a position");
    assert_eq!(
        crate::core::text::chain(&error),
        "cannot close a position: arithmetic overflow in quantity"
    );
}

#[test]
fn repeated_runs_in_one_process_intern_nothing_new_and_pool_boundedly() {
    // The identifier interner lives for the process and the buffer pools
    // for the thread: a sweep's thousands of runs must not grow them.
    // Ids with a text no other test uses, so tests running beside this
    // one do not move the count.
    let toml = ONE_VENUE
        .replace("name = \"SIM\"", "name = \"PROBEVENUE\"")
        .replace("X.SIM", "X.PROBEVENUE")
        .replace(
            "builtin = \"buy_and_hold\"",
            "id = \"interner-probe\"\nbuiltin = \"buy_and_hold\"",
        );
    let run_once = || {
        let script = [
            (0, Action::Buy(1)),
            (2, Action::Sell(1)),
            (3, Action::Buy(2)),
        ];
        run(&toml, vec![Box::new(scripted(&script))], vec![calm_bars(8)])
    };
    drop(run_once());
    let after_one = crate::core::identifiers::interned_containing("PROBEVENUE")
        + crate::core::identifiers::interned_containing("interner-probe");
    assert!(after_one > 0);
    for _ in 0..50 {
        drop(run_once());
    }
    let after_many = crate::core::identifiers::interned_containing("PROBEVENUE")
        + crate::core::identifiers::interned_containing("interner-probe");
    assert_eq!(after_one, after_many);
    // The equity curve's buffers went back to this thread's pool, which
    // keeps a bounded number of them, not one per run.
    let pooled = super::engine::EquityCurve::pooled_buffers();
    assert!(pooled <= 4, "{pooled} curve buffers pooled after 51 runs");
}
