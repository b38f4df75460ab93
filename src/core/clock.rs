//! Clocks and timers. The backtest drives a [`TestClock`]; [`LiveClock`]
//! reads the wall clock and is only for the live skeleton.

use std::sync::Arc;

use super::time::UnixNanos;

/// A timer fired at `ts_event`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeEvent {
    pub name: Arc<str>,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// A timer could not be set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimerError {
    #[error("timer '{0}' already exists")]
    Duplicate(String),
    #[error("timer '{0}' needs a positive interval")]
    Interval(String),
    #[error("timer name must not be empty")]
    EmptyName,
}

#[derive(Debug, Clone)]
struct Timer {
    name: Arc<str>,
    interval_ns: i64,
    next: UnixNanos,
    stop: Option<UnixNanos>,
}

/// What every clock can do.
pub trait Clock {
    /// The current time.
    fn timestamp_ns(&self) -> UnixNanos;

    /// Starts a repeating timer that first fires at `start + interval` and
    /// stops after `stop` (inclusive) when given.
    ///
    /// # Errors
    /// For an empty or duplicate name or a non-positive interval.
    fn set_timer(
        &mut self,
        name: &str,
        interval_ns: i64,
        start: UnixNanos,
        stop: Option<UnixNanos>,
    ) -> Result<(), TimerError>;

    /// Starts a timer that fires once at `at`.
    ///
    /// # Errors
    /// For an empty or duplicate name.
    fn set_time_alert(&mut self, name: &str, at: UnixNanos) -> Result<(), TimerError>;

    /// Removes a timer; unknown names are ignored.
    fn cancel_timer(&mut self, name: &str);

    /// Names of the active timers, in name order.
    fn timer_names(&self) -> Vec<Arc<str>>;
}

/// A clock that moves only when the backtest moves it.
#[derive(Debug, Default)]
pub struct TestClock {
    now: UnixNanos,
    // Kept sorted by name so that simultaneous timers fire in a stable order.
    timers: Vec<Timer>,
}

impl TestClock {
    #[must_use]
    pub fn new(start: UnixNanos) -> Self {
        Self {
            now: start,
            timers: Vec::new(),
        }
    }

    /// Sets the time without firing timers (used before a run starts).
    pub fn set_time(&mut self, to: UnixNanos) {
        self.now = to;
    }

    /// Moves the clock to `to`, appending every timer event due up to and
    /// including `to` to `fired`, in time order (ties by timer name). Time
    /// never goes backwards: an earlier `to` leaves the clock where it is.
    #[inline]
    pub fn advance_time(&mut self, to: UnixNanos, fired: &mut Vec<TimeEvent>) {
        if to < self.now {
            return;
        }
        if !self.timers.is_empty() {
            self.fire_due(to, fired);
        }
        self.now = to;
    }

    /// Fires every timer due by `to`, in time then name order.
    fn fire_due(&mut self, to: UnixNanos, fired: &mut Vec<TimeEvent>) {
        loop {
            let due = self
                .timers
                .iter()
                .enumerate()
                .filter(|(_, t)| t.next <= to)
                .min_by(|(_, a), (_, b)| a.next.cmp(&b.next).then_with(|| a.name.cmp(&b.name)))
                .map(|(i, _)| i);
            let Some(index) = due else { break };
            let timer = &mut self.timers[index];
            fired.push(TimeEvent {
                name: timer.name.clone(),
                ts_event: timer.next,
                ts_init: timer.next,
            });
            let following = UnixNanos(timer.next.0.saturating_add(timer.interval_ns));
            let expired = timer.interval_ns == 0 || timer.stop.is_some_and(|stop| following > stop);
            if expired {
                self.timers.remove(index);
            } else {
                timer.next = following;
            }
        }
    }

    fn insert(&mut self, timer: Timer) -> Result<(), TimerError> {
        if timer.name.is_empty() {
            return Err(TimerError::EmptyName);
        }
        match self.timers.binary_search_by(|t| t.name.cmp(&timer.name)) {
            Ok(_) => Err(TimerError::Duplicate(timer.name.to_string())),
            Err(at) => {
                self.timers.insert(at, timer);
                Ok(())
            }
        }
    }
}

impl Clock for TestClock {
    fn timestamp_ns(&self) -> UnixNanos {
        self.now
    }

    fn set_timer(
        &mut self,
        name: &str,
        interval_ns: i64,
        start: UnixNanos,
        stop: Option<UnixNanos>,
    ) -> Result<(), TimerError> {
        if interval_ns <= 0 {
            return Err(TimerError::Interval(name.to_string()));
        }
        self.insert(Timer {
            name: Arc::from(name),
            interval_ns,
            next: UnixNanos(start.0 + interval_ns),
            stop,
        })
    }

