//! The XSalsa20 stream cipher of `crypto_secretbox`, [`LANES`] Salsa20
//! blocks at a time, fused with the Poly1305 pass over the ciphertext.
//!
//! The state is held word-major, one lane per block (`Lanes`): every
//! round step is a lane-wise add, xor or rotate. On x86_64 a word of all
//! four lanes is one SSE2 register (SSE2 is baseline there; the one
//! `unsafe` is the call into the SSE2-compiled block function, see
//! [`blocks`]); elsewhere it is a `[u32; 4]`. The 16 state words are separate locals so that
//! they stay in registers; the result is transposed to blocks with
//! unpack instructions.
//!
//! ```text
//!  subkey = HSalsa20(key, nonce[0..16])
//!  stream = Salsa20(subkey, nonce[16..24]), blocks 0, 1, 2, ...
//!  stream[0..32]  = the Poly1305 key of the box
//!  stream[32..]   = xored with the message
//! ```
//! Sealing and opening walk the message once, one group of blocks at a
//! time: sealing xors then authenticates each chunk, opening
//! authenticates then xors (and re-xors the whole body if the tag turns
//! out wrong, so a failed open leaves the body as it was).

use salsa20::cipher::consts::U10;
use xsalsa20poly1305::aead::generic_array::GenericArray;
use zeroize::Zeroize;

use crate::nacl::poly1305::{BLOCK_LEN, Poly1305, TAG_LEN};

/// Salsa20 blocks computed per call.
const LANES: usize = 4;
/// Bytes of keystream per call.
const GROUP_LEN: usize = 64 * LANES;
/// Keystream bytes before the message: the Poly1305 key.
const POLY_KEY_LEN: usize = 32;

/// One state word of every lane: an SSE2 register on x86_64 (baseline
/// there, so the intrinsics are safe to call), a plain array elsewhere.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Lanes(core::arch::x86_64::__m128i);

#[cfg(target_arch = "x86_64")]
impl Lanes {
    #[target_feature(enable = "sse2")]
    #[inline]
    fn splat(word: u32) -> Lanes {
        Lanes(core::arch::x86_64::_mm_set1_epi32(word as i32))
    }

    #[target_feature(enable = "sse2")]
    #[inline]
    fn from_words(w: [u32; LANES]) -> Lanes {
        Lanes(core::arch::x86_64::_mm_set_epi32(
            w[3] as i32,
            w[2] as i32,
            w[1] as i32,
            w[0] as i32,
        ))
    }

    #[target_feature(enable = "sse2")]
    #[inline]
    fn add(self, other: Lanes) -> Lanes {
        Lanes(core::arch::x86_64::_mm_add_epi32(self.0, other.0))
    }

    /// `self ^ (v <<< L)`, `R = 32 - L`.
    #[target_feature(enable = "sse2")]
    #[inline]
    fn xor_rotl<const L: i32, const R: i32>(self, v: Lanes) -> Lanes {
        use core::arch::x86_64::{_mm_or_si128, _mm_slli_epi32, _mm_srli_epi32, _mm_xor_si128};
        let rotated = _mm_or_si128(_mm_slli_epi32::<L>(v.0), _mm_srli_epi32::<R>(v.0));
        Lanes(_mm_xor_si128(self.0, rotated))
    }

    /// Transposes four words of every lane (`rows[w]` = word `w` of
    /// lanes 0..4) into each lane's four words, as 16 bytes per lane.
    #[target_feature(enable = "sse2")]
    #[inline]
    fn transpose_into(rows: [Lanes; 4], out: &mut [[u8; 16]; LANES]) {
        use core::arch::x86_64::{
            _mm_cvtsi128_si64, _mm_unpackhi_epi32, _mm_unpackhi_epi64, _mm_unpacklo_epi32,
            _mm_unpacklo_epi64,
        };
        let [a, b, c, d] = rows.map(|r| r.0);
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
        for (dst, v) in out.iter_mut().zip(lanes) {
            let low = _mm_cvtsi128_si64(v) as u64;
            let high = _mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v)) as u64;
            let (l, h) = dst.split_at_mut(8);
            l.copy_from_slice(&low.to_le_bytes());
            h.copy_from_slice(&high.to_le_bytes());
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[derive(Clone, Copy)]
struct Lanes([u32; LANES]);

#[cfg(not(target_arch = "x86_64"))]
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

    /// As the x86_64 version: four words of every lane, lane-major.
    #[inline(always)]
    fn transpose_into(rows: [Lanes; 4], out: &mut [[u8; 16]; LANES]) {
        for (lane, dst) in out.iter_mut().enumerate() {
            for (bytes, row) in dst.chunks_exact_mut(4).zip(&rows) {
                let word = row.0.get(lane).copied().unwrap_or(0);
                bytes.copy_from_slice(&word.to_le_bytes());
            }
        }
    }
}

/// The keystream of one box: the Salsa20 input words and the first group
/// of blocks (which starts with the Poly1305 key).
pub(crate) struct BoxStream {
    input: [u32; 16],
    first: [u8; GROUP_LEN],
}

