//! A message bus owned by one engine: no globals, no thread-locals.
//!
//! Topics and endpoints are registered up front and named by dense ids, so
//! the hot path publishes by [`TopicId`] without formatting or hashing a
//! string. Delivery order is deterministic: subscribers of a topic are
//! served by descending priority, then in subscription order; queued
//! messages are delivered first in, first out.

use std::collections::{BTreeMap, VecDeque};

/// A registered topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicId(pub u32);

/// A component that receives messages (a strategy, an actor, an engine).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriberId(pub u32);

#[derive(Debug, Clone)]
struct Subscription {
    subscriber: SubscriberId,
    priority: i32,
    sequence: u64,
}

#[derive(Debug, Clone)]
struct Topic {
    name: String,
    subscriptions: Vec<Subscription>,
    // Cached delivery order, rebuilt on (un)subscribe, never on publish.
    order: Vec<SubscriberId>,
}

/// A pattern subscription (`data.bars.*`) applied to present and future topics.
#[derive(Debug, Clone)]
struct PatternSubscription {
    pattern: String,
    subscription: Subscription,
}

/// Pub/sub by topic and point-to-point by endpoint, carrying messages `M`.
#[derive(Debug)]
pub struct MessageBus<M> {
    topics: Vec<Topic>,
    topic_ids: BTreeMap<String, TopicId>,
    patterns: Vec<PatternSubscription>,
    endpoints: BTreeMap<String, SubscriberId>,
    queue: VecDeque<(SubscriberId, M)>,
    sequence: u64,
}

impl<M> Default for MessageBus<M> {
    fn default() -> Self {
        Self {
            topics: Vec::new(),
            topic_ids: BTreeMap::new(),
            patterns: Vec::new(),
            endpoints: BTreeMap::new(),
            queue: VecDeque::new(),
            sequence: 0,
        }
    }
}

/// `*` matches any run of characters, `?` any one character.
fn matches_pattern(pattern: &[u8], name: &[u8]) -> bool {
    match (pattern.first(), name.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            matches_pattern(&pattern[1..], name)
                || (!name.is_empty() && matches_pattern(pattern, &name[1..]))
        }
        (Some(b'?'), Some(_)) => matches_pattern(&pattern[1..], &name[1..]),
        (Some(p), Some(n)) if p == n => matches_pattern(&pattern[1..], &name[1..]),
        _ => false,
    }
}

impl<M: Clone> MessageBus<M> {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `name` (or returns its existing id).
    pub fn topic(&mut self, name: &str) -> TopicId {
        if let Some(id) = self.topic_ids.get(name) {
            return *id;
        }
        let id = TopicId(u32::try_from(self.topics.len()).unwrap_or(u32::MAX));
        let mut topic = Topic {
            name: name.to_string(),
            subscriptions: Vec::new(),
            order: Vec::new(),
        };
        for pattern in &self.patterns {
            if matches_pattern(pattern.pattern.as_bytes(), name.as_bytes()) {
                topic.subscriptions.push(pattern.subscription.clone());
            }
        }
        Self::rebuild_order(&mut topic);
        self.topics.push(topic);
        self.topic_ids.insert(name.to_string(), id);
        id
    }

