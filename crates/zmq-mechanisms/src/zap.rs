//! ZAP (RFC 27) as data. A server mechanism that needs the application's
//! verdict stops with [`crate::Step::NeedZap`] and a [`ZapRequest`]; the
//! caller sends [`ZapRequest::frames`] to the handler bound at
//! [`ZAP_ENDPOINT`], reads the reply frames, parses them with
//! [`ZapReply::parse`] and resumes with
//! [`crate::Handshake::handle_zap_reply`].
//!
//! When a mechanism asks follows libzmq 4.3 ([`ZapSettings`]):
//! - NULL asks only when a ZAP domain is set and a handler is bound; with a
//!   domain, `ZMQ_ZAP_ENFORCE_DOMAIN` and no handler it fails.
//! - PLAIN (server) always asks; without a handler it fails.
//! - CURVE (server) asks when a handler is bound, unless the domain is
//!   empty and `ZMQ_ZAP_ENFORCE_DOMAIN` is set; without a handler it
//!   accepts every client (the "Stonehouse" pattern) unless the domain is
//!   enforced.
//!
//! Failing for want of a handler is [`MechanismError::ZapUnavailable`]
//! (`ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`).

use bytes::Bytes;
use zmtp_codec::{Mechanism, Metadata, ProtocolErrorCode};

use crate::error::MechanismError;

/// Where the ZAP handler binds.
pub const ZAP_ENDPOINT: &str = "inproc://zeromq.zap.01";
/// The protocol version every request and reply carries.
pub const ZAP_VERSION: &[u8] = b"1.0";
/// libzmq's request id: one request per connection, always `"1"`.
pub const ZAP_REQUEST_ID: &[u8] = b"1";

/// The socket's ZAP options and the facts only the facade knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZapSettings {
    /// `ZMQ_ZAP_DOMAIN` (empty: none).
    pub domain: Bytes,
    /// `ZMQ_ZAP_ENFORCE_DOMAIN`.
    pub enforce_domain: bool,
    /// Whether a handler is bound at [`ZAP_ENDPOINT`] in this context.
    pub handler_available: bool,
    /// The peer's address for the request (the IP address without port
    /// for TCP, as libzmq sends it).
    pub peer_address: Bytes,
}

impl ZapSettings {
    /// NULL: `Ok(true)` to ask, `Ok(false)` to go on without asking.
    pub fn null_asks(&self) -> Result<bool, MechanismError> {
        if self.domain.is_empty() {
            return Ok(false);
        }
        match (self.handler_available, self.enforce_domain) {
            (true, _) => Ok(true),
            (false, true) => Err(MechanismError::ZapUnavailable),
            (false, false) => Ok(false),
        }
    }

    /// PLAIN server: always asks.
    pub fn plain_asks(&self) -> Result<bool, MechanismError> {
        if self.handler_available {
            Ok(true)
        } else {
            Err(MechanismError::ZapUnavailable)
        }
    }

    /// CURVE server.
    pub fn curve_asks(&self) -> Result<bool, MechanismError> {
        if self.domain.is_empty() && self.enforce_domain {
            return Ok(false);
        }
        match (self.handler_available, self.enforce_domain) {
            (true, _) => Ok(true),
            (false, false) => Ok(false),
            (false, true) => Err(MechanismError::ZapUnavailable),
        }
    }
}

/// What a mechanism asks the ZAP handler (RFC 27 request fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZapRequest {
    /// `ZMQ_ZAP_DOMAIN`.
    pub domain: Bytes,
    /// The peer's address.
    pub address: Bytes,
    /// The routing id frame. libzmq 4.3 sends the *local* socket's
    /// `ZMQ_ROUTING_ID` here (not the peer's); so do we.
    pub routing_id: Bytes,
    /// The mechanism name.
    pub mechanism: Mechanism,
    /// Mechanism credentials (NULL: none; PLAIN: username, password;
    /// CURVE: the client's 32-byte long-term public key).
    pub credentials: Vec<Bytes>,
}

