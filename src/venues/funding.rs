//! Funding of perpetuals: when a venue charges it and at what rate.
//!
//! At each funding time, every open position in a perpetual pays
//! `notional × rate` at the last price known (longs pay shorts when the
//! rate is positive). The times and rates come from a file (one row per
//! time and instrument) or are a fixed rate at a fixed interval from the
//! Unix epoch (every 8 hours: 00:00, 08:00, 16:00 UTC).

use std::sync::Arc;

use crate::core::UnixNanos;
use crate::core::identifiers::InstrumentIndex;

/// Where one instrument's funding times and rates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FundingSource {
    /// `rate_raw` at every multiple of `interval_ns` since the epoch.
    Fixed { rate_raw: i128, interval_ns: i64 },
    /// Funding times in increasing order, each with its rate.
    Table(Arc<[(UnixNanos, i128)]>),
}

/// One instrument's place in its funding schedule.
#[derive(Debug, Clone)]
struct Cursor {
    source: FundingSource,
    /// The next row of a table.
    row: usize,
}

/// `due_at` of a fixed schedule before its instrument's first bar: due at
/// once, so that bar sets the first funding time after it.
const NOT_STARTED: UnixNanos = UnixNanos(i64::MIN);

/// A venue's funding schedule, by instrument index.
#[derive(Debug, Clone, Default)]
pub struct FundingSchedule {
    cursors: Vec<Option<Cursor>>,
    /// The next funding time not yet charged of each instrument,
    /// `i64::MAX` for none ([`NOT_STARTED`] for a fixed schedule before
    /// the first bar): what the per-bar check reads.
    due_at: Vec<UnixNanos>,
}

impl FundingSchedule {
    /// A schedule with `sources[i]` for instrument `i` (`None`: no funding).
    #[must_use]
    pub fn new(sources: Vec<Option<FundingSource>>) -> Self {
        let due_at = sources
            .iter()
            .map(|s| match s {
                None => UnixNanos(i64::MAX),
                Some(FundingSource::Fixed { .. }) => NOT_STARTED,
                Some(FundingSource::Table(rows)) => {
                    rows.first().map_or(UnixNanos(i64::MAX), |r| r.0)
                }
            })
            .collect();
        let cursors = sources
            .into_iter()
            .map(|source| source.map(|source| Cursor { source, row: 0 }))
            .collect();
        Self { cursors, due_at }
    }

    /// Whether any instrument pays funding.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.cursors.iter().all(Option::is_none)
    }

    /// Whether a bar of `instrument` at `ts` reaches a funding time (one
    /// comparison: this runs on every bar).
    #[inline]
    #[must_use]
    pub fn is_due(&self, instrument: InstrumentIndex, ts: UnixNanos) -> bool {
        self.due_at
            .get(instrument.get())
            .is_some_and(|due| ts >= *due)
    }

    /// The next funding time of `instrument` at or before `ts` with its
    /// rate, moving past it; `None` when there is none left to charge.
    pub fn next_due(
        &mut self,
        instrument: InstrumentIndex,
        ts: UnixNanos,
    ) -> Option<(UnixNanos, i128)> {
        let i = instrument.get();
        let cursor = self.cursors.get_mut(i)?.as_mut()?;
        let due = self.due_at[i];
        let (charged, after) = match &cursor.source {
            FundingSource::Fixed {
                rate_raw,
                interval_ns,
            } => {
                let interval = *interval_ns;
                if due == NOT_STARTED {
                    // The first bar: the schedule starts after it.
                    self.due_at[i] =
                        UnixNanos((ts.0.div_euclid(interval) + 1).saturating_mul(interval));
                    return None;
                }
                if ts < due {
                    return None;
                }
                ((due, *rate_raw), UnixNanos(due.0.saturating_add(interval)))
            }
            FundingSource::Table(rows) => {
                let row = rows.get(cursor.row).filter(|r| r.0 <= ts)?;
                cursor.row += 1;
                (
                    *row,
                    rows.get(cursor.row).map_or(UnixNanos(i64::MAX), |r| r.0),
                )
            }
        };
        self.due_at[i] = after;
        Some(charged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000_000_000;

    fn drain(schedule: &mut FundingSchedule, ts: i64) -> Vec<(i64, i128)> {
        let mut out = Vec::new();
        while schedule.is_due(InstrumentIndex(0), UnixNanos(ts)) {
            if let Some((t, rate)) = schedule.next_due(InstrumentIndex(0), UnixNanos(ts)) {
                out.push((t.0 / HOUR, rate));
            }
        }
        out
    }

    #[test]
    fn a_fixed_rate_starts_after_the_first_bar_and_charges_each_time_passed() {
        let mut schedule = FundingSchedule::new(vec![Some(FundingSource::Fixed {
            rate_raw: 7,
            interval_ns: 8 * HOUR,
        })]);
        // First bar at 08:00 exactly: the next charge is 16:00.
        assert!(drain(&mut schedule, 8 * HOUR).is_empty());
        assert!(drain(&mut schedule, 15 * HOUR).is_empty());
        assert_eq!(drain(&mut schedule, 16 * HOUR), vec![(16, 7)]);
        // A gap over two funding times charges both.
        assert_eq!(
            drain(&mut schedule, 41 * HOUR),
            vec![(24, 7), (32, 7), (40, 7)]
        );
        assert!(!schedule.is_due(InstrumentIndex(0), UnixNanos(47 * HOUR)));
    }

    #[test]
    fn a_table_charges_its_rows_in_turn() {
        let rows: Arc<[(UnixNanos, i128)]> =
            vec![(UnixNanos(8 * HOUR), 1), (UnixNanos(16 * HOUR), -2)].into();
        let mut schedule = FundingSchedule::new(vec![None, Some(FundingSource::Table(rows))]);
        let one = InstrumentIndex(1);
        assert!(!schedule.is_due(InstrumentIndex(0), UnixNanos(i64::MAX - 1)));
        assert!(!schedule.is_due(one, UnixNanos(7 * HOUR)));
        assert_eq!(
            schedule.next_due(one, UnixNanos(20 * HOUR)),
            Some((UnixNanos(8 * HOUR), 1))
        );
        assert_eq!(
            schedule.next_due(one, UnixNanos(20 * HOUR)),
            Some((UnixNanos(16 * HOUR), -2))
        );
        assert_eq!(schedule.next_due(one, UnixNanos(20 * HOUR)), None);
        assert!(!schedule.is_due(one, UnixNanos(i64::MAX - 1)));
    }
}
