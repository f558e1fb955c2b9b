//! `PrefixTrie`: a byte trie whose nodes carry a value, the common core of
//! [`SubscriptionTrie`](crate::SubscriptionTrie) (a count per prefix) and
//! [`PipeTrie`](crate::PipeTrie) (a set of pipes per prefix).
//!
//! Nodes live in one arena (`Vec`) and point at their children by index, so
//! walks are loops, never recursion, whatever the length of a topic. A node
//! whose value is empty and that has no children is removed (`prune`), so the
//! trie only ever holds the prefixes someone is subscribed to and their
//! ancestors.

/// What a node holds; `is_empty` values may be pruned away.
pub(crate) trait NodeValue: Default {
    /// Whether the node carries nothing and may be removed.
    fn is_empty(&self) -> bool;
}

#[derive(Debug, Default)]
struct Node<V> {
    value: V,
    /// Children, sorted by byte.
    edges: Vec<(u8, usize)>,
}

/// A trie over byte strings. The root (index 0) is the empty prefix.
#[derive(Debug)]
pub(crate) struct PrefixTrie<V> {
    nodes: Vec<Node<V>>,
    free: Vec<usize>,
}

const ROOT: usize = 0;

impl<V: NodeValue> PrefixTrie<V> {
    /// A trie holding only the (empty) root.
    pub fn new() -> PrefixTrie<V> {
        PrefixTrie {
            nodes: vec![Node::default()],
            free: Vec::new(),
        }
    }

    // Indices in `edges` and `free` always name live nodes of the arena:
    // they are only made by `new_node` and dropped by `prune`.
    fn node(&self, index: usize) -> &Node<V> {
        &self.nodes[index]
    }

    fn node_mut(&mut self, index: usize) -> &mut Node<V> {
        &mut self.nodes[index]
    }

    fn child(&self, index: usize, byte: u8) -> Option<usize> {
        let edges = &self.node(index).edges;
        edges
            .binary_search_by_key(&byte, |&(b, _)| b)
            .ok()
            .map(|at| edges[at].1)
    }

    fn new_node(&mut self) -> usize {
        match self.free.pop() {
            Some(index) => index,
            None => {
                self.nodes.push(Node::default());
                self.nodes.len() - 1
            }
        }
    }

    /// The value at `prefix`, creating the path to it.
    pub fn get_or_insert(&mut self, prefix: &[u8]) -> &mut V {
        let mut index = ROOT;
        for &byte in prefix {
            index = match self.child(index, byte) {
                Some(child) => child,
                None => {
                    let child = self.new_node();
                    let edges = &mut self.node_mut(index).edges;
                    let at = edges.partition_point(|&(b, _)| b < byte);
                    edges.insert(at, (byte, child));
                    child
                }
            };
        }
        &mut self.node_mut(index).value
    }

    /// The value at `prefix`, if the node exists.
    pub fn get_mut(&mut self, prefix: &[u8]) -> Option<&mut V> {
        let index = self.find(prefix)?;
        Some(&mut self.node_mut(index).value)
    }

    fn find(&self, prefix: &[u8]) -> Option<usize> {
        prefix
            .iter()
            .try_fold(ROOT, |index, &byte| self.child(index, byte))
    }

    /// Removes the nodes on the path to `prefix` that hold nothing and
    /// lead nowhere, deepest first.
    pub fn prune(&mut self, prefix: &[u8]) {
        let mut path = Vec::with_capacity(prefix.len());
        let mut index = ROOT;
        for &byte in prefix {
            let Some(child) = self.child(index, byte) else {
                break;
            };
            path.push((index, byte, child));
            index = child;
        }
        while let Some((parent, byte, child)) = path.pop() {
            let node = self.node(child);
            if !node.value.is_empty() || !node.edges.is_empty() {
                return;
            }
            let edges = &mut self.node_mut(parent).edges;
            if let Ok(at) = edges.binary_search_by_key(&byte, |&(b, _)| b) {
                edges.remove(at);
            }
            *self.node_mut(child) = Node::default();
            self.free.push(child);
        }
    }

