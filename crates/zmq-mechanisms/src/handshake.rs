//! The mechanism-independent handshake driver.
//!
//! ```text
//!   Handshake ──handle_command(body)──► Step::Continue(Handshake)
//!                                   ├─► Step::NeedZap { handshake, request }
//!                                   │      └─handle_zap_reply(reply)──► Step
//!                                   ├─► Step::Ready(Established)
//!                                   └─► Err(MechanismError)
//! ```
//! Each call consumes the handshake, so a finished or failed state cannot
//! be driven again.

use bytes::{Bytes, BytesMut};
use zmtp_codec::{Command, Mechanism, Metadata};

use crate::config::MechanismConfig;
use crate::curve::{CurveClient, CurveClientKeys, CurveHandshake, CurveServer};
use crate::error::MechanismError;
use crate::gssapi::GssapiConfig;
#[cfg(feature = "gssapi")]
use crate::gssapi::{GssapiClient, GssapiHandshake, GssapiServer};
use crate::keys::SecretKey;
use crate::null::NullHandshake;
use crate::plain::PlainHandshake;
use crate::transform::TrafficTransform;
use crate::zap::{ZapReply, ZapRequest};

/// A handshake in progress, for any mechanism.
#[derive(Debug)]
#[non_exhaustive]
pub enum Handshake {
    /// NULL (RFC 23).
    Null(NullHandshake),
    /// PLAIN (RFC 24), either side.
    Plain(PlainHandshake),
    /// CURVE (RFC 25/26), either side (boxed: it holds keys and buffers).
    Curve(Box<CurveHandshake>),
    /// GSSAPI (RFC 38), either side (boxed: it holds GSS-API handles).
    #[cfg(feature = "gssapi")]
    Gssapi(Box<GssapiHandshake>),
}

/// What a handshake does after consuming its input.
#[derive(Debug)]
pub enum Step {
    /// Waiting for the peer's next command.
    Continue(Handshake),
    /// A server mechanism needs a ZAP verdict before it can go on.
    NeedZap {
        /// The handshake to resume with [`Handshake::handle_zap_reply`].
        handshake: Handshake,
        /// What to ask the ZAP handler.
        request: ZapRequest,
    },
    /// The handshake is complete.
    Ready(Established),
}

/// The outcome of a successful handshake.
#[derive(Debug)]
pub struct Established {
    /// The peer's properties (READY / INITIATE metadata).
    pub peer_properties: Metadata,
    /// What message frames go through from now on; `None`: they go as
    /// they are (NULL, PLAIN, GSSAPI without wrapping).
    pub transform: Option<Box<dyn TrafficTransform>>,
    /// Command bodies not yet collected with [`Handshake::poll_command`]
    /// that must still go out, in order, before any message.
    pub final_commands: Vec<Bytes>,
}

impl Handshake {
    /// A NULL handshake for `config` (client and server alike).
    pub fn null(config: &MechanismConfig) -> Result<Handshake, MechanismError> {
        NullHandshake::new(config).map(Handshake::Null)
    }

    /// A PLAIN client authenticating as `username` / `password`.
    pub fn plain_client(
        config: &MechanismConfig,
        username: &[u8],
        password: &[u8],
    ) -> Result<Handshake, MechanismError> {
        PlainHandshake::client(config, username, password).map(Handshake::Plain)
    }

    /// A PLAIN server (asks ZAP about every client).
    pub fn plain_server(config: &MechanismConfig) -> Result<Handshake, MechanismError> {
        PlainHandshake::server(config).map(Handshake::Plain)
    }

    /// A CURVE client with its long-term keys and the server's public key.
    pub fn curve_client(
        config: &MechanismConfig,
        keys: CurveClientKeys,
    ) -> Result<Handshake, MechanismError> {
        CurveClient::new(config, keys)
            .map(|c| Handshake::Curve(Box::new(CurveHandshake::Client(c))))
    }

    /// A CURVE server with its long-term secret key.
    pub fn curve_server(
        config: &MechanismConfig,
        secret: SecretKey,
    ) -> Result<Handshake, MechanismError> {
        CurveServer::new(config, secret)
            .map(|s| Handshake::Curve(Box::new(CurveHandshake::Server(s))))
    }

