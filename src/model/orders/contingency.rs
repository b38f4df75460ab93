//! Orders that depend on others, as a venue handles them natively: a
//! parent whose fill releases its children (one-triggers-other, OTO), and
//! siblings of which the first to fill cancels the rest
//! (one-cancels-other, OCO). A bracket is both: an entry whose fill
//! releases a stop-loss and a take-profit that cancel each other.

use std::collections::HashMap;

use crate::core::identifiers::OrderIndex;

/// How one order is tied to others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contingency {
    /// The order whose fill releases this one (OTO); until then the venue
    /// holds it.
    pub parent: Option<OrderIndex>,
    /// The orders this one's fill releases.
    pub children: Vec<OrderIndex>,
    /// The orders this one's first fill cancels.
    pub cancels: Vec<OrderIndex>,
    /// Its quantity is what its parent has filled (a bracket's exits):
    /// set when released, and raised by the parent's later partial fills.
    pub sized_by_parent: bool,
}

/// The run's contingent orders; most runs have none.
#[derive(Debug, Clone, Default)]
pub struct Contingencies {
    links: HashMap<OrderIndex, Contingency>,
}

impl Contingencies {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }

    /// How `order` is tied to others, if at all.
    #[must_use]
    pub fn of(&self, order: OrderIndex) -> Option<&Contingency> {
        // Most runs tie no order: skip hashing the key.
        if self.links.is_empty() {
            return None;
        }
        self.links.get(&order)
    }

    /// `children` are released by `parent`'s fill.
    pub fn link_children(&mut self, parent: OrderIndex, children: &[OrderIndex]) {
        self.links
            .entry(parent)
            .or_default()
            .children
            .extend_from_slice(children);
        for child in children {
            self.links.entry(*child).or_default().parent = Some(parent);
        }
    }

    /// Adds `other`'s ties with every order index moved up by `offset`
    /// (histories joined one after the other).
    pub fn extend_shifted(&mut self, other: &Self, offset: usize) {
        let shift = |o: &OrderIndex| OrderIndex::next_in(o.get() + offset);
        for (order, links) in &other.links {
            self.links.insert(
                shift(order),
                Contingency {
                    parent: links.parent.as_ref().map(shift),
                    children: links.children.iter().map(shift).collect(),
                    cancels: links.cancels.iter().map(shift).collect(),
                    sized_by_parent: links.sized_by_parent,
                },
            );
        }
    }

    /// `orders` take their quantity from their parent's fills.
    pub fn follow_parent_fill(&mut self, orders: &[OrderIndex]) {
        for order in orders {
            self.links.entry(*order).or_default().sized_by_parent = true;
        }
    }

    /// The first of `group` to fill cancels the others.
    pub fn link_one_cancels_others(&mut self, group: &[OrderIndex]) {
        for order in group {
            let others = group.iter().filter(|o| *o != order);
            self.links.entry(*order).or_default().cancels.extend(others);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bracket_links_both_ways() {
        let (entry, stop, take) = (OrderIndex(0), OrderIndex(1), OrderIndex(2));
        let mut links = Contingencies::default();
        assert!(links.is_empty());
        links.link_children(entry, &[stop, take]);
        links.link_one_cancels_others(&[stop, take]);
        assert_eq!(links.of(entry).unwrap().children, [stop, take]);
        assert_eq!(links.of(stop).unwrap().parent, Some(entry));
        assert_eq!(links.of(stop).unwrap().cancels, [take]);
        assert_eq!(links.of(take).unwrap().cancels, [stop]);
        assert!(links.of(entry).unwrap().cancels.is_empty());
    }
}
