//! The greeting exchange: version detection and negotiation as libzmq 4.3
//! does it, as a sans-IO state machine.
//!
//! ```text
//!  we send                          we read from the peer
//!  -------                          ---------------------
//!  signature (10)  ───────────────► byte 0 != 0xFF ─────────────► ZMTP 1.0 (unversioned)
//!                                   bytes 1..=9, bit 0 of byte 9 == 0 ─► ZMTP 1.0 (unversioned)
//!  major 0x03      ◄─ after 10 ──── byte 10 (revision)
//!                                   0x00 / 0x01 ──► send socket-type byte,
//!                                                   read peer's socket-type byte
//!                                                   ─► ZMTP 1.0 / 2.0 (versioned)
//!                                   otherwise ────► send minor 1 + mechanism +
//!                                                   as-server + filler, read up
//!                                                   to byte 64 ─► 3.0 (major 3,
//!                                                   minor 0) or 3.1
//! ```
//!
//! On an unversioned ZMTP 1.0 peer the signature we sent was the header of
//! our identity frame, so the exchange queues the identity body, and hands
//! back the bytes it read ([`PeerGreeting::replay`]): they are the start of
//! the peer's first (identity) frame and must be fed to the 1.0 decoder.

use bytes::{Bytes, BytesMut};

use crate::error::Error;
use crate::greeting::{self, GREETING_LEN, Mechanism, SIGNATURE_LEN, field};
use crate::socket_type::SocketType;

/// Length of a ZMTP 2.0 greeting (signature, revision, socket type).
const V2_GREETING_LEN: usize = 12;

/// The protocol version spoken with a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ZmtpVersion {
    /// ZMTP 1.0 (0MQ 2.x): 1.0 framing, identity frame first.
    V1_0,
    /// ZMTP 2.0 (0MQ 3.x): 2.0 framing, identity frame first.
    V2_0,
    /// ZMTP 3.0: subscriptions go out as `0x01`/`0x00`-prefixed messages.
    V3_0,
    /// ZMTP 3.1 (or any later 3.x): subscriptions go out as SUBSCRIBE/CANCEL.
    V3_1,
}

impl ZmtpVersion {
    /// The framing to decode and encode frames with after the greeting.
    pub fn framing(self) -> crate::frame::Framing {
        use crate::frame::Framing;
        match self {
            ZmtpVersion::V1_0 => Framing::V1,
            ZmtpVersion::V2_0 => Framing::V2,
            ZmtpVersion::V3_0 | ZmtpVersion::V3_1 => Framing::V3,
        }
    }
}

/// What we announce in the greeting.
#[derive(Debug, Clone)]
pub struct GreetingConfig {
    /// Our security mechanism; the peer's must match exactly (ZMTP 3.x).
    pub mechanism: Mechanism,
    /// Our as-server byte. libzmq 4.3 always sends 0 here (its 3.x greeting
    /// ends in 32 zero bytes); pass `false` to match it byte for byte.
    pub as_server: bool,
    /// Our socket type (sent as a byte to ZMTP 1.0/2.0 peers).
    pub socket_type: SocketType,
    /// Our routing id (`ZMQ_ROUTING_ID`, at most 255 bytes; longer values
    /// are cut to 255): its length goes in the signature padding and its body
    /// to an unversioned ZMTP 1.0 peer.
    pub routing_id: Bytes,
    /// Whether ZMTP 1.0/2.0 peers are accepted. libzmq refuses them when
    /// ZAP is enabled (a ZAP domain is set or the mechanism is not NULL).
    pub allow_downgrade: bool,
}

impl GreetingConfig {
    /// NULL mechanism, client role, empty routing id, downgrade allowed.
    pub fn new(socket_type: SocketType) -> Self {
        GreetingConfig {
            mechanism: Mechanism::NULL,
            as_server: false,
            socket_type,
            routing_id: Bytes::new(),
            allow_downgrade: true,
        }
    }
}

