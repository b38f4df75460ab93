//! The cache: every instrument, order and position of a run, stored in
//! vectors and addressed by dense index; ids map to indices through ordered
//! maps so that no query depends on hash order.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::core::enums::OrderSide;
use crate::core::events::OrderEvent;
use crate::core::identifiers::{
    InstrumentId, InstrumentIndex, OrderIndex, PositionId, PositionIndex, StrategyIndex, TagIndex,
};
use crate::model::data::Bar;
use crate::model::instruments::Instrument;
use crate::model::orders::contingency::Contingencies;
use crate::model::orders::{Order, OrderError};
use crate::model::position::Position;
use crate::state::chunked::Chunked;
use crate::state::event_log::EventLog;
use crate::state::order_history::OrderHistory;

/// Whether the order works (submitted and not terminal), and so is in the
/// open-order index with its leaves counted in the open leaves; and its
/// leaves quantity raw.
fn working_leaves(order: &Order) -> (bool, i128) {
    let working =
        !order.is_closed() && order.status != crate::core::enums::OrderStatus::Initialized;
    (working, order.leaves_qty().signed_raw())
}

/// Filters for order and position queries; `None` matches everything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter {
    pub strategy: Option<StrategyIndex>,
    pub instrument: Option<InstrumentIndex>,
    pub side: Option<OrderSide>,
}

impl Filter {
    #[must_use]
    pub const fn strategy(strategy: StrategyIndex) -> Self {
        Self {
            strategy: Some(strategy),
            instrument: None,
            side: None,
        }
    }

    #[must_use]
    pub const fn instrument(mut self, instrument: InstrumentIndex) -> Self {
        self.instrument = Some(instrument);
        self
    }

    fn accepts(
        &self,
        strategy: StrategyIndex,
        instrument: InstrumentIndex,
        side: Option<OrderSide>,
    ) -> bool {
        self.strategy.is_none_or(|s| s == strategy)
            && self.instrument.is_none_or(|i| i == instrument)
            && self.side.is_none_or(|s| Some(s) == side)
    }
}

/// The open orders' indices, ascending. Indices grow with submission, so
/// this is submission order, and a new order is a push at the end; a
/// sorted vector beats a tree for the handful to hundreds of orders that
/// are open at once. A closed order is only flagged, and the vector is
/// compacted once most of it is stale, so closing the oldest orders one
/// by one does not shift the rest each time.
#[derive(Debug, Default)]
struct OpenOrders {
    entries: Vec<OrderIndex>,
    /// Whether each order, by index, is open.
    open: Vec<bool>,
    /// Entries whose order has closed since the last compaction.
    stale: usize,
}

impl OpenOrders {
    fn insert(&mut self, index: OrderIndex) {
        let at = index.get();
        if self.open.len() <= at {
            self.open.resize(at + 1, false);
        }
        if self.open[at] {
            return;
        }
        self.open[at] = true;
        match self.entries.last() {
            Some(last) if *last >= index => match self.entries.binary_search(&index) {
                Ok(_) => self.stale -= 1,
                Err(position) => self.entries.insert(position, index),
            },
            _ => self.entries.push(index),
        }
    }

    fn remove(&mut self, index: OrderIndex) {
        let Some(open) = self.open.get_mut(index.get()) else {
            return;
        };
        if !*open {
            return;
        }
        *open = false;
        self.stale += 1;
        if self.stale * 2 > self.entries.len() {
            let flags = &self.open;
            self.entries.retain(|i| flags[i.get()]);
            self.stale = 0;
        }
    }

    fn iter(&self) -> impl Iterator<Item = &OrderIndex> + '_ {
        self.entries.iter().filter(|i| self.open[i.get()])
    }
}

