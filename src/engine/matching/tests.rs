use super::*;
use crate::core::identifiers::InstrumentIndex;
use crate::core::{Price, UnixNanos};

fn px(text: &str) -> Price {
    Price::parse(text, 2).unwrap()
}

fn bar(o: &str, h: &str, l: &str, c: &str) -> Bar {
    Bar {
        ts_event: UnixNanos(0),
        ts_init: UnixNanos(0),
        open: px(o).raw,
        high: px(h).raw,
        low: px(l).raw,
        close: px(c).raw,
        volume: 0,
        instrument: InstrumentIndex(0),
        price_precision: 2,
        size_precision: 0,
    }
}

fn run(core: &mut MatchingCore, b: &Bar, path: PathOrder) -> (Vec<Match>, Vec<Triggered>) {
    let (mut matches, mut triggered) = (Vec::new(), Vec::new());
    core.process_bar(b, path, MarketPrice::Open, &mut matches, &mut triggered);
    (matches, triggered)
}

fn fills(matches: &[Match]) -> Vec<(u32, String)> {
    matches
        .iter()
        .map(|m| {
            (
                m.order.0,
                Price {
                    raw: m.price,
                    precision: 2,
                }
                .to_string(),
            )
        })
        .collect()
}

#[test]
fn market_fills_at_open_and_models_change_the_price() {
    let b = bar("10.00", "10.50", "9.50", "10.20");
    let mut core = MatchingCore::new();
    core.add(OrderIndex(1), OrderSide::Buy, OrderKind::Market, false);
    let (m, _) = run(&mut core, &b, PathOrder::Nearest);
    assert_eq!(fills(&m), vec![(1, "10.00".into())]);
    assert!(core.is_empty());
    for (model, side, expected) in [
        (MarketPrice::Mid, OrderSide::Buy, "10.00"),
        (MarketPrice::Worst, OrderSide::Buy, "10.50"),
        (MarketPrice::Worst, OrderSide::Sell, "9.50"),
    ] {
        core.add(OrderIndex(2), side, OrderKind::Market, false);
        let (mut matches, mut triggered) = (Vec::new(), Vec::new());
        core.process_bar(&b, PathOrder::Nearest, model, &mut matches, &mut triggered);
        assert_eq!(fills(&matches)[0].1, expected);
    }
}

#[test]
fn limits_fill_at_limit_or_at_a_better_gapping_open() {
    let mut core = MatchingCore::new();
    core.add(
        OrderIndex(1),
        OrderSide::Buy,
        OrderKind::Limit { price: px("9.80") },
        false,
    );
    core.add(
        OrderIndex(2),
        OrderSide::Buy,
        OrderKind::Limit { price: px("9.00") },
        false,
    );
    core.add(
        OrderIndex(3),
        OrderSide::Sell,
        OrderKind::Limit { price: px("9.90") },
        false,
    );
    // Open 10.00 is above the sell limit 9.90: fills at the better open.
    let (m, _) = run(
        &mut core,
        &bar("10.00", "10.10", "9.70", "9.75"),
        PathOrder::Nearest,
    );
    assert_eq!(fills(&m), vec![(3, "10.00".into()), (1, "9.80".into())]);
    assert_eq!(core.len(), 1, "the 9.00 limit was never touched");
    // A gap down through 9.00 fills at the open.
    let (m, _) = run(
        &mut core,
        &bar("8.90", "9.10", "8.80", "9.00"),
        PathOrder::Nearest,
    );
    assert_eq!(fills(&m), vec![(2, "8.90".into())]);
}

#[test]
fn stops_trigger_on_the_path_and_fill_at_trigger_or_worse_open() {
    let mut core = MatchingCore::new();
    core.add(
        OrderIndex(1),
        OrderSide::Sell,
        OrderKind::StopMarket {
            trigger_price: px("9.50"),
        },
        false,
    );
    core.add(
        OrderIndex(2),
        OrderSide::Buy,
        OrderKind::StopMarket {
            trigger_price: px("10.40"),
        },
        false,
    );
    let (m, _) = run(
        &mut core,
        &bar("10.00", "10.50", "9.40", "10.00"),
        PathOrder::Nearest,
    );
    // The high (0.50 away) is nearer the open than the low (0.60 away).
    assert_eq!(fills(&m), vec![(2, "10.40".into()), (1, "9.50".into())]);
    assert!(
        m.iter()
            .all(|x| x.triggered && x.reason == MatchReason::Stop)
    );
    core.add(
        OrderIndex(3),
        OrderSide::Sell,
        OrderKind::StopMarket {
            trigger_price: px("9.50"),
        },
        false,
    );
    let (m, _) = run(
        &mut core,
        &bar("9.00", "9.20", "8.90", "9.10"),
        PathOrder::Nearest,
    );
    assert_eq!(
        fills(&m),
        vec![(3, "9.00".into())],
        "gap below the stop fills at the worse open"
    );
}