/// What the exchange learnt about the peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerGreeting {
    /// The version we speak with the peer from now on.
    pub version: ZmtpVersion,
    /// True when the peer is ZMTP 1.0 without any signature.
    pub unversioned: bool,
    /// The peer's mechanism (ZMTP 3.x only).
    pub mechanism: Option<Mechanism>,
    /// The peer's as-server flag (ZMTP 3.x; false otherwise).
    pub as_server: bool,
    /// The peer's socket-type byte (ZMTP 1.0 versioned / 2.0 greetings).
    pub socket_type: Option<u8>,
    /// Bytes read during the greeting that belong to the peer's frame
    /// stream (unversioned ZMTP 1.0 only; empty otherwise). Feed them to
    /// the decoder before any later input.
    pub replay: Bytes,
}

/// The sans-IO greeting exchange. Feed it the peer's bytes with
/// [`GreetingExchange::receive`], send what [`GreetingExchange::poll_transmit`]
/// returns, until [`GreetingExchange::peer`] is `Some`.
#[derive(Debug)]
pub struct GreetingExchange {
    config: GreetingConfig,
    received: [u8; GREETING_LEN],
    received_len: usize,
    expected_len: usize,
    sent_major: bool,
    sent_rest: bool,
    outbox: BytesMut,
    peer: Option<PeerGreeting>,
}

impl GreetingExchange {
    /// Starts an exchange; the 10-byte signature is queued for sending.
    pub fn new(mut config: GreetingConfig) -> Self {
        config.routing_id.truncate(255);
        let mut outbox = BytesMut::with_capacity(GREETING_LEN);
        outbox.extend_from_slice(&greeting::signature(config.routing_id.len()));
        GreetingExchange {
            config,
            received: [0; GREETING_LEN],
            received_len: 0,
            expected_len: V2_GREETING_LEN,
            sent_major: false,
            sent_rest: false,
            outbox,
            peer: None,
        }
    }

    /// Bytes to send to the peer now (empty when there is nothing to send).
    pub fn poll_transmit(&mut self) -> Bytes {
        self.outbox.split().freeze()
    }

    /// The peer's greeting, once the exchange is complete.
    pub fn peer(&self) -> Option<&PeerGreeting> {
        self.peer.as_ref()
    }

    /// Whether the exchange is complete.
    pub fn is_done(&self) -> bool {
        self.peer.is_some()
    }

    /// Feeds bytes from the peer. Returns how many were consumed: never
    /// more than the greeting needs, so the rest belongs to the frame
    /// stream. After completion it consumes nothing.
    pub fn receive(&mut self, input: &[u8]) -> Result<usize, Error> {
        let mut consumed = 0;
        while self.peer.is_none() {
            let Some(rest) = input.get(consumed..) else {
                break;
            };
            if rest.is_empty() {
                break;
            }
            let stop = self.next_checkpoint();
            let want = stop.saturating_sub(self.received_len).min(rest.len());
            let (Some(dst), Some(src)) = (
                self.received
                    .get_mut(self.received_len..self.received_len + want),
                rest.get(..want),
            ) else {
                break;
            };
            dst.copy_from_slice(src);
            self.received_len += want;
            consumed += want;
            self.advance()?;
        }
        Ok(consumed)
    }

    /// The next length at which a decision is taken.
    fn next_checkpoint(&self) -> usize {
        match self.received_len {
            0 => 1,
            1..SIGNATURE_LEN => SIGNATURE_LEN,
            SIGNATURE_LEN => SIGNATURE_LEN + 1,
            _ => self.expected_len,
        }
    }