    /// Calls `f` with the value of every node on the path of `data`: the
    /// root, then each prefix of `data` present in the trie, shortest
    /// first. Stops early when `f` returns true; returns whether it did.
    pub fn any_prefix_of(&self, data: &[u8], mut f: impl FnMut(&V) -> bool) -> bool {
        let mut index = ROOT;
        if f(&self.node(index).value) {
            return true;
        }
        for &byte in data {
            match self.child(index, byte) {
                Some(child) => index = child,
                None => return false,
            }
            if f(&self.node(index).value) {
                return true;
            }
        }
        false
    }

    /// Calls `f` with every prefix and its value, in byte order.
    pub fn for_each(&self, mut f: impl FnMut(&[u8], &V)) {
        let mut key = Vec::new();
        let mut stack: Vec<(usize, usize)> = vec![(ROOT, 0)];
        f(&key, &self.node(ROOT).value);
        while let Some(top) = stack.last_mut() {
            let (index, next) = *top;
            if let Some(&(byte, child)) = self.node(index).edges.get(next) {
                top.1 += 1;
                key.push(byte);
                f(&key, &self.node(child).value);
                stack.push((child, 0));
            } else {
                stack.pop();
                key.pop();
            }
        }
    }

    /// Calls `f` with every prefix and its value, mutably; then prunes the
    /// nodes left empty. `f` returns whether it emptied the value.
    pub fn for_each_mut(&mut self, mut f: impl FnMut(&[u8], &mut V) -> bool) {
        let mut emptied: Vec<Vec<u8>> = Vec::new();
        let mut key = Vec::new();
        let mut stack: Vec<(usize, usize)> = vec![(ROOT, 0)];
        if f(&key, &mut self.node_mut(ROOT).value) {
            emptied.push(key.clone());
        }
        while let Some(top) = stack.last_mut() {
            let (index, next) = *top;
            if let Some(&(byte, child)) = self.nodes[index].edges.get(next) {
                top.1 += 1;
                key.push(byte);
                if f(&key, &mut self.node_mut(child).value) {
                    emptied.push(key.clone());
                }
                stack.push((child, 0));
            } else {
                stack.pop();
                key.pop();
            }
        }
        for prefix in emptied {
            self.prune(&prefix);
        }
    }

    /// Number of nodes in use, the root included (tests, memory checks).
    #[cfg(test)]
    pub fn node_count(&self) -> usize {
        self.nodes.len() - self.free.len()
    }
}

impl<V: NodeValue> Default for PrefixTrie<V> {
    fn default() -> PrefixTrie<V> {
        PrefixTrie::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl NodeValue for u32 {
        fn is_empty(&self) -> bool {
            *self == 0
        }
    }

    #[test]
    fn prune_removes_dead_branches_only() {
        let mut trie: PrefixTrie<u32> = PrefixTrie::new();
        *trie.get_or_insert(b"abc") += 1;
        *trie.get_or_insert(b"ab") += 1;
        assert_eq!(trie.node_count(), 4);
        *trie.get_mut(b"abc").unwrap() -= 1;
        trie.prune(b"abc");
        assert_eq!(trie.node_count(), 3);
        *trie.get_mut(b"ab").unwrap() -= 1;
        trie.prune(b"ab");
        assert_eq!(trie.node_count(), 1);
        // Freed nodes are reused.
        *trie.get_or_insert(b"xy") += 1;
        assert_eq!(trie.nodes.len(), 4);
    }

    #[test]
    fn for_each_visits_in_byte_order() {
        let mut trie: PrefixTrie<u32> = PrefixTrie::new();
        for key in [&b"b"[..], b"a", b"ab", b""] {
            *trie.get_or_insert(key) += 1;
        }
        let mut seen = Vec::new();
        trie.for_each(|key, &v| {
            if v > 0 {
                seen.push(key.to_vec());
            }
        });
        assert_eq!(
            seen,
            vec![b"".to_vec(), b"a".to_vec(), b"ab".to_vec(), b"b".to_vec()]
        );
    }
}
