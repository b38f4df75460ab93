//! Buffers that a finished run hands to the next run on the same thread.
//!
//! A run writes hundreds of megabytes (orders, events, its equity curve).
//! Memory handed back to the system when a run ends is faulted in again,
//! page by page, by the next run on the thread: an optimisation's next grid
//! point, a bench's next iteration. Measured on W3: 1.19 M page faults and
//! 1.9 M bars/s without pooling the order and event tables.

/// The most memory one type's pool may keep on a thread: at most what the
/// thread's largest run used, and never more than this.
const MAX_POOLED_BYTES: usize = 256 << 20;

/// A type whose buffers are pooled per thread (see the `pools!` macro).
pub trait Pooled: Sized + 'static {
    /// `f` on this thread's pool; `None` once the thread is tearing its
    /// pools down.
    fn with_pool<R>(f: impl FnOnce(&mut Pool<Self>) -> R) -> Option<R>;
}

/// One thread's empty buffers of one type.
#[derive(Debug)]
pub struct Pool<T> {
    buffers: Vec<Vec<T>>,
    /// The buffers' capacities summed, in items.
    capacity: usize,
}

impl<T> Pool<T> {
    #[must_use]
    pub const fn new() -> Self {
        Self {
            buffers: Vec::new(),
            capacity: 0,
        }
    }

    /// How many buffers the pool holds.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.buffers.len()
    }

    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.buffers.is_empty()
    }

    /// Whether every pooled buffer is empty and holds at least `capacity`.
    #[must_use]
    pub fn all_empty_with(&self, capacity: usize) -> bool {
        self.buffers
            .iter()
            .all(|b| b.is_empty() && b.capacity() >= capacity)
    }
}

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Declares a thread-local pool for each type: `pools!(Order => ORDERS)`.
macro_rules! pools {
    ($($item:ty => $pool:ident),* $(,)?) => {
        thread_local! {
            $(pub(crate) static $pool: std::cell::RefCell<$crate::core::pool::Pool<$item>> = const {
                std::cell::RefCell::new($crate::core::pool::Pool::new())
            };)*
        }
        $(impl $crate::core::pool::Pooled for $item {
            fn with_pool<R>(f: impl FnOnce(&mut $crate::core::pool::Pool<Self>) -> R) -> Option<R> {
                $pool.try_with(|pool| f(&mut pool.borrow_mut())).ok()
            }
        })*
    };
}

pub(crate) use pools;

/// Pushes `make()` onto `items`, making room before the item is made. An
/// item made first and kept across the push's possible growth is spilled
/// to the stack and copied from there with wide loads, which stall on the
/// narrow stores that had just written it (measured on W3: half the time
/// of the venue's command handling); made after the room is known, it is
/// written where it belongs.
#[inline]
pub fn push_with<T>(items: &mut Vec<T>, make: impl FnOnce() -> T) {
    if items.len() == items.capacity() {
        items.reserve(1);
    }
    if items.len() < items.capacity() {
        items.push(make());
    }
}

/// An empty buffer for at least `capacity` items: a pooled one when the
/// thread has one that large, else a new one.
#[must_use]
pub fn take<T: Pooled>(capacity: usize) -> Vec<T> {
    T::with_pool(|pool| {
        let at = pool.buffers.iter().position(|b| b.capacity() >= capacity)?;
        let buffer = pool.buffers.swap_remove(at);
        pool.capacity -= buffer.capacity();
        Some(buffer)
    })
    .flatten()
    .unwrap_or_else(|| Vec::with_capacity(capacity))
}

/// Keeps `buffer`'s memory for the thread's next [`take`], within
/// `MAX_POOLED_BYTES`; its items are dropped now. Pooled types should
/// own nothing to drop, so this does not read the items again.
pub fn give<T: Pooled>(mut buffer: Vec<T>) {
    if buffer.capacity() == 0 {
        return;
    }
    buffer.clear();
    // Without a pool (the thread is ending) the buffer is just freed.
    let _ = T::with_pool(|pool| {
        let capacity = pool.capacity + buffer.capacity();
        if capacity.saturating_mul(std::mem::size_of::<T>()) <= MAX_POOLED_BYTES {
            pool.capacity = capacity;
            pool.buffers.push(buffer);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    type Item = u64;

    pools!(Item => ITEMS);

    #[test]
    fn push_with_grows_a_full_buffer_and_fills_a_roomy_one() {
        let mut items: Vec<u64> = Vec::new();
        for i in 0..100 {
            push_with(&mut items, || i * 2);
        }
        assert_eq!(items.len(), 100);
        assert!(items.iter().enumerate().all(|(i, v)| *v == 2 * i as u64));
    }

    #[test]
    fn buffers_come_back_and_the_pool_is_bounded() {
        let pooled = || ITEMS.with_borrow(Pool::len);
        // Each test runs on a thread of its own, with pools of its own.
        let mut first = take::<Item>(100);
        first.push(1);
        give(first);
        assert_eq!(pooled(), 1);
        assert!(
            ITEMS.with_borrow(|pool| pool.all_empty_with(100)),
            "given back empty"
        );
        // Too small for a larger request: a new buffer, the pooled one stays.
        let large = take::<Item>(1000);
        assert!(large.capacity() >= 1000);
        assert_eq!(pooled(), 1);
        // Large enough: taken from the pool.
        let small = take::<Item>(50);
        assert!(small.capacity() >= 100);
        assert_eq!(pooled(), 0);
        give(small);
        give(large);
        assert_eq!(pooled(), 2);
        // Past the bound a buffer is freed, not kept.
        give(Vec::<Item>::with_capacity(MAX_POOLED_BYTES / 8));
        assert_eq!(pooled(), 2);
        give(Vec::<Item>::new());
        assert_eq!(pooled(), 2, "an unallocated buffer is not kept");
    }
}
