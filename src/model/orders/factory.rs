//! Makes orders with ids unique within a run: `O-<strategy>-<sequence>`.

use crate::core::UnixNanos;
use std::num::NonZeroU64;

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
        self.sequence += 1;
        self.made.push(None);
        self.id_at(self.sequence)
    }

    /// The id of the `sequence`-th order (1-based): lets a caller that
    /// cannot reach the factory mid-call (a script) name orders ahead.
    #[must_use]
    pub fn id_at(&self, sequence: u64) -> ClientOrderId {
        // Sequences are 1-based; 0 reads as the first.
        let number = NonZeroU64::new(sequence).unwrap_or(NonZeroU64::MIN);
        ClientOrderId::numbered(&self.prefix, number)
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

    /// How many orders were made.
    #[must_use]
    pub const fn count(&self) -> u64 {
        self.sequence
    }
}
