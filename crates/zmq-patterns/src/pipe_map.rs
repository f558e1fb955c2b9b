//! `PipeMap`: a hash map keyed by [`PipeId`] with a cheap hash.
//!
//! Pipe ids are small integers chosen by the facade, never by a peer, so a
//! multiplicative hash is enough and much cheaper than SipHash on the
//! per-message path.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::pipe::PipeId;

/// A map from pipe ids to `V`.
pub type PipeMap<V> = HashMap<PipeId, V, BuildHasherDefault<PipeIdHasher>>;

/// Fibonacci hashing of a `u64` pipe id.
#[derive(Default, Clone, Copy, Debug)]
pub struct PipeIdHasher(u64);

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

impl Hasher for PipeIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(GOLDEN);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(GOLDEN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_and_finds_ids() {
        let mut map: PipeMap<u32> = PipeMap::default();
        for i in 0..1000 {
            map.insert(PipeId(i), i as u32);
        }
        for i in 0..1000 {
            assert_eq!(map.get(&PipeId(i)), Some(&(i as u32)));
        }
    }
}
