//! The GSSAPI mechanism (RFC 38) as libzmq 4.3.5 speaks it, over the
//! system GSS-API library (feature `gssapi`; MIT Kerberos).
//!
//! ```text
//!  client                                        server
//!  start: init_sec_context ─ INITIATE(token) ──► accept_sec_context
//!                           ◄── INITIATE(token) ─ (complete; mutual auth)
//!  init_sec_context (complete) ── "" (empty) ──► ZAP (User-Id: principal)
//!                           ◄──────── READY ──── (wrapped unless plaintext)
//!  READY (wrapped) ────────────────────────────► Ready
//!  Ready
//! ```
//! A context step that yields no token still sends a command frame, empty,
//! as libzmq does (its client always sends one after the server's last
//! token, and its server ignores what it gets once the context is
//! complete). Unless `ZMQ_GSSAPI_PLAINTEXT` is set, READY and every frame
//! afterwards go out as a `MESSAGE` command whose data is the 4-byte
//! length and the `gss_wrap` of a flags byte (`0x01` MORE, `0x02`
//! COMMAND) followed by the frame's body.
//!
//! Where libzmq stalls until the handshake timer fires (a GSS-API call
//! failing, e.g. an unknown service principal), we fail the handshake at
//! once with [`MechanismError::Gssapi`]
//! (`ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`, the event libzmq reports
//! when its timer fires).

use bytes::Bytes;
#[cfg(feature = "gssapi")]
use bytes::{BufMut, BytesMut};

#[cfg(feature = "gssapi")]
use crate::error::MechanismError;

#[cfg(feature = "gssapi")]
mod client;
#[cfg(feature = "gssapi")]
#[allow(unsafe_code)]
mod ffi;
#[cfg(feature = "gssapi")]
mod server;
#[cfg(all(test, feature = "gssapi"))]
mod tests;
#[cfg(feature = "gssapi")]
mod traffic;

#[cfg(feature = "gssapi")]
pub use client::GssapiClient;
#[cfg(feature = "gssapi")]
pub use server::GssapiServer;
#[cfg(feature = "gssapi")]
pub use traffic::GssapiTraffic;

/// Whether this build has the GSSAPI mechanism (`zmq_has("gssapi")`).
pub const AVAILABLE: bool = cfg!(feature = "gssapi");

/// How a principal name is read (`ZMQ_GSSAPI_NT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NameType {
    /// `service@host` (`ZMQ_GSSAPI_NT_HOSTBASED`, 0; the default).
    #[default]
    Hostbased,
    /// A user name (`ZMQ_GSSAPI_NT_USER_NAME`, 1).
    UserName,
    /// A Kerberos principal `name/instance@REALM`
    /// (`ZMQ_GSSAPI_NT_KRB5_PRINCIPAL`, 2).
    Krb5Principal,
}

impl NameType {
    /// The name type of a `ZMQ_GSSAPI_NT_*` value.
    pub fn from_zmq(value: i32) -> Option<NameType> {
        match value {
            0 => Some(NameType::Hostbased),
            1 => Some(NameType::UserName),
            2 => Some(NameType::Krb5Principal),
            _ => None,
        }
    }

    /// The `ZMQ_GSSAPI_NT_*` value.
    pub fn to_zmq(self) -> i32 {
        match self {
            NameType::Hostbased => 0,
            NameType::UserName => 1,
            NameType::Krb5Principal => 2,
        }
    }
}

/// The GSSAPI options of a socket (the role is
/// [`crate::MechanismConfig::as_server`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GssapiConfig {
    /// `ZMQ_GSSAPI_PRINCIPAL`: our own principal; empty for the default
    /// credentials (the client's ticket cache).
    pub principal: Bytes,
    /// `ZMQ_GSSAPI_PRINCIPAL_NAMETYPE`.
    pub principal_nametype: NameType,
    /// `ZMQ_GSSAPI_SERVICE_PRINCIPAL` (client): the server's principal.
    pub service_principal: Bytes,
    /// `ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE`.
    pub service_principal_nametype: NameType,
    /// `ZMQ_GSSAPI_PLAINTEXT`: no wrapping of READY and messages (both
    /// sides must agree; nothing negotiates it).
    pub plaintext: bool,
}

/// A GSSAPI handshake, either side.
#[cfg(feature = "gssapi")]
#[derive(Debug)]
pub enum GssapiHandshake {
    /// The client (`ZMQ_GSSAPI_SERVICE_PRINCIPAL` set).
    Client(GssapiClient),
    /// The server (`ZMQ_GSSAPI_SERVER`).
    Server(GssapiServer),
}

#[cfg(feature = "gssapi")]
/// An `INITIATE` command carrying a context token (an empty token gives
/// an empty command, as libzmq sends when it has no token).
pub(crate) fn initiate_body(token: &[u8]) -> Bytes {
    if token.is_empty() {
        return Bytes::new();
    }
    let mut out = BytesMut::with_capacity(9 + 4 + token.len());
    out.put_slice(b"\x08INITIATE");
    put_len(&mut out, token.len());
    out.put_slice(token);
    out.freeze()
}

/// The token of an `INITIATE` command, checked as libzmq checks it.
#[cfg(feature = "gssapi")]
pub(crate) fn parse_initiate(body: &Bytes) -> Result<Bytes, MechanismError> {
    crate::peer::check_command_structure(body)?;
    if !body.starts_with(b"\x08INITIATE") {
        return Err(MechanismError::UnexpectedCommand);
    }
    sized_field(body.slice(9..), MechanismError::MalformedInitiate)
}

/// A 4-byte big-endian length, then exactly that many bytes.
#[cfg(feature = "gssapi")]
pub(crate) fn sized_field(data: Bytes, malformed: MechanismError) -> Result<Bytes, MechanismError> {
    let Some(len) = data.first_chunk::<4>() else {
        return Err(malformed);
    };
    let len = u32::from_be_bytes(*len) as usize;
    if data.len() - 4 != len {
        return Err(malformed);
    }
    Ok(data.slice(4..))
}

#[cfg(feature = "gssapi")]
fn put_len(out: &mut BytesMut, len: usize) {
    // Tokens and frames here are far below 4 GiB (handshake frames are
    // capped; a wrapped frame is bounded by ZMQ_MAXMSGSIZE or memory).
    out.put_u32(u32::try_from(len).unwrap_or(u32::MAX));
}

#[cfg(all(test, not(feature = "gssapi")))]
mod unbuilt_tests {
    use super::*;

    #[test]
    fn nametypes_and_initiate() {
        const { assert!(!AVAILABLE) };
        for v in 0..3 {
            assert_eq!(NameType::from_zmq(v).unwrap().to_zmq(), v);
        }
        assert_eq!(NameType::from_zmq(3), None);
    }
}
