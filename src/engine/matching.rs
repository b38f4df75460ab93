//! The matching core of one instrument: pure (no fees, no randomness, no
//! latency), fed bars, returning what traded at which price and when.
//!
//! ## The intrabar path
//! A bar is walked open → nearer extreme → farther extreme → close (a tie
//! goes low first on an up bar, high first on a down bar). Callers may force
//! the order ([`PathOrder`]): the venue's `pessimistic` mode puts the
//! extreme adverse to the open position first, as Backtesting.py does.
//! - Market orders fill at the next bar's open (or as the fill price rule says).
//! - A limit fills at its price when the path reaches it, or at the open when
//!   the open is already better (a gap through the limit).
//! - A stop triggers when the path reaches it and fills at the trigger, or at
//!   the open when the open is already worse (a gap through the stop).
//! - A stop-limit becomes a limit when triggered and may fill later in the
//!   same bar if the rest of the path reaches its limit.
//! - A market-if-touched order triggers like a limit and fills like a stop.
//!
//! ## Only the orders a bar can touch
//! Resting orders sit in four books ordered so that the most reachable
//! order is on top: a bar takes the top while its level is inside the
//! bar's range and never looks at the rest.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use crate::core::enums::OrderSide;
use crate::core::identifiers::OrderIndex;
use crate::model::data::Bar;
use crate::model::orders::OrderKind;

/// Which extreme a bar visits first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathOrder {
    /// The extreme nearer the open first (the default).
    Nearest,
    LowFirst,
    HighFirst,
}

/// How a market order's fill price is taken from the bar it fills on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MarketPrice {
    /// The open (the default: the first price after the order arrived).
    #[default]
    Open,
    /// (high + low) / 2, rounded half up to the price precision.
    Mid,
    /// The high for buys, the low for sells.
    Worst,
}

/// Why an order traded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchReason {
    Market,
    /// A resting limit filled (maker).
    Limit,
    /// A stop or touched order triggered and filled at market (taker).
    Stop,
    /// A stop-limit triggered and its limit filled in the same bar (maker).
    StopLimit,
}

/// One order traded on a bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    pub order: OrderIndex,
    pub side: OrderSide,
    pub price: i64,
    pub reason: MatchReason,
    /// Position along the path (0 = open, 3 = close), for ordering fills.
    pub path_time: f64,
    /// The order triggered before filling (stops, stop-limits, touched).
    pub triggered: bool,
}

/// A stop-limit that triggered on this bar but whose limit was not reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Triggered {
    pub order: OrderIndex,
}

#[derive(Debug, Clone, Copy)]
struct Resting {
    level: i64,
    sequence: u64,
    order: OrderIndex,
    side: OrderSide,
    kind: OrderKind,
    triggered: bool,
}

/// Resting and pending orders of one instrument.
#[derive(Debug)]
pub struct MatchingCore {
    /// How many orders are working (kept with every change, so the
    /// every-bar question "anything to match?" is one read).
    working: usize,
    /// Triggers when the price falls to the level: buy limits, buy touched,
    /// triggered buy stop-limits. Highest level on top.
    falls_to_buy: Book,
    /// Triggers when the price rises to the level: sell limits, sell
    /// touched, triggered sell stop-limits. Lowest level on top.
    rises_to_sell: Book,
    /// Buy stops and stop-limits (trigger at or above). Lowest on top.
    rises_to_buy: Book,
    /// Sell stops and stop-limits (trigger at or below). Highest on top.
    falls_to_sell: Book,
    market: Vec<(OrderIndex, OrderSide)>,
    sequence: u64,
    /// The books' tops as one band, kept until the books change: most
    /// bars between changes then cost two comparisons.
    band: Option<Band>,
    // Scratch space reused on every bar, so matching never allocates.
    candidates: Vec<Resting>,
    /// The path of the bar last matched, for orders released on it (see
    /// [`MatchingCore::match_rest_of_bar`]).
    points: [i64; 4],
    /// Trailing stops, walked on every bar (see [`trailing`]).
    trailing: Vec<trailing::Trailing>,
    moved: Vec<TrailMove>,
    /// A market order waits or a stop trails: every bar has work.
    every_bar: bool,
}

