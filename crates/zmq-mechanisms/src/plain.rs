//! The PLAIN mechanism (RFC 24): the client sends a username and password
//! in clear, the server asks ZAP for a verdict.
//!
//! ```text
//!  client                                  server
//!  HELLO(user, pass) ───────────────────►  WaitHello ─► NeedZap ─► WaitZap
//!  WaitWelcome ◄──────────── WELCOME ────  (ZAP 200)
//!              ◄──────────── ERROR ──────  (ZAP 400/500; 300: silent close)
//!  INITIATE(metadata) ──────────────────►  WaitInitiate
//!  WaitReady ◄────────────── READY ──────  Ready
//!  Ready
//! ```
//! Error codes follow libzmq 4.3 (`plain_client.cpp`, `plain_server.cpp`).

use std::collections::VecDeque;

use bytes::Bytes;
use zmtp_codec::{Mechanism, Metadata, SocketType};

use crate::config::MechanismConfig;
use crate::error::MechanismError;
use crate::handshake::{Established, Handshake, Step};
use crate::peer::{
    check_command_structure, command_body, encode_properties, has_name, parse_peer_properties,
    peer_error,
};
use crate::zap::{ZapReply, ZapRequest, ZapSettings, merge_properties};

/// A PLAIN handshake in progress, either side.
#[derive(Debug)]
pub struct PlainHandshake {
    socket_type: SocketType,
    properties: Vec<u8>,
    pending: VecDeque<Bytes>,
    state: PlainState,
}

#[derive(Debug)]
enum PlainState {
    /// Client: HELLO sent, waiting for WELCOME (or ERROR).
    ClientWaitWelcome,
    /// Client: INITIATE sent, waiting for READY (or ERROR).
    ClientWaitReady,
    /// Server: waiting for HELLO.
    ServerWaitHello { zap: ZapSettings, routing_id: Bytes },
    /// Server: ZAP asked, waiting for the reply.
    ServerWaitZap,
    /// Server: WELCOME sent, waiting for INITIATE.
    ServerWaitInitiate { zap_properties: Metadata },
}

impl PlainHandshake {
    /// A client that authenticates as `username` / `password` (each cut
    /// to 255 bytes, the options' limit).
    pub fn client(
        config: &MechanismConfig,
        username: &[u8],
        password: &[u8],
    ) -> Result<PlainHandshake, MechanismError> {
        let username = username.get(..255).unwrap_or(username);
        let password = password.get(..255).unwrap_or(password);
        let hello = command_body(
            b"HELLO",
            &[
                &[username.len() as u8],
                username,
                &[password.len() as u8],
                password,
            ],
        );
        Ok(PlainHandshake {
            socket_type: config.socket_type,
            properties: our_properties(config)?,
            pending: VecDeque::from([hello]),
            state: PlainState::ClientWaitWelcome,
        })
    }

    /// A server that asks ZAP about each client.
    pub fn server(config: &MechanismConfig) -> Result<PlainHandshake, MechanismError> {
        Ok(PlainHandshake {
            socket_type: config.socket_type,
            properties: our_properties(config)?,
            pending: VecDeque::new(),
            state: PlainState::ServerWaitHello {
                zap: config.zap.clone(),
                routing_id: config.routing_id.clone(),
            },
        })
    }

    /// The next command body to send, if any.
    pub fn poll_command(&mut self) -> Option<Bytes> {
        self.pending.pop_front()
    }

