//! Poly1305 (RFC 8439 §2.5), the one-time authenticator of a secretbox,
//! in three 44/44/42-bit limbs with 128-bit products: about one
//! multiplication-accumulate chain per 16-byte block, no tables, no
//! branches on data. The `poly1305` crate's AVX2 backend measured slower
//! here (its intrinsics were not inlined), hence our own.
//!
//! ```text
//!  r = key[0..16] clamped, s = key[16..32]
//!  h = 0; for each 16-byte block m (the last may be short):
//!      h = (h + m + 2^(8·len(m))) · r  mod 2^130 − 5
//!  tag = (h + s) mod 2^128
//! ```

use zeroize::Zeroize;

/// The authenticator's block size.
pub(crate) const BLOCK_LEN: usize = 16;
/// The tag size.
pub(crate) const TAG_LEN: usize = 16;

const MASK44: u64 = (1 << 44) - 1;
const MASK42: u64 = (1 << 42) - 1;

/// A running Poly1305 computation; feed whole blocks with
/// [`Poly1305::blocks`] and the rest with [`Poly1305::finish`].
pub(crate) struct Poly1305 {
    r: [u64; 3],
    /// `r1 · 20`, `r2 · 20`: the reduction folded into the multiplier.
    s: [u64; 2],
    h: [u64; 3],
    pad: [u64; 2],
}

fn le64(bytes: &[u8; 16], half: usize) -> u64 {
    let mut w = [0u8; 8];
    if let Some(src) = bytes.get(8 * half..8 * half + 8) {
        w.copy_from_slice(src);
    }
    u64::from_le_bytes(w)
}

impl Poly1305 {
    /// Starts with the 32-byte one-time key.
    pub(crate) fn new(key: &[u8; 32]) -> Poly1305 {
        let mut r_bytes = [0u8; 16];
        let mut s_bytes = [0u8; 16];
        r_bytes.copy_from_slice(&key[..16]);
        s_bytes.copy_from_slice(&key[16..]);
        let t0 = le64(&r_bytes, 0);
        let t1 = le64(&r_bytes, 1);
        let r0 = t0 & 0xffc_0fff_ffff;
        let r1 = ((t0 >> 44) | (t1 << 20)) & 0xfff_ffc0_ffff;
        let r2 = (t1 >> 24) & 0x000f_ffff_fc0f;
        let pad = [le64(&s_bytes, 0), le64(&s_bytes, 1)];
        r_bytes.zeroize();
        s_bytes.zeroize();
        Poly1305 {
            r: [r0, r1, r2],
            s: [r1 * 20, r2 * 20],
            h: [0; 3],
            pad,
        }
    }

    /// One block `m` with the high bit `hibit` (`1 << 40` for a full
    /// block, 0 for a padded last one).
    #[inline(always)]
    fn block(&mut self, m: &[u8; 16], hibit: u64) {
        let [r0, r1, r2] = self.r;
        let [s1, s2] = self.s;
        let t0 = le64(m, 0);
        let t1 = le64(m, 1);
        let h0 = self.h[0] + (t0 & MASK44);
        let h1 = self.h[1] + (((t0 >> 44) | (t1 << 20)) & MASK44);
        let h2 = self.h[2] + (((t1 >> 24) & MASK42) | hibit);
        let m = |a: u64, b: u64| u128::from(a) * u128::from(b);
        let d0 = m(h0, r0) + m(h1, s2) + m(h2, s1);
        let mut d1 = m(h0, r1) + m(h1, r0) + m(h2, s2);
        let mut d2 = m(h0, r2) + m(h1, r1) + m(h2, r0);
        let mut c = (d0 >> 44) as u64;
        let mut h0 = d0 as u64 & MASK44;
        d1 += u128::from(c);
        c = (d1 >> 44) as u64;
        let h1 = d1 as u64 & MASK44;
        d2 += u128::from(c);
        c = (d2 >> 42) as u64;
        let h2 = d2 as u64 & MASK42;
        h0 += c * 5;
        c = h0 >> 44;
        h0 &= MASK44;
        self.h = [h0, h1 + c, h2];
    }

