//! The backends against each other, the `salsa20` crate and the
//! `crypto_secretbox` crate (fixed cases, then property tests).

use salsa20::XSalsa20;
use salsa20::cipher::{KeyIvInit, StreamCipher};

use super::*;
use crate::nacl::poly1305::tag;

/// The portable keystream of blocks `counter ..`, `len` bytes.
fn portable_stream(input: &[u32; 16], counter: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut group = [0u64; MAX_GROUP_WORDS];
    let step = Backend::Portable.group_len();
    let mut block = counter;
    while out.len() < len {
        assert!(Backend::Portable.blocks(input, block, &mut group));
        out.extend(group[..step / 8].iter().flat_map(|w| w.to_le_bytes()));
        block = block.wrapping_add((step / 64) as u64);
    }
    out.truncate(len);
    out
}

/// Every backend's group against the portable blocks, at counters that
/// carry into the high word and wrap around.
#[test]
fn backends_agree_on_blocks() {
    let stream = BoxStream::with_backend(Backend::Portable, &[0x17; 32], &[0xa5; 24]);
    let input = stream.input;
    for backend in backends() {
        let len = backend.group_len();
        for counter in [
            0u64,
            1,
            4,
            8,
            1000,
            0xffff_fffa,
            0xffff_fffc,
            0xffff_ffff,
            0x1_0000_0000,
            u64::MAX - 3,
            u64::MAX,
        ] {
            let mut group = [0u64; MAX_GROUP_WORDS];
            assert!(backend.blocks(&input, counter, &mut group));
            let ours: Vec<u8> = group.iter().flat_map(|w| w.to_le_bytes()).collect();
            let expected = portable_stream(&input, counter, len);
            assert_eq!(&ours[..len], &expected[..], "{backend:?} at {counter}");
        }
    }
}

/// Whole boxes (keystream and tag) on every backend, for lengths around
/// every group boundary.
#[test]
fn backends_agree_on_boxes() {
    let lengths = [
        0usize, 1, 31, 32, 33, 63, 64, 65, 223, 224, 225, 255, 256, 257, 479, 480, 481, 511, 512,
        513, 1023, 1024, 1025, 4103, 65_536,
    ];
    for (k, nonce) in [[0u8; 24], [0xffu8; 24], [0x5a; 24]].iter().enumerate() {
        let key = [k as u8 * 31 + 1; 32];
        for len in lengths {
            let plain: Vec<u8> = (0..len).map(|i| (i * 7 % 256) as u8).collect();
            let mut reference: Option<(Vec<u8>, [u8; 16])> = None;
            for backend in backends() {
                let mut stream = BoxStream::with_backend(backend, &key, nonce);
                let mut body = plain.clone();
                let mac = stream.seal(&mut body).unwrap();
                match &reference {
                    None => reference = Some((body.clone(), mac)),
                    Some((r_body, r_mac)) => {
                        assert!(body == *r_body, "{backend:?} body, len {len}");
                        assert_eq!(mac, *r_mac, "{backend:?} tag, len {len}");
                    }
                }
                assert!(stream.open(&mut body, &mac), "{backend:?} len {len}");
                assert!(body == plain, "{backend:?} open, len {len}");
            }
        }
    }
}

/// `BoxKey` seal and open against the `crypto_secretbox` crate, for
/// many lengths.
#[test]
fn matches_the_crypto_secretbox_crate() {
    use crypto_secretbox::XSalsa20Poly1305;
    use crypto_secretbox::aead::{AeadInPlace, KeyInit};

    use crate::nacl::BoxKey;

    let key_bytes = [0x3cu8; 32];
    let theirs = XSalsa20Poly1305::new(&key_bytes.into());
    let ours = BoxKey::from_secret_bytes(key_bytes);
    let lengths = (0..=1100).chain([4095, 4096, 4097, 65_535, 65_536, 65_537, 100_003]);
    for len in lengths {
        let mut nonce = [0u8; 24];
        for (i, n) in nonce.iter_mut().enumerate() {
            *n = (i * 13 + len) as u8;
        }
        let plain: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
        let mut expected = plain.clone();
        let expected_tag = theirs
            .encrypt_in_place_detached(&nonce.into(), b"", &mut expected)
            .unwrap();
        let sealed = ours.seal(&nonce, &plain).unwrap();
        assert_eq!(&sealed[..16], expected_tag.as_slice(), "tag, len {len}");
        assert!(sealed[16..] == expected[..], "body, len {len}");
        assert!(
            ours.open(&nonce, &sealed).is_some_and(|p| p == plain),
            "open, len {len}"
        );
        if len > 0 {
            let mut bad = sealed.clone();
            bad[16 + len / 2] ^= 0x80;
            assert!(ours.open(&nonce, &bad).is_none(), "forged, len {len}");
        }
    }
}

