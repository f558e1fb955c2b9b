//! `RoutingTable`: ROUTER's two-way map between peer routing ids and pipes,
//! and the generator of routing ids for peers that announce none.

use std::collections::HashMap;

use bytes::Bytes;

use crate::pipe::PipeId;
use crate::pipe_map::PipeMap;

/// Length of a generated routing id: a zero byte and a 4-byte counter.
pub const GENERATED_ID_LENGTH: usize = 5;

/// Routing ids of identified pipes.
#[derive(Debug)]
pub(crate) struct RoutingTable {
    by_id: HashMap<Bytes, PipeId>,
    by_pipe: PipeMap<Bytes>,
    next_generated: u32,
}

impl RoutingTable {
    /// An empty table whose generated ids count up from `first_generated`.
    pub fn new(first_generated: u32) -> RoutingTable {
        RoutingTable {
            by_id: HashMap::new(),
            by_pipe: PipeMap::default(),
            next_generated: first_generated,
        }
    }

    /// The pipe with routing id `id`.
    pub fn lookup(&self, id: &[u8]) -> Option<PipeId> {
        self.by_id.get(id).copied()
    }

    /// The routing id of `pipe`.
    pub fn routing_id(&self, pipe: PipeId) -> Option<&Bytes> {
        self.by_pipe.get(&pipe)
    }

    /// Records `pipe` under `id` (both must be unused).
    pub fn insert(&mut self, id: Bytes, pipe: PipeId) {
        self.by_id.insert(id.clone(), pipe);
        self.by_pipe.insert(pipe, id);
    }

    /// Forgets `pipe`.
    pub fn remove_pipe(&mut self, pipe: PipeId) -> Option<Bytes> {
        let id = self.by_pipe.remove(&pipe)?;
        if self.by_id.get(&id) == Some(&pipe) {
            self.by_id.remove(&id);
        }
        Some(id)
    }

    /// Gives `pipe` a new routing id.
    pub fn rename(&mut self, pipe: PipeId, new_id: Bytes) {
        self.remove_pipe(pipe);
        self.insert(new_id, pipe);
    }

    /// The identified pipes.
    pub fn pipes(&self) -> impl Iterator<Item = PipeId> + '_ {
        self.by_pipe.keys().copied()
    }

    /// A fresh routing id: 0x00 then a big-endian counter, skipping ids in
    /// use (the loop ends: there are fewer ids in use than counter values).
    pub fn generate(&mut self) -> Bytes {
        loop {
            let mut id = [0u8; GENERATED_ID_LENGTH];
            id[1..].copy_from_slice(&self.next_generated.to_be_bytes());
            self.next_generated = self.next_generated.wrapping_add(1);
            if !self.by_id.contains_key(&id[..]) {
                return Bytes::copy_from_slice(&id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_count_up_big_endian() {
        let mut table = RoutingTable::new(0x0102_03ff);
        assert_eq!(&table.generate()[..], &[0, 1, 2, 3, 0xff]);
        assert_eq!(&table.generate()[..], &[0, 1, 2, 4, 0]);
    }

    #[test]
    fn generated_ids_skip_ids_in_use() {
        let mut table = RoutingTable::new(7);
        table.insert(Bytes::from_static(&[0, 0, 0, 0, 7]), PipeId(1));
        assert_eq!(&table.generate()[..], &[0, 0, 0, 0, 8]);
    }

    #[test]
    fn rename_and_remove() {
        let mut table = RoutingTable::new(0);
        table.insert(Bytes::from_static(b"A"), PipeId(1));
        table.rename(PipeId(1), Bytes::from_static(b"B"));
        assert_eq!(table.lookup(b"A"), None);
        assert_eq!(table.lookup(b"B"), Some(PipeId(1)));
        table.insert(Bytes::from_static(b"A"), PipeId(2));
        assert_eq!(table.remove_pipe(PipeId(1)).as_deref(), Some(&b"B"[..]));
        assert_eq!(table.lookup(b"A"), Some(PipeId(2)));
        assert_eq!(table.pipes().collect::<Vec<_>>(), vec![PipeId(2)]);
    }
}
