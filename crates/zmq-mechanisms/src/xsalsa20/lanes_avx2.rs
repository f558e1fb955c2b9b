//! The 8-lane Salsa20 core in AVX2 registers: one `__m256i` per state
//! word, eight blocks (512 bytes) per call. Only called once
//! `is_x86_feature_detected!("avx2")` said yes (see `Backend`).

use core::arch::x86_64::{
    __m256i, _mm256_add_epi32, _mm256_extract_epi64, _mm256_or_si256, _mm256_permute2x128_si256,
    _mm256_set_epi32, _mm256_set1_epi32, _mm256_slli_epi32, _mm256_srli_epi32,
    _mm256_unpackhi_epi32, _mm256_unpackhi_epi64, _mm256_unpacklo_epi32, _mm256_unpacklo_epi64,
    _mm256_xor_si256,
};

/// Blocks per call.
pub(super) const LANES: usize = 8;
/// Keystream bytes per call.
pub(super) const GROUP_LEN: usize = 64 * LANES;

/// One state word of all eight lanes.
#[derive(Clone, Copy)]
struct Lanes(__m256i);

impl Lanes {
    #[target_feature(enable = "avx2")]
    #[inline]
    fn splat(word: u32) -> Lanes {
        Lanes(_mm256_set1_epi32(word as i32))
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    fn from_words(w: [u32; LANES]) -> Lanes {
        let w = w.map(|x| x as i32);
        Lanes(_mm256_set_epi32(
            w[7], w[6], w[5], w[4], w[3], w[2], w[1], w[0],
        ))
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    fn add(self, other: Lanes) -> Lanes {
        Lanes(_mm256_add_epi32(self.0, other.0))
    }

    /// `self ^ (v <<< L)`, `R = 32 - L`.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn xor_rotl<const L: i32, const R: i32>(self, v: Lanes) -> Lanes {
        let rotated = _mm256_or_si256(_mm256_slli_epi32::<L>(v.0), _mm256_srli_epi32::<R>(v.0));
        Lanes(_mm256_xor_si256(self.0, rotated))
    }
}

/// Transposes four words of every lane (`rows[w]` = word `w` of lanes
/// 0..8) within each 128-bit half: result `i` holds words 0..4 of lane
/// `i` in its low half and of lane `i + 4` in its high half.
#[target_feature(enable = "avx2")]
#[inline]
fn transpose4(rows: &[Lanes]) -> [__m256i; 4] {
    let word = |i: usize| rows.get(i).map_or(_mm256_set1_epi32(0), |r| r.0);
    let [a, b, c, d] = [word(0), word(1), word(2), word(3)];
    let ab_lo = _mm256_unpacklo_epi32(a, b);
    let ab_hi = _mm256_unpackhi_epi32(a, b);
    let cd_lo = _mm256_unpacklo_epi32(c, d);
    let cd_hi = _mm256_unpackhi_epi32(c, d);
    [
        _mm256_unpacklo_epi64(ab_lo, cd_lo),
        _mm256_unpackhi_epi64(ab_lo, cd_lo),
        _mm256_unpacklo_epi64(ab_hi, cd_hi),
        _mm256_unpackhi_epi64(ab_hi, cd_hi),
    ]
}

/// Writes the four 64-bit words of `v` to `dst`.
#[target_feature(enable = "avx2")]
#[inline]
pub(super) fn store4(v: __m256i, dst: &mut [u64]) {
    let words = [
        _mm256_extract_epi64::<0>(v),
        _mm256_extract_epi64::<1>(v),
        _mm256_extract_epi64::<2>(v),
        _mm256_extract_epi64::<3>(v),
    ];
    for (d, w) in dst.iter_mut().zip(words) {
        *d = w as u64;
    }
}

/// Salsa20/20 blocks `counter .. counter + 8` of `input` into `out`, as
/// little-endian 64-bit words.
#[target_feature(enable = "avx2")]
pub(super) fn blocks(input: &[u32; 16], counter: u64, out: &mut [u64; GROUP_LEN / 8]) {
    let x: [Lanes; 16] = salsa20_lanes!(Lanes, LANES, input, counter);
    // Bytes 0..32 of every block are state words 0..8, bytes 32..64
    // state words 8..16.
    for (half, words) in x.chunks_exact(8).enumerate() {
        let (first, second) = words.split_at(4);
        let first = transpose4(first);
        let second = transpose4(second);
        for (i, (f, s)) in first.into_iter().zip(second).enumerate() {
            // Lane i from the low halves, lane i + 4 from the high ones.
            let low = _mm256_permute2x128_si256::<0x20>(f, s);
            let high = _mm256_permute2x128_si256::<0x31>(f, s);
            for (lane, v) in [(i, low), (i + 4, high)] {
                let at = 8 * lane + 4 * half;
                if let Some(dst) = out.get_mut(at..at + 4) {
                    store4(v, dst);
                }
            }
        }
    }
}
