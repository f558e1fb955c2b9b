//! The backends against each other, the `salsa20` crate and the
//! `xsalsa20poly1305` crate.

use salsa20::XSalsa20;
use salsa20::cipher::{KeyIvInit, StreamCipher};

use super::*;
use crate::nacl::poly1305::tag;

/// Every backend this CPU runs, the portable one first.
pub(super) fn backends() -> Vec<Backend> {
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
    let mut all = vec![Backend::Portable];
    #[cfg(target_arch = "x86_64")]
    {
        all.push(Backend::Sse2);
        if std::arch::is_x86_feature_detected!("avx2") {
            all.push(Backend::Avx2);
        }
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("avx512f")
        {
            all.push(Backend::Avx512);
        }
    }
    all
}

/// The portable keystream of blocks `counter ..`, `len` bytes.
fn portable_stream(input: &[u32; 16], counter: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut group = [0u64; MAX_GROUP_WORDS];
    let step = Backend::Portable.group_len();
    let mut block = counter;
    while out.len() < len {
        Backend::Portable.blocks(input, block, &mut group);
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
            backend.blocks(&input, counter, &mut group);
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
                let mac = stream.seal(&mut body);
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

/// `BoxKey` seal and open against the `xsalsa20poly1305` crate, for
/// many lengths.
#[test]
fn matches_the_xsalsa20poly1305_crate() {
    use xsalsa20poly1305::XSalsa20Poly1305;
    use xsalsa20poly1305::aead::{AeadInPlace, KeyInit};

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
        let sealed = ours.seal(&nonce, &plain);
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
            let mac = stream.seal(&mut ours);
            assert_eq!(ours, expected, "{backend:?} len {len}");
            assert_eq!(mac, expected_tag, "tag, {backend:?} len {len}");
            assert!(stream.open(&mut ours, &mac), "{backend:?} len {len}");
            assert_eq!(ours, plain, "open, {backend:?} len {len}");

            let mut bad = mac;
            bad[0] ^= 1;
            stream.seal(&mut ours);
            assert!(!stream.open(&mut ours, &bad));
            assert_eq!(
                ours, expected,
                "failed open leaves the body, {backend:?} len {len}"
            );
        }
    }
}