/// All state of one run.
#[derive(Debug, Default)]
pub struct Cache {
    instruments: Vec<Instrument>,
    instrument_ids: BTreeMap<InstrumentId, InstrumentIndex>,
    orders: Chunked<Order>,
    /// Every event applied to the orders, in the order applied: one
    /// run-wide log instead of a history per order, so making an order
    /// allocates nothing (see [`Cache::order_records`]).
    events: EventLog,
    open_orders: OpenOrders,
    // Open leaves quantity per instrument and side (buy, sell), kept
    // incrementally so pre-trade checks need not scan the open orders.
    open_leaves: Vec<[i128; 2]>,
    positions: Vec<Position>,
    // The open position per (strategy, instrument) in NETTING mode, at
    // `strategy × instruments + instrument`: a dense table, so opening and
    // closing a position allocates and frees no map node.
    net_positions: Vec<Option<PositionIndex>>,
    open_positions: Vec<PositionIndex>,
    last_bars: Vec<Option<Bar>>,
    /// The orders' tag texts, each once, at their [`TagIndex`].
    tags: Vec<Arc<str>>,
    tag_indices: BTreeMap<Arc<str>, TagIndex>,
    /// How contingent orders (brackets, OTO, OCO) are tied together.
    pub contingencies: Contingencies,
    /// How each trailing stop's trigger trails.
    pub trailing:
        std::collections::HashMap<OrderIndex, crate::model::orders::trailing::TrailingSpec>,
}

impl Cache {
    #[must_use]
    pub fn new(instruments: Vec<Instrument>) -> Self {
        let instrument_ids = instruments
            .iter()
            .enumerate()
            .map(|(i, inst)| {
                (
                    inst.id.clone(),
                    InstrumentIndex(u32::try_from(i).unwrap_or(u32::MAX)),
                )
            })
            .collect();
        let last_bars = vec![None; instruments.len()];
        let open_leaves = vec![[0; 2]; instruments.len()];
        Self {
            instruments,
            instrument_ids,
            last_bars,
            open_leaves,
            ..Self::default()
        }
    }

    #[must_use]
    pub fn instruments(&self) -> &[Instrument] {
        &self.instruments
    }

    #[must_use]
    pub fn instrument(&self, index: InstrumentIndex) -> Option<&Instrument> {
        self.instruments.get(index.get())
    }

    #[must_use]
    pub fn instrument_index(&self, id: &InstrumentId) -> Option<InstrumentIndex> {
        self.instrument_ids.get(id).copied()
    }

    /// The index the next added order will get.
    #[must_use]
    pub fn next_order_index(&self) -> OrderIndex {
        OrderIndex::next_in(self.orders.len())
    }

    /// The index of the tag `text`, which is added at the first use.
    pub fn intern_tag(&mut self, text: Arc<str>) -> TagIndex {
        if let Some(index) = self.tag_indices.get(&text) {
            return *index;
        }
        let index = TagIndex::next_in(self.tags.len());
        self.tags.push(Arc::clone(&text));
        self.tag_indices.insert(text, index);
        index
    }

    /// The text of `order`'s tag, if it has one.
    #[must_use]
    pub fn order_tag(&self, order: &Order) -> Option<&str> {
        order
            .tag
            .and_then(|index| self.tags.get(index.get()))
            .map(AsRef::as_ref)
    }

    /// Stores a new order (its index must be [`Self::next_order_index`]).
    #[inline]
    pub fn add_order(&mut self, order: Order) {
        self.orders.push(order);
    }

    /// Leaves quantity raw of the open orders on one side of an instrument.
    #[must_use]
    pub fn open_leaves_raw(
        &self,
        instrument: InstrumentIndex,
        side: crate::core::enums::OrderSide,
    ) -> i128 {
        self.open_leaves.get(instrument.get()).map_or(0, |sides| {
            sides[usize::from(side == crate::core::enums::OrderSide::Sell)]
        })
    }

    #[must_use]
    pub fn order(&self, index: OrderIndex) -> Option<&Order> {
        self.orders.get(index.get())
    }

    /// Notes the position a fill of order `index` opened (its other state
    /// changes through [`Cache::apply_event`] only).
    pub fn set_order_position(&mut self, index: OrderIndex, id: PositionId) {
        if let Some(order) = self.orders.get_mut(index.get()) {
            order.position_id.get_or_insert(id);
        }
    }