/// Whether the authenticator reads a chunk before or after the xor.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Encrypt, then authenticate the ciphertext.
    Seal,
    /// Authenticate the ciphertext, then decrypt.
    Open,
}

impl BoxStream {
    /// The stream for `key` and the 24-byte `nonce`.
    pub(crate) fn new(key: &[u8; 32], nonce: &[u8; 24]) -> BoxStream {
        let (head, tail) = nonce.split_at(16);
        let mut subkey = salsa20::hsalsa::<U10>(
            GenericArray::from_slice(key),
            GenericArray::from_slice(head),
        );
        let word = |bytes: &[u8], i: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(bytes.get(4 * i..4 * i + 4).unwrap_or(&[0; 4]));
            u32::from_le_bytes(w)
        };
        let mut input = [0u32; 16];
        // "expand 32-byte k" on the diagonal, key, nonce, block counter.
        input[0] = 0x6170_7865;
        input[5] = 0x3320_646e;
        input[10] = 0x7962_2d32;
        input[15] = 0x6b20_6574;
        for i in 0..4 {
            input[1 + i] = word(&subkey, i);
            input[11 + i] = word(&subkey, 4 + i);
        }
        input[6] = word(tail, 0);
        input[7] = word(tail, 1);
        subkey.as_mut_slice().zeroize();
        let mut first = [0u8; GROUP_LEN];
        blocks(&input, 0, &mut first);
        BoxStream { input, first }
    }

    fn authenticator(&self) -> Poly1305 {
        let mut key = [0u8; POLY_KEY_LEN];
        key.copy_from_slice(&self.first[..POLY_KEY_LEN]);
        let poly = Poly1305::new(&key);
        key.zeroize();
        poly
    }

    /// Encrypts `data` in place and returns the tag of the ciphertext.
    pub(crate) fn seal(&self, data: &mut [u8]) -> [u8; TAG_LEN] {
        self.run(data, Some((self.authenticator(), Direction::Seal)))
            .unwrap_or_default()
    }

    /// Decrypts `data` in place if its tag is `mac` (compared in constant
    /// time); otherwise leaves `data` as it was and returns `false`.
    pub(crate) fn open(&self, data: &mut [u8], mac: &[u8; TAG_LEN]) -> bool {
        let tag = self
            .run(data, Some((self.authenticator(), Direction::Open)))
            .unwrap_or_default();
        let difference = tag.iter().zip(mac).fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if core::hint::black_box(difference) == 0 {
            return true;
        }
        self.run(data, None);
        false
    }

    /// Xors `data` with the keystream from byte 32 on, one group at a
    /// time, feeding each chunk's ciphertext to the authenticator if any.
    fn run(&self, data: &mut [u8], mut mac: Option<(Poly1305, Direction)>) -> Option<[u8; 16]> {
        let mut group = [0u8; GROUP_LEN];
        let mut tail = [0u8; BLOCK_LEN];
        let mut tail_len = 0;
        let mut counter = 0u64;
        let open = matches!(mac, Some((_, Direction::Open)));
        let mut rest = data;
        while !rest.is_empty() {
            let (stream, capacity) = if counter == 0 {
                (&self.first[POLY_KEY_LEN..], GROUP_LEN - POLY_KEY_LEN)
            } else {
                blocks(&self.input, counter, &mut group);
                (&group[..], GROUP_LEN)
            };
            let take = capacity.min(rest.len());
            let (chunk, next) = core::mem::take(&mut rest).split_at_mut(take);
            rest = next;
            // Every chunk but the last is whole authenticator blocks.
            let whole = chunk.len() - chunk.len() % BLOCK_LEN;
            let mut authenticate = |chunk: &[u8]| {
                if let Some((poly, _)) = mac.as_mut() {
                    let (blocks, partial) = chunk.split_at(whole);
                    poly.blocks(blocks);
                    tail_len = partial.len();
                    if let Some(dst) = tail.get_mut(..tail_len) {
                        dst.copy_from_slice(partial);
                    }
                }
            };
            if open {
                authenticate(chunk);
            }
            xor(chunk, stream);
            if !open {
                authenticate(chunk);
            }
            counter += LANES as u64;
        }
        group.zeroize();
        let tag = mac.map(|(poly, _)| poly.finish(tail.get(..tail_len).unwrap_or_default()));
        tail.zeroize();
        tag
    }
}

impl Drop for BoxStream {
    fn drop(&mut self) {
        self.input.zeroize();
        self.first.zeroize();
    }
}

fn xor(data: &mut [u8], stream: &[u8]) {
    for (d, k) in data.iter_mut().zip(stream) {
        *d ^= k;
    }
}

/// The Salsa20 quarter round on four words of every lane.
macro_rules! quarter {
    ($a:ident, $b:ident, $c:ident, $d:ident) => {
        $b = $b.xor_rotl::<7, 25>($a.add($d));
        $c = $c.xor_rotl::<9, 23>($b.add($a));
        $d = $d.xor_rotl::<13, 19>($c.add($b));
        $a = $a.xor_rotl::<18, 14>($d.add($c));
    };
}

