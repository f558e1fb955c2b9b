//! The XSalsa20 stream cipher for `crypto_secretbox`, four Salsa20 blocks
//! at a time. The state is held word-major with one lane per block
//! (`[[u32; 4]; 16]`), so every round operation is a 4-lane add, xor or
//! rotate that the compiler turns into SSE2 instructions (baseline on
//! x86_64, NEON on aarch64) without `unsafe` or target flags. The
//! `salsa20` crate computes one block at a time.
//!
//! ```text
//!  subkey = HSalsa20(key, nonce[0..16])
//!  stream = Salsa20(subkey, nonce[16..24]), blocks 0, 1, 2, ...
//!  stream[0..32]  = the Poly1305 key of the box
//!  stream[32..]   = xored with the message
//! ```

use salsa20::cipher::consts::U10;
use xsalsa20poly1305::aead::generic_array::GenericArray;
use zeroize::Zeroize;

/// Salsa20 blocks computed per call.
const LANES: usize = 4;
/// Bytes of keystream per call.
const GROUP_LEN: usize = 64 * LANES;
/// Keystream bytes before the message: the Poly1305 key.
const POLY_KEY_LEN: usize = 32;

type Lanes = [u32; LANES];

/// The keystream of one box: the Salsa20 input words and the first four
/// blocks (which hold the Poly1305 key).
pub(crate) struct BoxStream {
    input: [u32; 16],
    first: [u8; GROUP_LEN],
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

    /// The Poly1305 key (keystream bytes 0..32).
    pub(crate) fn poly_key(&self) -> &[u8] {
        &self.first[..POLY_KEY_LEN]
    }

    /// Xors `data` with the keystream from byte 32 on.
    pub(crate) fn apply(&self, data: &mut [u8]) {
        let split = data.len().min(GROUP_LEN - POLY_KEY_LEN);
        let (head, rest) = data.split_at_mut(split);
        xor(head, &self.first[POLY_KEY_LEN..]);
        let mut group = [0u8; GROUP_LEN];
        let mut counter = LANES as u64;
        for chunk in rest.chunks_mut(GROUP_LEN) {
            blocks(&self.input, counter, &mut group);
            xor(chunk, &group);
            counter += LANES as u64;
        }
        group.zeroize();
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

#[inline(always)]
fn add(a: Lanes, b: Lanes) -> Lanes {
    [
        a[0].wrapping_add(b[0]),
        a[1].wrapping_add(b[1]),
        a[2].wrapping_add(b[2]),
        a[3].wrapping_add(b[3]),
    ]
}

#[inline(always)]
fn xor_rotl(x: &mut Lanes, v: Lanes, bits: u32) {
    for (x, v) in x.iter_mut().zip(v) {
        *x ^= v.rotate_left(bits);
    }
}

/// The Salsa20 quarter round on words `a`, `b`, `c`, `d` of all lanes.
#[inline(always)]
fn quarter(x: &mut [Lanes; 16], a: usize, b: usize, c: usize, d: usize) {
    let v = add(x[a], x[d]);
    xor_rotl(&mut x[b], v, 7);
    let v = add(x[b], x[a]);
    xor_rotl(&mut x[c], v, 9);
    let v = add(x[c], x[b]);
    xor_rotl(&mut x[d], v, 13);
    let v = add(x[d], x[c]);
    xor_rotl(&mut x[a], v, 18);
}

/// Salsa20/20 blocks `counter .. counter + 4` of `input` into `out`.
fn blocks(input: &[u32; 16], counter: u64, out: &mut [u8; GROUP_LEN]) {
    let mut x = [[0u32; LANES]; 16];
    for (lanes, word) in x.iter_mut().zip(input) {
        *lanes = [*word; LANES];
    }
    let mut blocks_of_lanes = [0u64; LANES];
    for (lane, block) in blocks_of_lanes.iter_mut().enumerate() {
        *block = counter.wrapping_add(lane as u64);
    }
    x[8] = blocks_of_lanes.map(|b| b as u32);
    x[9] = blocks_of_lanes.map(|b| (b >> 32) as u32);
    let start = x;
    for _ in 0..10 {
        quarter(&mut x, 0, 4, 8, 12);
        quarter(&mut x, 5, 9, 13, 1);
        quarter(&mut x, 10, 14, 2, 6);
        quarter(&mut x, 15, 3, 7, 11);
        quarter(&mut x, 0, 1, 2, 3);
        quarter(&mut x, 5, 6, 7, 4);
        quarter(&mut x, 10, 11, 8, 9);
        quarter(&mut x, 15, 12, 13, 14);
    }
    for (lane, block) in out.chunks_exact_mut(64).enumerate() {
        for (i, bytes) in block.chunks_exact_mut(4).enumerate() {
            let w = x[i][lane].wrapping_add(start[i][lane]);
            bytes.copy_from_slice(&w.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use salsa20::XSalsa20;
    use salsa20::cipher::{KeyIvInit, StreamCipher};

    use super::*;

    /// Our stream against the `salsa20` crate's XSalsa20 for many lengths.
    #[test]
    fn matches_the_salsa20_crate() {
        let key = [0x42u8; 32];
        let mut nonce = [0u8; 24];
        for (i, n) in nonce.iter_mut().enumerate() {
            *n = i as u8 * 7;
        }
        for len in [
            0usize, 1, 31, 32, 63, 64, 223, 224, 225, 255, 256, 480, 481, 1000, 4096, 70_000,
        ] {
            let mut expected = vec![0u8; POLY_KEY_LEN + len];
            for (i, b) in expected.iter_mut().enumerate() {
                *b = (i % 251) as u8;
            }
            let mut ours = expected[POLY_KEY_LEN..].to_vec();
            let mut cipher = XSalsa20::new(&key.into(), &nonce.into());
            let mut poly = expected[..POLY_KEY_LEN].to_vec();
            cipher.apply_keystream(&mut poly);
            let mut rest = expected[POLY_KEY_LEN..].to_vec();
            cipher.apply_keystream(&mut rest);
            expected[..POLY_KEY_LEN].copy_from_slice(&poly);
            expected[POLY_KEY_LEN..].copy_from_slice(&rest);
            let stream = BoxStream::new(&key, &nonce);
            stream.apply(&mut ours);
            assert_eq!(ours, expected[POLY_KEY_LEN..], "len {len}");
            let zeros_xored: Vec<u8> = (0..POLY_KEY_LEN).map(|i| (i % 251) as u8).collect();
            let poly_key: Vec<u8> = stream
                .poly_key()
                .iter()
                .zip(&zeros_xored)
                .map(|(a, b)| a ^ b)
                .collect();
            assert_eq!(poly_key, expected[..POLY_KEY_LEN], "poly key, len {len}");
        }
    }
}