    /// Every order, in submission order.
    pub fn orders(&self) -> impl Iterator<Item = &Order> + '_ {
        self.orders.iter()
    }

    /// Applies `event` to its order (see [`Order::apply`]), records it in
    /// the run's event log and keeps the open-order index and open leaves
    /// in step; `None` for an unknown order.
    ///
    /// # Errors
    /// When the order cannot take the event (it is left unchanged).
    pub fn apply_event(&mut self, event: &OrderEvent) -> Result<Option<&Order>, OrderError> {
        let index = event.order;
        let Some(order) = self.orders.get_mut(index.get()) else {
            return Ok(None);
        };
        // What the order counts in `open_leaves`, and whether it is in the
        // open index, follow from its state, which only events change. Most
        // events (an accept) change neither.
        let before = working_leaves(order);
        order.apply(event)?;
        self.events.push(event);
        let after = working_leaves(order);
        if after != before {
            let counted = |(working, leaves): (bool, i128)| {
                if working { leaves } else { 0 }
            };
            let side = usize::from(order.side == crate::core::enums::OrderSide::Sell);
            if let Some(sides) = self.open_leaves.get_mut(order.instrument.get()) {
                sides[side] += counted(after) - counted(before);
            }
            match (before.0, after.0) {
                (false, true) => self.open_orders.insert(index),
                (true, false) => self.open_orders.remove(index),
                _ => {}
            }
        }
        Ok(Some(order))
    }

    /// The number of fills applied to the orders.
    #[must_use]
    pub fn fill_count(&self) -> usize {
        self.events.fill_count()
    }

    /// Moves the orders, their event log and tags out, for the reports:
    /// the cache then holds no order (a finished run's last step).
    pub fn take_order_history(&mut self) -> OrderHistory {
        OrderHistory::new(
            std::mem::take(&mut self.orders),
            std::mem::take(&mut self.events),
            self.tags.clone(),
            std::mem::take(&mut self.contingencies),
        )
    }

    /// Orders submitted and not yet in a terminal state, in submission order.
    pub fn orders_open(&self, filter: Filter) -> impl Iterator<Item = &Order> + '_ {
        self.open_orders
            .iter()
            .filter_map(|i| self.orders.get(i.get()))
            .filter(move |o| filter.accepts(o.strategy, o.instrument, Some(o.side)))
    }

    /// Orders in a terminal state.
    pub fn orders_closed(&self, filter: Filter) -> impl Iterator<Item = &Order> + '_ {
        self.orders().filter(move |o| {
            o.is_closed() && filter.accepts(o.strategy, o.instrument, Some(o.side))
        })
    }

    #[must_use]
    pub fn next_position_index(&self) -> PositionIndex {
        PositionIndex::next_in(self.positions.len())
    }

    /// Stores a newly opened position; `netting` makes it the one position
    /// of its strategy and instrument.
    pub fn add_position(&mut self, position: Position, netting: bool) -> PositionIndex {
        let index = self.next_position_index();
        if netting {
            let slot = self.net_slot(position.strategy, position.instrument);
            if self.net_positions.len() <= slot {
                self.net_positions.resize(slot + 1, None);
            }
            self.net_positions[slot] = Some(index);
        }
        self.open_positions.push(index);
        self.positions.push(position);
        index
    }

    #[must_use]
    pub fn position(&self, index: PositionIndex) -> Option<&Position> {
        self.positions.get(index.get())
    }

    /// A position to update together with its instrument (a fill needs both;
    /// borrowing them apart spares cloning the instrument per fill).
    pub fn position_with_instrument(
        &mut self,
        position: PositionIndex,
        instrument: InstrumentIndex,
    ) -> Option<(&mut Position, &Instrument)> {
        Some((
            self.positions.get_mut(position.get())?,
            self.instruments.get(instrument.get())?,
        ))
    }

    /// Marks a position closed in the indices.
    /// Books a funding payment (received +, paid −) on an open position.
    pub fn credit_funding(&mut self, index: PositionIndex, amount_raw: i128) {
        if let Some(position) = self.positions.get_mut(index.get()) {
            position.funding_raw += amount_raw;
        }
    }

    pub fn close_position(&mut self, index: PositionIndex) {
        self.open_positions.retain(|i| *i != index);
        let Some(position) = self.positions.get(index.get()) else {
            return;
        };
        let slot = self.net_slot(position.strategy, position.instrument);
        if let Some(net) = self.net_positions.get_mut(slot)
            && *net == Some(index)
        {
            *net = None;
        }
    }

    /// Where the NETTING position of (`strategy`, `instrument`) is kept.
    fn net_slot(&self, strategy: StrategyIndex, instrument: InstrumentIndex) -> usize {
        strategy.get() * self.instruments.len() + instrument.get()
    }

    /// The open NETTING position of a strategy in an instrument.
    #[must_use]
    pub fn net_position(
        &self,
        strategy: StrategyIndex,
        instrument: InstrumentIndex,
    ) -> Option<PositionIndex> {
        self.net_positions
            .get(self.net_slot(strategy, instrument))
            .copied()
            .flatten()
    }

    /// The open position with id `id`.
    #[must_use]
    pub fn open_position_by_id(&self, id: &PositionId) -> Option<PositionIndex> {
        self.open_positions
            .iter()
            .copied()
            .find(|i| self.positions.get(i.get()).is_some_and(|p| &p.id == id))
    }

    /// Indices of the open positions, oldest first.
    #[must_use]
    pub fn open_position_indices(&self) -> &[PositionIndex] {
        &self.open_positions
    }

    pub fn positions_open(&self, filter: Filter) -> impl Iterator<Item = &Position> + '_ {
        self.open_positions
            .iter()
            .filter_map(|i| self.positions.get(i.get()))
            .filter(move |p| filter.accepts(p.strategy, p.instrument, None))
    }

    pub fn positions_closed(&self, filter: Filter) -> impl Iterator<Item = &Position> + '_ {
        self.positions
            .iter()
            .filter(move |p| p.is_closed() && filter.accepts(p.strategy, p.instrument, None))
    }

    #[must_use]
    pub fn positions(&self) -> &[Position] {
        &self.positions
    }

    /// Net signed quantity raw of a strategy (or all strategies) in an instrument.
    #[must_use]
    pub fn net_qty_raw(
        &self,
        strategy: Option<StrategyIndex>,
        instrument: InstrumentIndex,
    ) -> i128 {
        let filter = Filter {
            strategy,
            instrument: Some(instrument),
            side: None,
        };
        self.positions_open(filter).map(|p| p.signed_qty_raw).sum()
    }

    pub fn set_last_bar(&mut self, bar: &Bar) {
        if let Some(slot) = self.last_bars.get_mut(bar.instrument.get()) {
            *slot = Some(*bar);
        }
    }

    #[must_use]
    pub fn last_bar(&self, instrument: InstrumentIndex) -> Option<&Bar> {
        self.last_bars
            .get(instrument.get())
            .and_then(Option::as_ref)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::core::enums::{OrderStatus, TimeInForce};
    use crate::core::events::{OrderEvent, OrderEventKind};
    use crate::core::identifiers::StrategyId;
    use crate::core::pool::Pool;
    use crate::core::{Currency, Quantity, UnixNanos};
    use crate::model::instruments::InstrumentKind;
    use crate::model::orders::{OrderFactory, OrderInit, OrderKind};
    use crate::state::chunked::{CHUNK, ORDER_CHUNKS};

    #[test]
    fn a_finished_runs_chunks_serve_the_next_run_on_the_thread() {
        let pooled = || ORDER_CHUNKS.with_borrow(Pool::len);
        // Each test runs on a thread of its own, with pools of its own.
        assert_eq!(pooled(), 0);
        let first = cache_with_orders(CHUNK + 1);
        assert_eq!(first.orders().count(), CHUNK + 1);
        drop(first);
        assert_eq!(pooled(), 2, "both chunks of the first run are kept");
        assert!(ORDER_CHUNKS.with_borrow(|pool| pool.all_empty_with(CHUNK)));
        let second = cache_with_orders(3);
        assert_eq!(pooled(), 1, "the next run took one");
        assert_eq!(second.orders().count(), 3);
        assert_eq!(
            second.order(OrderIndex(2)).map(|o| o.index),
            Some(OrderIndex(2))
        );
    }

    #[test]
    fn netting_positions_are_found_per_strategy_and_instrument() {
        let instruments: Vec<Instrument> = ["X.SIM", "Y.SIM"]
            .iter()
            .map(|id| {
                Instrument::new(
                    id.parse().unwrap(),
                    InstrumentKind::Equity,
                    Currency::USD,
                    2,
                    0,
                )
                .unwrap()
            })
            .collect();
        let mut cache = Cache::new(instruments.clone());
        let open = |cache: &mut Cache, strategy: u32, instrument: u32, netting: bool| {
            let fill = crate::model::position::PositionFill {
                side: OrderSide::Buy,
                qty: Quantity::parse("1", 0).unwrap(),
                px: crate::core::Price::parse("10.00", 2).unwrap(),
                commission_raw: 0,
                ts: UnixNanos(0),
            };
            let id = PositionId::new(&format!("P-{}", cache.positions().len() + 1)).unwrap();
            let position = Position::open(
                id,
                StrategyIndex(strategy),
                &instruments[instrument as usize],
                InstrumentIndex(instrument),
                fill,
            )
            .unwrap();
            cache.add_position(position, netting)
        };
        let net = |cache: &Cache, strategy, instrument| {
            cache.net_position(StrategyIndex(strategy), InstrumentIndex(instrument))
        };
        assert_eq!(net(&cache, 1, 1), None, "nothing open yet");
        let s1_y = open(&mut cache, 1, 1, true);
        let s0_x = open(&mut cache, 0, 0, true);
        assert_eq!(net(&cache, 1, 1), Some(s1_y));
        assert_eq!(net(&cache, 0, 0), Some(s0_x));
        assert_eq!(net(&cache, 0, 1), None);
        assert_eq!(net(&cache, 1, 0), None);
        assert_eq!(net(&cache, 7, 0), None, "a strategy beyond the table");
        // A hedging position is no strategy's net position, and closing it
        // leaves the net one alone.
        let hedge = open(&mut cache, 0, 0, false);
        cache.close_position(hedge);
        assert_eq!(net(&cache, 0, 0), Some(s0_x));
        cache.close_position(s0_x);
        assert_eq!(net(&cache, 0, 0), None);
        assert_eq!(net(&cache, 1, 1), Some(s1_y));
        let reopened = open(&mut cache, 0, 0, true);
        assert_eq!(net(&cache, 0, 0), Some(reopened));
        assert_eq!(cache.open_position_indices(), [s1_y, reopened]);
    }

    pub(in crate::state) fn cache_with_orders(n: usize) -> Cache {
        let instrument = Instrument::new(
            "X.SIM".parse().unwrap(),
            InstrumentKind::Equity,
            Currency::USD,
            2,
            0,
        )
        .unwrap();
        let mut cache = Cache::new(vec![instrument]);
        let mut factory = OrderFactory::new(&StrategyId::new("S").unwrap());
        for _ in 0..n {
            let init = OrderInit {
                strategy: StrategyIndex(0),
                instrument: InstrumentIndex(0),
                side: OrderSide::Buy,
                kind: OrderKind::Market,
                quantity: Quantity::parse("3", 0).unwrap(),
                time_in_force: TimeInForce::Gtc,
                expire_time: None,
                reduce_only: false,
                position_id: None,
                tag: None,
                size_fraction: None,
            };
            let order = factory.create(cache.next_order_index(), None, init, UnixNanos(0));
            cache.add_order(order);
        }
        cache
    }

    #[test]
    fn orders_span_chunks_without_moving() {
        let cache = cache_with_orders(CHUNK + 5);
        assert_eq!(cache.orders().count(), CHUNK + 5);
        let order = cache
            .order(OrderIndex(u32::try_from(CHUNK + 1).unwrap()))
            .unwrap();
        assert_eq!(order.index.get(), CHUNK + 1);
        assert_eq!(
            order.client_order_id.to_string(),
            format!("O-S-{}", CHUNK + 2)
        );
        assert!(
            cache
                .order(OrderIndex(u32::try_from(CHUNK + 5).unwrap()))
                .is_none()
        );
    }

    #[test]
    fn tags_are_kept_once_and_read_through_the_order() {
        let mut cache = cache_with_orders(3);
        let entry = cache.intern_tag(Arc::from("entry"));
        let exit = cache.intern_tag(Arc::from("exit"));
        assert_ne!(entry, exit);
        assert_eq!(
            cache.intern_tag(Arc::from("entry")),
            entry,
            "same text, same index"
        );
        assert_eq!(cache.tags.len(), 2);
        let mut tagged = cache.order(OrderIndex(1)).unwrap().clone();
        tagged.tag = Some(exit);
        assert_eq!(cache.order_tag(&tagged), Some("exit"));
        assert_eq!(cache.order_tag(cache.order(OrderIndex(0)).unwrap()), None);
    }

    proptest::proptest! {
        #[test]
        fn open_orders_equal_a_set_under_any_opens_and_closes(
            steps in proptest::collection::vec((0u32..40, proptest::bool::ANY), 0..200),
        ) {
            let mut open = OpenOrders::default();
            let mut model = std::collections::BTreeSet::new();
            for (index, opens) in steps {
                if opens {
                    open.insert(OrderIndex(index));
                    model.insert(index);
                } else {
                    open.remove(OrderIndex(index));
                    model.remove(&index);
                }
                let listed: Vec<u32> = open.iter().map(|i| i.0).collect();
                let expected: Vec<u32> = model.iter().copied().collect();
                proptest::prop_assert_eq!(listed, expected);
                proptest::prop_assert!(open.stale * 2 <= open.entries.len());
            }
        }
    }

    fn any_kind() -> impl proptest::strategy::Strategy<Value = OrderEventKind> {
        use crate::core::enums::LiquiditySide;
        use crate::core::events::{OrderFilled, OrderUpdated};
        use crate::core::identifiers::{TradeId, VenueOrderId};
        use crate::core::{Money, Price};
        use proptest::prelude::*;
        prop_oneof![
            Just(OrderEventKind::Submitted),
            Just(OrderEventKind::Accepted {
                venue_order_id: VenueOrderId::new("V-1").unwrap()
            }),
            Just(OrderEventKind::Canceled),
            (1u32..5).prop_map(|q| OrderEventKind::Updated(Box::new(OrderUpdated {
                quantity: Quantity::parse(&q.to_string(), 0).unwrap(),
                price: None,
                trigger_price: None,
                reason: None,
            }))),
            (1u32..3).prop_map(|q| OrderEventKind::Filled(Box::new(OrderFilled {
                trade_id: TradeId::new("T-1").unwrap(),
                venue_order_id: VenueOrderId::new("V-1").unwrap(),
                position_id: None,
                order_side: OrderSide::Buy,
                last_qty: Quantity::parse(&q.to_string(), 0).unwrap(),
                last_px: Price::parse("1.00", 2).unwrap(),
                commission: Money::zero(Currency::USD),
                liquidity_side: LiquiditySide::Taker,
            }))),
        ]
    }

    proptest::proptest! {
        /// The open leaves kept event by event equal the leaves of the open
        /// orders, whatever events arrive (refused ones included).
        #[test]
        fn open_leaves_equal_the_open_orders_leaves(
            events in proptest::collection::vec((0u32..4, any_kind()), 0..60),
        ) {
            let mut cache = cache_with_orders(4);
            for (order, kind) in events {
                let _ = cache.apply_event(&OrderEvent {
                    order: OrderIndex(order),
                    kind,
                    ts_event: UnixNanos(0),
                    ts_init: UnixNanos(0),
                });
                let expected: i128 = cache
                    .orders_open(Filter::default())
                    .map(|o| o.leaves_qty().signed_raw())
                    .sum();
                proptest::prop_assert_eq!(cache.open_leaves_raw(InstrumentIndex(0), OrderSide::Buy), expected);
            }
        }
    }

    #[test]
    fn records_group_the_log_by_order_and_keep_only_applied_events() {
        let mut cache = cache_with_orders(2);
        let event = |order: u32, kind: OrderEventKind| OrderEvent {
            order: OrderIndex(order),
            kind,
            ts_event: UnixNanos(i64::from(order)),
            ts_init: UnixNanos(0),
        };
        cache
            .apply_event(&event(1, OrderEventKind::Submitted))
            .unwrap();
        cache
            .apply_event(&event(0, OrderEventKind::Submitted))
            .unwrap();
        // Illegal from SUBMITTED: refused and not recorded.
        assert!(
            cache
                .apply_event(&event(1, OrderEventKind::Triggered))
                .is_err()
        );
        cache
            .apply_event(&event(1, OrderEventKind::Canceled))
            .unwrap();
        let records: Vec<_> = cache.take_order_history().records().collect();
        let names = |order: usize| -> Vec<&str> {
            records[order]
                .events
                .iter()
                .map(|e| e.kind.name())
                .collect()
        };
        assert_eq!(names(0), ["INITIALIZED", "SUBMITTED"]);
        assert_eq!(names(1), ["INITIALIZED", "SUBMITTED", "CANCELED"]);
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].events.len(), 3);
        assert_eq!(records[1].order.status, OrderStatus::Canceled);
        assert_eq!(records[1].commissions().count(), 0);
    }

    #[test]
    fn the_log_gives_back_every_kind_of_event_as_applied() {
        use crate::core::enums::LiquiditySide;
        use crate::core::events::{OrderFilled, OrderUpdated};
        use crate::core::identifiers::{TradeId, VenueOrderId};
        use crate::core::{Money, Price};
        let mut cache = cache_with_orders(3);
        let venue_id = VenueOrderId::new("SIM-3").unwrap();
        let fill = OrderFilled {
            trade_id: TradeId::new("SIM-T1").unwrap(),
            venue_order_id: venue_id.clone(),
            position_id: None,
            order_side: OrderSide::Buy,
            last_qty: Quantity::parse("1", 0).unwrap(),
            last_px: Price::parse("10.25", 2).unwrap(),
            commission: "0.01 USD".parse::<Money>().unwrap(),
            liquidity_side: LiquiditySide::Taker,
        };
        let kinds = [
            (
                0,
                OrderEventKind::Denied {
                    reason: Arc::from("too big"),
                },
            ),
            (1, OrderEventKind::Submitted),
            (2, OrderEventKind::Submitted),
            (
                1,
                OrderEventKind::Rejected {
                    reason: Arc::from("closed"),
                },
            ),
            (
                2,
                OrderEventKind::Accepted {
                    venue_order_id: venue_id.clone(),
                },
            ),
            (2, OrderEventKind::PendingUpdate),
            (
                2,
                OrderEventKind::Updated(Box::new(OrderUpdated {
                    quantity: Quantity::parse("2", 0).unwrap(),
                    price: None,
                    trigger_price: None,
                    reason: None,
                })),
            ),
            (2, OrderEventKind::Filled(Box::new(fill))),
            (2, OrderEventKind::PendingCancel),
            (
                2,
                OrderEventKind::Accepted {
                    venue_order_id: venue_id,
                },
            ),
            (2, OrderEventKind::Canceled),
        ];
        let mut applied = vec![Vec::new(); 3];
        for (step, (order, kind)) in kinds.into_iter().enumerate() {
            let event = OrderEvent {
                order: OrderIndex(order),
                kind,
                ts_event: UnixNanos(i64::try_from(step).unwrap()),
                ts_init: UnixNanos(100),
            };
            cache.apply_event(&event).unwrap().unwrap();
            applied[order as usize].push(event);
        }
        assert_eq!(cache.fill_count(), 1);
        for record in cache.take_order_history().records() {
            let logged = &record.events[1..];
            assert_eq!(record.events[0].kind, OrderEventKind::Initialized);
            assert_eq!(logged, applied[record.order.index.get()].as_slice());
        }
    }

    #[test]
    fn open_orders_and_leaves_follow_status() {
        let mut cache = cache_with_orders(2);
        for i in 0..2 {
            let event = OrderEvent {
                order: OrderIndex(i),
                kind: OrderEventKind::Submitted,
                ts_event: UnixNanos(0),
                ts_init: UnixNanos(0),
            };
            cache.apply_event(&event).unwrap().unwrap();
        }
        assert_eq!(cache.orders_open(Filter::default()).count(), 2);
        assert_eq!(
            cache.open_leaves_raw(InstrumentIndex(0), OrderSide::Buy),
            6_000_000_000
        );
        let event = OrderEvent {
            order: OrderIndex(0),
            kind: OrderEventKind::Canceled,
            ts_event: UnixNanos(0),
            ts_init: UnixNanos(0),
        };
        cache.apply_event(&event).unwrap().unwrap();
        assert_eq!(
            cache.order(OrderIndex(0)).unwrap().status,
            OrderStatus::Canceled
        );
        assert_eq!(cache.orders_open(Filter::default()).count(), 1);
        assert_eq!(cache.orders_closed(Filter::default()).count(), 1);
        assert_eq!(
            cache.open_leaves_raw(InstrumentIndex(0), OrderSide::Buy),
            3_000_000_000
        );
        assert_eq!(
            cache.open_leaves_raw(InstrumentIndex(0), OrderSide::Sell),
            0
        );
    }
}
