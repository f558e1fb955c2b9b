//! The NULL mechanism (RFC 23): each side sends READY with its properties
//! and waits for the peer's READY. Client and server behave the same.
//!
//! Checks follow libzmq 4.3 (`null_mechanism_t`, `mechanism_t`):
//! - a command other than READY or ERROR is `UNEXPECTED_COMMAND`;
//! - a property list that breaks the grammar is `INVALID_METADATA`;
//! - an unknown or incompatible `Socket-Type` fails without a code;
//! - ERROR ends the handshake (a malformed one is `MALFORMED_COMMAND_ERROR`).
//!
//! Stricter than libzmq: a READY without `Socket-Type` (RFC 23: it MUST be
//! present) is `MALFORMED_COMMAND_READY`.
//!
//! With a ZAP domain (libzmq 4.3 `null_mechanism_t`, either side, bound or
//! connected) the handshake first asks ZAP and holds its READY until the
//! verdict: 200 sends READY, 400/500 ERROR, 300 closes silently. With
//! `ZMQ_ZAP_ENFORCE_DOMAIN` and no handler bound it fails; without
//! enforcement it goes on unasked.
//!
//! ```text
//!  new ──start()──► (no domain / no handler) ──► READY ──► peer READY ──► Ready
//!                └► NeedZap ──handle_zap_reply(200)──► READY ──► ...
//!                                              └(400/500)──► Err (send ERROR)
//! ```

use bytes::{Buf, Bytes, BytesMut};
use zmtp_codec::metadata::names;
use zmtp_codec::{Command, Error as CodecError, Mechanism, Metadata, RawCommand, SocketType};

use crate::config::MechanismConfig;
use crate::error::MechanismError;
use crate::handshake::{Established, Handshake, Step};
use crate::zap::{ZapReply, ZapRequest, ZapSettings, merge_properties};

/// A NULL handshake waiting for the peer's READY (and maybe for ZAP).
#[derive(Debug)]
pub struct NullHandshake {
    socket_type: SocketType,
    ready: Option<Bytes>,
    /// The ZAP settings and our routing id, until [`NullHandshake::start`]
    /// decides whether to ask.
    zap: Option<(ZapSettings, Bytes)>,
    /// READY is held back until the ZAP verdict.
    awaiting_zap: bool,
    /// Properties of the ZAP reply (`User-Id`, metadata), added to the
    /// peer's.
    zap_properties: Metadata,
}

impl NullHandshake {
    /// Starts a handshake; our READY is ready to be polled.
    pub fn new(config: &MechanismConfig) -> Result<NullHandshake, MechanismError> {
        let properties =
            config
                .basic_properties()
                .map_err(|_| MechanismError::InvalidMetadata {
                    reason: "invalid application metadata name",
                })?;
        let command = Command::Ready(properties);
        let mut body = BytesMut::with_capacity(command.encoded_len());
        command.encode_body(&mut body);
        Ok(NullHandshake {
            socket_type: config.socket_type,
            ready: Some(body.freeze()),
            zap: Some((config.zap.clone(), config.routing_id.clone())),
            awaiting_zap: false,
            zap_properties: Metadata::new(),
        })
    }

    /// Decides, once, whether to ask ZAP before READY (see the module
    /// docs): [`Step::NeedZap`] to ask, [`Step::Continue`] to go on, or
    /// [`MechanismError::ZapUnavailable`] when the domain is enforced and
    /// no handler is bound.
    pub fn start(mut self) -> Result<Step, MechanismError> {
        let Some((zap, routing_id)) = self.zap.take() else {
            return Ok(Step::Continue(Handshake::Null(self)));
        };
        if !zap.null_asks()? {
            return Ok(Step::Continue(Handshake::Null(self)));
        }
        let request = ZapRequest {
            domain: zap.domain,
            address: zap.peer_address,
            routing_id,
            mechanism: Mechanism::NULL,
            credentials: Vec::new(),
        };
        self.awaiting_zap = true;
        Ok(Step::NeedZap {
            handshake: Handshake::Null(self),
            request,
        })
    }

    /// Our READY, once (not while waiting for ZAP).
    pub fn poll_command(&mut self) -> Option<Bytes> {
        if self.awaiting_zap {
            return None;
        }
        self.ready.take()
    }

