//! Trailing stops: a stop whose trigger follows the market at a distance,
//! only ever in the order's favour (up for a sell that protects a long,
//! down for a buy that protects a short), point by point along each bar's
//! path, so a bar that rises and then falls back triggers the stop it
//! raised. With an activation price the trigger starts trailing only once
//! the market reaches it. A trailing stop-limit then works as a limit at
//! its limit offset from the trigger.

use crate::core::enums::OrderSide;
use crate::core::identifiers::OrderIndex;
use crate::model::orders::OrderKind;
use crate::model::orders::trailing::TrailingSpec;

use super::{Match, MatchReason, MatchingCore, Triggered, touch_after};

/// A trailing trigger that moved on a bar: the order's new trigger and,
/// for a stop-limit, its new limit (raw).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrailMove {
    pub order: OrderIndex,
    pub trigger: i64,
    pub limit: Option<i64>,
}

/// One trailing stop at work.
#[derive(Debug, Clone, Copy)]
pub(super) struct Trailing {
    order: OrderIndex,
    side: OrderSide,
    spec: TrailingSpec,
    /// `None` until activated.
    trigger: Option<i64>,
    /// The best price since activation.
    best: Option<i64>,
}

impl Trailing {
    pub(super) fn is(&self, order: OrderIndex) -> bool {
        self.order == order
    }

    /// A sell protects a long: it trails below and fires on a fall.
    fn sells(&self) -> bool {
        self.side == OrderSide::Sell
    }

    /// Whether the price `p` is at or through the trigger.
    fn fires_at(&self, p: i64) -> bool {
        self.trigger
            .is_some_and(|t| if self.sells() { p <= t } else { p >= t })
    }

    /// Moves the trigger after the market traded at `p`.
    fn see(&mut self, p: i64) {
        let sells = self.sells();
        if self.best.is_none() {
            let active = self
                .spec
                .activation
                .is_none_or(|a| if sells { p >= a } else { p <= a });
            if !active {
                return;
            }
        }
        let best = match self.best {
            Some(b) if sells => b.max(p),
            Some(b) => b.min(p),
            None => p,
        };
        self.best = Some(best);
        let distance = self.spec.distance(best);
        let candidate = if sells {
            best - distance
        } else {
            best + distance
        };
        self.trigger = Some(match self.trigger {
            Some(t) if sells => t.max(candidate),
            Some(t) => t.min(candidate),
            None => candidate,
        });
    }

    /// The limit of a trailing stop-limit whose trigger is `trigger`.
    fn limit_at(&self, trigger: i64) -> Option<i64> {
        self.spec.limit_offset.map(|offset| {
            if self.sells() {
                trigger - offset
            } else {
                trigger + offset
            }
        })
    }

    /// Walks the bar's path of `points` from path time `from`, where the
    /// price is `start` (the open at 0): the time and price it fires at,
    /// if it does.
    fn walk(&mut self, points: &[i64; 4], start: i64, from: f64) -> Option<(f64, i64)> {
        // A gap through the trigger fires where the walk starts.
        if self.fires_at(start) {
            return Some((from, start));
        }
        self.see(start);
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "from is in [0, 3]"
        )]
        let next = (from.floor() as usize).min(2) + 1;
        let (mut a, mut time_a) = (start, from);
        for (k, &b) in points.iter().enumerate().skip(next) {
            #[allow(clippy::cast_precision_loss, reason = "k <= 3")]
            let time_b = k as f64;
            let favourable = if self.sells() { b > a } else { b < a };
            if favourable {
                // The trigger follows the price away from it.
                self.see(b);
            } else if let Some(t) = self.trigger.filter(|_| self.fires_at(b)) {
                #[allow(clippy::cast_precision_loss, reason = "path time only orders fills")]
                let fraction = ((a - t) as f64 / (a - b) as f64).abs();
                return Some((time_a + (time_b - time_a) * fraction, t));
            }
            (a, time_a) = (b, time_b);
        }
        None
    }
}

impl MatchingCore {
    /// Adds a trailing stop (`kind` a stop-market or stop-limit whose
    /// trigger is the first one) trailing as `spec` says.
    pub fn add_trailing(
        &mut self,
        order: OrderIndex,
        side: OrderSide,
        kind: OrderKind,
        spec: TrailingSpec,
    ) {
        self.working += 1;
        self.every_bar = true;
        self.trailing.push(Trailing {
            order,
            side,
            spec,
            trigger: if spec.activation.is_some() {
                None
            } else {
                kind.trigger_price().map(|p| p.raw)
            },
            best: None,
        });
    }

