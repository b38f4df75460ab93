//! The run's log of order events: every event applied to an order, in the
//! order applied, kept compactly for the reports.

use std::sync::Arc;

use crate::core::UnixNanos;
use crate::core::events::{OrderEvent, OrderEventKind, OrderFilled, OrderUpdated};
use crate::core::identifiers::OrderIndex;
use crate::model::orders::Order;
use crate::state::chunked::Chunked;

/// An event as the log keeps it. What an [`OrderEvent`] owns (a reason, an
/// update's terms, a fill) sits in a table beside the log, so a logged
/// event is a few words that own nothing to drop.
#[derive(Debug, Clone, Copy)]
pub(super) struct LoggedEvent {
    pub(super) order: OrderIndex,
    kind: LoggedKind,
    ts_event: UnixNanos,
    ts_init: UnixNanos,
}

/// An event's kind, with indices into the log's tables for the payloads.
/// ACCEPTED names no venue id: it is the order's, which an order keeps once
/// a venue named it (see `Order::apply`).
#[derive(Debug, Clone, Copy)]
enum LoggedKind {
    Initialized,
    Denied { reason: u32 },
    Submitted,
    Accepted,
    Rejected { reason: u32 },
    Canceled,
    Expired,
    Triggered,
    PendingUpdate,
    PendingCancel,
    Updated { update: u32 },
    Filled { fill: u32 },
}

/// The log and the tables of its events' payloads.
#[derive(Debug, Default)]
pub(super) struct EventLog {
    events: Chunked<LoggedEvent>,
    reasons: Vec<Arc<str>>,
    updates: Vec<OrderUpdated>,
    fills: Chunked<OrderFilled>,
}

/// The index the next item pushed onto a table of `len` items gets.
fn next_index(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// Pushes `item` onto `table`; its index there.
fn append<T>(table: &mut Vec<T>, item: T) -> u32 {
    let index = next_index(table.len());
    table.push(item);
    index
}

impl EventLog {
    pub(super) fn push(&mut self, event: &OrderEvent) {
        let kind = match &event.kind {
            OrderEventKind::Initialized => LoggedKind::Initialized,
            OrderEventKind::Submitted => LoggedKind::Submitted,
            OrderEventKind::Accepted { .. } => LoggedKind::Accepted,
            OrderEventKind::Canceled => LoggedKind::Canceled,
            OrderEventKind::Expired => LoggedKind::Expired,
            OrderEventKind::Triggered => LoggedKind::Triggered,
            OrderEventKind::PendingUpdate => LoggedKind::PendingUpdate,
            OrderEventKind::PendingCancel => LoggedKind::PendingCancel,
            OrderEventKind::Denied { reason } => LoggedKind::Denied {
                reason: append(&mut self.reasons, Arc::clone(reason)),
            },
            OrderEventKind::Rejected { reason } => LoggedKind::Rejected {
                reason: append(&mut self.reasons, Arc::clone(reason)),
            },
            OrderEventKind::Updated(update) => LoggedKind::Updated {
                update: append(&mut self.updates, (**update).clone()),
            },
            OrderEventKind::Filled(fill) => {
                let index = next_index(self.fills.len());
                self.fills.push((**fill).clone());
                LoggedKind::Filled { fill: index }
            }
        };
        self.events.push(LoggedEvent {
            order: event.order,
            kind,
            ts_event: event.ts_event,
            ts_init: event.ts_init,
        });
    }

    /// The event logged at `position`.
    pub(super) fn get(&self, position: usize) -> Option<&LoggedEvent> {
        self.events.get(position)
    }

    /// The events in the order logged.
    pub(super) fn iter(&self) -> impl Iterator<Item = &LoggedEvent> + '_ {
        self.events.iter()
    }

    /// The number of fills logged.
    pub(super) fn fill_count(&self) -> usize {
        self.fills.len()
    }

    /// `logged` as the event it was; `order` is its order. `None` only for
    /// an index the log did not make.
    pub(super) fn event(&self, logged: &LoggedEvent, order: &Order) -> Option<OrderEvent> {
        let reason = |index: u32| self.reasons.get(index as usize).map(Arc::clone);
        let kind = match logged.kind {
            LoggedKind::Initialized => OrderEventKind::Initialized,
            LoggedKind::Submitted => OrderEventKind::Submitted,
            LoggedKind::Accepted => OrderEventKind::Accepted {
                venue_order_id: order.venue_order_id.clone()?,
            },
            LoggedKind::Canceled => OrderEventKind::Canceled,
            LoggedKind::Expired => OrderEventKind::Expired,
            LoggedKind::Triggered => OrderEventKind::Triggered,
            LoggedKind::PendingUpdate => OrderEventKind::PendingUpdate,
            LoggedKind::PendingCancel => OrderEventKind::PendingCancel,
            LoggedKind::Denied { reason: index } => OrderEventKind::Denied {
                reason: reason(index)?,
            },
            LoggedKind::Rejected { reason: index } => OrderEventKind::Rejected {
                reason: reason(index)?,
            },
            LoggedKind::Updated { update } => {
                OrderEventKind::Updated(Box::new(self.updates.get(update as usize)?.clone()))
            }
            LoggedKind::Filled { fill } => {
                OrderEventKind::Filled(Box::new(self.fills.get(fill as usize)?.clone()))
            }
        };
        Some(OrderEvent {
            order: logged.order,
            kind,
            ts_event: logged.ts_event,
            ts_init: logged.ts_init,
        })
    }
}
