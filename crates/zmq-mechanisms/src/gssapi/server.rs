//! The GSSAPI server: accepts the client's context, asks ZAP about the
//! client's principal, then exchanges READY.

use std::collections::VecDeque;

use bytes::Bytes;
use zmtp_codec::{FrameFlags, Mechanism, Metadata, SocketType};

use super::ffi::{Context, Cred, Name, Progress};
use super::traffic::{GssapiTraffic, gss_failure};
use super::{GssapiConfig, GssapiHandshake, initiate_body, parse_initiate};
use crate::config::MechanismConfig;
use crate::error::MechanismError;
use crate::handshake::{Established, Handshake, Step};
use crate::peer::{check_command_structure, command_body, parse_peer_properties};
use crate::plain::our_properties;
use crate::transform::TrafficTransform;
use crate::zap::{ZapReply, ZapRequest, ZapSettings, merge_properties};

#[derive(Debug)]
enum State {
    /// Waiting for the client's next token.
    Token,
    /// The context is complete and our last token sent: the client's next
    /// command (empty, from libzmq) only says it took it.
    Ack,
    /// Waiting for the ZAP verdict.
    Zap,
    /// READY sent: waiting for the client's.
    Ready { zap_properties: Metadata },
}

/// A GSSAPI server handshake.
pub struct GssapiServer {
    options: GssapiConfig,
    socket_type: SocketType,
    properties: Vec<u8>,
    zap: ZapSettings,
    routing_id: Bytes,
    state: State,
    context: Context,
    cred: Option<Option<Cred>>,
    client: Option<Name>,
    pending: VecDeque<Bytes>,
}

impl core::fmt::Debug for GssapiServer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("GssapiServer")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl GssapiServer {
    /// A server for `config` with the socket's GSSAPI options (its
    /// credentials are acquired on the client's first token).
    pub fn new(
        config: &MechanismConfig,
        options: &GssapiConfig,
    ) -> Result<GssapiServer, MechanismError> {
        Ok(GssapiServer {
            options: options.clone(),
            socket_type: config.socket_type,
            properties: our_properties(config)?,
            zap: config.zap.clone(),
            routing_id: config.routing_id.clone(),
            state: State::Token,
            context: Context::default(),
            cred: None,
            client: None,
            pending: VecDeque::new(),
        })
    }

    fn into_handshake(self) -> Handshake {
        Handshake::Gssapi(Box::new(GssapiHandshake::Server(self)))
    }

    /// The next command body to send.
    pub fn poll_command(&mut self) -> Option<Bytes> {
        self.pending.pop_front()
    }

    /// Our credentials: `ZMQ_GSSAPI_PRINCIPAL`'s, or the default acceptor
    /// (any key of the keytab) when none is set.
    fn cred(&mut self) -> Result<Option<&Cred>, MechanismError> {
        if self.cred.is_none() {
            let cred = if self.options.principal.is_empty() {
                None
            } else {
                let name = Name::import(&self.options.principal, self.options.principal_nametype)
                    .map_err(gss_failure)?;
                Some(Cred::acquire(&name, true).map_err(gss_failure)?)
            };
            self.cred = Some(cred);
        }
        Ok(self.cred.as_ref().and_then(Option::as_ref))
    }

    /// Consumes the client's next command.
    pub fn handle_command(mut self, body: Bytes) -> Result<Step, MechanismError> {
        match core::mem::replace(&mut self.state, State::Zap) {
            State::Token => {
                let token = parse_initiate(&body)?;
                self.cred()?;
                let cred = self.cred.as_ref().and_then(Option::as_ref);
                let (out, progress, client) =
                    self.context.accept(cred, &token).map_err(gss_failure)?;
                self.pending.push_back(initiate_body(&out));
                self.state = match progress {
                    Progress::ContinueNeeded => State::Token,
                    Progress::Complete => {
                        self.client = client;
                        State::Ack
                    }
                };
                Ok(Step::Continue(self.into_handshake()))
            }
            State::Ack => {
                // libzmq reads nothing of this command (its client sends
                // an empty one).
                if !self.zap.handler_available {
                    self.send_ready()?;
                    self.state = State::Ready {
                        zap_properties: Metadata::new(),
                    };
                    return Ok(Step::Continue(self.into_handshake()));
                }
                let principal = match &self.client {
                    Some(name) => name.display().map_err(gss_failure)?,
                    None => Vec::new(),
                };
                let request = ZapRequest {
                    domain: self.zap.domain.clone(),
                    address: self.zap.peer_address.clone(),
                    routing_id: self.routing_id.clone(),
                    mechanism: Mechanism::GSSAPI,
                    credentials: vec![Bytes::from(principal)],
                };
                self.state = State::Zap;
                Ok(Step::NeedZap {
                    handshake: self.into_handshake(),
                    request,
                })
            }
            State::Zap => Err(MechanismError::UnexpectedCommand),
            State::Ready { zap_properties } => {
                let mut traffic = (!self.options.plaintext)
                    .then(|| GssapiTraffic::new(core::mem::take(&mut self.context)));
                let mut peer = parse_ready(traffic.as_mut(), body, self.socket_type)?;
                merge_properties(&mut peer, &zap_properties);
                Ok(Step::Ready(Established {
                    peer_properties: peer,
                    transform: traffic.map(|t| Box::new(t) as Box<dyn TrafficTransform>),
                    final_commands: self.pending.into_iter().collect(),
                }))
            }
        }
    }

    /// Resumes after ZAP: READY on 200, a refusal otherwise.
    pub fn handle_zap_reply(mut self, reply: ZapReply) -> Result<Step, MechanismError> {
        if !matches!(self.state, State::Zap) {
            return Err(MechanismError::UnexpectedCommand);
        }
        reply.verdict()?;
        self.send_ready()?;
        self.state = State::Ready {
            zap_properties: reply.properties(),
        };
        Ok(Step::Continue(self.into_handshake()))
    }

    /// Queues our READY, wrapped unless plaintext.
    fn send_ready(&mut self) -> Result<(), MechanismError> {
        let ready = command_body(b"READY", &[&self.properties]);
        let ready = if self.options.plaintext {
            ready
        } else {
            let mut traffic = GssapiTraffic::new(core::mem::take(&mut self.context));
            let sealed = traffic.seal(FrameFlags::NONE, &ready);
            self.context = traffic.into_context();
            sealed?
        };
        self.pending.push_back(ready);
        Ok(())
    }
}

/// The peer's READY (unwrapped first when `traffic` is given): its
/// properties, checked against our socket type.
pub(crate) fn parse_ready(
    traffic: Option<&mut GssapiTraffic>,
    body: Bytes,
    ours: SocketType,
) -> Result<Metadata, MechanismError> {
    let body = match traffic {
        Some(t) => t.open(&body)?.1,
        None => body,
    };
    check_command_structure(&body)?;
    if !body.starts_with(b"\x05READY") {
        return Err(MechanismError::UnexpectedCommand);
    }
    parse_peer_properties(
        body.slice(6..),
        ours,
        MechanismError::MalformedReady {
            reason: "no Socket-Type",
        },
    )
}
