//! Panics in a third-party parser, contained: a reader that panics on a
//! corrupt file (polars on broken Parquet metadata) becomes an error that
//! names the file, not a crash. Only calls into foreign code go through
//! here; bt's own code returns errors.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    /// Set while a contained call runs on this thread: the process's panic
    /// hook stays silent for it (see [`is_containing`]).
    static CONTAINING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`; a panic inside becomes `Err` with its message.
///
/// # Errors
/// The panic's message.
pub fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let outer = CONTAINING.with(|c| c.replace(true));
    // The closure's state is dropped with the panic; nothing of it is
    // used after, so a broken invariant inside cannot be observed.
    let result = catch_unwind(AssertUnwindSafe(f));
    CONTAINING.with(|c| c.set(outer));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the reader failed".to_string())
    })
}

/// Whether this thread is inside [`contain`]: a panic hook then stays
/// silent, since the panic becomes an error message of its own.
#[must_use]
pub fn is_containing() -> bool {
    CONTAINING.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        let caught = contain(|| -> u8 { std::panic::panic_any("broken footer") });
        assert_eq!(caught, Err("broken footer".to_string()));
        assert_eq!(contain(|| 7), Ok(7));
        assert!(!is_containing());
    }
}
