//! CURVE keys: generation (`zmq_curve_keypair`), public-from-secret
//! (`zmq_curve_public`), the option forms (`ZMQ_CURVE_*KEY`: 32 binary
//! bytes, or 40 Z85 characters, optionally NUL-terminated), and a secret
//! key type that is wiped on drop.

use core::fmt;

use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::z85;

/// Length of a CURVE key in bytes.
pub const KEY_LEN: usize = 32;
/// Length of a CURVE key as Z85 text.
pub const KEY_Z85_LEN: usize = 40;

/// Why a key could not be made or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    /// Not 32 bytes, 40 characters, or 41 ending in NUL (`EINVAL`).
    InvalidLength(usize),
    /// 40 characters that are not valid Z85 (`EINVAL`).
    InvalidZ85,
    /// The operating system's random source failed.
    RandomSource,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::InvalidLength(n) => {
                write!(f, "a CURVE key is 32 bytes or 40 Z85 chars, not {n}")
            }
            KeyError::InvalidZ85 => write!(f, "invalid Z85 key text"),
            KeyError::RandomSource => write!(f, "the OS random source failed"),
        }
    }
}

impl std::error::Error for KeyError {}

/// A CURVE secret key (long-term or transient), wiped on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey([u8; KEY_LEN]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    /// A secret key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> SecretKey {
        SecretKey(bytes)
    }

    /// A fresh random secret key.
    pub fn generate() -> Result<SecretKey, KeyError> {
        let mut bytes = [0u8; KEY_LEN];
        fill_random(&mut bytes)?;
        Ok(SecretKey(bytes))
    }

    /// The key's 32 bytes.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// The matching public key.
    pub fn public_key(&self) -> [u8; KEY_LEN] {
        PublicKey::from(&self.to_static()).to_bytes()
    }

    /// The key as an X25519 scalar (wiped on drop by `x25519-dalek`).
    pub fn to_static(&self) -> StaticSecret {
        StaticSecret::from(self.0)
    }
}

impl Default for SecretKey {
    /// The all-zero key: libzmq's value before `ZMQ_CURVE_SECRETKEY` is set.
    fn default() -> SecretKey {
        SecretKey([0; KEY_LEN])
    }
}

/// Fills `out` from the operating system's CSPRNG.
pub fn fill_random(out: &mut [u8]) -> Result<(), KeyError> {
    getrandom::fill(out).map_err(|_| KeyError::RandomSource)
}

/// Reads a key given as a socket option: 32 binary bytes, 40 Z85
/// characters, or 41 bytes of Z85 ending in NUL.
pub fn parse_key(value: &[u8]) -> Result<[u8; KEY_LEN], KeyError> {
    let text = match value.len() {
        KEY_LEN => {
            let mut key = [0u8; KEY_LEN];
            key.copy_from_slice(value);
            return Ok(key);
        }
        KEY_Z85_LEN => value,
        41 if value.last() == Some(&0) => value.get(..KEY_Z85_LEN).unwrap_or_default(),
        n => return Err(KeyError::InvalidLength(n)),
    };
    let mut bytes = z85::decode(text).map_err(|_| KeyError::InvalidZ85)?;
    // 40 characters always decode to 32 bytes; if not, an error rather
    // than an all-zero key.
    let key = <[u8; KEY_LEN]>::try_from(bytes.as_slice()).map_err(|_| KeyError::InvalidZ85);
    bytes.zeroize();
    key
}

/// A key as 40 Z85 characters.
pub fn key_to_z85(key: &[u8; KEY_LEN]) -> String {
    // 32 is a multiple of 4, so encoding cannot fail.
    z85::encode(key).unwrap_or_default()
}

/// A new key pair as Z85 text, `(public, secret)` (`zmq_curve_keypair`).
pub fn curve_keypair() -> Result<(String, String), KeyError> {
    let secret = SecretKey::generate()?;
    Ok((
        key_to_z85(&secret.public_key()),
        key_to_z85(secret.as_bytes()),
    ))
}

/// The Z85 public key of a Z85 secret key (`zmq_curve_public`); accepts
/// the same forms as [`parse_key`].
pub fn curve_public(secret_z85: &[u8]) -> Result<String, KeyError> {
    let secret = SecretKey::from_bytes(parse_key(secret_z85)?);
    Ok(key_to_z85(&secret.public_key()))
}

#[cfg(test)]
mod tests {
    use super::*;

    // libzmq's test_security_curve key pairs (public, secret).
    const SERVER: (&str, &str) = (
        "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
        "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
    );
    const CLIENT: (&str, &str) = (
        "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
        "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
    );

    #[test]
    fn public_from_secret_matches_libzmq() {
        for (public, secret) in [SERVER, CLIENT] {
            assert_eq!(curve_public(secret.as_bytes()).unwrap(), public);
        }
    }

    #[test]
    fn keypair_is_consistent() {
        let (public, secret) = curve_keypair().unwrap();
        assert_eq!(public.len(), 40);
        assert_eq!(curve_public(secret.as_bytes()).unwrap(), public);
        let (other, _) = curve_keypair().unwrap();
        assert_ne!(other, public);
    }

    #[test]
    fn key_option_forms() {
        let bin = parse_key(SERVER.0.as_bytes()).unwrap();
        assert_eq!(parse_key(&bin).unwrap(), bin);
        let mut with_nul = SERVER.0.as_bytes().to_vec();
        with_nul.push(0);
        assert_eq!(parse_key(&with_nul).unwrap(), bin);
        with_nul[40] = b'x';
        assert_eq!(parse_key(&with_nul), Err(KeyError::InvalidLength(41)));
        assert_eq!(parse_key(b"short"), Err(KeyError::InvalidLength(5)));
        let mut bad = SERVER.0.as_bytes().to_vec();
        bad[0] = b' ';
        assert_eq!(parse_key(&bad), Err(KeyError::InvalidZ85));
        assert_eq!(key_to_z85(&bin), SERVER.0);
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = SecretKey::from_bytes([1; 32]);
        assert_eq!(format!("{s:?}"), "SecretKey(..)");
    }
}