    /// Resumes after [`Step::NeedZap`]: on 200 READY can go out; a refusal
    /// is [`MechanismError::AuthFailed`].
    pub fn handle_zap_reply(mut self, reply: ZapReply) -> Result<Step, MechanismError> {
        if !self.awaiting_zap {
            return Err(MechanismError::AuthFailed {
                status: reply.status_code,
            });
        }
        reply.verdict()?;
        self.awaiting_zap = false;
        self.zap_properties = reply.properties();
        Ok(Step::Continue(Handshake::Null(self)))
    }

    /// Consumes the peer's command.
    pub fn handle_command(self, body: Bytes) -> Result<Step, MechanismError> {
        let RawCommand { name, mut data } =
            RawCommand::split(body).map_err(|_| MechanismError::UnexpectedCommand)?;
        match &name[..] {
            b"READY" => {
                let peer_properties = Metadata::parse(data).map_err(|e| match e {
                    CodecError::InvalidMetadata { reason } => {
                        MechanismError::InvalidMetadata { reason }
                    }
                    _ => MechanismError::InvalidMetadata {
                        reason: "malformed property list",
                    },
                })?;
                self.check_peer_type(&peer_properties)?;
                let mut peer_properties = peer_properties;
                merge_properties(&mut peer_properties, &self.zap_properties);
                Ok(Step::Ready(Established {
                    peer_properties,
                    transform: None,
                    final_commands: self.ready.into_iter().collect(),
                }))
            }
            b"ERROR" => {
                if !data.has_remaining() {
                    return Err(MechanismError::MalformedError);
                }
                let len = usize::from(data.get_u8());
                if data.len() < len {
                    return Err(MechanismError::MalformedError);
                }
                Err(MechanismError::PeerError {
                    reason: data.split_to(len),
                })
            }
            _ => Err(MechanismError::UnexpectedCommand),
        }
    }

    fn check_peer_type(&self, properties: &Metadata) -> Result<(), MechanismError> {
        let Some(value) = properties.get(names::SOCKET_TYPE) else {
            return Err(MechanismError::MalformedReady {
                reason: "no Socket-Type property",
            });
        };
        match SocketType::from_wire_name(value) {
            Some(peer) if self.socket_type.is_compatible_with(peer) => Ok(()),
            _ => Err(MechanismError::IncompatibleSocketType {
                peer: value.clone(),
            }),
        }
    }
}