impl ZapRequest {
    /// The request as message parts, in order: the empty delimiter (the
    /// REQ envelope libzmq writes), version, request id, domain, address,
    /// identity, mechanism, then the credentials. Every part but the last
    /// is sent with MORE.
    pub fn frames(&self) -> Vec<Bytes> {
        let mut out = Vec::with_capacity(7 + self.credentials.len());
        out.push(Bytes::new());
        out.push(Bytes::from_static(ZAP_VERSION));
        out.push(Bytes::from_static(ZAP_REQUEST_ID));
        out.push(self.domain.clone());
        out.push(self.address.clone());
        out.push(self.routing_id.clone());
        out.push(Bytes::copy_from_slice(self.mechanism.name()));
        out.extend(self.credentials.iter().cloned());
        out
    }
}

/// The handler's answer (RFC 27 reply fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZapReply {
    /// `200` accepts; `300`, `400`, `500` refuse.
    pub status_code: u16,
    /// Human-readable status text (not used by the mechanism).
    pub status_text: Bytes,
    /// The user id, exposed as the `User-Id` property.
    pub user_id: Bytes,
    /// Extra metadata from the handler (a property list, already checked
    /// by [`ZapReply::parse`]).
    pub metadata: Bytes,
}

impl ZapReply {
    /// A reply with `status_code` and nothing else.
    pub fn with_status(status_code: u16) -> ZapReply {
        ZapReply {
            status_code,
            status_text: Bytes::new(),
            user_id: Bytes::new(),
            metadata: Bytes::new(),
        }
    }

    /// Parses the reply's parts (delimiter, version, request id, status
    /// code, status text, user id, metadata) with libzmq's checks and
    /// `ZMQ_PROTOCOL_ERROR_ZAP_*` codes.
    pub fn parse(frames: &[Bytes]) -> Result<ZapReply, MechanismError> {
        let fail = |code| MechanismError::MalformedZapReply { code };
        let [delimiter, version, id, status, text, user_id, metadata] = frames else {
            return Err(fail(ProtocolErrorCode::ZapMalformedReply));
        };
        if !delimiter.is_empty() {
            return Err(fail(ProtocolErrorCode::ZapUnspecified));
        }
        if &version[..] != ZAP_VERSION {
            return Err(fail(ProtocolErrorCode::ZapBadVersion));
        }
        if &id[..] != ZAP_REQUEST_ID {
            return Err(fail(ProtocolErrorCode::ZapBadRequestId));
        }
        let status_code = match &status[..] {
            [d @ b'2'..=b'5', b'0', b'0'] => u16::from(d - b'0') * 100,
            _ => return Err(fail(ProtocolErrorCode::ZapInvalidStatusCode)),
        };
        if Metadata::parse(metadata.clone()).is_err() {
            return Err(fail(ProtocolErrorCode::ZapInvalidMetadata));
        }
        Ok(ZapReply {
            status_code,
            status_text: text.clone(),
            user_id: user_id.clone(),
            metadata: metadata.clone(),
        })
    }

    /// Whether the handler accepted the peer.
    pub fn accepted(&self) -> bool {
        self.status_code == 200
    }

    /// The properties the reply adds to the peer's: `User-Id` (when not
    /// empty) then the handler's metadata.
    pub fn properties(&self) -> Metadata {
        let mut out = Metadata::new();
        if !self.user_id.is_empty() {
            let _ = out.push("User-Id", self.user_id.clone());
        }
        if let Ok(extra) = Metadata::parse(self.metadata.clone()) {
            for p in extra.iter() {
                let _ = out.push(p.name.clone(), p.value.clone());
            }
        }
        out
    }

    /// The verdict as a step outcome: `Ok` for 200, the refusal otherwise.
    pub fn verdict(&self) -> Result<(), MechanismError> {
        if self.accepted() {
            Ok(())
        } else {
            Err(MechanismError::AuthFailed {
                status: self.status_code,
            })
        }
    }
}

