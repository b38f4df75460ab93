//! A finished run's orders with their events, for the reports: the
//! cache's compact tables moved out as they are, read one order at a time.
//! Each order's history is made when it is read, so a run of millions of
//! orders never holds them twice (a report streams them to disk).

use std::sync::Arc;

use crate::core::events::{OrderEvent, OrderEventKind};
use crate::core::identifiers::{
    ClientOrderId, IdentifierError, OrderIndex, PositionId, TagIndex, TradeId, VenueOrderId,
};
use crate::model::orders::contingency::{Contingencies, Contingency};
use crate::model::orders::{Order, OrderRecord};

use super::chunked::Chunked;
use super::event_log::EventLog;

/// Every order of a run in submission order, each with its events.
/// Cloning shares the tables.
#[derive(Debug, Clone, Default)]
pub struct OrderHistory {
    tables: Arc<Tables>,
}

#[derive(Debug, Default)]
struct Tables {
    orders: Chunked<Order>,
    log: EventLog,
    /// Order `i`'s logged events are `by_order[starts[i]..starts[i + 1]]`,
    /// positions in the log: 4 bytes an order and 4 an event.
    starts: Vec<u32>,
    by_order: Vec<u32>,
    tags: Vec<Arc<str>>,
    links: Contingencies,
}