    /// Consumes the peer's command.
    pub fn handle_command(mut self, body: Bytes) -> Result<Step, MechanismError> {
        let client = matches!(
            self.state,
            PlainState::ClientWaitWelcome | PlainState::ClientWaitReady
        );
        // libzmq's ERROR form has no valid name length: check it first.
        if client && let Some(error) = server_error(&body) {
            return Err(error);
        }
        check_command_structure(&body)?;
        match core::mem::replace(&mut self.state, PlainState::ServerWaitZap) {
            PlainState::ClientWaitWelcome => {
                if !has_name(&body, b"\x07WELCOME") {
                    return Err(MechanismError::UnexpectedCommand);
                }
                if body.len() != 8 {
                    return Err(MechanismError::MalformedWelcome);
                }
                let initiate = command_body(b"INITIATE", &[&self.properties]);
                self.pending.push_back(initiate);
                self.state = PlainState::ClientWaitReady;
                Ok(Step::Continue(Handshake::Plain(self)))
            }
            PlainState::ClientWaitReady => {
                if !has_name(&body, b"\x05READY") {
                    return Err(MechanismError::UnexpectedCommand);
                }
                let peer = parse_peer_properties(
                    body.slice(6..),
                    self.socket_type,
                    MechanismError::MalformedReady {
                        reason: "no Socket-Type property",
                    },
                )?;
                Ok(self.ready(peer))
            }
            PlainState::ServerWaitHello { zap, routing_id } => {
                if !has_name(&body, b"\x05HELLO") {
                    return Err(MechanismError::UnexpectedCommand);
                }
                let (username, password) = parse_hello(&body.slice(6..))?;
                zap.plain_asks()?;
                let request = ZapRequest {
                    domain: zap.domain.clone(),
                    address: zap.peer_address.clone(),
                    routing_id,
                    mechanism: Mechanism::PLAIN,
                    credentials: vec![username, password],
                };
                self.state = PlainState::ServerWaitZap;
                Ok(Step::NeedZap {
                    handshake: Handshake::Plain(self),
                    request,
                })
            }
            PlainState::ServerWaitZap => Err(MechanismError::UnexpectedCommand),
            PlainState::ServerWaitInitiate { zap_properties } => {
                if !has_name(&body, b"\x08INITIATE") {
                    return Err(MechanismError::UnexpectedCommand);
                }
                let mut peer = parse_peer_properties(
                    body.slice(9..),
                    self.socket_type,
                    MechanismError::MalformedInitiate,
                )?;
                merge_properties(&mut peer, &zap_properties);
                let ready = command_body(b"READY", &[&self.properties]);
                self.pending.push_back(ready);
                Ok(self.ready(peer))
            }
        }
    }

    /// Resumes a server after ZAP: WELCOME on 200, a refusal otherwise.
    pub fn handle_zap_reply(mut self, reply: ZapReply) -> Result<Step, MechanismError> {
        if !matches!(self.state, PlainState::ServerWaitZap) {
            return Err(MechanismError::UnexpectedCommand);
        }
        reply.verdict()?;
        self.pending.push_back(command_body(b"WELCOME", &[]));
        self.state = PlainState::ServerWaitInitiate {
            zap_properties: reply.properties(),
        };
        Ok(Step::Continue(Handshake::Plain(self)))
    }

    fn ready(self, peer_properties: Metadata) -> Step {
        Step::Ready(Established {
            peer_properties,
            transform: None,
            final_commands: self.pending.into_iter().collect(),
        })
    }
}

/// The ERROR prefix libzmq 4.3 PLAIN servers send and expect: its source
/// spells the name `"\x05ERROR"`, which C reads as the hex escape `\x05E`
/// (`^`) then `RROR`, five bytes with no name length.
const LIBZMQ_PLAIN_ERROR_PREFIX: &[u8] = b"^RROR";

/// The failure an ERROR from a PLAIN server means, in the RFC 24 form
/// (`\x05ERROR`) or libzmq 4.3's (see [`LIBZMQ_PLAIN_ERROR_PREFIX`]);
/// `None` if `body` is no ERROR.
fn server_error(body: &Bytes) -> Option<MechanismError> {
    if has_name(body, b"\x05ERROR") {
        Some(peer_error(&body.slice(6..)))
    } else if body.starts_with(LIBZMQ_PLAIN_ERROR_PREFIX) {
        Some(peer_error(&body.slice(LIBZMQ_PLAIN_ERROR_PREFIX.len()..)))
    } else {
        None
    }
}

/// Our READY / INITIATE property list.
pub(crate) fn our_properties(config: &MechanismConfig) -> Result<Vec<u8>, MechanismError> {
    let properties = config
        .basic_properties()
        .map_err(|_| MechanismError::InvalidMetadata {
            reason: "invalid application metadata name",
        })?;
    Ok(encode_properties(&properties))
}

