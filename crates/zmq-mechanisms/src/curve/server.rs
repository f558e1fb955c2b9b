//! CURVE server: opens HELLO, sends WELCOME with a cookie under a fresh
//! per-connection cookie key, opens INITIATE (cookie, box, vouch), asks
//! ZAP with the client's long-term key, sends READY.

use std::collections::VecDeque;

use bytes::Bytes;
use zeroize::Zeroize;
use zmtp_codec::{Mechanism, Metadata, SocketType};

use super::traffic::CurveTraffic;
use super::{CurveHandshake, HELLO_LEN, INITIATE_MIN_LEN, read_array, read_nonce};
use crate::config::MechanismConfig;
use crate::error::MechanismError;
use crate::handshake::{Established, Handshake, Step};
use crate::keys::{SecretKey, fill_random};
use crate::nacl::{BoxKey, long_nonce, short_nonce};
use crate::peer::{check_command_structure, command_body, has_name, parse_peer_properties};
use crate::plain::our_properties;
use crate::zap::{ZapReply, ZapRequest, ZapSettings, merge_properties};

/// A CURVE server handshake.
#[derive(Debug)]
pub struct CurveServer {
    socket_type: SocketType,
    properties: Vec<u8>,
    zap: ZapSettings,
    routing_id: Bytes,
    secret: SecretKey,
    public: [u8; 32],
    transient: SecretKey,
    transient_public: [u8; 32],
    next_nonce: u64,
    pending: VecDeque<Bytes>,
    state: ServerState,
}

#[derive(Debug)]
enum ServerState {
    /// Waiting for HELLO.
    WaitHello,
    /// WELCOME sent; the cookie key opens the cookie INITIATE brings back.
    WaitInitiate {
        client_transient: [u8; 32],
        cookie_key: BoxKey,
    },
    /// ZAP asked about the client.
    WaitZap {
        key: BoxKey,
        peer: Metadata,
        peer_nonce: u64,
    },
    /// Consumed.
    Done,
}

impl CurveServer {
    /// A server with long-term secret key `secret` (`ZMQ_CURVE_SECRETKEY`).
    pub fn new(config: &MechanismConfig, secret: SecretKey) -> Result<CurveServer, MechanismError> {
        let transient = SecretKey::generate().map_err(|_| MechanismError::RandomSource)?;
        Ok(CurveServer {
            socket_type: config.socket_type,
            properties: our_properties(config)?,
            zap: config.zap.clone(),
            routing_id: config.routing_id.clone(),
            public: secret.public_key(),
            secret,
            transient_public: transient.public_key(),
            transient,
            next_nonce: 1,
            pending: VecDeque::new(),
            state: ServerState::WaitHello,
        })
    }

    /// The next command to send.
    pub fn poll_command(&mut self) -> Option<Bytes> {
        self.pending.pop_front()
    }

    /// Consumes HELLO or INITIATE.
    pub fn handle_command(mut self, body: Bytes) -> Result<Step, MechanismError> {
        check_command_structure(&body)?;
        match core::mem::replace(&mut self.state, ServerState::Done) {
            ServerState::WaitHello => {
                let client_transient = open_hello(&body, &self.secret)?;
                let welcome = self.welcome(&client_transient)?;
                self.pending.push_back(welcome.0);
                self.state = ServerState::WaitInitiate {
                    client_transient,
                    cookie_key: welcome.1,
                };
                Ok(Step::Continue(Handshake::Curve(Box::new(
                    CurveHandshake::Server(self),
                ))))
            }
            ServerState::WaitInitiate {
                client_transient,
                cookie_key,
            } => self.on_initiate(&body, &client_transient, &cookie_key),
            ServerState::WaitZap { .. } | ServerState::Done => {
                Err(MechanismError::UnexpectedCommand)
            }
        }
    }

    /// Resumes after ZAP: READY on 200, a refusal otherwise.
    pub fn handle_zap_reply(mut self, reply: ZapReply) -> Result<Step, MechanismError> {
        let ServerState::WaitZap {
            key,
            mut peer,
            peer_nonce,
        } = core::mem::replace(&mut self.state, ServerState::Done)
        else {
            return Err(MechanismError::UnexpectedCommand);
        };
        reply.verdict()?;
        merge_properties(&mut peer, &reply.properties());
        self.ready(key, peer, peer_nonce)
    }

    /// WELCOME and the cookie key it commits us to.
    fn welcome(&self, client_transient: &[u8; 32]) -> Result<(Bytes, BoxKey), MechanismError> {
        let mut random = [0u8; 64];
        fill_random(&mut random).map_err(|_| MechanismError::RandomSource)?;
        let cookie_key = BoxKey::from_secret_bytes(read_array(&random, 0));
        let cookie_nonce: [u8; 16] = read_array(&random, 32);
        let welcome_nonce: [u8; 16] = read_array(&random, 48);
        random.zeroize();
        let mut cookie_plain = [0u8; 64];
        cookie_plain[..32].copy_from_slice(client_transient);
        cookie_plain[32..].copy_from_slice(self.transient.as_bytes());
        let cookie_box = cookie_key.seal(&long_nonce(b"COOKIE--", &cookie_nonce), &cookie_plain);
        // Before `?`: it holds our transient secret key.
        cookie_plain.zeroize();
        let cookie_box = cookie_box?;
        let mut welcome_plain = Vec::with_capacity(128);
        welcome_plain.extend_from_slice(&self.transient_public);
        welcome_plain.extend_from_slice(&cookie_nonce);
        welcome_plain.extend_from_slice(&cookie_box);
        let key = BoxKey::precompute(client_transient, &self.secret.to_static()).ok_or(
            MechanismError::Cryptographic {
                what: "client transient key",
            },
        )?;
        let sealed = key.seal(&long_nonce(b"WELCOME-", &welcome_nonce), &welcome_plain)?;
        Ok((
            command_body(b"WELCOME", &[&welcome_nonce, &sealed]),
            cookie_key,
        ))
    }

