//! Checks every mechanism applies to what the peer sends: the basic
//! command structure, property lists with their `Socket-Type`, and ERROR.

use bytes::{BufMut, Bytes, BytesMut};
use zmtp_codec::metadata::names;
use zmtp_codec::{Error as CodecError, Metadata, SocketType};

use crate::error::MechanismError;

/// libzmq's `check_basic_command_structure`: a command must hold more
/// than its name-length byte says. `MALFORMED_COMMAND_UNSPECIFIED`.
pub fn check_command_structure(body: &[u8]) -> Result<(), MechanismError> {
    match body.first() {
        Some(&name_len) if body.len() > 1 && body.len() > usize::from(name_len) => Ok(()),
        _ => Err(MechanismError::MalformedCommand),
    }
}

/// Whether `body` starts with the command name `prefix` (length byte
/// included, e.g. `b"\x05HELLO"`).
pub fn has_name(body: &[u8], prefix: &[u8]) -> bool {
    body.starts_with(prefix)
}

/// Parses the peer's property list and checks its `Socket-Type` against
/// ours. A missing `Socket-Type` fails with `missing`.
pub fn parse_peer_properties(
    data: Bytes,
    ours: SocketType,
    missing: MechanismError,
) -> Result<Metadata, MechanismError> {
    let properties = Metadata::parse(data).map_err(|e| match e {
        CodecError::InvalidMetadata { reason } => MechanismError::InvalidMetadata { reason },
        _ => MechanismError::InvalidMetadata {
            reason: "malformed property list",
        },
    })?;
    let Some(value) = properties.get(names::SOCKET_TYPE) else {
        return Err(missing);
    };
    match SocketType::from_wire_name(value) {
        Some(peer) if ours.is_compatible_with(peer) => Ok(properties),
        _ => Err(MechanismError::IncompatibleSocketType {
            peer: value.clone(),
        }),
    }
}

/// Reads an ERROR command's data (after the name): the failure it means.
/// A reason longer than the data is `MALFORMED_COMMAND_ERROR`.
pub fn peer_error(data: &Bytes) -> MechanismError {
    let Some(&len) = data.first() else {
        return MechanismError::MalformedError;
    };
    match data.get(1..1 + usize::from(len)) {
        Some(_) => MechanismError::PeerError {
            reason: data.slice(1..1 + usize::from(len)),
        },
        None => MechanismError::MalformedError,
    }
}

/// A command body: the name with its length byte, then `fields` in order.
pub fn command_body(name: &[u8], fields: &[&[u8]]) -> Bytes {
    let len: usize = fields.iter().map(|f| f.len()).sum();
    let mut out = BytesMut::with_capacity(1 + name.len() + len);
    out.put_u8(u8::try_from(name.len()).unwrap_or(u8::MAX));
    out.put_slice(name);
    for field in fields {
        out.put_slice(field);
    }
    out.freeze()
}

/// Our properties encoded as a property list.
pub fn encode_properties(properties: &Metadata) -> Vec<u8> {
    let mut out = Vec::with_capacity(properties.encoded_len());
    properties.encode(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_structure() {
        assert!(check_command_structure(b"\x05HELLO!").is_ok());
        assert!(check_command_structure(b"\x05HELLO").is_ok());
        assert!(check_command_structure(b"\x05HELL").is_err());
        assert!(check_command_structure(b"\x05").is_err());
        assert!(check_command_structure(b"").is_err());
    }

    #[test]
    fn errors() {
        assert_eq!(
            peer_error(&Bytes::from_static(b"\x03400")),
            MechanismError::PeerError {
                reason: Bytes::from_static(b"400")
            }
        );
        assert_eq!(
            peer_error(&Bytes::from_static(b"\x04400")),
            MechanismError::MalformedError
        );
        assert_eq!(peer_error(&Bytes::new()), MechanismError::MalformedError);
    }

    #[test]
    fn properties() {
        let ok = Bytes::from_static(b"\x0bSocket-Type\x00\x00\x00\x06DEALER");
        assert!(
            parse_peer_properties(ok, SocketType::Router, MechanismError::MalformedCommand).is_ok()
        );
        let none = Bytes::from_static(b"\x02X-\x00\x00\x00\x00");
        assert_eq!(
            parse_peer_properties(none, SocketType::Router, MechanismError::MalformedInitiate),
            Err(MechanismError::MalformedInitiate)
        );
        let bad = Bytes::from_static(b"\x0bSocket-Type\x00\x00\x00\x09DEALER");
        assert!(matches!(
            parse_peer_properties(bad, SocketType::Router, MechanismError::MalformedCommand),
            Err(MechanismError::InvalidMetadata { .. })
        ));
        assert_eq!(&command_body(b"WELCOME", &[])[..], b"\x07WELCOME");
    }
}