/// What a bar must reach for any resting order to trade: down to
/// `falls_to` (the highest top of the books that wait for a fall) or up
/// to `rises_to` (the lowest top of those that wait for a rise).
#[derive(Debug, Clone, Copy)]
struct Band {
    falls_to: Option<i64>,
    rises_to: Option<i64>,
}

/// Where a level is first reached along a path of points.
fn first_touch(points: &[i64; 4], level: i64, falling: bool) -> Option<f64> {
    if (falling && points[0] <= level) || (!falling && points[0] >= level) {
        return Some(0.0);
    }
    for k in 0..3 {
        let (a, b) = (points[k], points[k + 1]);
        let reached = if falling {
            b <= level && a > level
        } else {
            b >= level && a < level
        };
        if reached {
            #[allow(clippy::cast_precision_loss, reason = "path time only orders fills")]
            let fraction = (a - level) as f64 / (a - b) as f64;
            #[allow(clippy::cast_precision_loss, reason = "k < 3")]
            return Some(k as f64 + fraction.abs());
        }
    }
    None
}

/// When the path, resumed at time `from` at price `start`, first reaches
/// `level`. Point `j` of the path is at time `j`.
fn touch_after(points: &[i64; 4], start: i64, from: f64, level: i64, falling: bool) -> Option<f64> {
    let reached = |price: i64| {
        if falling {
            price <= level
        } else {
            price >= level
        }
    };
    if reached(start) {
        return Some(from);
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "from is in [0, 3]"
    )]
    let segment = (from.floor() as usize).min(2);
    let (mut prev, mut prev_time) = (start, from);
    for (j, &next) in points.iter().enumerate().skip(segment + 1) {
        #[allow(clippy::cast_precision_loss, reason = "j <= 3")]
        let next_time = j as f64;
        if reached(next) {
            #[allow(clippy::cast_precision_loss, reason = "path time only orders fills")]
            let fraction = ((prev - level) as f64 / (prev - next) as f64).abs();
            return Some(prev_time + (next_time - prev_time) * fraction);
        }
        (prev, prev_time) = (next, next_time);
    }
    None
}

/// The bar's path as four points: the open, the extreme `path` visits
/// first, the other, the close.
fn path_points(bar: &Bar, path: PathOrder) -> [i64; 4] {
    let low_first = match path {
        PathOrder::LowFirst => true,
        PathOrder::HighFirst => false,
        PathOrder::Nearest => {
            let to_high = bar.high - bar.open;
            let to_low = bar.open - bar.low;
            to_low < to_high || (to_low == to_high && bar.close >= bar.open)
        }
    };
    if low_first {
        [bar.open, bar.low, bar.high, bar.close]
    } else {
        [bar.open, bar.high, bar.low, bar.close]
    }
}

/// How many more dead entries than live ones a book keeps before it
/// sweeps them out: the sweep rebuilds the heap, so a ladder being
/// cancelled order by order is better emptied once at its end.
const DEAD_SLACK: usize = 128;

/// Resting orders ordered so the most reachable one is on top: by level
/// (highest first when `highest_first`, else lowest first), then first
/// in, first out. A binary heap of 24-byte keys: an insert behind the top
/// (a ladder of limits placed away from the market) costs one comparison,
/// and taking the top O(log n). A cancel only marks its entry dead; dead
/// entries leave when the top is read, all at once when the last live
/// order leaves (cancelling a whole ladder costs no pops and no rebuild),
/// or in one sweep once they outnumber the live ones by [`DEAD_SLACK`].
#[derive(Debug)]
struct Book {
    highest_first: bool,
    heap: BinaryHeap<HeapKey>,
    /// The entries themselves; a slot is freed when its key leaves the heap.
    slots: Vec<Slot>,
    free: Vec<u32>,
    /// Entries in the heap whose order was canceled.
    dead: usize,
    /// The slot of each live order, so a cancel does not scan the book.
    live: HashMap<OrderIndex, u32, BuildHasherDefault<IndexHasher>>,
}

