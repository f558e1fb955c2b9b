//! `ActiveSet`: pipe ids split into an active prefix and an inactive rest.
//!
//! The load balancer and the fair queue both keep their pipes this way (as
//! libzmq's `array_t` does): positions `0..active` are the pipes worth trying,
//! the others wait for an activation. Moving a pipe between the two parts is
//! a swap, O(1), with the position of each id kept in a map.

use crate::pipe::PipeId;
use crate::pipe_map::PipeMap;

/// Pipe ids with an active prefix.
#[derive(Debug, Default)]
pub(crate) struct ActiveSet {
    ids: Vec<PipeId>,
    positions: PipeMap<usize>,
    active: usize,
}

/// Where a removed pipe was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Removed {
    /// Its position before removal.
    pub index: usize,
    /// Whether it was in the active prefix.
    pub was_active: bool,
}

impl ActiveSet {
    /// Number of active pipes.
    pub fn active_len(&self) -> usize {
        self.active
    }

    /// The active pipe at `index`, if `index < active_len()`.
    pub fn active_at(&self, index: usize) -> Option<PipeId> {
        if index < self.active {
            self.ids.get(index).copied()
        } else {
            None
        }
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: PipeId) -> bool {
        self.positions.contains_key(&id)
    }

    /// Adds `id` as active (no-op when already present).
    pub fn insert_active(&mut self, id: PipeId) {
        if self.contains(id) {
            return;
        }
        self.ids.push(id);
        self.positions.insert(id, self.ids.len() - 1);
        self.activate(id);
    }

    /// Moves `id` into the active prefix; false when absent or already active.
    pub fn activate(&mut self, id: PipeId) -> bool {
        match self.positions.get(&id) {
            Some(&index) if index >= self.active => {
                self.swap(index, self.active);
                self.active += 1;
                true
            }
            _ => false,
        }
    }

    /// Moves the active pipe at `index` out of the active prefix.
    pub fn deactivate_at(&mut self, index: usize) {
        if index < self.active {
            self.active -= 1;
            self.swap(index, self.active);
        }
    }

    /// Removes `id`; reports where it was.
    pub fn remove(&mut self, id: PipeId) -> Option<Removed> {
        let index = *self.positions.get(&id)?;
        let was_active = index < self.active;
        let mut at = index;
        if was_active {
            self.active -= 1;
            self.swap(index, self.active);
            at = self.active;
        }
        let last = self.ids.len() - 1;
        self.swap(at, last);
        self.ids.pop();
        self.positions.remove(&id);
        Some(Removed { index, was_active })
    }

    fn swap(&mut self, a: usize, b: usize) {
        if a == b {
            return;
        }
        self.ids.swap(a, b);
        if let Some(&id) = self.ids.get(a) {
            self.positions.insert(id, a);
        }
        if let Some(&id) = self.ids.get(b) {
            self.positions.insert(id, b);
        }
    }
}

/// Where a round-robin cursor should point after `removed` left a set that
/// now has `active` active pipes: it keeps following the pipe it pointed at.
pub(crate) fn cursor_after_remove(current: usize, removed: Removed, active: usize) -> usize {
    if !removed.was_active {
        return current;
    }
    // The removal swapped the last active pipe (at position `active` once
    // the prefix shrank) into `removed.index`.
    let cursor = if current == active && removed.index != current {
        removed.index
    } else {
        current
    };
    if cursor >= active { 0 } else { cursor }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_of(n: u64) -> ActiveSet {
        let mut set = ActiveSet::default();
        for i in 0..n {
            set.insert_active(PipeId(i));
        }
        set
    }

    fn check_positions(set: &ActiveSet) {
        for (i, id) in set.ids.iter().enumerate() {
            assert_eq!(set.positions[id], i);
        }
        assert_eq!(set.ids.len(), set.positions.len());
        assert!(set.active <= set.ids.len());
    }

    #[test]
    fn activate_and_deactivate() {
        let mut set = set_of(3);
        assert_eq!(set.active_len(), 3);
        set.deactivate_at(0);
        assert_eq!(set.active_len(), 2);
        assert!(!set.activate(PipeId(1)));
        assert!(set.activate(PipeId(0)));
        assert_eq!(set.active_len(), 3);
        check_positions(&set);
    }

    #[test]
    fn remove_keeps_positions_consistent() {
        let mut set = set_of(5);
        set.deactivate_at(1);
        let removed = set.remove(PipeId(3)).unwrap();
        assert!(removed.was_active);
        assert_eq!(set.active_len(), 3);
        check_positions(&set);
        assert!(set.remove(PipeId(3)).is_none());
        let removed = set.remove(PipeId(1)).unwrap();
        assert!(!removed.was_active);
        check_positions(&set);
        assert_eq!(set.active_len(), 3);
    }

    #[test]
    fn cursor_follows_its_pipe() {
        let mut set = set_of(4);
        // Cursor on the last active pipe (3); remove pipe 1.
        let followed = set.active_at(3).unwrap();
        let removed = set.remove(PipeId(1)).unwrap();
        let cursor = cursor_after_remove(3, removed, set.active_len());
        assert_eq!(set.active_at(cursor), Some(followed));
        // Cursor on the removed pipe itself, at the end: wraps to 0.
        let removed = set.remove(set.active_at(2).unwrap()).unwrap();
        assert_eq!(cursor_after_remove(2, removed, set.active_len()), 0);
    }
}
