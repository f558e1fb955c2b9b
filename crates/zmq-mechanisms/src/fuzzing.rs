//! Hooks for the fuzz targets (`fuzz/`, the `fuzzing` feature): our
//! secretbox on each Salsa20 backend this CPU runs, so that a target can
//! compare every one of them with a reference. Not an API.

use crate::nacl::MAC_LEN;
use crate::xsalsa20::{Backend, backends, open_with, seal_with};

/// One of our XSalsa20-Poly1305 implementations (a Salsa20 backend).
#[derive(Clone, Copy, Debug)]
pub struct Secretbox(Backend);

/// Every backend this CPU runs, the portable one first.
pub fn secretboxes() -> Vec<Secretbox> {
    backends().into_iter().map(Secretbox).collect()
}

impl Secretbox {
    /// Encrypts `data` in place and returns its tag; `None` only on a
    /// broken internal invariant.
    pub fn seal(self, key: &[u8; 32], nonce: &[u8; 24], data: &mut [u8]) -> Option<[u8; MAC_LEN]> {
        seal_with(self.0, key, nonce, data)
    }

    /// Decrypts `data` in place if `mac` verifies; otherwise leaves it as
    /// it was and returns `false`.
    pub fn open(
        self,
        key: &[u8; 32],
        nonce: &[u8; 24],
        data: &mut [u8],
        mac: &[u8; MAC_LEN],
    ) -> bool {
        open_with(self.0, key, nonce, data, mac)
    }
}