/// A heap entry: the ordering key and where the entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct HeapKey {
    level: i64,
    sequence: Reverse<u64>,
    slot: u32,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    resting: Resting,
    live: bool,
}

/// Order indices are dense integers from one engine: a multiplicative hash
/// spreads them well, and SipHash's resistance to crafted keys buys nothing.
#[derive(Debug, Default, Clone, Copy)]
struct IndexHasher(u64);

impl Hasher for IndexHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl Book {
    fn new(highest_first: bool) -> Self {
        Self {
            highest_first,
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            dead: 0,
            live: HashMap::default(),
        }
    }

    fn insert(&mut self, resting: Resting) {
        let entry = Slot {
            resting,
            live: true,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                if let Some(place) = self.slots.get_mut(slot as usize) {
                    *place = entry;
                }
                slot
            }
            None => {
                self.slots.push(entry);
                u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX)
            }
        };
        self.live.insert(resting.order, slot);
        self.heap.push(HeapKey {
            level: if self.highest_first {
                resting.level
            } else {
                -resting.level
            },
            sequence: Reverse(resting.sequence),
            slot,
        });
    }

    fn top(&mut self) -> Option<&Resting> {
        self.drop_dead_top();
        let key = self.heap.peek()?;
        self.slots.get(key.slot as usize).map(|s| &s.resting)
    }

    /// Whether `bar`'s range reaches the top order's level: down to it when
    /// `falling`, else up to it.
    fn top_reached(&mut self, bar: &Bar, falling: bool) -> bool {
        self.top().is_some_and(|r| {
            if falling {
                r.level >= bar.low
            } else {
                r.level <= bar.high
            }
        })
    }

    fn pop(&mut self) -> Option<Resting> {
        self.drop_dead_top();
        let key = self.heap.pop()?;
        self.free.push(key.slot);
        let resting = self.slots.get(key.slot as usize)?.resting;
        self.live.remove(&resting.order);
        self.sweep_dead();
        Some(resting)
    }

    /// Takes dead entries off the top until a live one is there.
    fn drop_dead_top(&mut self) {
        while let Some(key) = self.heap.peek()
            && self.slots.get(key.slot as usize).is_some_and(|s| !s.live)
        {
            self.free.push(key.slot);
            self.heap.pop();
            self.dead -= 1;
        }
    }

    fn len(&self) -> usize {
        self.heap.len() - self.dead
    }

    /// The live entry of `order`, if it rests here.
    fn get(&self, order: OrderIndex) -> Option<Resting> {
        let slot = self.live.get(&order)?;
        self.slots.get(*slot as usize).map(|entry| entry.resting)
    }

    fn remove(&mut self, order: OrderIndex) -> bool {
        let Some(slot) = self.live.remove(&order) else {
            return false;
        };
        if let Some(entry) = self.slots.get_mut(slot as usize) {
            entry.live = false;
        }
        self.dead += 1;
        self.sweep_dead();
        true
    }

    /// Drops the dead entries: all of the book when none is live, else in
    /// one sweep once they outnumber the live entries by [`DEAD_SLACK`].
    fn sweep_dead(&mut self) {
        if self.live.is_empty() {
            self.heap.clear();
            self.slots.clear();
            self.free.clear();
            self.dead = 0;
            return;
        }
        if self.dead <= self.heap.len() - self.dead + DEAD_SLACK {
            return;
        }
        let Self {
            heap, slots, free, ..
        } = self;
        heap.retain(|key| {
            let live = slots.get(key.slot as usize).is_some_and(|s| s.live);
            if !live {
                free.push(key.slot);
            }
            live
        });
        self.dead = 0;
    }
}

