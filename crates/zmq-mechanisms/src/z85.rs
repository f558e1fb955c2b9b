//! Z85 (RFC 32): binary to printable text, 4 bytes to 5 characters, used
//! for CURVE keys (`zmq_z85_encode`, `zmq_z85_decode`).
//!
//! Exactly as RFC 32: input lengths must be a multiple of 4 (encode) or 5
//! (decode); anything else, a character outside the alphabet, or a block
//! above 2^32 - 1 is refused.

use core::fmt;

/// The 85 characters, in value order (RFC 32).
const ALPHABET: &[u8; 85] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// Character to value, `0xFF` for characters outside the alphabet.
const DECODER: [u8; 256] = {
    let mut table = [0xFFu8; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Why Z85 text or data was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Z85Error {
    /// Binary input whose length is not a multiple of 4.
    BinaryLength(usize),
    /// Text whose length is not a multiple of 5.
    TextLength(usize),
    /// A character outside the Z85 alphabet, at this offset.
    InvalidCharacter(usize),
    /// A 5-character block whose value exceeds 2^32 - 1, at this offset.
    BlockOverflow(usize),
}

impl fmt::Display for Z85Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Z85Error::BinaryLength(n) => write!(f, "Z85 input of {n} bytes is not a multiple of 4"),
            Z85Error::TextLength(n) => write!(f, "Z85 text of {n} chars is not a multiple of 5"),
            Z85Error::InvalidCharacter(at) => write!(f, "invalid Z85 character at {at}"),
            Z85Error::BlockOverflow(at) => write!(f, "Z85 block at {at} exceeds 32 bits"),
        }
    }
}

impl std::error::Error for Z85Error {}

/// Encodes `data` (length a multiple of 4) as Z85 text.
pub fn encode(data: &[u8]) -> Result<String, Z85Error> {
    if !data.len().is_multiple_of(4) {
        return Err(Z85Error::BinaryLength(data.len()));
    }
    let mut out = String::with_capacity(data.len() / 4 * 5);
    for chunk in data.chunks_exact(4) {
        let mut value = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        let mut block = [0u8; 5];
        for slot in block.iter_mut().rev() {
            *slot = ALPHABET[(value % 85) as usize];
            value /= 85;
        }
        out.extend(block.iter().map(|&c| char::from(c)));
    }
    Ok(out)
}

/// Decodes Z85 `text` (length a multiple of 5).
pub fn decode(text: &[u8]) -> Result<Vec<u8>, Z85Error> {
    if !text.len().is_multiple_of(5) {
        return Err(Z85Error::TextLength(text.len()));
    }
    let mut out = Vec::with_capacity(text.len() / 5 * 4);
    for (index, chunk) in text.chunks_exact(5).enumerate() {
        let mut value: u64 = 0;
        for (offset, &c) in chunk.iter().enumerate() {
            let digit = DECODER[usize::from(c)];
            if digit == 0xFF {
                return Err(Z85Error::InvalidCharacter(index * 5 + offset));
            }
            value = value * 85 + u64::from(digit);
        }
        let value = u32::try_from(value).map_err(|_| Z85Error::BlockOverflow(index * 5))?;
        out.extend_from_slice(&value.to_be_bytes());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HELLO: [u8; 8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];

    #[test]
    fn rfc_vector() {
        assert_eq!(encode(&HELLO).unwrap(), "HelloWorld");
        assert_eq!(decode(b"HelloWorld").unwrap(), HELLO);
    }

    #[test]
    fn libzmq_test_key_vector() {
        // The server key pair of libzmq's CURVE tests (test_security_curve).
        let public = b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
        let bytes = decode(public).unwrap();
        assert_eq!(bytes.len(), 32);
        assert_eq!(encode(&bytes).unwrap().as_bytes(), public);
    }

    #[test]
    fn refuses_bad_lengths_and_characters() {
        assert_eq!(encode(&[1, 2, 3]), Err(Z85Error::BinaryLength(3)));
        assert_eq!(decode(b"Hello1"), Err(Z85Error::TextLength(6)));
        assert_eq!(decode(b"Hel\"o"), Err(Z85Error::InvalidCharacter(3)));
        assert_eq!(decode(b"Hello Worl"), Err(Z85Error::InvalidCharacter(5)));
        // "%nSc1" = 84*85^4 + ... > 2^32 - 1.
        assert_eq!(decode(b"#####"), Err(Z85Error::BlockOverflow(0)));
        assert_eq!(encode(&[]).unwrap(), "");
        assert_eq!(decode(b"").unwrap(), Vec::<u8>::new());
        assert_eq!(decode(b"%nSc0").unwrap(), [0xFF; 4]);
    }

    proptest! {
        #[test]
        fn round_trip(words in proptest::collection::vec(any::<[u8; 4]>(), 0..40)) {
            let data: Vec<u8> = words.concat();
            let text = encode(&data).unwrap();
            prop_assert_eq!(text.len(), data.len() / 4 * 5);
            prop_assert_eq!(decode(text.as_bytes()).unwrap(), data);
        }

        #[test]
        fn decode_never_panics(text in proptest::collection::vec(any::<u8>(), 0..60)) {
            let _ = decode(&text);
        }
    }
}