    fn advance(&mut self) -> Result<(), Error> {
        let r = &self.received;
        let len = self.received_len;
        if len >= 1 && r[field::SIGNATURE_START] != 0xFF {
            return self.finish_unversioned();
        }
        if len < SIGNATURE_LEN {
            return Ok(());
        }
        if r[field::SIGNATURE_END] & 1 == 0 {
            return self.finish_unversioned();
        }
        if !self.sent_major {
            self.sent_major = true;
            self.outbox.extend_from_slice(&[3]);
        }
        if len < SIGNATURE_LEN + 1 {
            return Ok(());
        }
        let revision = r[field::MAJOR];
        let old_peer = revision <= 1;
        if !self.sent_rest {
            self.sent_rest = true;
            if old_peer {
                if !self.config.allow_downgrade {
                    return Err(Error::DowngradeRefused);
                }
                self.outbox
                    .extend_from_slice(&[self.config.socket_type.number()]);
            } else {
                let full = greeting::encode_greeting(
                    self.config.routing_id.len(),
                    1,
                    self.config.mechanism,
                    self.config.as_server,
                );
                self.outbox
                    .extend_from_slice(full.get(SIGNATURE_LEN + 1..).unwrap_or(&[]));
                self.expected_len = GREETING_LEN;
            }
        }
        if len < self.expected_len {
            return Ok(());
        }
        if old_peer {
            self.peer = Some(PeerGreeting {
                version: if revision == 0 {
                    ZmtpVersion::V1_0
                } else {
                    ZmtpVersion::V2_0
                },
                unversioned: false,
                mechanism: None,
                as_server: false,
                socket_type: Some(r[field::MINOR]),
                replay: Bytes::new(),
            });
            return Ok(());
        }
        let view = greeting::Greeting::new_checked(&self.received[..])
            .map_err(|_| Error::InvalidGreetingSignature)?;
        let mechanism = view.mechanism();
        if mechanism != self.config.mechanism {
            return Err(Error::MechanismMismatch {
                ours: *self.config.mechanism.field(),
                theirs: *mechanism.field(),
            });
        }
        // libzmq: revision 3 with minor 0 is 3.0, anything else (minor >= 1
        // or revision > 3, also revision 2) is handled as 3.1.
        let version = if view.minor() == 0 {
            ZmtpVersion::V3_0
        } else {
            ZmtpVersion::V3_1
        };
        self.peer = Some(PeerGreeting {
            version,
            unversioned: false,
            mechanism: Some(mechanism),
            as_server: view.as_server(),
            socket_type: None,
            replay: Bytes::new(),
        });
        Ok(())
    }

