//! The 64-byte ZMTP 3.x greeting as a checked zero-copy view, the
//! security-mechanism name field, and the 10-byte signature.
//!
//! ```text
//!  0      1..=8     9     10     11     12..=31     32         33..=63
//! +----+---------+----+-------+-------+-----------+-----------+--------+
//! |0xFF| padding |0x7F| major | minor | mechanism | as-server | filler |
//! +----+---------+----+-------+-------+-----------+-----------+--------+
//! ```

use core::fmt;
use core::ops::Range;

use crate::error::Error;

/// Named byte ranges of the greeting (RFC 23 / RFC 37).
pub mod field {
    use core::ops::Range;

    /// First signature byte, always `0xFF`.
    pub const SIGNATURE_START: usize = 0;
    /// Signature padding: not significant (libzmq puts the big-endian
    /// routing-id length + 1 here so a ZMTP 1.0 peer reads an identity
    /// frame header).
    pub const PADDING: Range<usize> = 1..9;
    /// Last signature byte, `0x7F` (only bit 0 is checked).
    pub const SIGNATURE_END: usize = 9;
    /// Major version (revision in ZMTP 2.0).
    pub const MAJOR: usize = 10;
    /// Minor version (socket type in ZMTP 2.0).
    pub const MINOR: usize = 11;
    /// NUL-padded security mechanism name.
    pub const MECHANISM: Range<usize> = 12..32;
    /// `0x01` when the sender acts as security server.
    pub const AS_SERVER: usize = 32;
    /// Zero filler.
    pub const FILLER: Range<usize> = 33..64;
}

/// Length of a full ZMTP 3.x greeting.
pub const GREETING_LEN: usize = 64;
/// Length of the signature (`0xFF`, 8 padding bytes, `0x7F`).
pub const SIGNATURE_LEN: usize = 10;
/// Length of the mechanism field.
pub const MECHANISM_LEN: usize = 20;

/// The 20-byte NUL-padded security mechanism field.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mechanism([u8; MECHANISM_LEN]);

impl Mechanism {
    /// `NULL` (RFC 23).
    pub const NULL: Mechanism = Mechanism::from_static(b"NULL");
    /// `PLAIN` (RFC 24).
    pub const PLAIN: Mechanism = Mechanism::from_static(b"PLAIN");
    /// `CURVE` (RFC 25).
    pub const CURVE: Mechanism = Mechanism::from_static(b"CURVE");
    /// `GSSAPI` (RFC 38).
    pub const GSSAPI: Mechanism = Mechanism::from_static(b"GSSAPI");

    const fn from_static(name: &[u8]) -> Mechanism {
        let mut field = [0u8; MECHANISM_LEN];
        let mut i = 0;
        while i < name.len() && i < MECHANISM_LEN {
            field[i] = name[i];
            i += 1;
        }
        Mechanism(field)
    }

    /// A mechanism from its name: 1 to 20 characters of `A`-`Z`, digits,
    /// `-`, `_`, `.` or `+` (RFC 37 grammar).
    pub fn from_name(name: &str) -> Option<Mechanism> {
        let bytes = name.as_bytes();
        let valid_char =
            |b: &u8| b.is_ascii_uppercase() || b.is_ascii_digit() || b"-_.+".contains(b);
        if bytes.is_empty() || bytes.len() > MECHANISM_LEN || !bytes.iter().all(valid_char) {
            return None;
        }
        Some(Mechanism::from_static(bytes))
    }

    /// The raw 20-byte field as it goes on the wire.
    pub const fn from_field(field: [u8; MECHANISM_LEN]) -> Mechanism {
        Mechanism(field)
    }

    /// The raw 20-byte field.
    pub const fn field(&self) -> &[u8; MECHANISM_LEN] {
        &self.0
    }

    /// The name: the field up to its first NUL.
    pub fn name(&self) -> &[u8] {
        let end = self.0.iter().position(|&b| b == 0).unwrap_or(MECHANISM_LEN);
        self.0.get(..end).unwrap_or(&self.0)
    }
}

impl fmt::Debug for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mechanism({:?})", String::from_utf8_lossy(self.name()))
    }
}

/// The 10-byte signature libzmq sends first: `0xFF`, the big-endian
/// `routing_id_len + 1`, `0x7F`. A ZMTP 1.0 peer reads it as the header of
/// an identity frame (long length, flags `0x7F`).
pub fn signature(routing_id_len: usize) -> [u8; SIGNATURE_LEN] {
    let mut out = [0u8; SIGNATURE_LEN];
    let length = (routing_id_len as u64).saturating_add(1);
    out[field::SIGNATURE_START] = 0xFF;
    out[field::PADDING].copy_from_slice(&length.to_be_bytes());
    out[field::SIGNATURE_END] = 0x7F;
    out
}

/// A checked view of a 64-byte ZMTP 3.x greeting over any byte buffer.
///
/// Built only through [`Greeting::new_checked`], so every accessor reads
/// inside the first 64 bytes and cannot panic.
#[derive(Debug, Clone)]
pub struct Greeting<T: AsRef<[u8]>> {
    buffer: T,
}

const ZERO_GREETING: [u8; GREETING_LEN] = [0; GREETING_LEN];