/// Our stream and tag against the `salsa20` crate's XSalsa20 and our
/// one-shot Poly1305, for many lengths, on every backend.
#[test]
fn matches_the_salsa20_crate() {
    let key = [0x42u8; 32];
    let mut nonce = [0u8; 24];
    for (i, n) in nonce.iter_mut().enumerate() {
        *n = i as u8 * 7;
    }
    for len in [
        0usize, 1, 15, 16, 31, 32, 63, 64, 223, 224, 225, 255, 256, 480, 481, 1000, 4096, 70_000,
    ] {
        let plain: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let mut cipher = XSalsa20::new(&key.into(), &nonce.into());
        let mut poly_key = [0u8; 32];
        cipher.apply_keystream(&mut poly_key);
        let mut expected = plain.clone();
        cipher.apply_keystream(&mut expected);
        let expected_tag = tag(&poly_key, &expected);

        for backend in backends() {
            let mut stream = BoxStream::with_backend(backend, &key, &nonce);
            let mut ours = plain.clone();
            let mac = stream.seal(&mut ours).unwrap();
            assert_eq!(ours, expected, "{backend:?} len {len}");
            assert_eq!(mac, expected_tag, "tag, {backend:?} len {len}");
            assert!(stream.open(&mut ours, &mac), "{backend:?} len {len}");
            assert_eq!(ours, plain, "open, {backend:?} len {len}");

            let mut bad = mac;
            bad[0] ^= 1;
            stream.seal(&mut ours).unwrap();
            assert!(!stream.open(&mut ours, &bad));
            assert_eq!(
                ours, expected,
                "failed open leaves the body, {backend:?} len {len}"
            );
        }
    }
}

/// Property tests: our secretbox on every backend this CPU runs (and the
/// portable one) against RustCrypto's `crypto_secretbox`, on random keys,
/// nonces, messages and lengths up to 70 000 bytes, with most lengths
/// near a boundary: the 16-byte Poly1305 block, the 64-byte Salsa20
/// block, each backend's group (256, 512 and 1024 bytes, the first one
/// 32 bytes shorter for the Poly1305 key), and the 4 KiB switch to the
/// vector Poly1305. `PROPTEST_CASES` sets the case count (256).
mod properties {
    use crypto_secretbox::XSalsa20Poly1305;
    use crypto_secretbox::aead::{AeadInPlace, KeyInit};
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::*;
    use crate::nacl::BoxKey;
    use crate::nacl::poly1305::VECTOR_FROM_LEN;

    const MAX_LEN: usize = 70_000;

    /// Message lengths where a boundary lies: `k · group − 32` and
    /// `k · group` for every group size, the Poly1305 switch, 64 KiB.
    fn boundaries() -> Vec<usize> {
        let mut all = vec![0, BLOCK_LEN, POLY_KEY_LEN, 64, 65_536, MAX_LEN];
        for group in [64usize, 256, 512, 1024] {
            for k in 1..=5 {
                all.extend([k * group - POLY_KEY_LEN, k * group]);
            }
        }
        all.extend([
            VECTOR_FROM_LEN,
            VECTOR_FROM_LEN - POLY_KEY_LEN,
            VECTOR_FROM_LEN + 1024 - POLY_KEY_LEN,
            65_536 - POLY_KEY_LEN,
        ]);
        all
    }

