//! NaCl's `crypto_box` and `crypto_secretbox`, as CurveZMQ uses them, built
//! from X25519 (`x25519-dalek`), HSalsa20 (`salsa20`), our XSalsa20 stream
//! (`crate::xsalsa20`) and Poly1305 ([`poly1305`]: ours for short boxes,
//! the `poly1305` crate's AVX2 code for long ones):
//!
//! ```text
//!  crypto_box_beforenm(P, s) = HSalsa20(key = X25519(s, P), input = 0^16)
//!  crypto_box(m, n, P, s)    = crypto_secretbox(m, n, beforenm(P, s))
//!  crypto_secretbox(m, n, k) = MAC(16) || XSalsa20(m)   (no zero padding)
//! ```
//! A [`BoxKey`](crate::nacl::BoxKey) is the precomputed 32-byte key; it is wiped on drop.
//!
//! With the `rustcrypto-curve` feature the secretbox is RustCrypto's
//! `crypto_secretbox` (portable XSalsa20, the `poly1305` crate) and our
//! own XSalsa20 and Poly1305 are not built (only for the tests comparing
//! the two).

use salsa20::cipher::consts::U10;
use salsa20::cipher::generic_array::GenericArray;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::MechanismError;

/// Poly1305, the authenticator of a box.
#[cfg(any(test, feature = "fuzzing", not(feature = "rustcrypto-curve")))]
pub(crate) mod poly1305;

/// Bytes a box adds to its plaintext (the Poly1305 tag).
pub const MAC_LEN: usize = 16;
/// Length of a full nonce.
pub const NONCE_LEN: usize = 24;

/// A symmetric box key: a `crypto_box_beforenm` result or a secretbox key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct BoxKey([u8; 32]);

impl core::fmt::Debug for BoxKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("BoxKey(..)")
    }
}

impl BoxKey {
    /// A secretbox key from raw bytes (the CURVE cookie key).
    pub fn from_secret_bytes(bytes: [u8; 32]) -> BoxKey {
        BoxKey(bytes)
    }

    /// `crypto_box_beforenm(their_public, our_secret)`. `None` when the
    /// shared point is all zero (a low-order public key), which libsodium
    /// refuses too.
    pub fn precompute(their_public: &[u8; 32], our_secret: &StaticSecret) -> Option<BoxKey> {
        let shared = our_secret.diffie_hellman(&PublicKey::from(*their_public));
        if !shared.was_contributory() {
            return None;
        }
        let mut derived = salsa20::hsalsa::<U10>(
            GenericArray::from_slice(shared.as_bytes()),
            &GenericArray::default(),
        );
        let mut key = BoxKey([0u8; 32]);
        key.0.copy_from_slice(&derived);
        derived.as_mut_slice().zeroize();
        Some(key)
    }

