//! The 4-lane Salsa20 core in plain `[u32; 4]` arrays: the path for
//! targets without a SIMD backend here (and the reference the SIMD
//! backends are tested against).

/// Blocks per call.
pub(super) const LANES: usize = 4;
/// Keystream bytes per call.
pub(super) const GROUP_LEN: usize = 64 * LANES;

/// One state word of all four lanes.
#[derive(Clone, Copy)]
struct Lanes([u32; LANES]);

impl Lanes {
    #[inline(always)]
    fn splat(word: u32) -> Lanes {
        Lanes([word; LANES])
    }

    #[inline(always)]
    fn from_words(w: [u32; LANES]) -> Lanes {
        Lanes(w)
    }

    #[inline(always)]
    fn add(self, other: Lanes) -> Lanes {
        let mut out = self.0;
        for (a, b) in out.iter_mut().zip(other.0) {
            *a = a.wrapping_add(b);
        }
        Lanes(out)
    }

    /// `self ^ (v <<< L)`.
    #[inline(always)]
    fn xor_rotl<const L: i32, const R: i32>(self, v: Lanes) -> Lanes {
        let mut out = self.0;
        for (a, b) in out.iter_mut().zip(v.0) {
            *a ^= b.rotate_left(L as u32);
        }
        Lanes(out)
    }
}

/// Salsa20/20 blocks `counter .. counter + 4` of `input` into `out`, as
/// little-endian 64-bit words.
pub(super) fn blocks(input: &[u32; 16], counter: u64, out: &mut [u64; GROUP_LEN / 8]) {
    let x: [Lanes; 16] = salsa20_lanes!(Lanes, LANES, input, counter);
    for (lane, block) in out.chunks_exact_mut(8).enumerate() {
        for (dst, pair) in block.iter_mut().zip(x.chunks_exact(2)) {
            let word = |i: usize| pair.get(i).and_then(|w| w.0.get(lane)).copied();
            *dst = u64::from(word(0).unwrap_or(0)) | (u64::from(word(1).unwrap_or(0)) << 32);
        }
    }
}