#[test]
fn path_order_decides_which_of_stop_and_limit_comes_first() {
    // A long position's stop-loss at 9.50 and take-profit at 10.40.
    let b = bar("10.00", "10.50", "9.40", "10.00");
    for (path, first) in [(PathOrder::LowFirst, 1), (PathOrder::HighFirst, 2)] {
        let mut core = MatchingCore::new();
        core.add(
            OrderIndex(1),
            OrderSide::Sell,
            OrderKind::StopMarket {
                trigger_price: px("9.50"),
            },
            false,
        );
        core.add(
            OrderIndex(2),
            OrderSide::Sell,
            OrderKind::Limit { price: px("10.40") },
            false,
        );
        let (m, _) = run(&mut core, &b, path);
        assert_eq!(m[0].order.0, first, "{path:?}");
    }
    // Nearest: the high is nearer the open here.
    let mut core = MatchingCore::new();
    core.add(
        OrderIndex(1),
        OrderSide::Sell,
        OrderKind::StopMarket {
            trigger_price: px("9.50"),
        },
        false,
    );
    core.add(
        OrderIndex(2),
        OrderSide::Sell,
        OrderKind::Limit { price: px("10.10") },
        false,
    );
    let (m, _) = run(
        &mut core,
        &bar("10.00", "10.20", "9.40", "9.60"),
        PathOrder::Nearest,
    );
    assert_eq!(m[0].order.0, 2);
}

#[test]
fn stop_limit_triggers_then_fills_later_or_rests() {
    let mut core = MatchingCore::new();
    // Buy stop 10.20, limit 10.10: the path rises to 10.20, then falls to 10.00.
    core.add(
        OrderIndex(1),
        OrderSide::Buy,
        OrderKind::StopLimit {
            price: px("10.10"),
            trigger_price: px("10.20"),
        },
        false,
    );
    let (m, t) = run(
        &mut core,
        &bar("10.00", "10.30", "9.95", "10.00"),
        PathOrder::HighFirst,
    );
    assert!(t.is_empty());
    assert_eq!(fills(&m), vec![(1, "10.10".into())]);
    assert_eq!(m[0].reason, MatchReason::StopLimit);
    // Triggered but the limit is never reached afterwards: it rests as a limit.
    core.add(
        OrderIndex(2),
        OrderSide::Buy,
        OrderKind::StopLimit {
            price: px("10.10"),
            trigger_price: px("10.20"),
        },
        false,
    );
    let (m, t) = run(
        &mut core,
        &bar("10.00", "10.40", "10.00", "10.35"),
        PathOrder::LowFirst,
    );
    assert!(m.is_empty());
    assert_eq!(
        t,
        vec![Triggered {
            order: OrderIndex(2)
        }]
    );
    let (m, _) = run(
        &mut core,
        &bar("10.35", "10.40", "10.05", "10.30"),
        PathOrder::Nearest,
    );
    assert_eq!(fills(&m), vec![(2, "10.10".into())]);
}

#[test]
fn market_if_touched_fills_like_a_stop() {
    let mut core = MatchingCore::new();
    core.add(
        OrderIndex(1),
        OrderSide::Buy,
        OrderKind::MarketIfTouched {
            trigger_price: px("9.90"),
        },
        false,
    );
    let (m, _) = run(
        &mut core,
        &bar("10.00", "10.05", "9.85", "9.95"),
        PathOrder::Nearest,
    );
    assert_eq!(fills(&m), vec![(1, "9.90".into())]);
    assert_eq!(m[0].reason, MatchReason::Stop);
}

#[test]
fn a_limit_if_touched_sell_triggers_on_the_rise_then_waits_for_its_limit() {
    let mut core = MatchingCore::new();
    // Touched at 10.10 on the way up, a limit at 10.20: this bar tops at
    // 10.15, so it only triggers; the next reaches 10.25 and fills it.
    core.add(
        OrderIndex(1),
        OrderSide::Sell,
        OrderKind::LimitIfTouched {
            price: px("10.20"),
            trigger_price: px("10.10"),
        },
        false,
    );
    let (m, t) = run(
        &mut core,
        &bar("10.00", "10.15", "9.95", "10.05"),
        PathOrder::Nearest,
    );
    assert!(m.is_empty());
    assert_eq!(
        t,
        vec![Triggered {
            order: OrderIndex(1)
        }]
    );
    let (m, _) = run(
        &mut core,
        &bar("10.05", "10.25", "10.00", "10.10"),
        PathOrder::Nearest,
    );
    assert_eq!(fills(&m), vec![(1, "10.20".into())]);
    assert_eq!(m[0].reason, MatchReason::StopLimit);
}

