//! What makes a trailing stop trail: the distance its trigger keeps from
//! the best price, an optional activation price, and a stop-limit's limit
//! offset. The matching core moves the trigger (see
//! `engine::matching::trailing`).

use crate::core::enums::OrderSide;

/// How far the trigger trails the best price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrailOffset {
    /// A price distance (raw).
    Price(i64),
    /// A number of ticks.
    Ticks(u32),
    /// Basis points of the best price, rounded to a tick (at least one).
    BasisPoints(u32),
}

/// What makes a stop trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrailingSpec {
    pub offset: TrailOffset,
    /// The price the market must reach (in the order's favour: at or
    /// above it for a sell) before the trigger trails and may fire.
    pub activation: Option<i64>,
    /// A trailing stop-limit's limit: this far past the trigger (below it
    /// for a sell), raw; `None` for a trailing stop-market.
    pub limit_offset: Option<i64>,
    /// The instrument's tick (raw), for offsets in ticks and basis points.
    pub tick: i64,
}

impl TrailingSpec {
    /// The trigger's distance from `best`.
    #[must_use]
    pub fn distance(&self, best: i64) -> i64 {
        let tick = self.tick.max(1);
        match self.offset {
            TrailOffset::Price(raw) => raw,
            TrailOffset::Ticks(n) => i64::from(n) * tick,
            TrailOffset::BasisPoints(bp) => {
                let raw = i128::from(best) * i128::from(bp) / 10_000;
                let ticks = (raw + i128::from(tick) / 2) / i128::from(tick);
                i64::try_from(ticks.max(1)).unwrap_or(i64::MAX / 2) * tick
            }
        }
    }
}

impl TrailingSpec {
    /// Where a trailing stop on `side` starts: its first trigger (`first`,
    /// else the trail's distance from the activation price or from
    /// `last`, the last close) and, for a stop-limit, its limit
    /// `limit_offset` past the trigger. `None` with no price to start
    /// from.
    #[must_use]
    pub fn start(
        &self,
        side: OrderSide,
        first: Option<i64>,
        last: Option<i64>,
    ) -> Option<(i64, Option<i64>)> {
        let sells = side == OrderSide::Sell;
        let trigger = match (first, self.activation.or(last)) {
            (Some(trigger), _) => trigger,
            (None, Some(from)) => {
                let d = self.distance(from);
                if sells { from - d } else { from + d }
            }
            (None, None) => return None,
        };
        let limit = self.limit_offset.map(|offset| {
            if sells {
                trigger - offset
            } else {
                trigger + offset
            }
        });
        Some((trigger, limit))
    }
}
