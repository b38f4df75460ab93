//! Ctrl-C (SIGINT) and SIGTERM. A thread of its own waits for them, so
//! nothing runs inside a signal handler: it either ends the process at
//! once, after removing every temporary output (each output set is left
//! whole, the earlier one or the new one), or raises a flag that a long
//! command checks to stop and keep what it finished. A second signal
//! always ends the process at once. The exit code is 128 + the signal:
//! 130 for Ctrl-C, 143 for SIGTERM.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::core::atomic;
use crate::error::{Error, Result};

/// What the first signal does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OnSignal {
    /// End the process at once (a command with nothing worth keeping
    /// before its output is in place).
    Exit,
    /// Raise the flag; the command stops and keeps what it finished.
    Flag,
}

/// The installed handling of SIGINT and SIGTERM.
#[derive(Debug)]
pub(super) struct Interrupt {
    stop: Arc<AtomicBool>,
    signal: Arc<AtomicI32>,
}

impl Interrupt {
    /// Starts the thread that waits for the signals.
    ///
    /// # Errors
    /// When the signals cannot be handled.
    pub(super) fn install(on_signal: OnSignal) -> Result<Self> {
        let mut signals = Signals::new([SIGINT, SIGTERM])
            .map_err(|e| Error::Io(format!("cannot handle signals: {e}")))?;
        let stop = Arc::new(AtomicBool::new(false));
        let signal = Arc::new(AtomicI32::new(SIGINT));
        let (thread_stop, thread_signal) = (Arc::clone(&stop), Arc::clone(&signal));
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                for received in signals.forever() {
                    thread_signal.store(received, Ordering::SeqCst);
                    let again = thread_stop.swap(true, Ordering::SeqCst);
                    if on_signal == OnSignal::Exit || again {
                        atomic::with_pending_removed(|| {
                            eprintln!(
                                "error: stopped by {}; no output was left half-written",
                                name(received)
                            );
                            std::process::exit(128 + received)
                        });
                    }
                }
            })
            .map_err(|e| Error::Io(format!("cannot handle signals: {e}")))?;
        Ok(Self { stop, signal })
    }

    /// Raised by the first signal (in [`OnSignal::Flag`] mode).
    pub(super) const fn flag(&self) -> &Arc<AtomicBool> {
        &self.stop
    }

    /// The error that ends a command stopped by the flag: its exit code
    /// is that of the signal received.
    pub(super) fn error(&self, message: String) -> Error {
        Error::Interrupted {
            message,
            signal: self.signal.load(Ordering::SeqCst),
        }
    }
}

const fn name(signal: i32) -> &'static str {
    if signal == SIGTERM {
        "SIGTERM"
    } else {
        "Ctrl-C (SIGINT)"
    }
}
