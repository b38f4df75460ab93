//! Makes orders with ids unique within a run: `O-<strategy>-<sequence>`.

use crate::core::UnixNanos;
use crate::core::identifiers::{ClientOrderId, IdentifierError, OrderIndex, StrategyId};

use super::{Order, OrderInit};

/// Numbers the orders of one strategy.
#[derive(Debug, Clone)]
pub struct OrderFactory {
    strategy_id: StrategyId,
    sequence: u64,
}

impl OrderFactory {
    #[must_use]
    pub const fn new(strategy_id: StrategyId) -> Self {
        Self {
            strategy_id,
            sequence: 0,
        }
    }

    /// The next order, stored by the caller at `index`.
    ///
    /// # Errors
    /// Never for a valid strategy id; kept checked because ids are validated.
    pub fn create(
        &mut self,
        index: OrderIndex,
        init: OrderInit,
        ts_init: UnixNanos,
    ) -> Result<Order, IdentifierError> {
        self.sequence += 1;
        let id = ClientOrderId::new(&format!("O-{}-{}", self.strategy_id, self.sequence))?;
        Ok(Order::new(index, id, init, ts_init))
    }

    /// How many orders were made.
    #[must_use]
    pub const fn count(&self) -> u64 {
        self.sequence
    }
}