    /// The triggers that moved on the last bar.
    pub fn drain_moves(&mut self) -> std::vec::Drain<'_, TrailMove> {
        self.moved.drain(..)
    }

    /// Walks every trailing stop along the bar's `points`: a stop that
    /// fires is matched (a stop-limit becomes a limit, filled at once if
    /// the rest of the path reaches it, else resting as a triggered
    /// limit); the others report their moved triggers.
    pub(super) fn walk_trailing(
        &mut self,
        points: &[i64; 4],
        matches: &mut Vec<Match>,
        triggered: &mut Vec<Triggered>,
    ) {
        let mut kept = Vec::with_capacity(self.trailing.len());
        for mut t in std::mem::take(&mut self.trailing) {
            let before = t.trigger;
            let fired = t.walk(points, points[0], 0.0);
            if let Some(trigger) = t.trigger.filter(|_| t.trigger != before) {
                self.moved.push(TrailMove {
                    order: t.order,
                    trigger,
                    limit: t.limit_at(trigger),
                });
            }
            let Some((time, price)) = fired else {
                kept.push(t);
                continue;
            };
            // A stop fires only once it has a trigger.
            let trigger = t.trigger.unwrap_or(price);
            let Some(limit) = t.limit_at(trigger) else {
                matches.push(Match {
                    order: t.order,
                    side: t.side,
                    price,
                    reason: MatchReason::Stop,
                    path_time: time,
                    triggered: true,
                });
                continue;
            };
            // Now a limit: marketable at once, later on the path, or resting.
            let buy = t.side == OrderSide::Buy;
            let marketable = if buy { price <= limit } else { price >= limit };
            let filled = if marketable {
                Some((time, price))
            } else {
                touch_after(points, price, time, limit, buy).map(|at| (at, limit))
            };
            match filled {
                Some((at, px)) => matches.push(Match {
                    order: t.order,
                    side: t.side,
                    price: px,
                    reason: MatchReason::StopLimit,
                    path_time: at,
                    triggered: true,
                }),
                None => {
                    triggered.push(Triggered { order: t.order });
                    let kind = OrderKind::Limit {
                        price: crate::core::Price {
                            raw: limit,
                            precision: crate::core::fixed::FIXED_PRECISION,
                        },
                    };
                    self.add(t.order, t.side, kind, true);
                }
            }
        }
        self.trailing = kept;
    }

    /// Walks the trailing stop `order`, put to work at path time `from`
    /// where the price is `start` (released by its parent's fill), along
    /// the rest of the bar's `points`: its match if it fires and fills on
    /// them. A stop-limit that fires but whose limit the rest of the bar
    /// does not reach rests as a triggered limit (listed in `triggered`);
    /// `None` also when `order` is not a trailing stop.
    pub(super) fn match_trailing_rest(
        &mut self,
        order: OrderIndex,
        points: &[i64; 4],
        (start, from): (i64, f64),
        triggered: &mut Vec<Triggered>,
    ) -> Option<Match> {
        let at = self.trailing.iter().position(|t| t.order == order)?;
        let mut t = self.trailing[at];
        let before = t.trigger;
        let fired = t.walk(points, start, from);
        self.trailing[at] = t;
        if let Some(trigger) = t.trigger.filter(|_| t.trigger != before) {
            self.moved.push(TrailMove {
                order,
                trigger,
                limit: t.limit_at(trigger),
            });
        }
        let (time, price) = fired?;
        let trigger = t.trigger.unwrap_or(price);
        let (price, path_time, reason) = match t.limit_at(trigger) {
            None => (price, time, MatchReason::Stop),
            Some(limit) => {
                let buy = t.side == OrderSide::Buy;
                let marketable = if buy { price <= limit } else { price >= limit };
                if marketable {
                    (price, time, MatchReason::StopLimit)
                } else if let Some(at) = touch_after(points, price, time, limit, buy) {
                    (limit, at, MatchReason::StopLimit)
                } else {
                    // Triggered, unfilled: a limit from now on.
                    self.remove(order);
                    triggered.push(Triggered { order });
                    let price = crate::core::Price {
                        raw: limit,
                        precision: crate::core::fixed::FIXED_PRECISION,
                    };
                    self.add(order, t.side, OrderKind::Limit { price }, true);
                    return None;
                }
            }
        };
        self.remove(order);
        Some(Match {
            order,
            side: t.side,
            price,
            reason,
            path_time,
            triggered: true,
        })
    }

    /// Takes `order` out of the trailing stops; `true` if it was there.
    pub(super) fn remove_trailing(&mut self, order: OrderIndex) -> bool {
        let Some(at) = self.trailing.iter().position(|t| t.order == order) else {
            return false;
        };
        self.trailing.remove(at);
        true
    }
}
