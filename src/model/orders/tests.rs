use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::core::Currency;
use crate::core::enums::LiquiditySide;
use crate::core::events::{OrderFilled, OrderUpdated};
use crate::core::identifiers::{ClientOrderId, StrategyId, TradeId};

fn init(kind: OrderKind, qty: &str) -> OrderInit {
    OrderInit {
        strategy: StrategyIndex(0),
        instrument: InstrumentIndex(0),
        side: OrderSide::Buy,
        kind,
        quantity: Quantity::parse(qty, 0).unwrap(),
        time_in_force: TimeInForce::Gtc,
        expire_time: None,
        reduce_only: false,
        position_id: None,
        tag: None,
        size_fraction: None,
    }
}

fn order(kind: OrderKind, qty: &str) -> Order {
    let mut factory = OrderFactory::new(&StrategyId::new("S").unwrap());
    factory.create(OrderIndex(0), None, init(kind, qty), UnixNanos(0))
}

fn event(order: &Order, kind: OrderEventKind) -> OrderEvent {
    OrderEvent {
        order: order.index,
        kind,
        ts_event: UnixNanos(1),
        ts_init: UnixNanos(1),
    }
}

fn fill(qty: &str, px: &str, n: u32) -> OrderEventKind {
    OrderEventKind::Filled(Box::new(OrderFilled {
        trade_id: TradeId::new(&format!("T-{n}")).unwrap(),
        venue_order_id: VenueOrderId::new("V-1").unwrap(),
        position_id: None,
        order_side: OrderSide::Buy,
        last_qty: Quantity::parse(qty, 0).unwrap(),
        last_px: Price::parse(px, 2).unwrap(),
        commission: Money::zero(Currency::USD),
        liquidity_side: LiquiditySide::Taker,
    }))
}

fn accepted() -> OrderEventKind {
    OrderEventKind::Accepted {
        venue_order_id: VenueOrderId::new("V-1").unwrap(),
    }
}

#[test]
fn factory_gives_unique_ids() {
    let mut factory = OrderFactory::new(&StrategyId::new("EMA-1").unwrap());
    let a = factory.create(
        OrderIndex(0),
        None,
        init(OrderKind::Market, "1"),
        UnixNanos(0),
    );
    let reserved = factory.reserve();
    assert_eq!(
        factory.find(&reserved),
        None,
        "no order under a reserved id yet"
    );
    let b = factory.create(
        OrderIndex(1),
        Some(reserved),
        init(OrderKind::Market, "1"),
        UnixNanos(0),
    );
    assert_eq!(a.client_order_id.to_string(), "O-EMA-1-1");
    assert_eq!(b.client_order_id.to_string(), "O-EMA-1-2");
    assert_eq!(factory.count(), 2);
    assert_eq!(factory.find(&b.client_order_id), Some(OrderIndex(1)));
    assert_eq!(
        factory.find(&ClientOrderId::new("O-EMA-1-3").unwrap()),
        None
    );
    assert_eq!(
        factory.find(&ClientOrderId::new("O-OTHER-1").unwrap()),
        None
    );
    assert_eq!(
        factory.find(&ClientOrderId::new("O-EMA-1-0").unwrap()),
        None
    );
}

#[test]
fn lifecycle_with_partial_fills_and_average_price() {
    let mut o = order(
        OrderKind::Limit {
            price: Price::parse("10.00", 2).unwrap(),
        },
        "100",
    );
    assert_eq!(o.status, OrderStatus::Initialized);
    o.apply(&event(&o, OrderEventKind::Submitted)).unwrap();
    o.apply(&event(&o, accepted())).unwrap();
    assert!(o.is_open());
    o.apply(&event(&o, fill("30", "10.00", 1))).unwrap();
    assert_eq!(o.status, OrderStatus::PartiallyFilled);
    assert_eq!(o.leaves_qty().to_string(), "70");
    o.apply(&event(&o, fill("70", "9.90", 2))).unwrap();
    assert_eq!(o.status, OrderStatus::Filled);
    assert!(o.is_closed());
    // (30 × 10.00 + 70 × 9.90) / 100 = 9.93
    assert_eq!(o.avg_px().unwrap().raw, 9_930_000_000);
}

#[test]
fn overfill_and_illegal_events_are_errors() {
    let mut o = order(OrderKind::Market, "10");
    assert!(matches!(
        o.apply(&event(&o, fill("1", "1.00", 1))),
        Err(OrderError::InvalidStateTransition { .. })
    ));
    o.apply(&event(&o, OrderEventKind::Submitted)).unwrap();
    assert!(matches!(
        o.apply(&event(&o, fill("11", "1.00", 1))),
        Err(OrderError::Overfill { .. })
    ));
    assert_eq!(o.status, OrderStatus::Submitted);
    assert!(o.filled_qty.is_zero(), "a refused fill changes nothing");
}

