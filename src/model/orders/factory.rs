//! Makes orders with ids unique within a run: `O-<strategy>-<sequence>`.

use crate::core::UnixNanos;
use crate::core::identifiers::{ClientOrderId, IdPrefix, OrderIndex, StrategyId};

use super::{Order, OrderInit};

/// Numbers the orders of one strategy.
#[derive(Debug, Clone)]
pub struct OrderFactory {
    // "O-<strategy>-", built once.
    prefix: IdPrefix,
    // The cache index of each order made, by sequence number − 1 (None while
    // an id is reserved but its order not yet made): ids are resolved by
    // parsing, with no map to hash or grow.
    made: Vec<Option<OrderIndex>>,
    sequence: u64,
}

impl OrderFactory {
    #[must_use]
    pub fn new(strategy_id: &StrategyId) -> Self {
        Self {
            prefix: IdPrefix::after(&format!("O-{strategy_id}"), '-'),
            made: Vec::new(),
            sequence: 0,
        }
    }

    /// Hands out the next id before its order exists, so a strategy knows
    /// the id of an order it has only asked for.
    pub fn reserve(&mut self) -> ClientOrderId {
        let id = self.id_after(self.sequence);
        self.sequence += 1;
        self.made.push(None);
        id
    }

    /// The id of the order made after `count` others: lets a caller that
    /// cannot reach the factory mid-call (a script) name orders ahead.
    #[must_use]
    pub fn id_after(&self, count: u64) -> ClientOrderId {
        ClientOrderId::after(&self.prefix, count)
    }

    /// The next order (under `reserved`, an id from [`Self::reserve`], or a
    /// fresh one), stored by the caller at `index`.
    pub fn create(
        &mut self,
        index: OrderIndex,
        reserved: Option<ClientOrderId>,
        init: OrderInit,
        ts_init: UnixNanos,
    ) -> Order {
        let id = reserved.unwrap_or_else(|| self.reserve());
        if let Some(slot) = self
            .sequence_of(&id)
            .and_then(|s| self.made.get_mut(s.checked_sub(1)?))
        {
            *slot = Some(index);
        }
        Order::new(index, id, init, ts_init)
    }

    fn sequence_of(&self, id: &ClientOrderId) -> Option<usize> {
        usize::try_from(id.number_after(&self.prefix)?.get()).ok()
    }

    /// The cache index of the order this factory made with `id`, if any.
    #[must_use]
    pub fn find(&self, id: &ClientOrderId) -> Option<OrderIndex> {
        let sequence = self.sequence_of(id)?;
        self.made.get(sequence.checked_sub(1)?).copied().flatten()
    }

    /// Whether `id` is one of the first `count` ids this factory names.
    #[must_use]
    pub fn names(&self, id: &ClientOrderId, count: u64) -> bool {
        id.number_after(&self.prefix)
            .is_some_and(|n| n.get() <= count)
    }

    /// How many orders were made.
    #[must_use]
    pub const fn count(&self) -> u64 {
        self.sequence
    }
}