impl Default for MatchingCore {
    fn default() -> Self {
        Self::new()
    }
}

impl MatchingCore {
    #[must_use]
    pub fn new() -> Self {
        Self {
            working: 0,
            falls_to_buy: Book::new(true),
            rises_to_sell: Book::new(false),
            rises_to_buy: Book::new(false),
            falls_to_sell: Book::new(true),
            market: Vec::new(),
            sequence: 0,
            band: None,
            candidates: Vec::new(),
            points: [0; 4],
            trailing: Vec::new(),
            moved: Vec::new(),
            every_bar: false,
        }
    }

    /// Whether `bar` may trade some working order: a market order waits,
    /// or the bar reaches a book's top. When not, [`Self::process_bar`]
    /// would do nothing.
    #[inline]
    pub fn may_trade(&mut self, bar: &Bar) -> bool {
        self.every_bar || (self.working > 0 && self.reaches_band(bar))
    }

    /// `true` when nothing is resting or pending.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.working == 0
    }

    /// How many orders are working.
    #[must_use]
    pub fn len(&self) -> usize {
        self.market.len()
            + self.trailing.len()
            + self.falls_to_buy.len()
            + self.rises_to_sell.len()
            + self.rises_to_buy.len()
            + self.falls_to_sell.len()
    }

    /// Adds a working order. `triggered` marks a stop-limit whose stop
    /// already fired.
    pub fn add(&mut self, order: OrderIndex, side: OrderSide, kind: OrderKind, triggered: bool) {
        self.band = None;
        self.sequence += 1;
        self.working += 1;
        let entry = |level| Resting {
            level,
            sequence: self.sequence,
            order,
            side,
            kind,
            triggered,
        };
        match (kind, side, triggered) {
            (OrderKind::Market, _, _) => {
                self.every_bar = true;
                self.market.push((order, side));
            }
            (OrderKind::Limit { price }, OrderSide::Buy, _)
            | (OrderKind::StopLimit { price, .. }, OrderSide::Buy, true) => {
                self.falls_to_buy.insert(entry(price.raw));
            }
            (OrderKind::Limit { price }, OrderSide::Sell, _)
            | (OrderKind::StopLimit { price, .. }, OrderSide::Sell, true) => {
                self.rises_to_sell.insert(entry(price.raw));
            }
            (OrderKind::LimitIfTouched { price, .. }, OrderSide::Buy, true) => {
                self.falls_to_buy.insert(entry(price.raw));
            }
            (OrderKind::LimitIfTouched { price, .. }, OrderSide::Sell, true) => {
                self.rises_to_sell.insert(entry(price.raw));
            }
            (
                OrderKind::MarketIfTouched { trigger_price }
                | OrderKind::LimitIfTouched { trigger_price, .. },
                OrderSide::Buy,
                _,
            ) => {
                self.falls_to_buy.insert(entry(trigger_price.raw));
            }
            (
                OrderKind::MarketIfTouched { trigger_price }
                | OrderKind::LimitIfTouched { trigger_price, .. },
                OrderSide::Sell,
                _,
            ) => {
                self.rises_to_sell.insert(entry(trigger_price.raw));
            }
            // A trailing kind added here (not through `add_trailing`)
            // rests as a plain stop at its trigger.
            (
                OrderKind::StopMarket { trigger_price }
                | OrderKind::StopLimit { trigger_price, .. }
                | OrderKind::TrailingStopMarket { trigger_price }
                | OrderKind::TrailingStopLimit { trigger_price, .. },
                OrderSide::Buy,
                _,
            ) => {
                self.rises_to_buy.insert(entry(trigger_price.raw));
            }
            (
                OrderKind::StopMarket { trigger_price }
                | OrderKind::StopLimit { trigger_price, .. }
                | OrderKind::TrailingStopMarket { trigger_price }
                | OrderKind::TrailingStopLimit { trigger_price, .. },
                OrderSide::Sell,
                _,
            ) => {
                self.falls_to_sell.insert(entry(trigger_price.raw));
            }
        }
    }

    /// Removes an order wherever it rests; `true` if it was there.
    pub fn remove(&mut self, order: OrderIndex) -> bool {
        let removed = match self.market.iter().position(|(o, _)| *o == order) {
            Some(at) => {
                self.market.remove(at);
                true
            }
            None => {
                self.remove_trailing(order)
                    || self.books().into_iter().any(|(book, _)| book.remove(order))
            }
        };
        self.every_bar = !self.market.is_empty() || !self.trailing.is_empty();
        self.working -= usize::from(removed);
        if removed {
            self.band = None;
        }
        removed
    }

    /// Matches the working orders against `bar`, appending trades in path
    /// order to `matches` and stop-limits that triggered without filling to
    /// `triggered`.
    pub fn process_bar(
        &mut self,
        bar: &Bar,
        path: PathOrder,
        market_price: MarketPrice,
        matches: &mut Vec<Match>,
        triggered: &mut Vec<Triggered>,
    ) {
        // Most bars reach no book's top: decide that before laying out the path.
        if !self.may_trade(bar) {
            return;
        }
        let first = matches.len();
        for (order, side) in self.market.drain(..) {
            let price = match (market_price, side) {
                (MarketPrice::Open, _) => bar.open,
                (MarketPrice::Mid, _) => {
                    let sum = i128::from(bar.high) + i128::from(bar.low);
                    let mid =
                        crate::core::fixed::round_half_up(sum / 2 + sum % 2, bar.price_precision);
                    i64::try_from(mid).unwrap_or(bar.open)
                }
                (MarketPrice::Worst, OrderSide::Buy) => bar.high,
                (MarketPrice::Worst, OrderSide::Sell) => bar.low,
            };
            matches.push(Match {
                order,
                side,
                price,
                reason: MatchReason::Market,
                path_time: 0.0,
                triggered: false,
            });
        }
        let points = path_points(bar, path);
        self.points = points;
        if !self.trailing.is_empty() {
            self.walk_trailing(&points, matches, triggered);
        }
        self.every_bar = !self.trailing.is_empty();

        let mut candidates = std::mem::take(&mut self.candidates);
        candidates.clear();
        for (book, falling) in self.books() {
            while book.top_reached(bar, falling) {
                candidates.extend(book.pop());
            }
        }
        for r in candidates.drain(..) {
            self.match_resting(r, &points, matches, triggered);
        }
        self.candidates = candidates;
        // Matched orders left; triggered stop-limits moved between books.
        self.working = self.len();
        self.band = None;
        matches[first..].sort_by(|a, b| a.path_time.total_cmp(&b.path_time));
    }

    /// Matches `order`, just added, against the rest of the bar last
    /// matched: the path from time `from` (at price `start`) to its close.
    /// An order released by a fill on a bar (a bracket's exits) may fill
    /// later on that bar; `from == 0` (released at the open) walks the
    /// whole bar along `path`, which may differ from the bar's own (a
    /// pessimistic path follows the position the release opened). A match
    /// takes the order out of the books; a trailing stop-limit that
    /// triggers without filling is listed in `triggered` and rests as its
    /// limit.
    pub fn match_rest_of_bar(
        &mut self,
        order: OrderIndex,
        bar: &Bar,
        path: PathOrder,
        (from, start): (f64, i64),
        triggered: &mut Vec<Triggered>,
    ) -> Option<Match> {
        let points = if from == 0.0 {
            path_points(bar, path)
        } else {
            self.points
        };
        if !self.trailing.is_empty() && self.trailing.iter().any(|t| t.is(order)) {
            return self.match_trailing_rest(order, &points, (start, from), triggered);
        }
        let market = self
            .market
            .iter()
            .find(|(o, _)| *o == order)
            .map(|&(order, side)| Resting {
                level: start,
                sequence: 0,
                order,
                side,
                kind: OrderKind::Market,
                triggered: false,
            });
        let resting = market.or_else(|| {
            self.books()
                .into_iter()
                .find_map(|(book, _)| book.get(order))
        })?;
        let buy = resting.side == OrderSide::Buy;
        let at = |t: f64, level: i64| if t == from { start } else { level };
        let (price, reason, path_time, triggered) = match resting.kind {
            OrderKind::Market => (start, MatchReason::Market, from, false),
            OrderKind::Limit { .. } => {
                let t = touch_after(&points, start, from, resting.level, buy)?;
                (at(t, resting.level), MatchReason::Limit, t, false)
            }
            OrderKind::StopMarket { .. }
            | OrderKind::TrailingStopMarket { .. }
            | OrderKind::MarketIfTouched { .. } => {
                let falling = matches!(resting.kind, OrderKind::MarketIfTouched { .. }) == buy;
                let t = touch_after(&points, start, from, resting.level, falling)?;
                (at(t, resting.level), MatchReason::Stop, t, true)
            }
            OrderKind::StopLimit { price: limit, .. }
            | OrderKind::TrailingStopLimit { price: limit, .. }
            | OrderKind::LimitIfTouched { price: limit, .. } => {
                let touched = matches!(resting.kind, OrderKind::LimitIfTouched { .. });
                let t_trigger = touch_after(&points, start, from, resting.level, buy == touched)?;
                let trigger_px = at(t_trigger, resting.level);
                let t = touch_after(&points, trigger_px, t_trigger, limit.raw, buy)?;
                let px = if t == t_trigger {
                    trigger_px
                } else {
                    limit.raw
                };
                (px, MatchReason::StopLimit, t, true)
            }
        };
        self.remove(order);
        Some(Match {
            order,
            side: resting.side,
            price,
            reason,
            path_time,
            triggered,
        })
    }

    /// The four books, each with whether its orders wait for the price to
    /// fall (else rise) to their level.
    fn books(&mut self) -> [(&mut Book, bool); 4] {
        [
            (&mut self.falls_to_buy, true),
            (&mut self.rises_to_sell, false),
            (&mut self.rises_to_buy, false),
            (&mut self.falls_to_sell, true),
        ]
    }

    /// Whether `bar` reaches some book's top (see [`Band`]).
    #[inline]
    fn reaches_band(&mut self, bar: &Bar) -> bool {
        let band = match self.band {
            Some(band) => band,
            None => self.fresh_band(),
        };
        band.falls_to.is_some_and(|level| bar.low <= level)
            || band.rises_to.is_some_and(|level| bar.high >= level)
    }

    /// The band of the books' tops as they are now, kept until they change.
    #[inline(never)]
    fn fresh_band(&mut self) -> Band {
        let mut band = Band {
            falls_to: None,
            rises_to: None,
        };
        for (book, falling) in self.books() {
            let Some(level) = book.top().map(|top| top.level) else {
                continue;
            };
            let (edge, nearer): (_, fn(i64, i64) -> i64) = if falling {
                (&mut band.falls_to, i64::max)
            } else {
                (&mut band.rises_to, i64::min)
            };
            *edge = Some(edge.map_or(level, |e| nearer(e, level)));
        }
        *self.band.insert(band)
    }

    fn match_resting(
        &mut self,
        r: Resting,
        points: &[i64; 4],
        matches: &mut Vec<Match>,
        triggered: &mut Vec<Triggered>,
    ) {
        let buy = r.side == OrderSide::Buy;
        match r.kind {
            OrderKind::Limit { .. }
            | OrderKind::StopLimit { .. }
            | OrderKind::LimitIfTouched { .. }
                if r.triggered || matches!(r.kind, OrderKind::Limit { .. }) =>
            {
                // A buy limit fills when the price falls to it; a sell limit when it rises.
                if let Some(t) = first_touch(points, r.level, buy) {
                    let price = if t == 0.0 { points[0] } else { r.level };
                    let reason = if r.triggered {
                        MatchReason::StopLimit
                    } else {
                        MatchReason::Limit
                    };
                    matches.push(Match {
                        order: r.order,
                        side: r.side,
                        price,
                        reason,
                        path_time: t,
                        triggered: false,
                    });
                } else {
                    self.add_back(r);
                }
            }
            OrderKind::MarketIfTouched { .. }
            | OrderKind::StopMarket { .. }
            | OrderKind::TrailingStopMarket { .. } => {
                // A touched buy triggers when the price falls to it, a buy
                // stop when it rises to it; both then fill like a stop.
                let falling = matches!(r.kind, OrderKind::MarketIfTouched { .. }) == buy;
                if let Some(t) = first_touch(points, r.level, falling) {
                    let price = if t == 0.0 { points[0] } else { r.level };
                    matches.push(Match {
                        order: r.order,
                        side: r.side,
                        price,
                        reason: MatchReason::Stop,
                        path_time: t,
                        triggered: true,
                    });
                } else {
                    self.add_back(r);
                }
            }
            OrderKind::StopLimit { price: limit, .. }
            | OrderKind::TrailingStopLimit { price: limit, .. }
            | OrderKind::LimitIfTouched { price: limit, .. } => {
                // A stop-limit triggers as the price moves against the
                // order's side (a buy stop as it rises); a limit-if-touched
                // as it moves with it (a buy as it falls).
                let touched = matches!(r.kind, OrderKind::LimitIfTouched { .. });
                let Some(t_trigger) = first_touch(points, r.level, buy == touched) else {
                    self.add_back(r);
                    return;
                };
                triggered.push(Triggered { order: r.order });
                // From the trigger on it is a limit: it fills at once if the
                // trigger price is already marketable, or later if the rest
                // of the path reaches the limit.
                let trigger_px = if t_trigger == 0.0 { points[0] } else { r.level };
                let marketable = if buy {
                    trigger_px <= limit.raw
                } else {
                    trigger_px >= limit.raw
                };
                if marketable {
                    triggered.pop();
                    matches.push(Match {
                        order: r.order,
                        side: r.side,
                        price: trigger_px,
                        reason: MatchReason::StopLimit,
                        path_time: t_trigger,
                        triggered: true,
                    });
                } else if let Some(t) = touch_after(points, trigger_px, t_trigger, limit.raw, buy) {
                    triggered.pop();
                    matches.push(Match {
                        order: r.order,
                        side: r.side,
                        price: limit.raw,
                        reason: MatchReason::StopLimit,
                        path_time: t,
                        triggered: true,
                    });
                } else {
                    self.add(r.order, r.side, r.kind, true);
                }
            }
            OrderKind::Market | OrderKind::Limit { .. } => self.add_back(r),
        }
    }

    fn add_back(&mut self, r: Resting) {
        let book = match (r.kind, r.side, r.triggered) {
            (
                OrderKind::Limit { .. }
                | OrderKind::MarketIfTouched { .. }
                | OrderKind::LimitIfTouched { .. },
                OrderSide::Buy,
                _,
            )
            | (OrderKind::StopLimit { .. }, OrderSide::Buy, true) => &mut self.falls_to_buy,
            (
                OrderKind::Limit { .. }
                | OrderKind::MarketIfTouched { .. }
                | OrderKind::LimitIfTouched { .. },
                OrderSide::Sell,
                _,
            )
            | (OrderKind::StopLimit { .. }, OrderSide::Sell, true) => &mut self.rises_to_sell,
            (_, OrderSide::Buy, _) => &mut self.rises_to_buy,
            (_, OrderSide::Sell, _) => &mut self.falls_to_sell,
        };
        book.insert(r);
    }
}

#[cfg(test)]
mod tests;
mod trailing;

pub use trailing::TrailMove;
