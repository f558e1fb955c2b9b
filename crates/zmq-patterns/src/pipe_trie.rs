//! `PipeTrie`: the publisher side's subscriptions, a set of pipes per
//! prefix (libzmq's `mtrie`).
//!
//! A pipe is in a prefix's set at most once: a second SUBSCRIBE for the same
//! prefix from the same pipe changes nothing, and one CANCEL removes it. RFC
//! 37 counts duplicates instead, but libzmq's SUB only forwards the CANCEL
//! for the *last* of its duplicate subscriptions (it counts on its side and
//! relies on the publisher keeping a set), so counting here would leave a
//! libzmq SUB subscribed forever. Interoperability wins.

use crate::pipe::PipeId;
use crate::prefix_trie::{NodeValue, PrefixTrie};

/// Pipes subscribed to one prefix, sorted.
#[derive(Debug, Default)]
struct PipeSet(Vec<PipeId>);

impl NodeValue for PipeSet {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What [`PipeTrie::remove`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// The pipe was not subscribed to the prefix.
    NotFound,
    /// The pipe was the last one subscribed to the prefix.
    LastRemoved,
    /// Other pipes are still subscribed to the prefix.
    OthersRemain,
}

/// Subscribed prefixes, each with the set of pipes subscribed to it.
#[derive(Debug, Default)]
pub struct PipeTrie {
    trie: PrefixTrie<PipeSet>,
    distinct: usize,
}

impl PipeTrie {
    /// No subscription.
    pub fn new() -> PipeTrie {
        PipeTrie::default()
    }

    /// Subscribes `pipe` to `prefix`; true when no pipe was subscribed to
    /// it before.
    pub fn add(&mut self, prefix: &[u8], pipe: PipeId) -> bool {
        let set = &mut self.trie.get_or_insert(prefix).0;
        let first = set.is_empty();
        if let Err(at) = set.binary_search(&pipe) {
            set.insert(at, pipe);
        }
        if first {
            self.distinct += 1;
        }
        first
    }

    /// Unsubscribes `pipe` from `prefix`.
    pub fn remove(&mut self, prefix: &[u8], pipe: PipeId) -> Removal {
        let Some(PipeSet(set)) = self.trie.get_mut(prefix) else {
            return Removal::NotFound;
        };
        let Ok(at) = set.binary_search(&pipe) else {
            return Removal::NotFound;
        };
        set.remove(at);
        if !set.is_empty() {
            return Removal::OthersRemain;
        }
        self.distinct -= 1;
        self.trie.prune(prefix);
        Removal::LastRemoved
    }

    /// Removes `pipe` from every prefix; calls `f(prefix, last)` for each
    /// prefix it was subscribed to, `last` telling whether no pipe remains.
    pub fn remove_pipe(&mut self, pipe: PipeId, mut f: impl FnMut(&[u8], bool)) {
        let mut emptied = 0;
        self.trie.for_each_mut(|prefix, PipeSet(set)| {
            let Ok(at) = set.binary_search(&pipe) else {
                return false;
            };
            set.remove(at);
            let last = set.is_empty();
            if last {
                emptied += 1;
            }
            f(prefix, last);
            last
        });
        self.distinct -= emptied;
    }

    /// Calls `f` for each pipe subscribed to a prefix of `data`; a pipe
    /// subscribed to several such prefixes is named once per prefix.
    pub fn for_each_match(&self, data: &[u8], mut f: impl FnMut(PipeId)) {
        self.trie.any_prefix_of(data, |PipeSet(set)| {
            set.iter().copied().for_each(&mut f);
            false
        });
    }

    /// Number of prefixes at least one pipe is subscribed to
    /// (`ZMQ_TOPICS_COUNT`).
    pub fn len(&self) -> usize {
        self.distinct
    }

    /// Whether no pipe is subscribed to anything.
    pub fn is_empty(&self) -> bool {
        self.distinct == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn matches(trie: &PipeTrie, data: &[u8]) -> Vec<PipeId> {
        let mut pipes = Vec::new();
        trie.for_each_match(data, |p| pipes.push(p));
        pipes.sort();
        pipes.dedup();
        pipes
    }

    #[test]
    fn set_semantics_per_pipe() {
        let mut trie = PipeTrie::new();
        assert!(trie.add(b"A", PipeId(1)));
        assert!(!trie.add(b"A", PipeId(1)));
        assert!(!trie.add(b"A", PipeId(2)));
        assert_eq!(trie.len(), 1);
        assert_eq!(trie.remove(b"A", PipeId(1)), Removal::OthersRemain);
        assert_eq!(trie.remove(b"A", PipeId(1)), Removal::NotFound);
        assert_eq!(trie.remove(b"A", PipeId(2)), Removal::LastRemoved);
        assert_eq!(trie.remove(b"B", PipeId(2)), Removal::NotFound);
        assert!(trie.is_empty());
    }

    #[test]
    fn remove_pipe_reports_each_prefix() {
        let mut trie = PipeTrie::new();
        trie.add(b"", PipeId(1));
        trie.add(b"A", PipeId(1));
        trie.add(b"A", PipeId(2));
        trie.add(b"AB", PipeId(1));
        let mut seen = Vec::new();
        trie.remove_pipe(PipeId(1), |prefix, last| seen.push((prefix.to_vec(), last)));
        assert_eq!(
            seen,
            vec![
                (b"".to_vec(), true),
                (b"A".to_vec(), false),
                (b"AB".to_vec(), true)
            ]
        );
        assert_eq!(trie.len(), 1);
        assert_eq!(matches(&trie, b"ABC"), vec![PipeId(2)]);
    }

    proptest! {
        /// The trie agrees with a list of (prefix, pipe) pairs.
        #[test]
        fn agrees_with_naive_model(
            ops in proptest::collection::vec((0u8..3, 1u64..4, proptest::collection::vec(0u8..3, 0..4)), 0..60),
            probes in proptest::collection::vec(proptest::collection::vec(0u8..3, 0..6), 0..20),
        ) {
            let mut trie = PipeTrie::new();
            let mut model: Vec<(Vec<u8>, PipeId)> = Vec::new();
            for (op, pipe, prefix) in &ops {
                let pipe = PipeId(*pipe);
                match op {
                    0 => {
                        let first = !model.iter().any(|(p, _)| p == prefix);
                        if !model.contains(&(prefix.clone(), pipe)) {
                            model.push((prefix.clone(), pipe));
                        }
                        prop_assert_eq!(trie.add(prefix, pipe), first);
                    }
                    1 => {
                        let expected = match model.iter().position(|e| e == &(prefix.clone(), pipe)) {
                            None => Removal::NotFound,
                            Some(at) => {
                                model.remove(at);
                                if model.iter().any(|(p, _)| p == prefix) { Removal::OthersRemain } else { Removal::LastRemoved }
                            }
                        };
                        prop_assert_eq!(trie.remove(prefix, pipe), expected);
                    }
                    _ => {
                        trie.remove_pipe(pipe, |_, _| {});
                        model.retain(|(_, p)| *p != pipe);
                    }
                }
                let mut distinct: Vec<&Vec<u8>> = model.iter().map(|(p, _)| p).collect();
                distinct.sort();
                distinct.dedup();
                prop_assert_eq!(trie.len(), distinct.len());
            }
            for probe in &probes {
                let mut expected: Vec<PipeId> = model.iter().filter(|(p, _)| probe.starts_with(p)).map(|(_, id)| *id).collect();
                expected.sort();
                expected.dedup();
                prop_assert_eq!(matches(&trie, probe), expected);
            }
        }
    }
}
