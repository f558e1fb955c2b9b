//! The GSSAPI client: initiates the security context towards
//! `ZMQ_GSSAPI_SERVICE_PRINCIPAL`, then exchanges READY.

use std::collections::VecDeque;

use bytes::Bytes;
use zmtp_codec::{FrameFlags, SocketType};

use super::ffi::{Context, Cred, Name, Progress};
use super::traffic::{GssapiTraffic, gss_failure};
use super::{GssapiConfig, GssapiHandshake, initiate_body, parse_initiate};
use crate::config::MechanismConfig;
use crate::error::MechanismError;
use crate::handshake::{Established, Handshake, Step};
use crate::plain::our_properties;
use crate::transform::TrafficTransform;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not started: the first context step runs in `start`.
    Start,
    /// Waiting for the server's next token.
    WaitToken,
    /// The context is complete: waiting for the server's READY.
    WaitReady,
}

/// A GSSAPI client handshake.
pub struct GssapiClient {
    options: GssapiConfig,
    socket_type: SocketType,
    properties: Vec<u8>,
    state: State,
    context: Context,
    cred: Option<Cred>,
    target: Option<Name>,
    pending: VecDeque<Bytes>,
}

impl core::fmt::Debug for GssapiClient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("GssapiClient")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl GssapiClient {
    /// A client for `config` with the socket's GSSAPI options (nothing is
    /// asked of the GSS-API library before [`Handshake::start`]).
    pub fn new(
        config: &MechanismConfig,
        options: &GssapiConfig,
    ) -> Result<GssapiClient, MechanismError> {
        Ok(GssapiClient {
            options: options.clone(),
            socket_type: config.socket_type,
            properties: our_properties(config)?,
            state: State::Start,
            context: Context::default(),
            cred: None,
            target: None,
            pending: VecDeque::new(),
        })
    }

    /// Acquires our credentials (when a principal is set), imports the
    /// service name and sends the first token.
    pub(crate) fn start(mut self) -> Result<Step, MechanismError> {
        if !self.options.principal.is_empty() {
            let name = Name::import(&self.options.principal, self.options.principal_nametype)
                .map_err(gss_failure)?;
            self.cred = Some(Cred::acquire(&name, false).map_err(gss_failure)?);
        }
        let target = Name::import(
            &self.options.service_principal,
            self.options.service_principal_nametype,
        )
        .map_err(gss_failure)?;
        self.target = Some(target);
        self.step(None)?;
        Ok(Step::Continue(self.into_handshake()))
    }

    fn step(&mut self, token: Option<&[u8]>) -> Result<(), MechanismError> {
        let Some(target) = self.target.as_ref() else {
            return Err(MechanismError::Internal {
                what: "GSSAPI client stepped before start",
            });
        };
        let (out, progress) = self
            .context
            .init(self.cred.as_ref(), target, token)
            .map_err(gss_failure)?;
        self.pending.push_back(initiate_body(&out));
        self.state = match progress {
            Progress::Complete => State::WaitReady,
            Progress::ContinueNeeded => State::WaitToken,
        };
        Ok(())
    }

    fn into_handshake(self) -> Handshake {
        Handshake::Gssapi(Box::new(GssapiHandshake::Client(self)))
    }

    /// The next command body to send.
    pub fn poll_command(&mut self) -> Option<Bytes> {
        self.pending.pop_front()
    }

    /// Consumes the server's next command.
    pub fn handle_command(mut self, body: Bytes) -> Result<Step, MechanismError> {
        if body.starts_with(b"\x05ERROR") {
            return Err(crate::peer::peer_error(&body.slice(6..)));
        }
        match self.state {
            State::Start => Err(MechanismError::UnexpectedCommand),
            State::WaitToken => {
                let token = parse_initiate(&body)?;
                self.step(Some(&token))?;
                Ok(Step::Continue(self.into_handshake()))
            }
            State::WaitReady => {
                let mut traffic = (!self.options.plaintext)
                    .then(|| GssapiTraffic::new(core::mem::take(&mut self.context)));
                let peer = super::server::parse_ready(traffic.as_mut(), body, self.socket_type)?;
                let ready = crate::peer::command_body(b"READY", &[&self.properties]);
                let ready = match traffic.as_mut() {
                    Some(t) => t.seal(FrameFlags::NONE, &ready)?,
                    None => ready,
                };
                self.pending.push_back(ready);
                Ok(Step::Ready(Established {
                    peer_properties: peer,
                    transform: traffic.map(|t| Box::new(t) as Box<dyn TrafficTransform>),
                    final_commands: self.pending.into_iter().collect(),
                }))
            }
        }
    }
}