#[test]
fn remove_finds_orders_in_every_book() {
    let mut core = MatchingCore::new();
    core.add(
        OrderIndex(1),
        OrderSide::Buy,
        OrderKind::Limit { price: px("9.00") },
        false,
    );
    core.add(
        OrderIndex(2),
        OrderSide::Sell,
        OrderKind::StopMarket {
            trigger_price: px("8.00"),
        },
        false,
    );
    core.add(OrderIndex(3), OrderSide::Buy, OrderKind::Market, false);
    assert_eq!(core.len(), 3);
    assert!(core.remove(OrderIndex(1)));
    assert!(!core.remove(OrderIndex(1)));
    assert!(core.remove(OrderIndex(2)));
    assert!(core.remove(OrderIndex(3)));
    assert!(core.is_empty());
}

#[test]
fn equal_limits_fill_first_in_first_out() {
    let mut core = MatchingCore::new();
    for i in 1..=3 {
        core.add(
            OrderIndex(i),
            OrderSide::Buy,
            OrderKind::Limit { price: px("9.00") },
            false,
        );
    }
    let (m, _) = run(
        &mut core,
        &bar("9.50", "9.50", "8.50", "9.00"),
        PathOrder::Nearest,
    );
    assert_eq!(
        m.iter().map(|x| x.order.0).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
}

#[test]
fn cancelled_and_filled_places_are_reused_without_mixing_orders() {
    let mut core = MatchingCore::new();
    let limit = |p: &str| OrderKind::Limit { price: px(p) };
    for (i, p) in ["9.00", "9.10", "9.20", "9.30"].into_iter().enumerate() {
        core.add(OrderIndex::next_in(i), OrderSide::Buy, limit(p), false);
    }
    assert!(core.remove(OrderIndex(1)));
    assert!(!core.remove(OrderIndex(1)), "removed once");
    // A bar down to 9.25 fills 9.30 only; the freed places take new orders.
    let (m, _) = run(
        &mut core,
        &bar("9.50", "9.60", "9.25", "9.40"),
        PathOrder::Nearest,
    );
    assert_eq!(fills(&m), vec![(3, "9.30".into())]);
    core.add(OrderIndex(4), OrderSide::Buy, limit("9.15"), false);
    core.add(OrderIndex(5), OrderSide::Buy, limit("9.05"), false);
    assert_eq!(core.len(), 4);
    // Down to 8.00: all four fill, the highest first.
    let (m, _) = run(
        &mut core,
        &bar("9.40", "9.40", "8.00", "8.10"),
        PathOrder::Nearest,
    );
    let order: Vec<u32> = fills(&m).into_iter().map(|(o, _)| o).collect();
    assert_eq!(order, vec![2, 4, 5, 0]);
    assert!(core.is_empty());
}

#[test]
fn cancelled_entries_are_swept_beyond_the_slack_and_all_at_once_at_the_last() {
    let mut book = Book::new(true);
    let resting = |order: u32| Resting {
        level: i64::from(order),
        sequence: u64::from(order),
        order: OrderIndex(order),
        side: OrderSide::Buy,
        kind: OrderKind::Market,
        triggered: false,
    };
    let total = 3 * u32::try_from(DEAD_SLACK).unwrap();
    for order in 0..total {
        book.insert(resting(order));
    }
    // Cancel from the bottom, so that no dead entry reaches the top.
    let keep = 10;
    for order in 0..total - keep {
        assert!(book.remove(OrderIndex(order)));
        assert!(book.dead <= book.len() + DEAD_SLACK, "dead {}", book.dead);
    }
    assert!(
        book.heap.len() < usize::try_from(total).unwrap(),
        "a sweep ran"
    );
    assert_eq!(book.len(), usize::try_from(keep).unwrap());
    assert_eq!(book.top().map(|r| r.order.0), Some(total - 1));
    for order in total - keep..total {
        assert!(book.remove(OrderIndex(order)));
    }
    assert!(book.heap.is_empty() && book.slots.is_empty() && book.free.is_empty());
    assert!(book.top().is_none());
}

#[derive(Debug, Clone)]
enum BookOp {
    Insert(i64),
    /// Cancels the k-th live order (modulo how many there are).
    Cancel(usize),
    Pop,
}

fn book_op() -> impl proptest::strategy::Strategy<Value = BookOp> {
    use proptest::prelude::*;
    prop_oneof![
        3 => (0i64..20).prop_map(BookOp::Insert),
        2 => any::<usize>().prop_map(BookOp::Cancel),
        1 => Just(BookOp::Pop),
    ]
}

proptest::proptest! {
    /// The heap with lazy cancels hands out exactly what a sorted map of the
    /// live orders would: the top, the count, and cancels of live orders only.
    #[test]
    fn book_matches_a_sorted_model(highest_first in proptest::bool::ANY, ops in proptest::collection::vec(book_op(), 0..200)) {
        let mut book = Book::new(highest_first);
        let mut model: std::collections::BTreeMap<(i64, Reverse<u64>), u32> = Default::default();
        let key = |level: i64, sequence: u64| (if highest_first { level } else { -level }, Reverse(sequence));
        for (sequence, op) in (0u64..).zip(ops) {
            match op {
                BookOp::Insert(level) => {
                    let order = u32::try_from(sequence).unwrap();
                    book.insert(Resting {
                        level,
                        sequence,
                        order: OrderIndex(order),
                        side: OrderSide::Buy,
                        kind: OrderKind::Market,
                        triggered: false,
                    });
                    model.insert(key(level, sequence), order);
                }
                BookOp::Cancel(k) => {
                    if model.is_empty() {
                        proptest::prop_assert!(!book.remove(OrderIndex(u32::MAX)));
                        continue;
                    }
                    let (&k, &order) = model.iter().nth(k % model.len()).unwrap();
                    model.remove(&k);
                    proptest::prop_assert!(book.remove(OrderIndex(order)));
                    proptest::prop_assert!(!book.remove(OrderIndex(order)), "canceled twice");
                }
                BookOp::Pop => {
                    let expected = model.pop_last().map(|(_, order)| order);
                    proptest::prop_assert_eq!(book.pop().map(|r| r.order.0), expected);
                }
            }
            proptest::prop_assert_eq!(book.len(), model.len());
            // A book without live orders is empty, and dead entries stay
            // within the slack of the live ones.
            proptest::prop_assert_eq!(book.heap.is_empty(), model.is_empty());
            proptest::prop_assert!(book.dead <= model.len() + DEAD_SLACK);
            proptest::prop_assert_eq!(book.slots.len(), book.heap.len() + book.free.len());
            proptest::prop_assert_eq!(book.top().map(|r| r.order.0), model.last_key_value().map(|(_, o)| *o));
        }
    }
}

#[derive(Debug, Clone)]
enum CoreOp {
    Add { side: bool, kind: u8, level: i64 },
    Remove(usize),
    Bar { open: i64, up: i64, down: i64 },
}

fn core_op() -> impl proptest::strategy::Strategy<Value = CoreOp> {
    use proptest::prelude::*;
    prop_oneof![
        3 => (proptest::bool::ANY, 0u8..5, 900i64..1100).prop_map(|(side, kind, level)| CoreOp::Add { side, kind, level }),
        1 => any::<usize>().prop_map(CoreOp::Remove),
        2 => (900i64..1100, 0i64..60, 0i64..60).prop_map(|(open, up, down)| CoreOp::Bar { open, up, down }),
    ]
}

proptest::proptest! {
    /// The count of working orders the core keeps with every change agrees
    /// with its books, whatever is added, removed, matched or triggered.
    #[test]
    fn the_working_count_follows_the_books(ops in proptest::collection::vec(core_op(), 0..120)) {
        let mut core = MatchingCore::new();
        let mut added: Vec<OrderIndex> = Vec::new();
        let cents = |raw: i64| Price::from_raw(i128::from(raw) * 10_000_000, 2).unwrap();
        for op in ops {
            match op {
                CoreOp::Add { side, kind, level } => {
                    let side = if side { OrderSide::Buy } else { OrderSide::Sell };
                    let kind = match kind {
                        0 => OrderKind::Market,
                        1 => OrderKind::Limit { price: cents(level) },
                        2 => OrderKind::StopMarket { trigger_price: cents(level) },
                        3 => OrderKind::StopLimit { price: cents(level), trigger_price: cents(level) },
                        _ => OrderKind::MarketIfTouched { trigger_price: cents(level) },
                    };
                    let order = OrderIndex(u32::try_from(added.len()).unwrap());
                    core.add(order, side, kind, false);
                    added.push(order);
                }
                CoreOp::Remove(k) => {
                    if let Some(order) = added.get(k % added.len().max(1)) {
                        core.remove(*order);
                    }
                }
                CoreOp::Bar { open, up, down } => {
                    let b = Bar {
                        open: cents(open).raw,
                        high: cents(open + up).raw,
                        low: cents(open - down).raw,
                        close: cents(open).raw,
                        ..bar("1.00", "1.00", "1.00", "1.00")
                    };
                    // The kept band answers as the books' tops do.
                    let reached = core
                        .books()
                        .into_iter()
                        .any(|(book, falling)| book.top_reached(&b, falling));
                    proptest::prop_assert_eq!(core.reaches_band(&b), reached);
                    run(&mut core, &b, PathOrder::Nearest);
                }
            }
            proptest::prop_assert_eq!(core.working, core.len());
        }
    }
}
