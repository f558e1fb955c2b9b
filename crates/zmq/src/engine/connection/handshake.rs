//! The mechanism handshake (NULL, PLAIN, CURVE, GSSAPI; RFC 23) and the
//! ZAP round trip (RFC 27) of a ZMTP 3.x connection, up to the connection
//! being established.
//!
//! ```text
//!  Handshake ──command──► Handshake ... ──READY/INITIATE done──► Traffic
//!      └──(server, ZAP)──► AwaitingZap ──zap_reply──┘
//! ```

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use zmq_mechanisms::{
    CurveClientKeys, Handshake, MechanismConfig, MechanismError, Step, ZapReply, ZapRequest,
    ZapSettings,
};
use zmq_patterns::{Metadata, MsgFlags};
use zmtp_codec::metadata::names;
use zmtp_codec::{Frame, Metadata as WireMetadata, ZmtpVersion};

use super::{PEER_ADDRESS, Phase, ZmtpConnection, body_to_msg};
use crate::engine::config::{ConnectionConfig, MechanismChoice};
use crate::engine::event::{ConnectionError, ConnectionEvent};

impl ZmtpConnection {
    pub(super) fn on_handshake_frame(
        &mut self,
        handshake: Handshake,
        frame: Frame,
        now: Instant,
    ) -> Result<(), ConnectionError> {
        if !frame.flags.command() {
            return Err(ConnectionError::Mechanism(
                MechanismError::UnexpectedCommand,
            ));
        }
        let step = handshake.handle_command(frame.body);
        self.on_step(step, now)
    }

    /// Acts on a handshake step: queue its commands, wait for ZAP, or
    /// establish. A failure queues the ERROR libzmq would send.
    pub(super) fn on_step(
        &mut self,
        step: Result<Step, MechanismError>,
        now: Instant,
    ) -> Result<(), ConnectionError> {
        let step = step.map_err(|e| {
            if let Some(reason) = e.error_reason_to_send() {
                self.put_command_body(&zmq_mechanisms::handshake::error_command_body(&reason));
            }
            ConnectionError::Mechanism(e)
        })?;
        match step {
            Step::Continue(mut handshake) => {
                while let Some(body) = handshake.poll_command() {
                    self.put_command_body(&body);
                }
                self.phase = Phase::Handshake(handshake);
                Ok(())
            }
            Step::NeedZap { handshake, request } => {
                self.phase = Phase::AwaitingZap(handshake);
                self.zap_request = Some(request);
                Ok(())
            }
            Step::Ready(established) => {
                for body in &established.final_commands {
                    self.put_command_body(body);
                }
                self.transform = established.transform;
                let identity = established
                    .peer_properties
                    .get(names::IDENTITY)
                    .cloned()
                    .unwrap_or_default();
                let metadata = self.build_metadata(&established.peer_properties);
                self.establish(metadata, identity, now);
                Ok(())
            }
        }
    }

    /// The ZAP request a server mechanism is waiting on, once: send
    /// [`ZapRequest::frames`] to the handler at `inproc://zeromq.zap.01`
    /// and answer with [`ZmtpConnection::zap_reply`] or
    /// [`ZmtpConnection::zap_reply_frames`].
    pub fn poll_zap_request(&mut self) -> Option<ZapRequest> {
        self.zap_request.take()
    }

    /// Whether the handshake is stopped until a ZAP reply arrives.
    pub fn is_awaiting_zap(&self) -> bool {
        matches!(self.phase, Phase::AwaitingZap(_))
    }

    /// Resumes the handshake with the ZAP handler's verdict. A refusal
    /// fails the connection with an authentication failure (after queuing
    /// ERROR for 400/500). Bytes the peer sent meanwhile are still in the
    /// caller's buffer: call [`ZmtpConnection::receive`] again with it.
    pub fn zap_reply(&mut self, reply: ZapReply, now: Instant) {
        let Phase::AwaitingZap(handshake) = core::mem::replace(&mut self.phase, Phase::Closed)
        else {
            return;
        };
        self.zap_request = None;
        let step = handshake.handle_zap_reply(reply);
        if let Err(error) = self.on_step(step, now) {
            self.fail(error);
        }
    }

