//! Random starting points (generated routing ids, REQ request ids), from
//! the standard library's per-process random hash keys: no dependency,
//! and unpredictable enough for ids that only need to differ between runs.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// A random `u32`.
pub(crate) fn random_u32() -> u32 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0x5a4d_5150);
    // Fold the 64-bit hash into 32 bits.
    let h = hasher.finish();
    (h ^ (h >> 32)) as u32
}