    fn finish_unversioned(&mut self) -> Result<(), Error> {
        if !self.config.allow_downgrade {
            return Err(Error::DowngradeRefused);
        }
        // The signature was our identity frame's header; send its body.
        self.outbox.extend_from_slice(&self.config.routing_id);
        let replay = self.received.get(..self.received_len).unwrap_or(&[]);
        self.peer = Some(PeerGreeting {
            version: ZmtpVersion::V1_0,
            unversioned: true,
            mechanism: None,
            as_server: false,
            socket_type: None,
            replay: Bytes::copy_from_slice(replay),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn libzmq_peer_greeting(minor: u8, mechanism: Mechanism) -> [u8; 64] {
        greeting::encode_greeting(0, minor, mechanism, false)
    }

    #[test]
    fn v3_1_exchange_emits_libzmq_bytes() {
        let mut ex = GreetingExchange::new(GreetingConfig::new(SocketType::Dealer));
        assert_eq!(
            &ex.poll_transmit()[..],
            &[0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F]
        );
        let peer = libzmq_peer_greeting(1, Mechanism::NULL);
        assert_eq!(ex.receive(&peer[..10]).unwrap(), 10);
        assert_eq!(&ex.poll_transmit()[..], &[3]);
        assert_eq!(ex.receive(&peer[10..11]).unwrap(), 1);
        let rest = ex.poll_transmit();
        assert_eq!(rest.len(), 53);
        assert_eq!(rest[0], 1);
        assert_eq!(&rest[1..5], b"NULL");
        assert!(rest[5..].iter().all(|&b| b == 0));
        let mut tail = peer[11..].to_vec();
        tail.extend_from_slice(b"\x04\x00extra");
        assert_eq!(ex.receive(&tail).unwrap(), 53);
        let p = ex.peer().unwrap();
        assert_eq!(p.version, ZmtpVersion::V3_1);
        assert_eq!(p.mechanism, Some(Mechanism::NULL));
        assert!(ex.poll_transmit().is_empty());
        assert_eq!(ex.receive(b"more").unwrap(), 0);
    }

    #[test]
    fn v3_0_peer() {
        let mut ex = GreetingExchange::new(GreetingConfig::new(SocketType::Sub));
        let peer = libzmq_peer_greeting(0, Mechanism::NULL);
        assert_eq!(ex.receive(&peer).unwrap(), 64);
        assert_eq!(ex.peer().unwrap().version, ZmtpVersion::V3_0);
    }

    #[test]
    fn mechanism_mismatch() {
        let mut ex = GreetingExchange::new(GreetingConfig::new(SocketType::Sub));
        let peer = libzmq_peer_greeting(1, Mechanism::PLAIN);
        let err = ex.receive(&peer).unwrap_err();
        assert!(matches!(err, Error::MechanismMismatch { .. }));
    }

    #[test]
    fn v2_peer_gets_socket_type() {
        let mut ex = GreetingExchange::new(GreetingConfig::new(SocketType::Push));
        ex.poll_transmit();
        let peer = [0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0x01, 0x07, 0x00, 0x00];
        assert_eq!(ex.receive(&peer).unwrap(), 12);
        assert_eq!(&ex.poll_transmit()[..], &[3, 8]);
        let p = ex.peer().unwrap();
        assert_eq!(p.version, ZmtpVersion::V2_0);
        assert_eq!(p.socket_type, Some(7));
    }

    #[test]
    fn versioned_v1_peer() {
        let mut ex = GreetingExchange::new(GreetingConfig::new(SocketType::Pair));
        let peer = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x00, 0x00];
        assert_eq!(ex.receive(&peer).unwrap(), 12);
        assert_eq!(ex.peer().unwrap().version, ZmtpVersion::V1_0);
        assert!(!ex.peer().unwrap().unversioned);
    }

    #[test]
    fn unversioned_short_identity() {
        let mut config = GreetingConfig::new(SocketType::Req);
        config.routing_id = Bytes::from_static(b"me");
        let mut ex = GreetingExchange::new(config);
        assert_eq!(
            &ex.poll_transmit()[..],
            &[0xFF, 0, 0, 0, 0, 0, 0, 0, 3, 0x7F]
        );
        // A 1.0 peer's anonymous identity frame: length 1, flags 0.
        assert_eq!(ex.receive(&[0x01, 0x00, 0x05]).unwrap(), 1);
        let p = ex.peer().unwrap();
        assert!(p.unversioned);
        assert_eq!(p.version, ZmtpVersion::V1_0);
        assert_eq!(&p.replay[..], &[0x01]);
        assert_eq!(&ex.poll_transmit()[..], b"me");
    }

    #[test]
    fn unversioned_long_identity() {
        let mut ex = GreetingExchange::new(GreetingConfig::new(SocketType::Req));
        let peer = [0xFF, 0, 0, 0, 0, 0, 0, 1, 0, 0x00, 0xAA];
        assert_eq!(ex.receive(&peer).unwrap(), 10);
        let p = ex.peer().unwrap();
        assert!(p.unversioned);
        assert_eq!(&p.replay[..], &peer[..10]);
    }

    #[test]
    fn downgrade_refused() {
        let mut config = GreetingConfig::new(SocketType::Req);
        config.allow_downgrade = false;
        let mut ex = GreetingExchange::new(config.clone());
        assert_eq!(ex.receive(&[0x05]).unwrap_err(), Error::DowngradeRefused);
        let mut ex = GreetingExchange::new(config);
        let peer = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, 0x07];
        assert_eq!(ex.receive(&peer).unwrap_err(), Error::DowngradeRefused);
    }

    #[test]
    fn byte_at_a_time_matches_whole() {
        let peer = libzmq_peer_greeting(1, Mechanism::NULL);
        let mut whole = GreetingExchange::new(GreetingConfig::new(SocketType::Pub));
        whole.receive(&peer).unwrap();
        let mut bytewise = GreetingExchange::new(GreetingConfig::new(SocketType::Pub));
        let mut sent = Vec::new();
        for b in peer {
            assert_eq!(bytewise.receive(&[b]).unwrap(), 1);
            sent.extend_from_slice(&bytewise.poll_transmit());
        }
        assert_eq!(whole.peer(), bytewise.peer());
        assert_eq!(&sent[..], &whole.poll_transmit()[..]);
        assert_eq!(sent.len(), 64);
    }
}