    /// A GSSAPI client or server (`config.as_server`) with the socket's
    /// GSSAPI options. Without the `gssapi` feature this fails with
    /// [`MechanismError::Gssapi`] (the option layer never selects it).
    pub fn gssapi(
        config: &MechanismConfig,
        options: &GssapiConfig,
    ) -> Result<Handshake, MechanismError> {
        #[cfg(feature = "gssapi")]
        {
            let inner = if config.as_server {
                GssapiHandshake::Server(GssapiServer::new(config, options)?)
            } else {
                GssapiHandshake::Client(GssapiClient::new(config, options)?)
            };
            Ok(Handshake::Gssapi(Box::new(inner)))
        }
        #[cfg(not(feature = "gssapi"))]
        {
            let _ = (config, options);
            Err(MechanismError::Gssapi {
                call: "GSSAPI not built",
                major: 0,
                minor: 0,
                message: String::new(),
            })
        }
    }

    /// The first step, right after the greeting: NULL with a ZAP domain
    /// asks ZAP before its READY ([`Step::NeedZap`]); every other
    /// handshake just goes on ([`Step::Continue`]; poll its commands).
    pub fn start(self) -> Result<Step, MechanismError> {
        match self {
            Handshake::Null(h) => h.start(),
            // The GSSAPI client sends its first token.
            #[cfg(feature = "gssapi")]
            Handshake::Gssapi(g) => match *g {
                GssapiHandshake::Client(c) => c.start(),
                server => Ok(Step::Continue(Handshake::Gssapi(Box::new(server)))),
            },
            other => Ok(Step::Continue(other)),
        }
    }

    /// The mechanism this handshake speaks (for the greeting).
    pub fn mechanism(&self) -> Mechanism {
        match self {
            Handshake::Null(_) => Mechanism::NULL,
            Handshake::Plain(_) => Mechanism::PLAIN,
            Handshake::Curve(_) => Mechanism::CURVE,
            #[cfg(feature = "gssapi")]
            Handshake::Gssapi(_) => Mechanism::GSSAPI,
        }
    }

    /// The next command body (name length, name, data) to send as a command
    /// frame, if any.
    pub fn poll_command(&mut self) -> Option<Bytes> {
        match self {
            Handshake::Null(h) => h.poll_command(),
            Handshake::Plain(h) => h.poll_command(),
            Handshake::Curve(curve) => match curve.as_mut() {
                CurveHandshake::Client(h) => h.poll_command(),
                CurveHandshake::Server(h) => h.poll_command(),
            },
            #[cfg(feature = "gssapi")]
            Handshake::Gssapi(g) => match g.as_mut() {
                GssapiHandshake::Client(h) => h.poll_command(),
                GssapiHandshake::Server(h) => h.poll_command(),
            },
        }
    }

    /// Consumes a received command frame's body.
    pub fn handle_command(self, body: Bytes) -> Result<Step, MechanismError> {
        match self {
            Handshake::Null(h) => h.handle_command(body),
            Handshake::Plain(h) => h.handle_command(body),
            Handshake::Curve(curve) => match *curve {
                CurveHandshake::Client(h) => h.handle_command(body),
                CurveHandshake::Server(h) => h.handle_command(body),
            },
            #[cfg(feature = "gssapi")]
            Handshake::Gssapi(g) => match *g {
                GssapiHandshake::Client(h) => h.handle_command(body),
                GssapiHandshake::Server(h) => h.handle_command(body),
            },
        }
    }

    /// Resumes after [`Step::NeedZap`] with the handler's reply. A refusal
    /// is [`MechanismError::AuthFailed`] (send
    /// [`MechanismError::error_reason_to_send`] as ERROR, then close).
    pub fn handle_zap_reply(self, reply: ZapReply) -> Result<Step, MechanismError> {
        match self {
            // A stray reply (NULL did not ask) is treated as a refusal.
            Handshake::Null(h) => h.handle_zap_reply(reply),
            Handshake::Plain(h) => h.handle_zap_reply(reply),
            Handshake::Curve(curve) => match *curve {
                CurveHandshake::Server(h) => h.handle_zap_reply(reply),
                CurveHandshake::Client(_) => Err(MechanismError::UnexpectedCommand),
            },
            #[cfg(feature = "gssapi")]
            Handshake::Gssapi(g) => match *g {
                GssapiHandshake::Server(h) => h.handle_zap_reply(reply),
                GssapiHandshake::Client(_) => Err(MechanismError::UnexpectedCommand),
            },
        }
    }
}

/// The body of an ERROR command with `reason` (cut to 255 bytes), to send
/// before closing when we refuse a peer.
pub fn error_command_body(reason: &[u8]) -> Bytes {
    let command = Command::Error {
        reason: Bytes::copy_from_slice(reason),
    };
    let mut out = BytesMut::with_capacity(command.encoded_len());
    command.encode_body(&mut out);
    out.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_layout() {
        assert_eq!(&error_command_body(b"400")[..], b"\x05ERROR\x03400");
        let long = [b'x'; 300];
        assert_eq!(error_command_body(&long).len(), 1 + 5 + 1 + 255);
    }
}
