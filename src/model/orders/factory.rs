//! Makes orders with ids unique within a run: `O-<strategy>-<sequence>`.

use crate::core::UnixNanos;
use crate::core::identifiers::{ClientOrderId, OrderIndex, StrategyId};

use super::{Order, OrderInit};

/// Numbers the orders of one strategy.
#[derive(Debug, Clone)]
pub struct OrderFactory {
    // "O-<strategy>", built once.
    prefix: String,
    sequence: u64,
}

impl OrderFactory {
    #[must_use]
    pub fn new(strategy_id: &StrategyId) -> Self {
        Self {
            prefix: format!("O-{strategy_id}"),
            sequence: 0,
        }
    }

    /// The next order, stored by the caller at `index`.
    pub fn create(&mut self, index: OrderIndex, init: OrderInit, ts_init: UnixNanos) -> Order {
        self.sequence += 1;
        let id = ClientOrderId::from_parts(&self.prefix, '-', self.sequence);
        Order::new(index, id, init, ts_init)
    }

    /// How many orders were made.
    #[must_use]
    pub const fn count(&self) -> u64 {
        self.sequence
    }
}
