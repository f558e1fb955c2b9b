//! The 4-lane Salsa20 core in SSE2 registers (baseline on x86_64): one
//! `__m128i` per state word, four blocks (256 bytes) per call.

use core::arch::x86_64::{
    __m128i, _mm_add_epi32, _mm_cvtsi128_si64, _mm_or_si128, _mm_set_epi32, _mm_set1_epi32,
    _mm_slli_epi32, _mm_srli_epi32, _mm_unpackhi_epi32, _mm_unpackhi_epi64, _mm_unpacklo_epi32,
    _mm_unpacklo_epi64, _mm_xor_si128,
};

/// Blocks per call.
pub(super) const LANES: usize = 4;
/// Keystream bytes per call.
pub(super) const GROUP_LEN: usize = 64 * LANES;

/// One state word of all four lanes.
#[derive(Clone, Copy)]
struct Lanes(__m128i);

impl Lanes {
    #[target_feature(enable = "sse2")]
    #[inline]
    fn splat(word: u32) -> Lanes {
        Lanes(_mm_set1_epi32(word as i32))
    }

    #[target_feature(enable = "sse2")]
    #[inline]
    fn from_words(w: [u32; LANES]) -> Lanes {
        Lanes(_mm_set_epi32(
            w[3] as i32,
            w[2] as i32,
            w[1] as i32,
            w[0] as i32,
        ))
    }

    #[target_feature(enable = "sse2")]
    #[inline]
    fn add(self, other: Lanes) -> Lanes {
        Lanes(_mm_add_epi32(self.0, other.0))
    }

    /// `self ^ (v <<< L)`, `R = 32 - L`.
    #[target_feature(enable = "sse2")]
    #[inline]
    fn xor_rotl<const L: i32, const R: i32>(self, v: Lanes) -> Lanes {
        let rotated = _mm_or_si128(_mm_slli_epi32::<L>(v.0), _mm_srli_epi32::<R>(v.0));
        Lanes(_mm_xor_si128(self.0, rotated))
    }
}

/// Salsa20/20 blocks `counter .. counter + 4` of `input` into `out`, as
/// little-endian 64-bit words.
#[target_feature(enable = "sse2")]
pub(super) fn blocks(input: &[u32; 16], counter: u64, out: &mut [u64; GROUP_LEN / 8]) {
    let x: [Lanes; 16] = salsa20_lanes!(Lanes, LANES, input, counter);
    // Each lane's block is 8 words: words 0..4 of the state in the first
    // two, 4..8 in the next two, and so on.
    for (q, rows) in x.chunks_exact(4).enumerate() {
        let [a, b, c, d] = [rows[0].0, rows[1].0, rows[2].0, rows[3].0];
        let ab_lo = _mm_unpacklo_epi32(a, b);
        let ab_hi = _mm_unpackhi_epi32(a, b);
        let cd_lo = _mm_unpacklo_epi32(c, d);
        let cd_hi = _mm_unpackhi_epi32(c, d);
        let lanes = [
            _mm_unpacklo_epi64(ab_lo, cd_lo),
            _mm_unpackhi_epi64(ab_lo, cd_lo),
            _mm_unpacklo_epi64(ab_hi, cd_hi),
            _mm_unpackhi_epi64(ab_hi, cd_hi),
        ];
        for (block, v) in out.chunks_exact_mut(8).zip(lanes) {
            if let Some(dst) = block.get_mut(2 * q..2 * q + 2) {
                dst[0] = _mm_cvtsi128_si64(v) as u64;
                dst[1] = _mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v)) as u64;
            }
        }
    }
}
