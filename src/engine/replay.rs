//! The data engine's replay order: streams of bars merged by a written-down
//! total order, [`ReplayKey`] = (timestamp, stream priority, sequence), so
//! that ties break the same way in every run.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::core::UnixNanos;
use crate::model::data::Bar;

/// The total order of replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReplayKey {
    pub ts: UnixNanos,
    /// Lower first: the configured priority, then the stream's position.
    pub priority: u32,
    pub sequence: u64,
}

/// One sorted stream of bars.
#[derive(Debug)]
pub struct BarStream<'a> {
    pub bars: &'a [Bar],
    pub priority: u32,
}

/// Yields `(stream index, bar)` over all streams in [`ReplayKey`] order.
#[derive(Debug)]
pub struct ReplayMerge<'a> {
    streams: Vec<BarStream<'a>>,
    cursors: Vec<usize>,
    heap: BinaryHeap<Reverse<(ReplayKey, usize)>>,
}

impl<'a> ReplayMerge<'a> {
    #[must_use]
    pub fn new(streams: Vec<BarStream<'a>>) -> Self {
        let mut heap = BinaryHeap::with_capacity(streams.len());
        for (i, s) in streams.iter().enumerate() {
            if let Some(bar) = s.bars.first() {
                heap.push(Reverse((
                    ReplayKey {
                        ts: bar.ts_init,
                        priority: s.priority,
                        sequence: 0,
                    },
                    i,
                )));
            }
        }
        let cursors = vec![0; streams.len()];
        Self {
            streams,
            cursors,
            heap,
        }
    }
}

impl<'a> Iterator for ReplayMerge<'a> {
    type Item = (usize, &'a Bar);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        // One stream needs no merge.
        if let [only] = self.streams.as_slice() {
            let at = self.cursors[0];
            let bar = only.bars.get(at)?;
            self.cursors[0] = at + 1;
            return Some((0, bar));
        }
        let Reverse((key, stream)) = self.heap.pop()?;
        let bars = self.streams[stream].bars;
        let at = self.cursors[stream];
        let bar = &bars[at];
        self.cursors[stream] = at + 1;
        if let Some(next) = bars.get(at + 1) {
            let sequence = key.sequence + 1;
            self.heap.push(Reverse((
                ReplayKey {
                    ts: next.ts_init,
                    priority: key.priority,
                    sequence,
                },
                stream,
            )));
        }
        Some((stream, bar))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::identifiers::InstrumentIndex;
    use proptest::prelude::*;

    fn bar(ts: i64, instrument: u32) -> Bar {
        Bar {
            ts_event: UnixNanos(ts),
            ts_init: UnixNanos(ts),
            open: 1,
            high: 1,
            low: 1,
            close: 1,
            volume: 0,
            instrument: InstrumentIndex(instrument),
            price_precision: 0,
            size_precision: 0,
        }
    }

    #[test]
    fn merges_by_time_then_priority() {
        let a = [bar(1, 0), bar(3, 0), bar(3, 0)];
        let b = [bar(1, 1), bar(2, 1), bar(3, 1)];
        let merge = ReplayMerge::new(vec![
            BarStream {
                bars: &a,
                priority: 1,
            },
            BarStream {
                bars: &b,
                priority: 0,
            },
        ]);
        let order: Vec<(usize, i64)> = merge.map(|(s, b)| (s, b.ts_init.0)).collect();
        assert_eq!(order, vec![(1, 1), (0, 1), (1, 2), (1, 3), (0, 3), (0, 3)]);
    }

    proptest! {
        #[test]
        fn output_is_sorted_and_complete(mut xs in proptest::collection::vec(0i64..50, 0..40), mut ys in proptest::collection::vec(0i64..50, 0..40)) {
            xs.sort_unstable();
            ys.sort_unstable();
            let a: Vec<Bar> = xs.iter().map(|t| bar(*t, 0)).collect();
            let b: Vec<Bar> = ys.iter().map(|t| bar(*t, 1)).collect();
            let merged: Vec<(usize, i64)> = ReplayMerge::new(vec![BarStream { bars: &a, priority: 0 }, BarStream { bars: &b, priority: 1 }])
                .map(|(s, b)| (s, b.ts_init.0))
                .collect();
            prop_assert_eq!(merged.len(), a.len() + b.len());
            for w in merged.windows(2) {
                prop_assert!((w[0].1, w[0].0) <= (w[1].1, w[1].0));
            }
        }
    }
}
