//! Tables of millions of small records (a run's orders, its event log and
//! fills) in fixed-size chunks that finished runs hand to the next run on
//! the same thread (see [`crate::core::pool`]).

use crate::core::events::OrderFilled;
use crate::core::pool::{self, Pooled, pools};
use crate::model::orders::Order;
use crate::state::event_log::LoggedEvent;

const CHUNK_BITS: u32 = 12;
pub(super) const CHUNK: usize = 1 << CHUNK_BITS;

pools!(
    Order => ORDER_CHUNKS,
    LoggedEvent => EVENT_CHUNKS,
    OrderFilled => FILL_CHUNKS,
);

// What the chunks hold owns nothing to drop, so a run's millions of orders
// and events are not read again when their chunks go back to the pool
// (see `Chunked`).
const _: () = assert!(
    !std::mem::needs_drop::<Order>()
        && !std::mem::needs_drop::<LoggedEvent>()
        && !std::mem::needs_drop::<OrderFilled>()
);

/// Items in fixed-size chunks: growing the table never moves the items
/// already in it (a run can hold millions of orders and events). Chunks
/// come from and go back to the thread's pool; the pooled types own
/// nothing to drop, so handing a chunk back does not read its items.
#[derive(Debug)]
pub(super) struct Chunked<T: Pooled> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T: Pooled> Default for Chunked<T> {
    fn default() -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Pooled> Drop for Chunked<T> {
    fn drop(&mut self) {
        for chunk in std::mem::take(&mut self.chunks) {
            pool::give(chunk);
        }
    }
}

impl<T: Pooled> Chunked<T> {
    pub(super) const fn len(&self) -> usize {
        self.len
    }

    pub(super) fn push(&mut self, item: T) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(pool::take(CHUNK));
        }
        if let Some(chunk) = self.chunks.last_mut() {
            chunk.push(item);
            self.len += 1;
        }
    }

    pub(super) fn get(&self, index: usize) -> Option<&T> {
        self.chunks
            .get(index >> CHUNK_BITS)?
            .get(index & (CHUNK - 1))
    }

    pub(super) fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        self.chunks
            .get_mut(index >> CHUNK_BITS)?
            .get_mut(index & (CHUNK - 1))
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks.iter().flatten()
    }
}
