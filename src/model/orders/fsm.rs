//! The order state machine as one table, written as a `match` (`rule`)
//! and looked up as an array the compiler fills from it. Terminal states
//! (DENIED, REJECTED, CANCELED, EXPIRED, FILLED) have no row: our simulator
//! owns the venue, so terminal means terminal.

use crate::core::enums::OrderStatus;
use crate::core::events::OrderEventKind;

/// The status an event leads to, before fill quantities are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    To(OrderStatus),
    /// PARTIALLY_FILLED or FILLED, decided by the remaining quantity.
    Fill,
}

/// An event's kind without its payload: a column of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Initialized,
    Denied,
    Submitted,
    Accepted,
    Rejected,
    Canceled,
    Expired,
    Triggered,
    PendingUpdate,
    PendingCancel,
    Updated,
    Filled,
}

impl Event {
    const ALL: [Self; 12] = [
        Self::Initialized,
        Self::Denied,
        Self::Submitted,
        Self::Accepted,
        Self::Rejected,
        Self::Canceled,
        Self::Expired,
        Self::Triggered,
        Self::PendingUpdate,
        Self::PendingCancel,
        Self::Updated,
        Self::Filled,
    ];

    const fn of(event: &OrderEventKind) -> Self {
        match event {
            OrderEventKind::Initialized => Self::Initialized,
            OrderEventKind::Denied { .. } => Self::Denied,
            OrderEventKind::Submitted => Self::Submitted,
            OrderEventKind::Accepted { .. } => Self::Accepted,
            OrderEventKind::Rejected { .. } => Self::Rejected,
            OrderEventKind::Canceled => Self::Canceled,
            OrderEventKind::Expired => Self::Expired,
            OrderEventKind::Triggered => Self::Triggered,
            OrderEventKind::PendingUpdate => Self::PendingUpdate,
            OrderEventKind::PendingCancel => Self::PendingCancel,
            OrderEventKind::Updated(_) => Self::Updated,
            OrderEventKind::Filled(_) => Self::Filled,
        }
    }
}

/// The next status for `event` in `status`, or `None` when the event is
/// illegal there: a lookup in `TABLE`, which `rule` fills.
#[must_use]
#[inline]
pub fn transition(status: OrderStatus, event: &OrderEventKind) -> Option<Transition> {
    TABLE
        .get(status as usize)
        .and_then(|row| row.get(Event::of(event) as usize))
        .copied()
        .flatten()
}

const STATUSES: usize = OrderStatus::ALL.len();

/// `rule` for every status (rows, in `OrderStatus::ALL` order) and event
/// kind (columns), computed when the crate is compiled.
const TABLE: [[Option<Transition>; Event::ALL.len()]; STATUSES] = {
    let mut table = [[None; Event::ALL.len()]; STATUSES];
    let mut row = 0;
    while row < OrderStatus::ALL.len() {
        let status = OrderStatus::ALL[row];
        let mut column = 0;
        while column < Event::ALL.len() {
            table[status as usize][Event::ALL[column] as usize] = rule(status, Event::ALL[column]);
            column += 1;
        }
        row += 1;
    }
    table
};

/// The state machine as written: what `event` does in `status`.
#[rustfmt::skip]
const fn rule(status: OrderStatus, event: Event) -> Option<Transition> {
    use Event as E;
    use OrderStatus as S;
    use Transition::{Fill, To};
    Some(match (status, event) {
        (S::Initialized, E::Denied)            => To(S::Denied),      // risk engine refused it
        (S::Initialized, E::Submitted)         => To(S::Submitted),   // sent towards the venue
        (S::Initialized, E::Canceled)          => To(S::Canceled),    // canceled before it left
        (S::Initialized, E::Expired)           => To(S::Expired),
        (S::Submitted, E::Rejected)            => To(S::Rejected),    // venue refused it
        (S::Submitted, E::Accepted)            => To(S::Accepted),
        (S::Submitted, E::Canceled)            => To(S::Canceled),    // IOC/FOK with nothing to fill
        (S::Submitted, E::Expired)             => To(S::Expired),
        (S::Submitted, E::PendingCancel)       => To(S::PendingCancel),
        (S::Submitted, E::PendingUpdate)       => To(S::PendingUpdate),
        (S::Submitted, E::Filled)              => Fill,               // filled on arrival
        (S::Accepted, E::Canceled)             => To(S::Canceled),
        (S::Accepted, E::Expired)              => To(S::Expired),
        (S::Accepted, E::Triggered)            => To(S::Triggered),   // stop reached
        (S::Accepted, E::PendingUpdate)        => To(S::PendingUpdate),
        (S::Accepted, E::PendingCancel)        => To(S::PendingCancel),
        (S::Accepted, E::Updated)              => To(S::Accepted),
        (S::Accepted, E::Filled)               => Fill,
        (S::Triggered, E::Canceled)            => To(S::Canceled),
        (S::Triggered, E::Expired)             => To(S::Expired),
        (S::Triggered, E::PendingUpdate)       => To(S::PendingUpdate),
        (S::Triggered, E::PendingCancel)       => To(S::PendingCancel),
        (S::Triggered, E::Updated)             => To(S::Triggered),
        (S::Triggered, E::Filled)              => Fill,
        (S::PendingUpdate, E::Accepted)        => To(S::Accepted),    // update refused, still working
        (S::PendingUpdate, E::Updated)         => To(S::Accepted),
        (S::PendingUpdate, E::Canceled)        => To(S::Canceled),
        (S::PendingUpdate, E::Expired)         => To(S::Expired),
        (S::PendingUpdate, E::Triggered)       => To(S::Triggered),
        (S::PendingUpdate, E::PendingCancel)   => To(S::PendingCancel),
        (S::PendingUpdate, E::Filled)          => Fill,
        (S::PendingCancel, E::Accepted)        => To(S::Accepted),    // cancel refused, still working
        (S::PendingCancel, E::Canceled)        => To(S::Canceled),
        (S::PendingCancel, E::Expired)         => To(S::Expired),
        (S::PendingCancel, E::Filled)          => Fill,               // filled before the cancel landed
        (S::PartiallyFilled, E::Canceled)      => To(S::Canceled),
        (S::PartiallyFilled, E::Expired)       => To(S::Expired),
        (S::PartiallyFilled, E::PendingUpdate) => To(S::PendingUpdate),
        (S::PartiallyFilled, E::PendingCancel) => To(S::PendingCancel),
        (S::PartiallyFilled, E::Updated)       => To(S::PartiallyFilled),
        (S::PartiallyFilled, E::Filled)        => Fill,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_states_accept_nothing() {
        let events = [
            OrderEventKind::Canceled,
            OrderEventKind::Submitted,
            OrderEventKind::Triggered,
            OrderEventKind::Expired,
        ];
        for status in OrderStatus::ALL.iter().filter(|s| s.is_terminal()) {
            for event in &events {
                assert_eq!(
                    transition(*status, event),
                    None,
                    "{status} + {}",
                    event.name()
                );
            }
        }
    }

    #[test]
    fn happy_path() {
        assert_eq!(
            transition(OrderStatus::Initialized, &OrderEventKind::Submitted),
            Some(Transition::To(OrderStatus::Submitted))
        );
        assert_eq!(
            transition(OrderStatus::Accepted, &OrderEventKind::Triggered),
            Some(Transition::To(OrderStatus::Triggered))
        );
        assert_eq!(
            transition(OrderStatus::Initialized, &OrderEventKind::Triggered),
            None
        );
    }
}
