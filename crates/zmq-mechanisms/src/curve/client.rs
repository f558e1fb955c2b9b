//! CURVE client: sends HELLO, opens WELCOME, sends INITIATE with its vouch,
//! opens READY.

use std::collections::VecDeque;

use bytes::Bytes;
use zeroize::Zeroize;
use zmtp_codec::{Metadata, SocketType};

use super::traffic::CurveTraffic;
use super::{READY_MIN_LEN, WELCOME_LEN, read_array, read_nonce};
use crate::config::MechanismConfig;
use crate::error::MechanismError;
use crate::handshake::{Established, Handshake, Step};
use crate::keys::{SecretKey, fill_random};
use crate::nacl::{BoxKey, long_nonce, short_nonce};
use crate::peer::{
    check_command_structure, command_body, has_name, parse_peer_properties, peer_error,
};
use crate::plain::our_properties;

use super::CurveHandshake;

/// A client's keys: its long-term pair and the server's public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurveClientKeys {
    /// `ZMQ_CURVE_PUBLICKEY` (C).
    pub public: [u8; 32],
    /// `ZMQ_CURVE_SECRETKEY` (c).
    pub secret: SecretKey,
    /// `ZMQ_CURVE_SERVERKEY` (S).
    pub server: [u8; 32],
}

/// A CURVE client handshake.
#[derive(Debug)]
pub struct CurveClient {
    socket_type: SocketType,
    properties: Vec<u8>,
    keys: CurveClientKeys,
    transient: SecretKey,
    transient_public: [u8; 32],
    next_nonce: u64,
    pending: VecDeque<Bytes>,
    state: ClientState,
}

#[derive(Debug)]
enum ClientState {
    /// HELLO sent; the key C'->S opens WELCOME.
    WaitWelcome { hello_key: BoxKey },
    /// INITIATE sent; the transient key opens READY.
    WaitReady { key: BoxKey },
    /// Consumed.
    Done,
}

impl CurveClient {
    /// Starts a client: a fresh transient pair and HELLO ready to poll.
    pub fn new(
        config: &MechanismConfig,
        keys: CurveClientKeys,
    ) -> Result<CurveClient, MechanismError> {
        let transient = SecretKey::generate().map_err(|_| MechanismError::RandomSource)?;
        let transient_public = transient.public_key();
        let hello_key = BoxKey::precompute(&keys.server, &transient.to_static())
            .ok_or(MechanismError::Cryptographic { what: "server key" })?;
        let nonce = 1u64;
        let signature = hello_key.seal(&short_nonce(b"CurveZMQHELLO---", nonce), &[0u8; 64])?;
        let hello = command_body(
            b"HELLO",
            &[
                &[1, 0],
                &[0u8; 72],
                &transient_public,
                &nonce.to_be_bytes(),
                &signature,
            ],
        );
        Ok(CurveClient {
            socket_type: config.socket_type,
            properties: our_properties(config)?,
            keys,
            transient,
            transient_public,
            next_nonce: nonce + 1,
            pending: VecDeque::from([hello]),
            state: ClientState::WaitWelcome { hello_key },
        })
    }

    /// The next command to send.
    pub fn poll_command(&mut self) -> Option<Bytes> {
        self.pending.pop_front()
    }

    /// Consumes WELCOME, READY or ERROR.
    pub fn handle_command(mut self, body: Bytes) -> Result<Step, MechanismError> {
        check_command_structure(&body)?;
        if has_name(&body, b"\x05ERROR") && !matches!(self.state, ClientState::Done) {
            return Err(peer_error(&body.slice(6..)));
        }
        match core::mem::replace(&mut self.state, ClientState::Done) {
            ClientState::WaitWelcome { hello_key } => {
                if !has_name(&body, b"\x07WELCOME") {
                    return Err(MechanismError::UnexpectedCommand);
                }
                if body.len() != WELCOME_LEN {
                    return Err(MechanismError::MalformedWelcome);
                }
                let nonce = long_nonce(b"WELCOME-", &read_array(&body, 8));
                let welcome = hello_key
                    .open(&nonce, body.get(24..).unwrap_or_default())
                    .ok_or(MechanismError::Cryptographic {
                        what: "WELCOME box",
                    })?;
                let server_transient: [u8; 32] = read_array(&welcome, 0);
                let cookie: [u8; 96] = read_array(&welcome, 32);
                let key = BoxKey::precompute(&server_transient, &self.transient.to_static())
                    .ok_or(MechanismError::Cryptographic {
                        what: "server transient key",
                    })?;
                let initiate = self.initiate(&key, &server_transient, &cookie)?;
                self.pending.push_back(initiate);
                self.state = ClientState::WaitReady { key };
                Ok(Step::Continue(Handshake::Curve(Box::new(
                    CurveHandshake::Client(self),
                ))))
            }
            ClientState::WaitReady { key } => {
                if !has_name(&body, b"\x05READY") {
                    return Err(MechanismError::UnexpectedCommand);
                }
                if body.len() < READY_MIN_LEN {
                    return Err(MechanismError::MalformedReady {
                        reason: "CURVE READY too short",
                    });
                }
                let peer_nonce = read_nonce(&body, 6);
                let metadata = key
                    .open(
                        &short_nonce(b"CurveZMQREADY---", peer_nonce),
                        body.get(14..).unwrap_or_default(),
                    )
                    .ok_or(MechanismError::Cryptographic { what: "READY box" })?;
                let peer_properties: Metadata = parse_peer_properties(
                    Bytes::from(metadata),
                    self.socket_type,
                    MechanismError::MalformedReady {
                        reason: "no Socket-Type property",
                    },
                )?;
                Ok(Step::Ready(Established {
                    peer_properties,
                    transform: Some(Box::new(CurveTraffic::new(
                        key,
                        false,
                        self.next_nonce,
                        peer_nonce,
                    ))),
                    final_commands: self.pending.drain(..).collect(),
                }))
            }
            ClientState::Done => Err(MechanismError::UnexpectedCommand),
        }
    }

    /// INITIATE: cookie, short nonce, Box[C + vouch + metadata](C'->S').
    fn initiate(
        &mut self,
        key: &BoxKey,
        server_transient: &[u8; 32],
        cookie: &[u8; 96],
    ) -> Result<Bytes, MechanismError> {
        let mut vouch_nonce = [0u8; 16];
        fill_random(&mut vouch_nonce).map_err(|_| MechanismError::RandomSource)?;
        let vouch_key = BoxKey::precompute(server_transient, &self.keys.secret.to_static()).ok_or(
            MechanismError::Cryptographic {
                what: "server transient key",
            },
        )?;
        let mut vouch_plain = [0u8; 64];
        vouch_plain[..32].copy_from_slice(&self.transient_public);
        vouch_plain[32..].copy_from_slice(&self.keys.server);
        let vouch = vouch_key.seal(&long_nonce(b"VOUCH---", &vouch_nonce), &vouch_plain);
        vouch_plain.zeroize();
        let vouch = vouch?;
        let mut plain = Vec::with_capacity(32 + 16 + vouch.len() + self.properties.len());
        plain.extend_from_slice(&self.keys.public);
        plain.extend_from_slice(&vouch_nonce);
        plain.extend_from_slice(&vouch);
        plain.extend_from_slice(&self.properties);
        let nonce = self.next_nonce;
        self.next_nonce += 1;
        let sealed = key.seal(&short_nonce(b"CurveZMQINITIATE", nonce), &plain);
        plain.zeroize();
        let sealed = sealed?;
        Ok(command_body(
            b"INITIATE",
            &[cookie, &nonce.to_be_bytes(), &sealed],
        ))
    }
}
