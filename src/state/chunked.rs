//! Tables of millions of small records (a run's orders, its event log and
//! fills) in fixed-size chunks that finished runs hand to the next run on
//! the same thread.

use std::cell::RefCell;

use crate::core::events::OrderFilled;
use crate::model::orders::Order;
use crate::state::event_log::LoggedEvent;

const CHUNK_BITS: u32 = 12;
pub(super) const CHUNK: usize = 1 << CHUNK_BITS;

/// The most memory one kind of chunk may keep pooled on a thread: at most
/// what the thread's largest run used, and never more than this.
const MAX_POOLED_BYTES: usize = 256 << 20;

/// Empty chunks that finished runs left on this thread, for the next run.
/// A run writes hundreds of megabytes of orders and events; memory handed
/// back to the system when a run ends is faulted in again page by page by
/// the next run on the thread (an optimisation's next grid point, a
/// bench's next iteration). Measured on W3: 1.19 M page faults and
/// 1.9 M bars/s without the pool.
pub(super) trait PooledChunk: Sized + 'static {
    /// `f` on this thread's pool; `None` once the thread is tearing its
    /// pools down.
    fn with_pool<R>(f: impl FnOnce(&mut Vec<Vec<Self>>) -> R) -> Option<R>;
}

/// A thread-local pool per pooled type.
macro_rules! pools {
    ($($item:ty => $pool:ident),* $(,)?) => {
        thread_local! {
            $(pub(super) static $pool: RefCell<Vec<Vec<$item>>> = const {
                RefCell::new(Vec::new())
            };)*
        }
        $(impl PooledChunk for $item {
            fn with_pool<R>(f: impl FnOnce(&mut Vec<Vec<Self>>) -> R) -> Option<R> {
                $pool.try_with(|pool| f(&mut pool.borrow_mut())).ok()
            }
        })*
    };
}

pools!(
    Order => ORDER_CHUNKS,
    LoggedEvent => EVENT_CHUNKS,
    OrderFilled => FILL_CHUNKS,
);

/// Items in fixed-size chunks: growing the table never moves the items
/// already in it (a run can hold millions of orders and events). Chunks
/// come from and go back to the thread's pool; the pooled types own
/// nothing to drop, so handing a chunk back does not read its items.
#[derive(Debug)]
pub(super) struct Chunked<T: PooledChunk> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T: PooledChunk> Default for Chunked<T> {
    fn default() -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: PooledChunk> Drop for Chunked<T> {
    fn drop(&mut self) {
        let chunks = std::mem::take(&mut self.chunks);
        // Without a pool (the thread is ending) the chunks are just freed.
        let _ = T::with_pool(|pool| {
            for mut chunk in chunks {
                if (pool.len() + 1) * CHUNK * std::mem::size_of::<T>() > MAX_POOLED_BYTES {
                    break;
                }
                chunk.clear();
                pool.push(chunk);
            }
        });
    }
}

impl<T: PooledChunk> Chunked<T> {
    pub(super) const fn len(&self) -> usize {
        self.len
    }

    pub(super) fn push(&mut self, item: T) {
        if self.len.is_multiple_of(CHUNK) {
            let chunk = T::with_pool(Vec::pop)
                .flatten()
                .unwrap_or_else(|| Vec::with_capacity(CHUNK));
            self.chunks.push(chunk);
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