impl From<NullHandshake> for Handshake {
    fn from(h: NullHandshake) -> Handshake {
        Handshake::Null(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handshake::error_command_body;

    fn config(t: SocketType, id: &'static [u8]) -> MechanismConfig {
        let mut c = MechanismConfig::new(t);
        c.routing_id = Bytes::from_static(id);
        c
    }

    fn ready_of(c: &MechanismConfig) -> (Handshake, Bytes) {
        let mut h = Handshake::null(c).unwrap();
        let ready = h.poll_command().unwrap();
        assert!(h.poll_command().is_none());
        (h, ready)
    }

    fn expect_ready(step: Step) -> Established {
        match step {
            Step::Ready(e) => e,
            other => panic!("not ready: {other:?}"),
        }
    }

    #[test]
    fn client_server_in_memory() {
        let client_cfg = config(SocketType::Dealer, b"client");
        let mut server_cfg = config(SocketType::Router, b"");
        server_cfg.as_server = true;
        let (client, c_ready) = ready_of(&client_cfg);
        let (server, s_ready) = ready_of(&server_cfg);
        let c = expect_ready(client.handle_command(s_ready).unwrap());
        let s = expect_ready(server.handle_command(c_ready).unwrap());
        assert_eq!(
            c.peer_properties.get("Socket-Type").unwrap(),
            &b"ROUTER"[..]
        );
        assert_eq!(c.peer_properties.get("Identity").unwrap(), &b""[..]);
        assert_eq!(
            s.peer_properties.get("socket-type").unwrap(),
            &b"DEALER"[..]
        );
        assert_eq!(s.peer_properties.get("Identity").unwrap(), &b"client"[..]);
        assert!(c.final_commands.is_empty() && s.transform.is_none());
    }

    #[test]
    fn ready_bytes_match_rfc_example() {
        let (_, ready) = ready_of(&config(SocketType::Dealer, b""));
        assert_eq!(
            &ready[..],
            b"\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x00"
        );
        let (_, ready) = ready_of(&config(SocketType::Pub, b"ignored"));
        assert_eq!(&ready[..], b"\x05READY\x0bSocket-Type\x00\x00\x00\x03PUB");
    }

    #[test]
    fn unpolled_ready_is_handed_back() {
        let h = Handshake::null(&config(SocketType::Push, b"")).unwrap();
        let (_, peer) = ready_of(&config(SocketType::Pull, b""));
        let e = expect_ready(h.handle_command(peer).unwrap());
        assert_eq!(e.final_commands.len(), 1);
    }

    #[test]
    fn incompatible_types_fail_both_ways() {
        let (a, a_ready) = ready_of(&config(SocketType::Req, b""));
        let (b, b_ready) = ready_of(&config(SocketType::Req, b""));
        for (h, peer) in [(a, b_ready), (b, a_ready)] {
            let err = h.handle_command(peer).unwrap_err();
            assert_eq!(
                err,
                MechanismError::IncompatibleSocketType {
                    peer: Bytes::from_static(b"REQ")
                }
            );
            assert_eq!(err.protocol_error_code(), None);
        }
        let (h, _) = ready_of(&config(SocketType::Pair, b""));
        let unknown = Bytes::from_static(b"\x05READY\x0bSocket-Type\x00\x00\x00\x04pair");
        assert!(matches!(
            h.handle_command(unknown),
            Err(MechanismError::IncompatibleSocketType { .. })
        ));
    }

    #[test]
    fn peer_error() {
        let (h, _) = ready_of(&config(SocketType::Sub, b""));
        let err = h.handle_command(error_command_body(b"400")).unwrap_err();
        assert_eq!(err.auth_status(), Some(400));
        let (h, _) = ready_of(&config(SocketType::Sub, b""));
        let err = h
            .handle_command(Bytes::from_static(b"\x05ERROR\x0atoo short"))
            .unwrap_err();
        assert_eq!(err, MechanismError::MalformedError);
        let (h, _) = ready_of(&config(SocketType::Sub, b""));
        let err = h
            .handle_command(Bytes::from_static(b"\x05ERROR"))
            .unwrap_err();
        assert_eq!(err, MechanismError::MalformedError);
    }

    #[test]
    fn unexpected_command() {
        for body in [
            &b"\x04PING\x00\x00"[..],
            b"\x05HELLO",
            b"\x00",
            b"",
            b"\x09READ",
        ] {
            let (h, _) = ready_of(&config(SocketType::Sub, b""));
            let err = h.handle_command(Bytes::from_static(body)).unwrap_err();
            assert_eq!(err, MechanismError::UnexpectedCommand, "{body:?}");
            assert_eq!(
                err.protocol_error_code(),
                Some(zmtp_codec::ProtocolErrorCode::ZmtpUnexpectedCommand)
            );
        }
    }

    #[test]
    fn malformed_ready_and_metadata() {
        let (h, _) = ready_of(&config(SocketType::Sub, b""));
        let err = h
            .handle_command(Bytes::from_static(b"\x05READY"))
            .unwrap_err();
        assert_eq!(
            err.protocol_error_code(),
            Some(zmtp_codec::ProtocolErrorCode::ZmtpMalformedCommandReady)
        );
        let (h, _) = ready_of(&config(SocketType::Sub, b""));
        let err = h
            .handle_command(Bytes::from_static(
                b"\x05READY\x0bSocket-Type\x00\x00\x00\x09PUB",
            ))
            .unwrap_err();
        assert!(matches!(err, MechanismError::InvalidMetadata { .. }));
        assert_eq!(
            err.protocol_error_code(),
            Some(zmtp_codec::ProtocolErrorCode::ZmtpInvalidMetadata)
        );
    }

    #[test]
    fn metadata_round_trip() {
        let mut cfg = config(SocketType::Dealer, b"me");
        cfg.metadata = vec![
            ("X-Hello".into(), Bytes::from_static(b"world")),
            ("X-Empty".into(), Bytes::new()),
        ];
        let (_, ready) = ready_of(&cfg);
        let (h, _) = ready_of(&config(SocketType::Router, b""));
        let e = expect_ready(h.handle_command(ready).unwrap());
        let p = &e.peer_properties;
        assert_eq!(p.get("x-hello").unwrap(), &b"world"[..]);
        assert_eq!(p.get("X-Empty").unwrap(), &b""[..]);
        assert_eq!(p.get("Identity").unwrap(), &b"me"[..]);
        assert_eq!(p.len(), 4);
        let mut bad = config(SocketType::Dealer, b"");
        bad.metadata = vec![("X bad".into(), Bytes::new())];
        assert!(Handshake::null(&bad).is_err());
    }
}