/// HELLO's data: username and password, each a length byte and bytes,
/// filling the command exactly. `MALFORMED_COMMAND_HELLO` otherwise.
fn parse_hello(data: &Bytes) -> Result<(Bytes, Bytes), MechanismError> {
    let user_len = usize::from(*data.first().ok_or(MechanismError::MalformedHello)?);
    let user_end = 1 + user_len;
    let pass_len = usize::from(*data.get(user_end).ok_or(MechanismError::MalformedHello)?);
    if data.len() != user_end + 1 + pass_len {
        return Err(MechanismError::MalformedHello);
    }
    Ok((data.slice(1..user_end), data.slice(user_end + 1..)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handshake::error_command_body;

    fn cfg(t: SocketType, server: bool, handler: bool) -> MechanismConfig {
        let mut c = MechanismConfig::new(t);
        c.as_server = server;
        c.zap.handler_available = handler;
        c.zap.domain = Bytes::from_static(b"global");
        c.zap.peer_address = Bytes::from_static(b"10.0.0.1");
        c
    }

    fn poll_all(h: &mut Handshake) -> Vec<Bytes> {
        core::iter::from_fn(|| h.poll_command()).collect()
    }

    /// Runs client and server until both are ready, answering ZAP with
    /// `verdict`; returns both outcomes.
    fn run(
        client: Handshake,
        server: Handshake,
        verdict: impl Fn(&ZapRequest) -> ZapReply,
    ) -> (
        Result<Established, MechanismError>,
        Result<Established, MechanismError>,
    ) {
        let mut sides = [Some(client), Some(server)];
        let mut done: [Option<Result<Established, MechanismError>>; 2] = [None, None];
        let mut inbox: [VecDeque<Bytes>; 2] = [VecDeque::new(), VecDeque::new()];
        for _ in 0..20 {
            for i in 0..2 {
                if let Some(h) = sides[i].as_mut() {
                    for c in poll_all(h) {
                        inbox[1 - i].push_back(c);
                    }
                }
                while let Some(cmd) = inbox[i].pop_front() {
                    let Some(h) = sides[i].take() else { break };
                    let mut step = h.handle_command(cmd);
                    loop {
                        match step {
                            Ok(Step::Continue(mut h)) => {
                                for c in poll_all(&mut h) {
                                    inbox[1 - i].push_back(c);
                                }
                                sides[i] = Some(h);
                            }
                            Ok(Step::NeedZap { handshake, request }) => {
                                step = handshake.handle_zap_reply(verdict(&request));
                                continue;
                            }
                            Ok(Step::Ready(e)) => {
                                for c in &e.final_commands {
                                    inbox[1 - i].push_back(c.clone());
                                }
                                done[i] = Some(Ok(e));
                            }
                            Err(e) => {
                                if let Some(r) = e.error_reason_to_send() {
                                    inbox[1 - i].push_back(error_command_body(&r));
                                }
                                done[i] = Some(Err(e));
                            }
                        }
                        break;
                    }
                }
            }
        }
        let [a, b] = done;
        (a.expect("client unfinished"), b.expect("server unfinished"))
    }

    fn plain_pair(pass: &[u8], handler: bool) -> (Handshake, Handshake) {
        let client =
            Handshake::plain_client(&cfg(SocketType::Dealer, false, false), b"admin", pass)
                .unwrap();
        let server = Handshake::plain_server(&cfg(SocketType::Router, true, handler)).unwrap();
        (client, server)
    }

    fn check_password(req: &ZapRequest) -> ZapReply {
        assert_eq!(req.mechanism, Mechanism::PLAIN);
        assert_eq!(&req.domain[..], b"global");
        assert_eq!(&req.address[..], b"10.0.0.1");
        let mut reply = if req.credentials == [&b"admin"[..], b"password"] {
            ZapReply::with_status(200)
        } else {
            ZapReply::with_status(400)
        };
        reply.user_id = Bytes::from_static(b"admin-user");
        reply
    }

    #[test]
    fn handshake_in_memory() {
        let (c, s) = plain_pair(b"password", true);
        let (c, s) = run(c, s, check_password);
        let (c, s) = (c.unwrap(), s.unwrap());
        assert_eq!(
            c.peer_properties.get("Socket-Type").unwrap(),
            &b"ROUTER"[..]
        );
        assert_eq!(
            s.peer_properties.get("Socket-Type").unwrap(),
            &b"DEALER"[..]
        );
        assert_eq!(
            s.peer_properties.get("User-Id").unwrap(),
            &b"admin-user"[..]
        );
        assert!(c.transform.is_none() && s.transform.is_none());
    }

    #[test]
    fn wrong_password_is_zap_400() {
        let (c, s) = plain_pair(b"guess", true);
        let (c, s) = run(c, s, check_password);
        let s = s.unwrap_err();
        assert_eq!(s, MechanismError::AuthFailed { status: 400 });
        assert_eq!(s.auth_status(), Some(400));
        let c = c.unwrap_err();
        assert_eq!(c.auth_status(), Some(400));
    }

    #[test]
    fn temporary_failure_closes_silently() {
        let (c, s) = plain_pair(b"password", true);
        let mut c = c;
        let hello = c.poll_command().unwrap();
        let Step::NeedZap { handshake, .. } = s.handle_command(hello).unwrap() else {
            panic!("no ZAP")
        };
        let err = handshake
            .handle_zap_reply(ZapReply::with_status(300))
            .unwrap_err();
        assert_eq!(err.auth_status(), Some(300));
        assert_eq!(err.error_reason_to_send(), None);
    }

    #[test]
    fn no_handler_is_no_detail() {
        let (mut c, s) = plain_pair(b"password", false);
        let err = s.handle_command(c.poll_command().unwrap()).unwrap_err();
        assert_eq!(err, MechanismError::ZapUnavailable);
        assert!(err.is_no_detail());
    }

    #[test]
    fn hello_bytes_and_malformed_hellos() {
        let (mut c, _) = plain_pair(b"pw", true);
        assert_eq!(&c.poll_command().unwrap()[..], b"\x05HELLO\x05admin\x02pw");
        for (body, expect) in [
            (&b"\x05HELLO\x05admin"[..], MechanismError::MalformedHello),
            (b"\x05HELLO\x05adm", MechanismError::MalformedHello),
            (b"\x05HELLO\x01a\x02p", MechanismError::MalformedHello),
            (b"\x05HELLO\x01a\x01pX", MechanismError::MalformedHello),
            (b"\x05HELLO", MechanismError::MalformedHello),
            (b"\x05HEL", MechanismError::MalformedCommand),
            (b"\x07WELCOME", MechanismError::UnexpectedCommand),
        ] {
            let s = Handshake::plain_server(&cfg(SocketType::Router, true, true)).unwrap();
            assert_eq!(
                s.handle_command(Bytes::from_static(body)).unwrap_err(),
                expect,
                "{body:?}"
            );
        }
    }

    #[test]
    fn client_checks() {
        let client =
            || Handshake::plain_client(&cfg(SocketType::Dealer, false, false), b"u", b"p").unwrap();
        assert_eq!(
            client()
                .handle_command(Bytes::from_static(b"\x07WELCOMEx"))
                .unwrap_err(),
            MechanismError::MalformedWelcome
        );
        assert_eq!(
            client()
                .handle_command(Bytes::from_static(b"\x05READY"))
                .unwrap_err(),
            MechanismError::UnexpectedCommand
        );
        assert_eq!(
            client()
                .handle_command(error_command_body(b"500"))
                .unwrap_err()
                .auth_status(),
            Some(500)
        );
        // libzmq 4.3's PLAIN server sends ERROR as "^RROR" + reason.
        assert_eq!(
            client()
                .handle_command(Bytes::from_static(b"^RROR\x03400"))
                .unwrap_err()
                .auth_status(),
            Some(400)
        );
        let Step::Continue(h) = client()
            .handle_command(Bytes::from_static(b"\x07WELCOME"))
            .unwrap()
        else {
            panic!()
        };
        assert_eq!(
            h.handle_command(Bytes::from_static(b"\x05READY\x02X-\x00\x00\x00\x00"))
                .unwrap_err(),
            MechanismError::MalformedReady {
                reason: "no Socket-Type property"
            }
        );
    }
}
