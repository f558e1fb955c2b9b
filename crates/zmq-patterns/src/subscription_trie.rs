//! `SubscriptionTrie`: the subscriptions of a SUB or XSUB socket, a count
//! per prefix.
//!
//! RFC 37: subscriptions are additive and not idempotent; subscribing to
//! "A" twice needs two unsubscriptions to undo. The empty prefix matches
//! every message. Matching walks the message once (O(length of the longest
//! subscribed prefix it starts with)), whatever the number of topics.

use crate::prefix_trie::{NodeValue, PrefixTrie};

/// How many times a prefix was subscribed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Count(u64);

impl NodeValue for Count {
    fn is_empty(&self) -> bool {
        self.0 == 0
    }
}

/// Subscribed prefixes with reference counts.
#[derive(Debug, Default)]
pub struct SubscriptionTrie {
    trie: PrefixTrie<Count>,
    distinct: usize,
}

impl SubscriptionTrie {
    /// No subscription.
    pub fn new() -> SubscriptionTrie {
        SubscriptionTrie::default()
    }

    /// Adds one instance of `prefix`; true when it was not subscribed
    /// before.
    pub fn add(&mut self, prefix: &[u8]) -> bool {
        let count = self.trie.get_or_insert(prefix);
        count.0 = count.0.saturating_add(1);
        let first = count.0 == 1;
        if first {
            self.distinct += 1;
        }
        first
    }

    /// Removes one instance of `prefix`; true when that was the last one.
    /// Removing a prefix that is not subscribed changes nothing (false).
    pub fn remove(&mut self, prefix: &[u8]) -> bool {
        let Some(count) = self.trie.get_mut(prefix) else {
            return false;
        };
        if count.0 == 0 {
            return false;
        }
        count.0 -= 1;
        if count.0 > 0 {
            return false;
        }
        self.distinct -= 1;
        self.trie.prune(prefix);
        true
    }

    /// Whether some subscribed prefix starts `data`.
    pub fn matches(&self, data: &[u8]) -> bool {
        self.trie.any_prefix_of(data, |count| count.0 > 0)
    }

    /// How many instances of `prefix` are subscribed.
    pub fn count_of(&mut self, prefix: &[u8]) -> u64 {
        self.trie.get_mut(prefix).map_or(0, |count| count.0)
    }

    /// Number of distinct subscribed prefixes (`ZMQ_TOPICS_COUNT`).
    pub fn len(&self) -> usize {
        self.distinct
    }

    /// Whether nothing is subscribed.
    pub fn is_empty(&self) -> bool {
        self.distinct == 0
    }

    /// Calls `f` once with each distinct subscribed prefix, in byte order.
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        self.trie.for_each(|prefix, count| {
            if count.0 > 0 {
                f(prefix);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_prefix_matches_everything() {
        let mut trie = SubscriptionTrie::new();
        assert!(!trie.matches(b""));
        assert!(!trie.matches(b"abc"));
        assert!(trie.add(b""));
        assert!(trie.matches(b""));
        assert!(trie.matches(b"abc"));
    }

    #[test]
    fn duplicates_are_counted() {
        let mut trie = SubscriptionTrie::new();
        assert!(trie.add(b"A"));
        assert!(!trie.add(b"A"));
        assert_eq!(trie.len(), 1);
        assert!(!trie.remove(b"A"));
        assert!(trie.matches(b"AB"));
        assert!(trie.remove(b"A"));
        assert!(!trie.matches(b"AB"));
        assert!(!trie.remove(b"A"), "unknown prefix");
        assert!(trie.is_empty());
    }

    #[test]
    fn prefix_match_is_on_the_start_only() {
        let mut trie = SubscriptionTrie::new();
        trie.add(b"abc");
        assert!(trie.matches(b"abc"));
        assert!(trie.matches(b"abcd"));
        assert!(!trie.matches(b"ab"));
        assert!(!trie.matches(b"xabc"));
        // A node on the path that is not itself subscribed does not match.
        trie.add(b"abcdef");
        trie.remove(b"abc");
        assert!(!trie.matches(b"abcd"));
        assert!(trie.matches(b"abcdefg"));
    }

    fn naive_matches(model: &[Vec<u8>], data: &[u8]) -> bool {
        model.iter().any(|p| data.starts_with(p))
    }

    proptest! {
        /// The trie agrees with a list of prefixes under any sequence of
        /// subscribes and unsubscribes, for matching, counts and listing.
        #[test]
        fn agrees_with_naive_model(
            ops in proptest::collection::vec((any::<bool>(), proptest::collection::vec(0u8..3, 0..4)), 0..60),
            probes in proptest::collection::vec(proptest::collection::vec(0u8..3, 0..6), 0..20),
        ) {
            let mut trie = SubscriptionTrie::new();
            let mut model: Vec<Vec<u8>> = Vec::new();
            for (subscribe, prefix) in &ops {
                if *subscribe {
                    let first = !model.contains(prefix);
                    model.push(prefix.clone());
                    prop_assert_eq!(trie.add(prefix), first);
                } else {
                    let last = match model.iter().position(|p| p == prefix) {
                        Some(at) => {
                            model.remove(at);
                            !model.contains(prefix)
                        }
                        None => false,
                    };
                    prop_assert_eq!(trie.remove(prefix), last);
                }
                let mut distinct = model.clone();
                distinct.sort();
                distinct.dedup();
                prop_assert_eq!(trie.len(), distinct.len());
                let mut listed = Vec::new();
                trie.for_each(|p| listed.push(p.to_vec()));
                prop_assert_eq!(listed, distinct);
            }
            for probe in &probes {
                prop_assert_eq!(trie.matches(probe), naive_matches(&model, probe));
            }
        }
    }
}