impl<T: AsRef<[u8]>> Greeting<T> {
    /// Wraps `buffer` after checking that it holds at least 64 bytes, a
    /// ZMTP signature (`0xFF` first, bit 0 of byte 9 set) and major
    /// version 3 or higher.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let available = buffer.as_ref().len();
        if available < GREETING_LEN {
            return Err(Error::Truncated {
                needed: GREETING_LEN,
                available,
            });
        }
        let greeting = Greeting { buffer };
        let bytes = greeting.bytes();
        if bytes[field::SIGNATURE_START] != 0xFF || bytes[field::SIGNATURE_END] & 1 == 0 {
            return Err(Error::InvalidGreetingSignature);
        }
        if greeting.major() < 3 {
            return Err(Error::UnsupportedVersion {
                major: greeting.major(),
            });
        }
        Ok(greeting)
    }

    fn bytes(&self) -> &[u8; GREETING_LEN] {
        self.buffer
            .as_ref()
            .first_chunk::<GREETING_LEN>()
            .unwrap_or(&ZERO_GREETING)
    }

    fn range(&self, range: Range<usize>) -> &[u8] {
        self.bytes().get(range).unwrap_or(&[])
    }

    /// The 8 padding bytes of the signature.
    pub fn padding(&self) -> &[u8] {
        self.range(field::PADDING)
    }

    /// Major version.
    pub fn major(&self) -> u8 {
        self.bytes()[field::MAJOR]
    }

    /// Minor version.
    pub fn minor(&self) -> u8 {
        self.bytes()[field::MINOR]
    }

    /// Security mechanism field.
    pub fn mechanism(&self) -> Mechanism {
        let mut out = [0u8; MECHANISM_LEN];
        out.copy_from_slice(self.range(field::MECHANISM));
        Mechanism(out)
    }

    /// Whether the sender acts as security server (any non-zero byte).
    pub fn as_server(&self) -> bool {
        self.bytes()[field::AS_SERVER] != 0
    }

    /// The 31 filler bytes.
    pub fn filler(&self) -> &[u8] {
        self.range(field::FILLER)
    }

    /// The wrapped buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }
}

/// Builds the full 64-byte greeting we send: version 3.`minor`, the
/// routing-id-length signature padding libzmq uses, mechanism, as-server and
/// a zero filler.
pub fn encode_greeting(
    routing_id_len: usize,
    minor: u8,
    mechanism: Mechanism,
    as_server: bool,
) -> [u8; GREETING_LEN] {
    let mut out = [0u8; GREETING_LEN];
    out[..SIGNATURE_LEN].copy_from_slice(&signature(routing_id_len));
    out[field::MAJOR] = 3;
    out[field::MINOR] = minor;
    out[field::MECHANISM].copy_from_slice(mechanism.field());
    out[field::AS_SERVER] = u8::from(as_server);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 37 worked example: signature with zero padding, 3.1, NULL,
    /// client, zero filler.
    const RFC_GREETING: [u8; 64] = {
        let mut g = [0u8; 64];
        g[0] = 0xFF;
        g[9] = 0x7F;
        g[10] = 3;
        g[11] = 1;
        g[12] = b'N';
        g[13] = b'U';
        g[14] = b'L';
        g[15] = b'L';
        g
    };

    #[test]
    fn parses_rfc_example() {
        let g = Greeting::new_checked(&RFC_GREETING[..]).unwrap();
        assert_eq!(g.major(), 3);
        assert_eq!(g.minor(), 1);
        assert_eq!(g.mechanism(), Mechanism::NULL);
        assert_eq!(g.mechanism().name(), b"NULL");
        assert!(!g.as_server());
        assert_eq!(g.filler(), &[0u8; 31]);
        assert_eq!(g.padding(), &[0u8; 8]);
    }

    #[test]
    fn encodes_libzmq_greeting() {
        let g = encode_greeting(0, 1, Mechanism::NULL, false);
        let mut expected = RFC_GREETING;
        expected[8] = 1; // routing id length 0 + 1
        assert_eq!(g, expected);
        let g = encode_greeting(3, 0, Mechanism::CURVE, true);
        assert_eq!(&g[1..9], &4u64.to_be_bytes());
        assert_eq!(g[11], 0);
        assert_eq!(&g[12..17], b"CURVE");
        assert_eq!(g[32], 1);
    }

    #[test]
    fn rejects_bad_greetings() {
        assert!(matches!(
            Greeting::new_checked(&RFC_GREETING[..63]),
            Err(Error::Truncated {
                needed: 64,
                available: 63
            })
        ));
        let mut bad = RFC_GREETING;
        bad[0] = 0;
        assert_eq!(
            Greeting::new_checked(&bad[..]).unwrap_err(),
            Error::InvalidGreetingSignature
        );
        let mut bad = RFC_GREETING;
        bad[9] = 0x7E;
        assert_eq!(
            Greeting::new_checked(&bad[..]).unwrap_err(),
            Error::InvalidGreetingSignature
        );
        let mut bad = RFC_GREETING;
        bad[10] = 2;
        assert_eq!(
            Greeting::new_checked(&bad[..]).unwrap_err(),
            Error::UnsupportedVersion { major: 2 }
        );
    }

    #[test]
    fn mechanism_names() {
        assert_eq!(Mechanism::from_name("PLAIN"), Some(Mechanism::PLAIN));
        assert_eq!(Mechanism::from_name("plain"), None);
        assert_eq!(Mechanism::from_name(""), None);
        assert_eq!(Mechanism::from_name("ABCDEFGHIJKLMNOPQRSTU"), None);
        assert!(Mechanism::from_name("X-1.2_3+").is_some());
        assert_eq!(signature(0), [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F]);
    }
}