    /// [`ZmtpConnection::zap_reply`] from the reply's message parts; a
    /// malformed reply fails the connection with its
    /// `ZMQ_PROTOCOL_ERROR_ZAP_*` code.
    pub fn zap_reply_frames(&mut self, frames: &[Bytes], now: Instant) {
        if !self.is_awaiting_zap() {
            return;
        }
        match ZapReply::parse(frames) {
            Ok(reply) => self.zap_reply(reply, now),
            Err(error) => self.fail(ConnectionError::Mechanism(error)),
        }
    }

    pub(super) fn build_metadata(&self, properties: &WireMetadata) -> Metadata {
        let mut metadata = Metadata::new();
        for p in properties.iter() {
            metadata.insert(&String::from_utf8_lossy(&p.name), p.value.clone());
        }
        if let Some(address) = &self.config.peer_address {
            metadata.insert(PEER_ADDRESS, address.clone());
        }
        if let Some(fd) = self.config.source_fd {
            metadata.set_source_fd(fd);
        }
        metadata
    }

    pub(super) fn establish(&mut self, metadata: Metadata, identity: Bytes, now: Instant) {
        self.metadata = Arc::new(metadata);
        self.phase = Phase::Traffic;
        if let Some(decoder) = self.decoder.as_mut() {
            decoder.set_max_message_size(self.config.max_msg_size);
        }
        self.handshake_deadline = None;
        self.heartbeat.start(now);
        self.events.push_back(ConnectionEvent::HandshakeSucceeded {
            peer: self.metadata.clone(),
            version: self.version.unwrap_or(ZmtpVersion::V3_1),
        });
        if self.config.recv_routing_id {
            let mut msg = body_to_msg(identity);
            msg.set_flags(MsgFlags::ROUTING_ID);
            msg.set_metadata(Some(self.metadata.clone()));
            self.events.push_back(ConnectionEvent::Message(msg));
        }
    }
}

/// The mechanism handshake `config` asks for, not started yet. Fails when
/// the application metadata has an invalid property name.
pub(super) fn start_handshake(config: &ConnectionConfig) -> Result<Handshake, MechanismError> {
    let mut mechanism_config = MechanismConfig::new(config.socket_type);
    mechanism_config.routing_id = config.routing_id.clone();
    mechanism_config.metadata = config.metadata.clone();
    mechanism_config.as_server = config.as_server;
    mechanism_config.zap = ZapSettings {
        domain: config.zap_domain.clone(),
        enforce_domain: config.zap_enforce_domain,
        handler_available: config.zap_handler_available,
        peer_address: config.peer_address.clone().unwrap_or_default(),
    };
    let handshake = match &config.mechanism {
        MechanismChoice::Null => Handshake::null(&mechanism_config)?,
        MechanismChoice::Plain { server: true, .. } => Handshake::plain_server(&mechanism_config)?,
        MechanismChoice::Plain {
            server: false,
            username,
            password,
        } => Handshake::plain_client(&mechanism_config, username, password)?,
        MechanismChoice::Curve {
            server: true,
            secret,
            ..
        } => Handshake::curve_server(&mechanism_config, secret.clone())?,
        MechanismChoice::Curve {
            server: false,
            public,
            secret,
            server_key,
        } => Handshake::curve_client(
            &mechanism_config,
            CurveClientKeys {
                public: *public,
                secret: secret.clone(),
                server: *server_key,
            },
        )?,
        MechanismChoice::Gssapi { server, options } => {
            let mut gss_config = mechanism_config.clone();
            gss_config.as_server = *server;
            Handshake::gssapi(&gss_config, options)?
        }
    };
    Ok(handshake)
}