/// Salsa20/20 blocks `counter .. counter + LANES` of `input` into `out`.
#[inline]
fn blocks(input: &[u32; 16], counter: u64, out: &mut [u8; GROUP_LEN]) {
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    // SAFETY: `simd_blocks` needs SSE2 only, which every x86_64 CPU has
    // (it is part of the target's baseline, like the registers it uses).
    // Measured: the portable form compiled to scalar code, 3x slower.
    unsafe {
        simd_blocks(input, counter, out)
    }
    #[cfg(not(target_arch = "x86_64"))]
    simd_blocks(input, counter, out)
}

/// [`blocks`], compiled for SSE2 on x86_64 so that the lane operations
/// inline into it.
#[cfg_attr(target_arch = "x86_64", target_feature(enable = "sse2"))]
fn simd_blocks(input: &[u32; 16], counter: u64, out: &mut [u8; GROUP_LEN]) {
    let mut low = [0u32; LANES];
    let mut high = [0u32; LANES];
    for (lane, (l, h)) in low.iter_mut().zip(high.iter_mut()).enumerate() {
        let block = counter.wrapping_add(lane as u64);
        *l = block as u32;
        *h = (block >> 32) as u32;
    }
    let start: [Lanes; 16] = [
        Lanes::splat(input[0]),
        Lanes::splat(input[1]),
        Lanes::splat(input[2]),
        Lanes::splat(input[3]),
        Lanes::splat(input[4]),
        Lanes::splat(input[5]),
        Lanes::splat(input[6]),
        Lanes::splat(input[7]),
        Lanes::from_words(low),
        Lanes::from_words(high),
        Lanes::splat(input[10]),
        Lanes::splat(input[11]),
        Lanes::splat(input[12]),
        Lanes::splat(input[13]),
        Lanes::splat(input[14]),
        Lanes::splat(input[15]),
    ];
    let [
        mut x0,
        mut x1,
        mut x2,
        mut x3,
        mut x4,
        mut x5,
        mut x6,
        mut x7,
        mut x8,
        mut x9,
        mut x10,
        mut x11,
        mut x12,
        mut x13,
        mut x14,
        mut x15,
    ] = start;
    for _ in 0..10 {
        // Columns, then rows.
        quarter!(x0, x4, x8, x12);
        quarter!(x5, x9, x13, x1);
        quarter!(x10, x14, x2, x6);
        quarter!(x15, x3, x7, x11);
        quarter!(x0, x1, x2, x3);
        quarter!(x5, x6, x7, x4);
        quarter!(x10, x11, x8, x9);
        quarter!(x15, x12, x13, x14);
    }
    let x = [
        x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15,
    ];
    // Each lane's block is 64 bytes: words 0..4, 4..8, 8..12, 12..16.
    let mut quarters = [[[0u8; 16]; LANES]; 4];
    for ((dst, words), firsts) in quarters
        .iter_mut()
        .zip(x.chunks_exact(4))
        .zip(start.chunks_exact(4))
    {
        let mut rows = [Lanes::splat(0); 4];
        for ((row, word), first) in rows.iter_mut().zip(words).zip(firsts) {
            *row = word.add(*first);
        }
        Lanes::transpose_into(rows, dst);
    }
    for (lane, block) in out.chunks_exact_mut(64).enumerate() {
        for (q, bytes) in block.chunks_exact_mut(16).enumerate() {
            if let Some(src) = quarters.get(q).and_then(|q| q.get(lane)) {
                bytes.copy_from_slice(src);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use salsa20::XSalsa20;
    use salsa20::cipher::{KeyIvInit, StreamCipher};

    use super::*;
    use crate::nacl::poly1305::tag;

    /// Our stream and tag against the `salsa20` crate's XSalsa20 and our
    /// one-shot Poly1305, for many lengths.
    #[test]
    fn matches_the_salsa20_crate() {
        let key = [0x42u8; 32];
        let mut nonce = [0u8; 24];
        for (i, n) in nonce.iter_mut().enumerate() {
            *n = i as u8 * 7;
        }
        for len in [
            0usize, 1, 15, 16, 31, 32, 63, 64, 223, 224, 225, 255, 256, 480, 481, 1000, 4096,
            70_000,
        ] {
            let plain: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut cipher = XSalsa20::new(&key.into(), &nonce.into());
            let mut poly_key = [0u8; 32];
            cipher.apply_keystream(&mut poly_key);
            let mut expected = plain.clone();
            cipher.apply_keystream(&mut expected);
            let expected_tag = tag(&poly_key, &expected);

            let stream = BoxStream::new(&key, &nonce);
            let mut ours = plain.clone();
            let mac = stream.seal(&mut ours);
            assert_eq!(ours, expected, "len {len}");
            assert_eq!(mac, expected_tag, "tag, len {len}");
            assert!(stream.open(&mut ours, &mac), "len {len}");
            assert_eq!(ours, plain, "open, len {len}");

            let mut bad = mac;
            bad[0] ^= 1;
            stream.seal(&mut ours);
            assert!(!stream.open(&mut ours, &bad));
            assert_eq!(ours, expected, "failed open leaves the body, len {len}");
        }
    }
}
