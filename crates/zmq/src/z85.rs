//! Z85 text for binary keys (`zmq_z85_encode`, `zmq_z85_decode`), with
//! rust-zmq 0.10's error types.

use std::ffi::{CString, NulError};
use std::fmt;
use std::string::FromUtf8Error;

use zmq_mechanisms::z85::{self, Z85Error};

/// Why Z85 text could not be decoded (rust-zmq's `DecodeError`).
#[derive(Debug)]
pub enum DecodeError {
    /// The text's length is not a multiple of 5.
    BadLength,
    /// The text holds a NUL character.
    NulError(NulError),
    /// A character outside the Z85 alphabet (or a block above 2^32 - 1)
    /// at this offset; libzmq refuses these too (rust-zmq has no such
    /// variant: it hands back what libzmq left in the buffer).
    InvalidChar(usize),
}

/// Why data could not be encoded as Z85 (rust-zmq's `EncodeError`).
#[derive(Debug)]
pub enum EncodeError {
    /// The data's length is not a multiple of 4.
    BadLength,
    /// Kept for rust-zmq's shape: Z85 text is always ASCII, so this is
    /// never returned.
    FromUtf8Error(FromUtf8Error),
}

impl From<NulError> for DecodeError {
    fn from(err: NulError) -> DecodeError {
        DecodeError::NulError(err)
    }
}

impl From<FromUtf8Error> for EncodeError {
    fn from(err: FromUtf8Error) -> EncodeError {
        EncodeError::FromUtf8Error(err)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::BadLength => f.write_str("Z85 text length is not a multiple of 5"),
            DecodeError::NulError(err) => write!(f, "Z85 text: {err}"),
            DecodeError::InvalidChar(at) => write!(f, "invalid Z85 character at {at}"),
        }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::BadLength => f.write_str("Z85 input length is not a multiple of 4"),
            EncodeError::FromUtf8Error(err) => write!(f, "Z85 output: {err}"),
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DecodeError::NulError(err) => Some(err),
            _ => None,
        }
    }
}

impl std::error::Error for EncodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EncodeError::FromUtf8Error(err) => Some(err),
            EncodeError::BadLength => None,
        }
    }
}

/// EINVAL, as `zmq_z85_decode` fails.
impl From<DecodeError> for crate::Error {
    fn from(_: DecodeError) -> crate::Error {
        crate::Error::Inval
    }
}

/// EINVAL, as `zmq_z85_encode` fails.
impl From<EncodeError> for crate::Error {
    fn from(_: EncodeError) -> crate::Error {
        crate::Error::Inval
    }
}

/// Encodes binary data (a multiple of 4 bytes) as Z85 text
/// (`zmq_z85_encode`).
pub fn z85_encode(data: &[u8]) -> Result<String, EncodeError> {
    z85::encode(data).map_err(|_| EncodeError::BadLength)
}

/// Decodes Z85 text (a multiple of 5 characters) (`zmq_z85_decode`).
pub fn z85_decode(text: &str) -> Result<Vec<u8>, DecodeError> {
    if !text.len().is_multiple_of(5) {
        return Err(DecodeError::BadLength);
    }
    if text.contains('\0') {
        return Err(CString::new(text)
            .err()
            .map_or(DecodeError::InvalidChar(0), DecodeError::from));
    }
    z85::decode(text.as_bytes()).map_err(|err| match err {
        Z85Error::TextLength(_) | Z85Error::BinaryLength(_) => DecodeError::BadLength,
        Z85Error::InvalidCharacter(at) | Z85Error::BlockOverflow(at) => {
            DecodeError::InvalidChar(at)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_in_rust_zmq_shape() {
        assert_eq!(
            z85_decode("HelloWorld").unwrap(),
            [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        );
        assert!(matches!(z85_decode("/AB8"), Err(DecodeError::BadLength)));
        assert!(matches!(
            z85_decode("/AB\08"),
            Err(DecodeError::NulError(_))
        ));
        assert!(matches!(
            z85_decode("ab\"de"),
            Err(DecodeError::InvalidChar(2))
        ));
        assert!(matches!(z85_encode(&[1; 5]), Err(EncodeError::BadLength)));
        assert_eq!(
            crate::Error::from(DecodeError::BadLength),
            crate::Error::Inval
        );
    }
}