#[test]
fn a_venue_names_an_order_once() {
    let accepted = |id: &str| OrderEventKind::Accepted {
        venue_order_id: VenueOrderId::new(id).unwrap(),
    };
    let price = Price::parse("1.00", 2).unwrap();
    let mut o = order(OrderKind::Limit { price }, "1");
    o.apply(&event(&o, OrderEventKind::Submitted)).unwrap();
    o.apply(&event(&o, accepted("V-1"))).unwrap();
    o.apply(&event(&o, OrderEventKind::PendingCancel)).unwrap();
    // A refused cancel: accepted again, under the same name.
    o.apply(&event(&o, accepted("V-1"))).unwrap();
    o.apply(&event(&o, OrderEventKind::PendingCancel)).unwrap();
    assert!(matches!(
        o.apply(&event(&o, accepted("V-2"))),
        Err(OrderError::Renamed { .. })
    ));
    assert_eq!(o.status, OrderStatus::PendingCancel, "left unchanged");
    assert_eq!(
        o.venue_order_id
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("V-1")
    );
}

#[test]
fn denied_and_rejected_and_canceled_are_terminal() {
    let mut denied = order(OrderKind::Market, "1");
    denied
        .apply(&event(
            &denied,
            OrderEventKind::Denied {
                reason: Arc::from("max qty"),
            },
        ))
        .unwrap();
    assert!(denied.is_closed());
    assert!(
        denied
            .apply(&event(&denied, OrderEventKind::Submitted))
            .is_err()
    );

    let mut rejected = order(OrderKind::Market, "1");
    rejected
        .apply(&event(&rejected, OrderEventKind::Submitted))
        .unwrap();
    rejected
        .apply(&event(
            &rejected,
            OrderEventKind::Rejected {
                reason: Arc::from("no"),
            },
        ))
        .unwrap();
    assert_eq!(rejected.status, OrderStatus::Rejected);

    let mut canceled = order(
        OrderKind::Limit {
            price: Price::parse("1.00", 2).unwrap(),
        },
        "1",
    );
    canceled
        .apply(&event(&canceled, OrderEventKind::Submitted))
        .unwrap();
    canceled.apply(&event(&canceled, accepted())).unwrap();
    canceled
        .apply(&event(&canceled, OrderEventKind::PendingCancel))
        .unwrap();
    canceled
        .apply(&event(&canceled, OrderEventKind::Canceled))
        .unwrap();
    assert_eq!(canceled.status, OrderStatus::Canceled);
    assert!(
        canceled
            .apply(&event(&canceled, fill("1", "1.00", 1)))
            .is_err()
    );
}

#[test]
fn stop_limit_triggers_and_updates() {
    let mut o = order(
        OrderKind::StopLimit {
            price: Price::parse("10.10", 2).unwrap(),
            trigger_price: Price::parse("10.00", 2).unwrap(),
        },
        "5",
    );
    o.apply(&event(&o, OrderEventKind::Submitted)).unwrap();
    o.apply(&event(&o, accepted())).unwrap();
    o.apply(&event(&o, OrderEventKind::Triggered)).unwrap();
    assert!(o.is_triggered);
    let update = OrderEventKind::Updated(Box::new(OrderUpdated {
        quantity: Quantity::parse("4", 0).unwrap(),
        price: Some(Price::parse("10.20", 2).unwrap()),
        trigger_price: None,
        reason: None,
    }));
    o.apply(&event(&o, update)).unwrap();
    assert_eq!(o.status, OrderStatus::Triggered);
    assert_eq!(o.kind.price().unwrap().to_string(), "10.20");
    assert_eq!(o.kind.trigger_price().unwrap().to_string(), "10.00");
    assert_eq!(o.quantity.to_string(), "4");
    assert_eq!(o.order_type(), OrderType::StopLimit);
}

fn any_event_kind() -> impl Strategy<Value = OrderEventKind> {
    prop_oneof![
        Just(OrderEventKind::Submitted),
        Just(accepted()),
        Just(OrderEventKind::Rejected {
            reason: Arc::from("r")
        }),
        Just(OrderEventKind::Denied {
            reason: Arc::from("d")
        }),
        Just(OrderEventKind::Canceled),
        Just(OrderEventKind::Expired),
        Just(OrderEventKind::Triggered),
        Just(OrderEventKind::PendingCancel),
        Just(OrderEventKind::PendingUpdate),
        (1u32..4).prop_map(|q| fill(&q.to_string(), "1.00", q)),
    ]
}

proptest! {
    #[test]
    fn no_event_sequence_leaves_a_terminal_state(kinds in proptest::collection::vec(any_event_kind(), 0..40)) {
        let mut o = order(OrderKind::Market, "6");
        let mut terminal: Option<OrderStatus> = None;
        for kind in kinds {
            let before = o.status;
            let result = o.apply(&event(&o, kind));
            if let Some(t) = terminal {
                prop_assert!(result.is_err());
                prop_assert_eq!(o.status, t);
            } else if result.is_err() {
                prop_assert_eq!(o.status, before);
            }
            if o.status.is_terminal() {
                terminal = Some(o.status);
            }
            prop_assert!(o.filled_qty <= o.quantity);
        }
    }
}

#[test]
fn orders_stay_small() {
    // A run may hold millions; every byte is paid in page faults. (240:
    // its two quantities are 128-bit, for the range of sub-cent coins.)
    let size = std::mem::size_of::<Order>();
    assert!(size <= 240, "an order is {size} bytes");
}
