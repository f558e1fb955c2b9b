//! The 16-lane Salsa20 core in AVX-512 registers: one `__m512i` per
//! state word, sixteen blocks (1024 bytes) per call, rotates in one
//! instruction (`vprold`). Only called once
//! `is_x86_feature_detected!("avx512f")` said yes (see `Backend`).
//!
//! AVX-512 target features and intrinsics are stable since Rust 1.89 (the
//! workspace's `rust-version`). Measured: 1.3x the AVX2 backend in
//! `zmq-bench curve 65536`.

use super::lanes_avx2::store4;
use core::arch::x86_64::{
    __m512i, _mm512_add_epi32, _mm512_extracti64x4_epi64, _mm512_rol_epi32, _mm512_set_epi32,
    _mm512_set1_epi32, _mm512_shuffle_i32x4, _mm512_unpackhi_epi32, _mm512_unpackhi_epi64,
    _mm512_unpacklo_epi32, _mm512_unpacklo_epi64, _mm512_xor_si512,
};

/// Blocks per call.
pub(super) const LANES: usize = 16;
/// Keystream bytes per call.
pub(super) const GROUP_LEN: usize = 64 * LANES;

/// One state word of all sixteen lanes.
#[derive(Clone, Copy)]
struct Lanes(__m512i);

impl Lanes {
    #[target_feature(enable = "avx512f")]
    #[inline]
    fn splat(word: u32) -> Lanes {
        Lanes(_mm512_set1_epi32(word as i32))
    }

    #[target_feature(enable = "avx512f")]
    #[inline]
    fn from_words(w: [u32; LANES]) -> Lanes {
        let w = w.map(|x| x as i32);
        Lanes(_mm512_set_epi32(
            w[15], w[14], w[13], w[12], w[11], w[10], w[9], w[8], w[7], w[6], w[5], w[4], w[3],
            w[2], w[1], w[0],
        ))
    }

    #[target_feature(enable = "avx512f")]
    #[inline]
    fn add(self, other: Lanes) -> Lanes {
        Lanes(_mm512_add_epi32(self.0, other.0))
    }

    /// `self ^ (v <<< L)` (`R`, `32 - L`, is for the other backends).
    #[target_feature(enable = "avx512f")]
    #[inline]
    fn xor_rotl<const L: i32, const R: i32>(self, v: Lanes) -> Lanes {
        Lanes(_mm512_xor_si512(self.0, _mm512_rol_epi32::<L>(v.0)))
    }
}

/// Transposes four words of every lane (`rows[w]` = word `w` of lanes
/// 0..16) within each 128-bit quarter: result `i` holds the four words
/// of lane `4j + i` in its quarter `j`.
#[target_feature(enable = "avx512f")]
#[inline]
fn transpose4(rows: &[Lanes]) -> [__m512i; 4] {
    let word = |i: usize| rows.get(i).map_or(_mm512_set1_epi32(0), |r| r.0);
    let [a, b, c, d] = [word(0), word(1), word(2), word(3)];
    let ab_lo = _mm512_unpacklo_epi32(a, b);
    let ab_hi = _mm512_unpackhi_epi32(a, b);
    let cd_lo = _mm512_unpacklo_epi32(c, d);
    let cd_hi = _mm512_unpackhi_epi32(c, d);
    [
        _mm512_unpacklo_epi64(ab_lo, cd_lo),
        _mm512_unpackhi_epi64(ab_lo, cd_lo),
        _mm512_unpacklo_epi64(ab_hi, cd_hi),
        _mm512_unpackhi_epi64(ab_hi, cd_hi),
    ]
}

/// Writes the eight 64-bit words of `v` to `dst`.
#[target_feature(enable = "avx512f")]
#[inline]
fn store8(v: __m512i, dst: &mut [u64]) {
    let (low, high) = dst.split_at_mut(4);
    store4(_mm512_extracti64x4_epi64::<0>(v), low);
    store4(_mm512_extracti64x4_epi64::<1>(v), high);
}

/// Salsa20/20 blocks `counter .. counter + 16` of `input` into `out`, as
/// little-endian 64-bit words.
#[target_feature(enable = "avx512f")]
pub(super) fn blocks(input: &[u32; 16], counter: u64, out: &mut [u64; GROUP_LEN / 8]) {
    let x: [Lanes; 16] = salsa20_lanes!(Lanes, LANES, input, counter);
    // quarters[q][i]: words 4q..4q+4 of lane 4j + i in 128-bit quarter j.
    let quarters = [
        transpose4(&x[0..4]),
        transpose4(&x[4..8]),
        transpose4(&x[8..12]),
        transpose4(&x[12..16]),
    ];
    for i in 0..4 {
        let [a, b, c, d] = quarters.map(|q| q[i]);
        // A 4x4 transpose of 128-bit quarters: block 4j + i is
        // [a_j, b_j, c_j, d_j].
        let ab_01 = _mm512_shuffle_i32x4::<0x44>(a, b);
        let ab_23 = _mm512_shuffle_i32x4::<0xee>(a, b);
        let cd_01 = _mm512_shuffle_i32x4::<0x44>(c, d);
        let cd_23 = _mm512_shuffle_i32x4::<0xee>(c, d);
        let blocks = [
            _mm512_shuffle_i32x4::<0x88>(ab_01, cd_01),
            _mm512_shuffle_i32x4::<0xdd>(ab_01, cd_01),
            _mm512_shuffle_i32x4::<0x88>(ab_23, cd_23),
            _mm512_shuffle_i32x4::<0xdd>(ab_23, cd_23),
        ];
        for (j, block) in blocks.into_iter().enumerate() {
            let at = 8 * (4 * j + i);
            if let Some(dst) = out.get_mut(at..at + 8) {
                store8(block, dst);
            }
        }
    }
}
