//! Connection metadata: the property list carried by READY (and by the
//! PLAIN/CURVE INITIATE and READY commands).
//!
//! ```text
//! property = name-length(1) name(1..=255) value-length(4, BE) value
//! ```

use bytes::{Buf, BufMut, Bytes};

use crate::error::Error;

/// Largest property value (RFC 23: 2^31-1).
pub const MAX_VALUE_LEN: usize = i32::MAX as usize;

/// Standard property names.
pub mod names {
    /// The sender's socket type.
    pub const SOCKET_TYPE: &str = "Socket-Type";
    /// The sender's routing id.
    pub const IDENTITY: &str = "Identity";
    /// The resource the sender connects to (RFC 37).
    pub const RESOURCE: &str = "Resource";
    /// ZAP user id (set by libzmq from the ZAP reply).
    pub const USER_ID: &str = "User-Id";
}

/// One property; name and value share the received frame (zero copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// The name, 1..=255 bytes.
    pub name: Bytes,
    /// The value, 0..=2^31-1 bytes.
    pub value: Bytes,
}

/// An ordered property list with case-insensitive lookup.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Metadata {
    properties: Vec<Property>,
}

/// Whether `name` is a valid property name to send: 1 to 255 of ALPHA,
/// DIGIT, `-`, `_`, `.`, `+` (RFC 23 `name-char`).
pub fn is_valid_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.+".contains(b))
}

impl Metadata {
    /// An empty list.
    pub fn new() -> Metadata {
        Metadata::default()
    }

    /// Appends a property to send. Fails on a name outside the RFC grammar
    /// or a value longer than 2^31-1 bytes.
    pub fn push(&mut self, name: impl Into<Bytes>, value: impl Into<Bytes>) -> Result<(), Error> {
        let (name, value) = (name.into(), value.into());
        if !is_valid_name(&name) {
            return Err(Error::InvalidMetadata {
                reason: "invalid property name",
            });
        }
        if value.len() > MAX_VALUE_LEN {
            return Err(Error::InvalidMetadata {
                reason: "property value too long",
            });
        }
        self.properties.push(Property { name, value });
        Ok(())
    }

    /// Builder form of [`Metadata::push`].
    pub fn with(
        mut self,
        name: impl Into<Bytes>,
        value: impl Into<Bytes>,
    ) -> Result<Metadata, Error> {
        self.push(name, value)?;
        Ok(self)
    }

    /// The value of the first property named `name` (ASCII
    /// case-insensitive).
    pub fn get(&self, name: &str) -> Option<&Bytes> {
        self.properties
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name.as_bytes()))
            .map(|p| &p.value)
    }

    /// The properties in wire order.
    pub fn iter(&self) -> impl Iterator<Item = &Property> {
        self.properties.iter()
    }

    /// Number of properties.
    pub fn len(&self) -> usize {
        self.properties.len()
    }

    /// Whether there are no properties.
    pub fn is_empty(&self) -> bool {
        self.properties.is_empty()
    }

    /// Encoded size in bytes.
    pub fn encoded_len(&self) -> usize {
        self.properties
            .iter()
            .map(|p| 1 + p.name.len() + 4 + p.value.len())
            .sum()
    }

    /// Appends the encoding to `dst`.
    pub fn encode(&self, dst: &mut impl BufMut) {
        for p in &self.properties {
            let name = p.name.get(..p.name.len().min(255)).unwrap_or(&[]);
            dst.put_u8(name.len() as u8);
            dst.put_slice(name);
            dst.put_u32(p.value.len().min(MAX_VALUE_LEN) as u32);
            dst.put_slice(
                p.value
                    .get(..p.value.len().min(MAX_VALUE_LEN))
                    .unwrap_or(&[]),
            );
        }
    }

    /// Parses a property list that fills all of `data`.
    ///
    /// Names are only required to be non-empty (libzmq does not check their
    /// characters, and applications send `X-` names of their own); values
    /// over 2^31-1 bytes and trailing bytes are refused.
    pub fn parse(mut data: Bytes) -> Result<Metadata, Error> {
        let mut properties = Vec::new();
        while !data.is_empty() {
            let name_len = usize::from(data.get_u8());
            if name_len == 0 {
                return Err(Error::InvalidMetadata {
                    reason: "empty property name",
                });
            }
            if data.len() < name_len + 4 {
                return Err(Error::InvalidMetadata {
                    reason: "truncated property",
                });
            }
            let name = data.split_to(name_len);
            let value_len = data.get_u32() as usize;
            if value_len > MAX_VALUE_LEN {
                return Err(Error::InvalidMetadata {
                    reason: "property value too long",
                });
            }
            if data.len() < value_len {
                return Err(Error::InvalidMetadata {
                    reason: "truncated property value",
                });
            }
            let value = data.split_to(value_len);
            properties.push(Property { name, value });
        }
        Ok(Metadata { properties })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_DEALER: &[u8] = b"\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x00";

    #[test]
    fn parses_rfc_example() {
        let m = Metadata::parse(Bytes::from_static(RFC_DEALER)).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m.get("socket-type").unwrap(), &b"DEALER"[..]);
        assert_eq!(m.get("IDENTITY").unwrap(), &b""[..]);
        assert_eq!(m.get("Resource"), None);
    }

    #[test]
    fn encodes_rfc_example() {
        let m = Metadata::new()
            .with(names::SOCKET_TYPE, "DEALER")
            .unwrap()
            .with(names::IDENTITY, "")
            .unwrap();
        let mut out = Vec::new();
        m.encode(&mut out);
        assert_eq!(out, RFC_DEALER);
        assert_eq!(m.encoded_len(), RFC_DEALER.len());
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            &b"\x00"[..],
            b"\x05abc",
            b"\x01a\x00\x00\x00",
            b"\x01a\x00\x00\x00\x02x",
            b"\x01a\x80\x00\x00\x00",
        ] {
            assert!(
                Metadata::parse(Bytes::copy_from_slice(bad)).is_err(),
                "{bad:?}"
            );
        }
        assert!(Metadata::new().push("bad name", "x").is_err());
        assert!(Metadata::new().push("", "x").is_err());
    }
}