    /// Absorbs `data`, a whole number of blocks (a partial tail is
    /// ignored: callers pass it to [`Poly1305::finish`]).
    pub(crate) fn blocks(&mut self, data: &[u8]) {
        for chunk in data.chunks_exact(BLOCK_LEN) {
            let mut m = [0u8; 16];
            m.copy_from_slice(chunk);
            self.block(&m, 1 << 40);
        }
    }

    /// Absorbs the last `tail` (under 16 bytes, possibly empty) and
    /// returns the tag.
    pub(crate) fn finish(mut self, tail: &[u8]) -> [u8; TAG_LEN] {
        if !tail.is_empty() && tail.len() < BLOCK_LEN {
            let mut m = [0u8; 16];
            m[..tail.len()].copy_from_slice(tail);
            m[tail.len()] = 1;
            self.block(&m, 0);
        }
        let [mut h0, mut h1, mut h2] = self.h;
        // Full carry.
        let mut c = h1 >> 44;
        h1 &= MASK44;
        h2 += c;
        c = h2 >> 42;
        h2 &= MASK42;
        h0 += c * 5;
        c = h0 >> 44;
        h0 &= MASK44;
        h1 += c;
        c = h1 >> 44;
        h1 &= MASK44;
        h2 += c;
        c = h2 >> 42;
        h2 &= MASK42;
        h0 += c * 5;
        c = h0 >> 44;
        h0 &= MASK44;
        h1 += c;
        // g = h + 5 − 2^130; take it when it does not borrow (h ≥ p).
        let mut g0 = h0 + 5;
        c = g0 >> 44;
        g0 &= MASK44;
        let mut g1 = h1 + c;
        c = g1 >> 44;
        g1 &= MASK44;
        let g2 = (h2 + c).wrapping_sub(1 << 42);
        let take_g = (g2 >> 63).wrapping_sub(1);
        let keep_h = !take_g;
        h0 = (h0 & keep_h) | (g0 & take_g);
        h1 = (h1 & keep_h) | (g1 & take_g);
        h2 = (h2 & keep_h) | (g2 & take_g);
        // h + pad mod 2^128.
        let lo = u128::from(h0) | (u128::from(h1) << 44) | (u128::from(h2) << 88);
        let pad = u128::from(self.pad[0]) | (u128::from(self.pad[1]) << 64);
        lo.wrapping_add(pad).to_le_bytes()
    }
}

impl Drop for Poly1305 {
    fn drop(&mut self) {
        self.r.zeroize();
        self.s.zeroize();
        self.h.zeroize();
        self.pad.zeroize();
    }
}

/// The tag of `data` under `key`, in one call.
#[cfg(test)]
pub(crate) fn tag(key: &[u8; 32], data: &[u8]) -> [u8; TAG_LEN] {
    let whole = data.len() - data.len() % BLOCK_LEN;
    let mut p = Poly1305::new(key);
    p.blocks(&data[..whole]);
    p.finish(&data[whole..])
}

#[cfg(test)]
mod tests {
    use poly1305::universal_hash::KeyInit;

    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 8439 §2.5.2.
    #[test]
    fn rfc8439_vector() {
        let key: [u8; 32] = hex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b")
            .try_into()
            .unwrap();
        let tag = tag(&key, b"Cryptographic Forum Research Group");
        assert_eq!(tag.to_vec(), hex("a8061dc1305136c6c22b8baf0c0127a9"));
    }

    /// Edge values: h near 2^130 − 5, all-ones keys and messages.
    #[test]
    fn matches_the_poly1305_crate() {
        let mut keys = vec![[0xffu8; 32], [0u8; 32], [0x5au8; 32]];
        let mut k = [0u8; 32];
        for (i, b) in k.iter_mut().enumerate() {
            *b = (i * 37 + 11) as u8;
        }
        keys.push(k);
        for key in keys {
            for len in [0usize, 1, 15, 16, 17, 31, 32, 33, 64, 100, 1000, 4099] {
                for fill in [0u8, 0xff, 0x3c] {
                    let data = vec![fill; len];
                    let expected = poly1305::Poly1305::new(&key.into()).compute_unpadded(&data);
                    assert_eq!(tag(&key, &data).to_vec(), expected.to_vec(), "{len} {fill}");
                }
            }
        }
    }
}