    fn on_initiate(
        mut self,
        body: &Bytes,
        client_transient: &[u8; 32],
        cookie_key: &BoxKey,
    ) -> Result<Step, MechanismError> {
        if !has_name(body, b"\x08INITIATE") {
            return Err(MechanismError::UnexpectedCommand);
        }
        if body.len() < INITIATE_MIN_LEN {
            return Err(MechanismError::MalformedInitiate);
        }
        let crypto = |what| MechanismError::Cryptographic { what };
        let mut cookie = cookie_key
            .open(
                &long_nonce(b"COOKIE--", &read_array(body, 9)),
                body.get(25..105).unwrap_or_default(),
            )
            .ok_or(crypto("INITIATE cookie"))?;
        let cookie_ok = cookie.get(..32) == Some(&client_transient[..])
            && cookie.get(32..64) == Some(&self.transient.as_bytes()[..]);
        cookie.zeroize();
        if !cookie_ok {
            return Err(crypto("INITIATE cookie"));
        }
        let peer_nonce = read_nonce(body, 105);
        let key = BoxKey::precompute(client_transient, &self.transient.to_static())
            .ok_or(crypto("client transient key"))?;
        let plain = key
            .open(
                &short_nonce(b"CurveZMQINITIATE", peer_nonce),
                body.get(113..).unwrap_or_default(),
            )
            .ok_or(crypto("INITIATE box"))?;
        let client_key: [u8; 32] = read_array(&plain, 0);
        let vouch_key = BoxKey::precompute(&client_key, &self.transient.to_static())
            .ok_or(crypto("client key"))?;
        let vouch = vouch_key
            .open(
                &long_nonce(b"VOUCH---", &read_array(&plain, 32)),
                plain.get(48..128).unwrap_or_default(),
            )
            .ok_or(crypto("INITIATE vouch"))?;
        if vouch.get(..32) != Some(&client_transient[..])
            || vouch.get(32..64) != Some(&self.public[..])
        {
            return Err(MechanismError::KeyExchange);
        }
        let peer = parse_peer_properties(
            Bytes::from(plain).slice(128..),
            self.socket_type,
            MechanismError::MalformedInitiate,
        )?;
        if !self.zap.curve_asks()? {
            return self.ready(key, peer, peer_nonce);
        }
        let request = ZapRequest {
            domain: self.zap.domain.clone(),
            address: self.zap.peer_address.clone(),
            routing_id: self.routing_id.clone(),
            mechanism: Mechanism::CURVE,
            credentials: vec![Bytes::copy_from_slice(&client_key)],
        };
        self.state = ServerState::WaitZap {
            key,
            peer,
            peer_nonce,
        };
        Ok(Step::NeedZap {
            handshake: Handshake::Curve(Box::new(CurveHandshake::Server(self))),
            request,
        })
    }

    /// READY, then traffic.
    fn ready(
        mut self,
        key: BoxKey,
        peer_properties: Metadata,
        peer_nonce: u64,
    ) -> Result<Step, MechanismError> {
        let nonce = self.next_nonce;
        let sealed = key.seal(&short_nonce(b"CurveZMQREADY---", nonce), &self.properties)?;
        self.pending
            .push_back(command_body(b"READY", &[&nonce.to_be_bytes(), &sealed]));
        Ok(Step::Ready(Established {
            peer_properties,
            transform: Some(Box::new(CurveTraffic::new(
                key,
                true,
                nonce + 1,
                peer_nonce,
            ))),
            final_commands: self.pending.drain(..).collect(),
        }))
    }
}

/// Checks HELLO and opens its signature box; returns the client's
/// transient key C'.
fn open_hello(body: &[u8], secret: &SecretKey) -> Result<[u8; 32], MechanismError> {
    if !has_name(body, b"\x05HELLO") {
        return Err(MechanismError::UnexpectedCommand);
    }
    if body.len() != HELLO_LEN || body.get(6..8) != Some(&[1, 0][..]) {
        return Err(MechanismError::MalformedHello);
    }
    let client_transient: [u8; 32] = read_array(body, 80);
    let crypto = MechanismError::Cryptographic {
        what: "HELLO signature box",
    };
    let key = BoxKey::precompute(&client_transient, &secret.to_static()).ok_or(crypto.clone())?;
    key.open(
        &short_nonce(b"CurveZMQHELLO---", read_nonce(body, 112)),
        body.get(120..).unwrap_or_default(),
    )
    .ok_or(crypto)?;
    Ok(client_transient)
}