    /// A length: a quarter uniform in `0..=70 000`, a sixth short, the
    /// rest within 40 bytes of a boundary.
    fn length() -> impl Strategy<Value = usize> {
        prop_oneof![
            3 => 0..=MAX_LEN,
            2 => 0usize..=300,
            7 => (select(boundaries()), -40i64..=40)
                .prop_map(|(at, delta)| (at as i64 + delta).clamp(0, MAX_LEN as i64) as usize),
        ]
    }

    /// `len` pseudo-random bytes from `seed` (xorshift64*; proptest's
    /// own byte vectors of 70 000 elements would be slow).
    fn message(seed: u64, len: usize) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x >> 12;
                x ^= x << 25;
                x ^= x >> 27;
                (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
            })
            .collect()
    }

    /// Flips bit `bit` of byte `at` of `tag || body`.
    fn tamper(tag: &mut [u8; 16], body: &mut [u8], at: usize, bit: u8) {
        let mask = 1u8 << (bit % 8);
        let at = at % (tag.len() + body.len());
        match at.checked_sub(tag.len()) {
            None => tag[at] ^= mask,
            Some(i) => body[i] ^= mask,
        }
    }

    // 256 cases, or `PROPTEST_CASES`.
    proptest! {
        /// Same ciphertext and tag as `crypto_secretbox` on every backend;
        /// each opens the other's box; one flipped bit anywhere in tag or
        /// body makes both refuse it (ours leaving the body as it was).
        #[test]
        fn every_backend_matches_crypto_secretbox(
            key in any::<[u8; 32]>(),
            nonce in any::<[u8; 24]>(),
            len in length(),
            seed in any::<u64>(),
            at in any::<usize>(),
            bit in any::<u8>(),
        ) {
            let plain = message(seed, len);
            let theirs = XSalsa20Poly1305::new(&key.into());
            let mut expected = plain.clone();
            let expected_tag: [u8; 16] = theirs
                .encrypt_in_place_detached(&nonce.into(), b"", &mut expected)
                .unwrap()
                .into();
            let (mut bad_tag, mut bad_body) = (expected_tag, expected.clone());
            tamper(&mut bad_tag, &mut bad_body, at, bit);
            let mut theirs_on_bad = bad_body.clone();
            prop_assert!(theirs
                .decrypt_in_place_detached(
                    &nonce.into(), b"", &mut theirs_on_bad, &bad_tag.into())
                .is_err());

            for backend in backends() {
                let mut body = plain.clone();
                let tag = BoxStream::with_backend(backend, &key, &nonce)
                    .seal(&mut body)
                    .unwrap();
                prop_assert!(body == expected, "{:?} body, len {}", backend, len);
                prop_assert_eq!(tag, expected_tag, "{:?} tag, len {}", backend, len);

                let mut ours_on_bad = bad_body.clone();
                prop_assert!(!BoxStream::with_backend(backend, &key, &nonce)
                    .open(&mut ours_on_bad, &bad_tag));
                prop_assert!(ours_on_bad == bad_body, "{:?} failed open, len {}", backend, len);

                // Theirs opens ours, ours opens theirs.
                let mut opened = body.clone();
                prop_assert!(theirs
                    .decrypt_in_place_detached(&nonce.into(), b"", &mut opened, &tag.into())
                    .is_ok());
                prop_assert!(opened == plain);
                prop_assert!(BoxStream::with_backend(backend, &key, &nonce)
                    .open(&mut body, &expected_tag));
                prop_assert!(body == plain, "{:?} open, len {}", backend, len);
            }

            // The public `BoxKey`, whichever secretbox this build uses.
            let ours = BoxKey::from_secret_bytes(key);
            let sealed = ours.seal(&nonce, &plain).unwrap();
            prop_assert_eq!(&sealed[..16], &expected_tag[..]);
            prop_assert!(sealed[16..] == expected[..]);
            prop_assert!(ours.open(&nonce, &sealed).is_some_and(|p| p == plain));
            let mut bad = bad_tag.to_vec();
            bad.extend_from_slice(&bad_body);
            prop_assert!(ours.open(&nonce, &bad).is_none());
        }
    }
}