/// Appends `extra` properties to `base`, skipping invalid names.
pub fn merge_properties(base: &mut Metadata, extra: &Metadata) {
    for p in extra.iter() {
        let _ = base.push(p.name.clone(), p.value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(parts: &[&'static [u8]]) -> Vec<Bytes> {
        parts.iter().map(|p| Bytes::from_static(p)).collect()
    }

    #[test]
    fn request_frames() {
        let r = ZapRequest {
            domain: Bytes::from_static(b"global"),
            address: Bytes::from_static(b"127.0.0.1"),
            routing_id: Bytes::from_static(b"id"),
            mechanism: Mechanism::PLAIN,
            credentials: vec![Bytes::from_static(b"admin"), Bytes::from_static(b"secret")],
        };
        let f = r.frames();
        let expect: Vec<&[u8]> = vec![
            b"",
            b"1.0",
            b"1",
            b"global",
            b"127.0.0.1",
            b"id",
            b"PLAIN",
            b"admin",
            b"secret",
        ];
        assert_eq!(f.iter().map(|b| &b[..]).collect::<Vec<_>>(), expect);
    }

    #[test]
    fn reply_parsing() {
        let ok = ZapReply::parse(&reply(&[
            b"",
            b"1.0",
            b"1",
            b"200",
            b"OK",
            b"alice",
            b"\x05X-Foo\x00\x00\x00\x03bar",
        ]))
        .unwrap();
        assert!(ok.accepted());
        let props = ok.properties();
        assert_eq!(props.get("User-Id").unwrap(), &b"alice"[..]);
        assert_eq!(props.get("X-Foo").unwrap(), &b"bar"[..]);
        let no = ZapReply::parse(&reply(&[b"", b"1.0", b"1", b"400", b"No", b"", b""])).unwrap();
        assert_eq!(
            no.verdict(),
            Err(MechanismError::AuthFailed { status: 400 })
        );
        let code = |parts: &[&'static [u8]]| match ZapReply::parse(&reply(parts)) {
            Err(MechanismError::MalformedZapReply { code }) => code,
            other => panic!("{other:?}"),
        };
        use ProtocolErrorCode as C;
        assert_eq!(
            code(&[b"", b"1.0", b"1", b"200", b"", b""]),
            C::ZapMalformedReply
        );
        assert_eq!(
            code(&[b"", b"1.0", b"1", b"200", b"", b"", b"", b""]),
            C::ZapMalformedReply
        );
        assert_eq!(
            code(&[b"x", b"1.0", b"1", b"200", b"", b"", b""]),
            C::ZapUnspecified
        );
        assert_eq!(
            code(&[b"", b"2.0", b"1", b"200", b"", b"", b""]),
            C::ZapBadVersion
        );
        assert_eq!(
            code(&[b"", b"1.0", b"7", b"200", b"", b"", b""]),
            C::ZapBadRequestId
        );
        assert_eq!(
            code(&[b"", b"1.0", b"1", b"201", b"", b"", b""]),
            C::ZapInvalidStatusCode
        );
        assert_eq!(
            code(&[b"", b"1.0", b"1", b"600", b"", b"", b""]),
            C::ZapInvalidStatusCode
        );
        assert_eq!(
            code(&[b"", b"1.0", b"1", b"20", b"", b"", b""]),
            C::ZapInvalidStatusCode
        );
        assert_eq!(
            code(&[b"", b"1.0", b"1", b"200", b"", b"", b"\x05X"]),
            C::ZapInvalidMetadata
        );
    }

    #[test]
    fn when_to_ask() {
        let mut s = ZapSettings::default();
        assert_eq!(s.null_asks(), Ok(false));
        assert_eq!(s.plain_asks(), Err(MechanismError::ZapUnavailable));
        assert_eq!(s.curve_asks(), Ok(false));
        s.enforce_domain = true;
        assert_eq!(s.curve_asks(), Ok(false));
        s.domain = Bytes::from_static(b"d");
        assert_eq!(s.null_asks(), Err(MechanismError::ZapUnavailable));
        assert_eq!(s.curve_asks(), Err(MechanismError::ZapUnavailable));
        s.handler_available = true;
        assert_eq!(s.null_asks(), Ok(true));
        assert_eq!(s.plain_asks(), Ok(true));
        assert_eq!(s.curve_asks(), Ok(true));
        s.enforce_domain = false;
        s.domain = Bytes::new();
        assert_eq!(s.null_asks(), Ok(false));
        assert_eq!(s.curve_asks(), Ok(true));
    }
}
