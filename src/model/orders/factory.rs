//! Makes orders with ids unique within a run: `O-<strategy>-<sequence>`.

use crate::core::UnixNanos;
use crate::core::identifiers::{ClientOrderId, OrderIndex, StrategyId};

use super::{Order, OrderInit};

/// Numbers the orders of one strategy.
#[derive(Debug, Clone)]
pub struct OrderFactory {
    // "O-<strategy>", built once.
    prefix: String,
    // The cache index of each order made, by sequence number − 1: ids are
    // resolved by parsing, with no map to hash or grow.
    made: Vec<OrderIndex>,
    sequence: u64,
}

impl OrderFactory {
    #[must_use]
    pub fn new(strategy_id: &StrategyId) -> Self {
        Self {
            prefix: format!("O-{strategy_id}"),
            made: Vec::new(),
            sequence: 0,
        }
    }

    /// The next order, stored by the caller at `index`.
    pub fn create(&mut self, index: OrderIndex, init: OrderInit, ts_init: UnixNanos) -> Order {
        self.sequence += 1;
        self.made.push(index);
        let id = ClientOrderId::from_parts(&self.prefix, '-', self.sequence);
        Order::new(index, id, init, ts_init)
    }

    /// The cache index of the order this factory made with `id`, if any.
    #[must_use]
    pub fn find(&self, id: &ClientOrderId) -> Option<OrderIndex> {
        let sequence: usize = id
            .as_str()
            .strip_prefix(self.prefix.as_str())?
            .strip_prefix('-')?
            .parse()
            .ok()?;
        self.made.get(sequence.checked_sub(1)?).copied()
    }

    /// How many orders were made.
    #[must_use]
    pub const fn count(&self) -> u64 {
        self.sequence
    }
}
