//! ZMTP 1.0 and 2.0 peers (RFC 13, RFC 15): libzmq 4.3 still talks to
//! them when no security is configured. After their (shorter) greeting,
//! the peer's identity frame stands for the handshake; then traffic goes
//! in their framing, without commands (no heartbeats, JOIN/LEAVE dropped,
//! subscriptions as 0x01/0x00-prefixed messages).
//!
//! ```text
//!  Greeting ──(1.0/2.0)──► PeerIdentity ──identity frame──► Traffic
//! ```

use std::time::Instant;

use bytes::{Bytes, BytesMut};
use zmq_patterns::Msg;
use zmtp_codec::metadata::names;
use zmtp_codec::{FrameFlags, Metadata as WireMetadata, PeerGreeting, SocketType, ZmtpVersion};

use super::{Phase, ZmtpConnection};
use crate::engine::config::{ConnectionConfig, MechanismChoice};
use crate::engine::event::{ConnectionError, ConnectionEvent};

/// Whether a connection with `config` accepts a ZMTP 1.0/2.0 peer: libzmq
/// refuses them once security or ZAP is in play.
pub(super) fn allowed(config: &ConnectionConfig) -> bool {
    config.mechanism == MechanismChoice::Null && config.zap_domain.is_empty()
}

impl ZmtpConnection {
    /// The greeting ended with a 1.0/2.0 `peer`: checks a 2.0 peer's
    /// socket type, queues our identity frame (unless the peer sent no
    /// version at all) and puts back the bytes the greeting exchange read
    /// ahead, in front of `buf`, to be decoded as the peer's frames.
    pub(super) fn start_old_peer(
        &mut self,
        peer: &PeerGreeting,
        buf: &mut BytesMut,
    ) -> Result<(), ConnectionError> {
        let version = peer.version;
        if version == ZmtpVersion::V2_0 {
            let ours = self.config.socket_type;
            let theirs = peer.socket_type.unwrap_or(u8::MAX);
            let compatible = SocketType::from_number(i32::from(theirs))
                .is_some_and(|t| ours.is_compatible_with(t));
            if !compatible {
                return Err(ConnectionError::IncompatibleSocketType { peer: theirs });
            }
            self.peer_socket_type = Some(theirs);
        }
        if !peer.unversioned {
            // The identity frame: our first message to an old peer.
            let id = self.config.routing_id.clone();
            let id = id.slice(..id.len().min(255));
            self.put_frame(version.framing(), FrameFlags::NONE, id);
        }
        if !peer.replay.is_empty() {
            let mut joined = BytesMut::with_capacity(peer.replay.len() + buf.len());
            joined.extend_from_slice(&peer.replay);
            joined.extend_from_slice(buf);
            *buf = joined;
        }
        self.phase = Phase::PeerIdentity;
        Ok(())
    }

    /// The peer's identity frame: the connection is established, with the
    /// properties a 3.x peer would have sent in READY.
    pub(super) fn on_peer_identity(&mut self, identity: Bytes, now: Instant) {
        let mut properties = WireMetadata::new();
        if let Some(name) = self
            .peer_socket_type
            .and_then(|n| SocketType::from_number(i32::from(n)))
        {
            // Valid names and values by construction; errors cannot occur.
            let _ = properties.push(names::SOCKET_TYPE, name.wire_name());
        }
        let _ = properties.push(names::IDENTITY, identity.clone());
        let metadata = self.build_metadata(&properties);
        self.establish(metadata, identity, now);
        if self.version == Some(ZmtpVersion::V1_0)
            && matches!(self.config.socket_type, SocketType::Pub | SocketType::XPub)
        {
            // libzmq: a ZMTP 1.0 peer filters itself, so subscribe it to
            // everything on its behalf.
            let mut msg = Msg::from_slice(&[1]);
            msg.set_metadata(Some(self.metadata.clone()));
            self.events.push_back(ConnectionEvent::Message(msg));
        }
    }
}