    fn rebuild_order(topic: &mut Topic) {
        topic.subscriptions.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then(a.sequence.cmp(&b.sequence))
        });
        topic.order = topic.subscriptions.iter().map(|s| s.subscriber).collect();
    }

    fn next_subscription(&mut self, subscriber: SubscriberId, priority: i32) -> Subscription {
        self.sequence += 1;
        Subscription {
            subscriber,
            priority,
            sequence: self.sequence,
        }
    }

    /// Subscribes to one topic; subscribing twice is a no-op.
    pub fn subscribe(&mut self, topic: TopicId, subscriber: SubscriberId, priority: i32) {
        let subscription = self.next_subscription(subscriber, priority);
        if let Some(entry) = self.topics.get_mut(topic.0 as usize)
            && entry
                .subscriptions
                .iter()
                .all(|s| s.subscriber != subscriber)
        {
            entry.subscriptions.push(subscription);
            Self::rebuild_order(entry);
        }
    }

    /// Subscribes to every topic, present or future, whose name matches
    /// `pattern` (`*` and `?` wildcards).
    pub fn subscribe_pattern(&mut self, pattern: &str, subscriber: SubscriberId, priority: i32) {
        let subscription = self.next_subscription(subscriber, priority);
        for entry in &mut self.topics {
            if matches_pattern(pattern.as_bytes(), entry.name.as_bytes())
                && entry
                    .subscriptions
                    .iter()
                    .all(|s| s.subscriber != subscriber)
            {
                entry.subscriptions.push(subscription.clone());
                Self::rebuild_order(entry);
            }
        }
        self.patterns.push(PatternSubscription {
            pattern: pattern.to_string(),
            subscription,
        });
    }

    pub fn unsubscribe(&mut self, topic: TopicId, subscriber: SubscriberId) {
        if let Some(entry) = self.topics.get_mut(topic.0 as usize) {
            entry.subscriptions.retain(|s| s.subscriber != subscriber);
            Self::rebuild_order(entry);
        }
    }

    /// The subscribers of `topic` in delivery order, without allocating:
    /// the engine's hot path dispatches straight from this slice.
    #[must_use]
    pub fn subscribers(&self, topic: TopicId) -> &[SubscriberId] {
        self.topics
            .get(topic.0 as usize)
            .map_or(&[], |t| t.order.as_slice())
    }

    /// Queues `message` for every subscriber of `topic`; returns how many.
    pub fn publish(&mut self, topic: TopicId, message: &M) -> usize {
        let Some(entry) = self.topics.get(topic.0 as usize) else {
            return 0;
        };
        for subscriber in &entry.order {
            self.queue.push_back((*subscriber, message.clone()));
        }
        entry.order.len()
    }

    /// Names `subscriber` as the endpoint `name` for point-to-point sends.
    pub fn register_endpoint(&mut self, name: &str, subscriber: SubscriberId) {
        self.endpoints.insert(name.to_string(), subscriber);
    }

    /// Queues `message` for the endpoint `name`; `false` when there is none.
    pub fn send(&mut self, endpoint: &str, message: M) -> bool {
        match self.endpoints.get(endpoint) {
            Some(subscriber) => {
                self.queue.push_back((*subscriber, message));
                true
            }
            None => false,
        }
    }

    /// Queues `message` for one subscriber directly.
    pub fn send_to(&mut self, subscriber: SubscriberId, message: M) {
        self.queue.push_back((subscriber, message));
    }

    /// The next queued delivery, first in first out.
    pub fn next_delivery(&mut self) -> Option<(SubscriberId, M)> {
        self.queue.pop_front()
    }

    #[must_use]
    pub fn has_pending(&self) -> bool {
        !self.queue.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(bus: &mut MessageBus<u32>) -> Vec<(u32, u32)> {
        std::iter::from_fn(|| bus.next_delivery())
            .map(|(s, m)| (s.0, m))
            .collect()
    }

    #[test]
    fn delivers_by_priority_then_subscription_order() {
        let mut bus = MessageBus::new();
        let bars = bus.topic("data.bars.AAPL");
        bus.subscribe(bars, SubscriberId(1), 0);
        bus.subscribe(bars, SubscriberId(2), 10);
        bus.subscribe(bars, SubscriberId(3), 0);
        bus.subscribe(bars, SubscriberId(1), 0);
        assert_eq!(
            bus.subscribers(bars),
            &[SubscriberId(2), SubscriberId(1), SubscriberId(3)]
        );
        assert_eq!(bus.publish(bars, &7), 3);
        assert_eq!(drain(&mut bus), vec![(2, 7), (1, 7), (3, 7)]);
    }

    #[test]
    fn patterns_cover_present_and_future_topics() {
        let mut bus = MessageBus::<u32>::new();
        let a = bus.topic("data.bars.A");
        bus.subscribe_pattern("data.bars.*", SubscriberId(9), 0);
        let b = bus.topic("data.bars.B");
        let q = bus.topic("data.quotes.A");
        assert_eq!(bus.subscribers(a), &[SubscriberId(9)]);
        assert_eq!(bus.subscribers(b), &[SubscriberId(9)]);
        assert!(bus.subscribers(q).is_empty());
        assert_eq!(bus.topic("data.bars.A"), a);
        assert!(matches_pattern(b"a?c", b"abc"));
    }

    #[test]
    fn point_to_point_and_unsubscribe() {
        let mut bus = MessageBus::new();
        bus.register_endpoint("ExecEngine.execute", SubscriberId(4));
        assert!(bus.send("ExecEngine.execute", 1));
        assert!(!bus.send("nowhere", 2));
        bus.send_to(SubscriberId(5), 3);
        let t = bus.topic("events");
        bus.subscribe(t, SubscriberId(6), 0);
        bus.unsubscribe(t, SubscriberId(6));
        assert_eq!(bus.publish(t, &4), 0);
        assert!(bus.has_pending());
        assert_eq!(drain(&mut bus), vec![(4, 1), (5, 3)]);
    }
}