impl OrderHistory {
    /// Groups the log by order: one pass to count, one to place.
    pub(super) fn new(
        orders: Chunked<Order>,
        log: EventLog,
        tags: Vec<Arc<str>>,
        links: Contingencies,
    ) -> Self {
        let position = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let mut starts = vec![0u32; orders.len() + 1];
        for logged in log.iter() {
            if let Some(count) = starts.get_mut(logged.order.get() + 1) {
                *count += 1;
            }
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next: Vec<u32> = starts.clone();
        let mut by_order = vec![0u32; log.iter().count()];
        for (k, logged) in log.iter().enumerate() {
            if let Some(slot) = next.get_mut(logged.order.get()) {
                if let Some(place) = by_order.get_mut(*slot as usize) {
                    *place = position(k);
                }
                *slot += 1;
            }
        }
        Self {
            tables: Arc::new(Tables {
                orders,
                log,
                starts,
                by_order,
                tags,
                links,
            }),
        }
    }

    /// The number of orders.
    #[must_use]
    pub fn len(&self) -> usize {
        self.tables.orders.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of fills.
    #[must_use]
    pub fn fill_count(&self) -> usize {
        self.tables.log.fill_count()
    }

    /// Order `index` with its events, INITIALIZED first.
    #[must_use]
    pub fn record(&self, index: usize) -> Option<OrderRecord> {
        let t = &self.tables;
        let order = t.orders.get(index)?;
        let (from, to) = (*t.starts.get(index)?, *t.starts.get(index + 1)?);
        let mut events = Vec::with_capacity((to - from) as usize + 1);
        // The INITIALIZED event is not logged: the order holds its time.
        events.push(OrderEvent {
            order: order.index,
            kind: OrderEventKind::Initialized,
            ts_event: order.ts_init,
            ts_init: order.ts_init,
        });
        for position in &t.by_order[from as usize..to as usize] {
            if let Some(event) = t
                .log
                .get(*position as usize)
                .and_then(|l| t.log.event(l, order))
            {
                events.push(event);
            }
        }
        Some(OrderRecord {
            order: order.clone(),
            events,
        })
    }

    /// The order at `index`.
    #[must_use]
    pub fn order(&self, index: OrderIndex) -> Option<&Order> {
        self.tables.orders.get(index.get())
    }

    /// How order `index` is tied to others (brackets, OTO, OCO).
    #[must_use]
    pub fn links(&self, index: OrderIndex) -> Option<&Contingency> {
        self.tables.links.of(index)
    }

    /// Every order with its events, made one at a time.
    pub fn records(&self) -> impl Iterator<Item = OrderRecord> + '_ {
        (0..self.len()).filter_map(|i| self.record(i))
    }

    /// The tag of `order`.
    #[must_use]
    pub fn tag(&self, order: &Order) -> Option<&str> {
        order
            .tag
            .and_then(|index| self.tables.tags.get(index.get()))
            .map(AsRef::as_ref)
    }

    /// The histories of runs made one after another, as one history: the
    /// orders of each part follow those of the part before, and every id
    /// of a part (its orders', venue orders', fills' and positions') takes
    /// the part's prefix, so ids stay unique across the parts.
    ///
    /// # Errors
    /// When a prefixed id is not a valid id (a prefix with whitespace).
    pub fn concat(parts: &[(Self, String)]) -> Result<Self, IdentifierError> {
        let mut orders: Chunked<Order> = Chunked::default();
        let mut log = EventLog::default();
        let mut tags: Vec<Arc<str>> = Vec::new();
        let mut links = Contingencies::default();
        for (part, prefix) in parts {
            links.extend_shifted(&part.tables.links, orders.len());
            let tag_offset = tags.len();
            tags.extend(part.tables.tags.iter().cloned());
            for OrderRecord { mut order, events } in part.records() {
                order.index = OrderIndex::next_in(orders.len());
                order.client_order_id =
                    ClientOrderId::new(&format!("{prefix}{}", order.client_order_id))?;
                order.venue_order_id = order
                    .venue_order_id
                    .map(|id| VenueOrderId::new(&format!("{prefix}{id}")))
                    .transpose()?;
                order.position_id = order
                    .position_id
                    .map(|id| PositionId::new(&format!("{prefix}{id}")))
                    .transpose()?;
                order.tag = order.tag.map(|t| TagIndex::next_in(t.get() + tag_offset));
                // INITIALIZED is implied by the order's own time.
                for mut event in events.into_iter().skip(1) {
                    event.order = order.index;
                    if let OrderEventKind::Filled(fill) = &mut event.kind {
                        fill.trade_id = TradeId::new(&format!("{prefix}{}", fill.trade_id))?;
                        fill.venue_order_id =
                            VenueOrderId::new(&format!("{prefix}{}", fill.venue_order_id))?;
                        fill.position_id = fill
                            .position_id
                            .take()
                            .map(|id| PositionId::new(&format!("{prefix}{id}")))
                            .transpose()?;
                    }
                    log.push(&event);
                }
                orders.push(order);
            }
        }
        Ok(Self::new(orders, log, tags, links))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::UnixNanos;
    use crate::core::enums::OrderStatus;
    use crate::state::cache::Cache;
    use crate::state::cache::tests::cache_with_orders;

    #[test]
    fn concatenated_histories_renumber_and_prefix_their_orders() {
        let submit = |cache: &mut Cache, order: u32, kind: OrderEventKind| {
            cache
                .apply_event(&OrderEvent {
                    order: OrderIndex(order),
                    kind,
                    ts_event: UnixNanos(1),
                    ts_init: UnixNanos(1),
                })
                .unwrap();
        };
        let mut first = cache_with_orders(2);
        submit(&mut first, 1, OrderEventKind::Submitted);
        submit(&mut first, 1, OrderEventKind::Canceled);
        let mut second = cache_with_orders(1);
        submit(&mut second, 0, OrderEventKind::Submitted);
        let joined = OrderHistory::concat(&[
            (first.take_order_history(), "W1-".to_string()),
            (second.take_order_history(), "W2-".to_string()),
        ])
        .unwrap();
        let records: Vec<_> = joined.records().collect();
        let ids: Vec<String> = records
            .iter()
            .map(|r| r.order.client_order_id.to_string())
            .collect();
        assert_eq!(ids, ["W1-O-S-1", "W1-O-S-2", "W2-O-S-1"]);
        for (k, record) in records.iter().enumerate() {
            assert_eq!(record.order.index, OrderIndex::next_in(k));
            assert!(record.events.iter().all(|e| e.order == record.order.index));
        }
        let names =
            |k: usize| -> Vec<&str> { records[k].events.iter().map(|e| e.kind.name()).collect() };
        assert_eq!(names(1), ["INITIALIZED", "SUBMITTED", "CANCELED"]);
        assert_eq!(names(2), ["INITIALIZED", "SUBMITTED"]);
        assert_eq!(records[1].order.status, OrderStatus::Canceled);
    }
}