    fn set_time_alert(&mut self, name: &str, at: UnixNanos) -> Result<(), TimerError> {
        // An interval of zero marks a one-shot timer.
        self.insert(Timer {
            name: Arc::from(name),
            interval_ns: 0,
            next: at,
            stop: None,
        })
    }

    fn cancel_timer(&mut self, name: &str) {
        self.timers.retain(|t| &*t.name != name);
    }

    fn timer_names(&self) -> Vec<Arc<str>> {
        self.timers.iter().map(|t| t.name.clone()).collect()
    }
}

/// The wall clock, for live trading only; its timers are polled by the live
/// node through [`LiveClock::due_events`].
#[derive(Debug, Default)]
pub struct LiveClock {
    inner: TestClock,
}

impl LiveClock {
    #[must_use]
    #[allow(
        clippy::disallowed_methods,
        reason = "the live clock is the one place that reads wall time"
    )]
    pub fn now() -> UnixNanos {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
        UnixNanos(since_epoch)
    }

    /// Fires the timers due by now into `fired`.
    pub fn due_events(&mut self, fired: &mut Vec<TimeEvent>) {
        self.inner.advance_time(Self::now(), fired);
    }
}

impl Clock for LiveClock {
    fn timestamp_ns(&self) -> UnixNanos {
        Self::now()
    }

    fn set_timer(
        &mut self,
        name: &str,
        interval_ns: i64,
        start: UnixNanos,
        stop: Option<UnixNanos>,
    ) -> Result<(), TimerError> {
        self.inner.set_timer(name, interval_ns, start, stop)
    }

    fn set_time_alert(&mut self, name: &str, at: UnixNanos) -> Result<(), TimerError> {
        self.inner.set_time_alert(name, at)
    }

    fn cancel_timer(&mut self, name: &str) {
        self.inner.cancel_timer(name);
    }

    fn timer_names(&self) -> Vec<Arc<str>> {
        self.inner.timer_names()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_fire_in_time_order_then_name_order() {
        let mut clock = TestClock::new(UnixNanos(0));
        clock.set_timer("b", 10, UnixNanos(0), None).unwrap();
        clock.set_timer("a", 20, UnixNanos(0), None).unwrap();
        clock.set_time_alert("once", UnixNanos(15)).unwrap();
        let mut fired = Vec::new();
        clock.advance_time(UnixNanos(40), &mut fired);
        let seen: Vec<(String, i64)> = fired
            .iter()
            .map(|e| (e.name.to_string(), e.ts_event.0))
            .collect();
        let expected = [
            ("b", 10),
            ("once", 15),
            ("a", 20),
            ("b", 20),
            ("b", 30),
            ("a", 40),
            ("b", 40),
        ];
        assert_eq!(seen, expected.map(|(n, t)| (n.to_string(), t)));
        assert_eq!(clock.timestamp_ns(), UnixNanos(40));
        assert_eq!(clock.timer_names().len(), 2, "the one-shot alert is gone");
    }

    #[test]
    fn timers_stop_and_cancel() {
        let mut clock = TestClock::new(UnixNanos(0));
        clock
            .set_timer("t", 10, UnixNanos(0), Some(UnixNanos(25)))
            .unwrap();
        let mut fired = Vec::new();
        clock.advance_time(UnixNanos(100), &mut fired);
        assert_eq!(fired.len(), 2);
        clock.set_timer("u", 5, UnixNanos(100), None).unwrap();
        clock.cancel_timer("u");
        fired.clear();
        clock.advance_time(UnixNanos(200), &mut fired);
        assert!(fired.is_empty());
    }

    #[test]
    fn rejects_bad_timers_and_never_goes_back() {
        let mut clock = TestClock::new(UnixNanos(50));
        assert_eq!(
            clock.set_timer("t", 0, UnixNanos(0), None),
            Err(TimerError::Interval("t".into()))
        );
        clock.set_timer("t", 1, UnixNanos(0), None).unwrap();
        assert!(matches!(
            clock.set_timer("t", 1, UnixNanos(0), None),
            Err(TimerError::Duplicate(_))
        ));
        assert_eq!(
            clock.set_time_alert("", UnixNanos(0)),
            Err(TimerError::EmptyName)
        );
        let mut fired = Vec::new();
        clock.advance_time(UnixNanos(10), &mut fired);
        assert_eq!(clock.timestamp_ns(), UnixNanos(50));
    }

    #[test]
    fn live_clock_reads_a_plausible_time() {
        assert!(LiveClock::now().0 > 1_600_000_000 * 1_000_000_000);
    }
}
