//! Our XSalsa20-Poly1305 (every Salsa20 backend this CPU runs, and the
//! portable one) against RustCrypto's `crypto_secretbox`: the same
//! ciphertext and tag for any key, nonce and message of 0 to 70 000
//! bytes (most lengths near a Poly1305, Salsa20 or backend group
//! boundary, or the 4 KiB switch to the vector Poly1305), each opens the
//! other's box, and one flipped bit makes both refuse it.
//!
//! Input: key (32) || nonce (24) || length selector (4) || tamper (4) ||
//! message seed (the rest, repeated to the length).
#![no_main]

use crypto_secretbox::XSalsa20Poly1305;
use crypto_secretbox::aead::{AeadInPlace, KeyInit};
use libfuzzer_sys::fuzz_target;
use zmq_mechanisms::fuzzing::secretboxes;

const MAX_LEN: usize = 70_000;
const HEADER_LEN: usize = 32 + 24 + 4 + 4;

/// Message lengths where a boundary lies (as in the crate's property
/// tests): `k · group − 32` and `k · group` for 64-byte blocks and the
/// 256, 512 and 1024-byte groups, the 4 KiB Poly1305 switch, 64 KiB.
fn boundaries() -> Vec<usize> {
    let mut all = vec![0, 16, 32, 64, 4096, 4064, 5056, 65_504, 65_536, MAX_LEN];
    for group in [64usize, 256, 512, 1024] {
        for k in 1..=5 {
            all.extend([k * group - 32, k * group]);
        }
    }
    all
}

/// A length from the selector: one in four anywhere, the rest within 40
/// bytes of a boundary.
fn length(selector: u32) -> usize {
    let rest = (selector >> 2) as usize;
    if selector % 4 == 0 {
        return rest % (MAX_LEN + 1);
    }
    let bounds = boundaries();
    let at = bounds[rest % bounds.len()];
    let delta = (rest / bounds.len()) % 81;
    (at + delta).saturating_sub(40).min(MAX_LEN)
}

fuzz_target!(|input: &[u8]| {
    let Some((header, seed)) = input.split_first_chunk::<HEADER_LEN>() else {
        return;
    };
    let key: [u8; 32] = header[..32].try_into().unwrap();
    let nonce: [u8; 24] = header[32..56].try_into().unwrap();
    let len = length(u32::from_le_bytes(header[56..60].try_into().unwrap()));
    let tamper = u32::from_le_bytes(header[60..64].try_into().unwrap()) as usize;
    let plain: Vec<u8> = if seed.is_empty() {
        vec![0; len]
    } else {
        seed.iter().copied().cycle().take(len).collect()
    };

    let theirs = XSalsa20Poly1305::new(&key.into());
    let mut expected = plain.clone();
    let expected_tag: [u8; 16] = theirs
        .encrypt_in_place_detached(&nonce.into(), b"", &mut expected)
        .unwrap()
        .into();
    let (mut bad_tag, mut bad_body) = (expected_tag, expected.clone());
    let at = tamper % (16 + len);
    let mask = 1u8 << (tamper >> 29);
    match at.checked_sub(16) {
        None => bad_tag[at] ^= mask,
        Some(i) => bad_body[i] ^= mask,
    }
    let mut theirs_on_bad = bad_body.clone();
    assert!(
        theirs
            .decrypt_in_place_detached(&nonce.into(), b"", &mut theirs_on_bad, &bad_tag.into())
            .is_err()
    );

    for ours in secretboxes() {
        let mut body = plain.clone();
        let tag = ours.seal(&key, &nonce, &mut body).expect("seal");
        assert!(body == expected, "{ours:?} body, len {len}");
        assert_eq!(tag, expected_tag, "{ours:?} tag, len {len}");
        let mut ours_on_bad = bad_body.clone();
        assert!(
            !ours.open(&key, &nonce, &mut ours_on_bad, &bad_tag),
            "{ours:?} forged"
        );
        assert!(
            ours_on_bad == bad_body,
            "{ours:?} failed open changed the body"
        );
        let mut opened = body.clone();
        assert!(
            theirs
                .decrypt_in_place_detached(&nonce.into(), b"", &mut opened, &tag.into())
                .is_ok()
        );
        assert!(
            ours.open(&key, &nonce, &mut body, &expected_tag),
            "{ours:?} open"
        );
        assert!(
            body == plain && opened == plain,
            "{ours:?} plaintext, len {len}"
        );
    }
});
