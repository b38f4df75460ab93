//! A ring of past values that grows with the data up to its capacity.

/// The last `capacity` values, newest first by [`History::get`]. The ring
/// grows as values come, so a long period over short data holds what the
/// data holds, not the period (a period of ten million costs nothing
/// until ten million bars are fed).
#[derive(Debug, Clone)]
pub struct History {
    /// The values kept, as many as were pushed up to `capacity`.
    values: Vec<f64>,
    capacity: usize,
    /// Where the next value goes once the ring is full.
    next: usize,
}

impl History {
    /// A ring of `capacity` values (at least one).
    #[must_use]
    pub const fn new(capacity: usize) -> Self {
        Self {
            values: Vec::new(),
            capacity: if capacity == 0 { 1 } else { capacity },
            next: 0,
        }
    }

    #[inline]
    pub fn push(&mut self, value: f64) {
        if self.values.len() < self.capacity {
            self.values.push(value);
            self.next = if self.values.len() == self.capacity {
                0
            } else {
                self.values.len()
            };
            return;
        }
        self.values[self.next] = value;
        // A wrap test instead of `%`: a division per bar is measurable here.
        self.next += 1;
        if self.next == self.capacity {
            self.next = 0;
        }
    }

    /// The value `ago` pushes back (0 = newest).
    #[must_use]
    #[inline]
    pub fn get(&self, ago: usize) -> Option<f64> {
        if ago >= self.values.len() {
            return None;
        }
        let back = ago + 1;
        let at = if back <= self.next {
            self.next - back
        } else {
            self.values.len() + self.next - back
        };
        Some(self.values[at])
    }

    /// How many values it keeps at most.
    #[must_use]
    pub const fn capacity(&self) -> usize {
        self.capacity
    }

    /// The most memory its values can take, once full.
    #[must_use]
    pub const fn max_bytes(&self) -> usize {
        self.capacity.saturating_mul(std::mem::size_of::<f64>())
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_values() {
        let mut h = History::new(3);
        assert_eq!(h.get(0), None);
        for v in 1..=5 {
            h.push(f64::from(v));
        }
        assert_eq!(
            (h.get(0), h.get(1), h.get(2), h.get(3)),
            (Some(5.0), Some(4.0), Some(3.0), None)
        );
        assert_eq!(h.len(), 3);
    }

    #[test]
    fn a_huge_capacity_allocates_only_what_was_pushed() {
        let mut h = History::new(10_000_000);
        h.push(1.0);
        assert!(h.values.capacity() < 1_000);
        assert_eq!(h.max_bytes(), 80_000_000);
    }

    proptest::proptest! {
        /// Newest first, at most `capacity`, at every step of any feed.
        #[test]
        fn matches_the_last_values_pushed(capacity in 1usize..40, values in proptest::collection::vec(-1e6f64..1e6, 0..200)) {
            let mut h = History::new(capacity);
            for (k, v) in values.iter().enumerate() {
                h.push(*v);
                let kept = &values[..=k];
                let expected: Vec<f64> = kept.iter().rev().take(capacity).copied().collect();
                let got: Vec<f64> = (0..=capacity).map_while(|ago| h.get(ago)).collect();
                proptest::prop_assert_eq!(got, expected);
                proptest::prop_assert_eq!(h.len(), (k + 1).min(capacity));
            }
        }
    }
}
