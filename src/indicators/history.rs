//! A fixed-size ring of past values.

/// The last `capacity` values, newest first by [`History::get`].
#[derive(Debug, Clone)]
pub struct History {
    values: Vec<f64>,
    next: usize,
    len: usize,
}

impl History {
    /// A ring of `capacity` values (at least one).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            values: vec![0.0; capacity.max(1)],
            next: 0,
            len: 0,
        }
    }

    #[inline]
    pub fn push(&mut self, value: f64) {
        self.values[self.next] = value;
        // A wrap test instead of `%`: a division per bar is measurable here.
        self.next += 1;
        if self.next == self.values.len() {
            self.next = 0;
        }
        if self.len < self.values.len() {
            self.len += 1;
        }
    }

    /// The value `ago` pushes back (0 = newest).
    #[must_use]
    #[inline]
    pub fn get(&self, ago: usize) -> Option<f64> {
        if ago >= self.len {
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

    /// How many values it keeps.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.values.len()
    }

    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
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
}