    /// Boxes `plaintext`: `MAC || ciphertext`, `plaintext.len() + 16` bytes.
    /// Fails only on a broken internal invariant
    /// ([`MechanismError::Internal`]), never for any input.
    pub fn seal(
        &self,
        nonce: &[u8; NONCE_LEN],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, MechanismError> {
        let mut out = vec![0u8; MAC_LEN + plaintext.len()];
        let (mac, body) = out.split_at_mut(MAC_LEN);
        let mac: &mut [u8; MAC_LEN] = mac.try_into().map_err(|_| MechanismError::Internal {
            what: "secretbox tag slot",
        })?;
        body.copy_from_slice(plaintext);
        self.seal_in_place(nonce, body, mac)?;
        Ok(out)
    }

    /// Encrypts `body` in place and writes its tag to `mac`. Fails only on
    /// a broken internal invariant ([`MechanismError::Internal`]; `body`
    /// and `mac` must then not be sent).
    pub fn seal_in_place(
        &self,
        nonce: &[u8; NONCE_LEN],
        body: &mut [u8],
        mac: &mut [u8; MAC_LEN],
    ) -> Result<(), MechanismError> {
        *mac = self.seal_detached(nonce, body)?;
        Ok(())
    }

    /// Our secretbox: the SIMD XSalsa20 and Poly1305 of `crate::xsalsa20`.
    #[cfg(not(feature = "rustcrypto-curve"))]
    fn seal_detached(
        &self,
        nonce: &[u8; NONCE_LEN],
        body: &mut [u8],
    ) -> Result<[u8; MAC_LEN], MechanismError> {
        crate::xsalsa20::BoxStream::new(&self.0, nonce)
            .seal(body)
            .ok_or(MechanismError::Internal {
                what: "XSalsa20 keystream",
            })
    }

    /// RustCrypto's secretbox (`crypto_secretbox`).
    #[cfg(feature = "rustcrypto-curve")]
    fn seal_detached(
        &self,
        nonce: &[u8; NONCE_LEN],
        body: &mut [u8],
    ) -> Result<[u8; MAC_LEN], MechanismError> {
        use crypto_secretbox::aead::{AeadInPlace, KeyInit};
        crypto_secretbox::XSalsa20Poly1305::new((&self.0).into())
            .encrypt_in_place_detached(nonce.into(), b"", body)
            .map(Into::into)
            .map_err(|_| MechanismError::Internal {
                what: "crypto_secretbox seal",
            })
    }

    /// Opens a `MAC || ciphertext` box; `None` when it does not verify.
    pub fn open(&self, nonce: &[u8; NONCE_LEN], boxed: &[u8]) -> Option<Vec<u8>> {
        let (mac, ciphertext) = boxed.split_first_chunk::<MAC_LEN>()?;
        let mut plain = ciphertext.to_vec();
        self.open_in_place(nonce, mac, &mut plain)?;
        Some(plain)
    }

    /// Decrypts `body` in place if `mac` verifies (checked in constant
    /// time); otherwise `body` is left as it was and `None` is returned.
    pub fn open_in_place(
        &self,
        nonce: &[u8; NONCE_LEN],
        mac: &[u8; MAC_LEN],
        body: &mut [u8],
    ) -> Option<()> {
        #[cfg(not(feature = "rustcrypto-curve"))]
        {
            crate::xsalsa20::BoxStream::new(&self.0, nonce)
                .open(body, mac)
                .then_some(())
        }
        #[cfg(feature = "rustcrypto-curve")]
        {
            use crypto_secretbox::aead::{AeadInPlace, KeyInit};
            // Checks the tag before decrypting: a failed open leaves
            // `body` as it was.
            crypto_secretbox::XSalsa20Poly1305::new((&self.0).into())
                .decrypt_in_place_detached(nonce.into(), b"", body, mac.into())
                .ok()
        }
    }
}

/// A 24-byte nonce: a 16-byte prefix and an 8-byte big-endian counter
/// (short nonces), or an 8-byte prefix and 16 random bytes (long nonces).
pub fn short_nonce(prefix: &[u8; 16], counter: u64) -> [u8; NONCE_LEN] {
    let mut nonce = [0u8; NONCE_LEN];
    nonce[..16].copy_from_slice(prefix);
    nonce[16..].copy_from_slice(&counter.to_be_bytes());
    nonce
}

/// A long nonce: 8-byte prefix then the 16 bytes of `tail`.
pub fn long_nonce(prefix: &[u8; 8], tail: &[u8; 16]) -> [u8; NONCE_LEN] {
    let mut nonce = [0u8; NONCE_LEN];
    nonce[..8].copy_from_slice(prefix);
    nonce[8..].copy_from_slice(tail);
    nonce
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn key32(s: &str) -> [u8; 32] {
        hex(s).try_into().unwrap()
    }

    // The crypto_box example of "Cryptography in NaCl" (Bernstein), also
    // libsodium's test/default/box.c: Alice's secret key, Bob's public key,
    // the nonce, and the first bytes of the 131-byte message and box.
    const ALICE_SK: &str = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    const BOB_PK: &str = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    const NONCE: &str = "69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37";
    const BEFORENM: &str = "1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389";

    #[test]
    fn nacl_beforenm_vector() {
        let k = BoxKey::precompute(&key32(BOB_PK), &StaticSecret::from(key32(ALICE_SK))).unwrap();
        assert_eq!(k.0.to_vec(), hex(BEFORENM));
    }

    #[test]
    fn nacl_box_vector() {
        let k = BoxKey::precompute(&key32(BOB_PK), &StaticSecret::from(key32(ALICE_SK))).unwrap();
        let nonce: [u8; 24] = hex(NONCE).try_into().unwrap();
        let message = hex(concat!(
            "be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffc",
            "e5ecbaaf33bd751a1ac728d45e6c61296cdc3c01233561f41db66cce314adb31",
            "0e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde",
            "048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f93776384864",
            "5e0705"
        ));
        let expected = hex(concat!(
            "f3ffc7703f9400e52a7dfb4b3d3305d9",
            "8e993b9f48681273c29650ba32fc76ce48332ea7164d96a4476fb8c531a1186a",
            "c0dfc17c98dce87b4da7f011ec48c97271d2c20f9b928fe2270d6fb863d51738",
            "b48eeee314a7cc8ab932164548e526ae90224368517acfeabd6bb3732bc0e9da",
            "99832b61ca01b6de56244a9e88d5f9b37973f622a43d14a6599b1f654cb45a74",
            "e355a5"
        ));
        let sealed = k.seal(&nonce, &message).unwrap();
        assert_eq!(sealed, expected);
        assert_eq!(k.open(&nonce, &sealed).unwrap(), message);
        let mut tampered = sealed.clone();
        tampered[40] ^= 1;
        assert!(k.open(&nonce, &tampered).is_none());
        assert!(k.open(&nonce, &sealed[..10]).is_none());
    }

    #[test]
    fn both_directions_share_a_key() {
        let a = StaticSecret::from([7u8; 32]);
        let b = StaticSecret::from([9u8; 32]);
        let ab = BoxKey::precompute(PublicKey::from(&b).as_bytes(), &a).unwrap();
        let ba = BoxKey::precompute(PublicKey::from(&a).as_bytes(), &b).unwrap();
        assert_eq!(ab.0, ba.0);
        assert!(BoxKey::precompute(&[0u8; 32], &a).is_none());
    }

    #[test]
    fn nonce_layouts() {
        let n = short_nonce(b"CurveZMQMESSAGEC", 0x0102);
        assert_eq!(&n[..16], b"CurveZMQMESSAGEC");
        assert_eq!(&n[16..], &[0, 0, 0, 0, 0, 0, 1, 2]);
        let n = long_nonce(b"COOKIE--", &[5; 16]);
        assert_eq!(&n[..8], b"COOKIE--");
        assert_eq!(&n[8..], &[5; 16]);
    }
}
