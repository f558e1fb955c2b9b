//! Our side of a handshake, and the basic properties every READY (NULL,
//! PLAIN) or INITIATE carries.

use bytes::Bytes;
use zmtp_codec::metadata::names;
use zmtp_codec::{Error as CodecError, Metadata, SocketType};

use crate::zap::ZapSettings;

/// Our side of a mechanism handshake.
#[derive(Debug, Clone)]
pub struct MechanismConfig {
    /// Our socket type, sent as `Socket-Type` and checked against the peer's.
    pub socket_type: SocketType,
    /// Our routing id (`ZMQ_ROUTING_ID`), sent as `Identity` by REQ, DEALER
    /// and ROUTER sockets only, as libzmq 4.3 does.
    pub routing_id: Bytes,
    /// Application metadata (`ZMQ_METADATA`, `X-` names), sent after the
    /// basic properties in name order (libzmq keeps them in a sorted map).
    pub metadata: Vec<(String, Bytes)>,
    /// Whether we act as the security server (the bind side in libzmq;
    /// NULL ignores it).
    pub as_server: bool,
    /// ZAP options and whether a handler is bound.
    pub zap: ZapSettings,
}

impl MechanismConfig {
    /// A config with an empty routing id and no application metadata.
    pub fn new(socket_type: SocketType) -> MechanismConfig {
        MechanismConfig {
            socket_type,
            routing_id: Bytes::new(),
            metadata: Vec::new(),
            as_server: false,
            zap: ZapSettings::default(),
        }
    }

    /// Whether libzmq sends the `Identity` property for this socket type.
    pub fn sends_identity(&self) -> bool {
        matches!(
            self.socket_type,
            SocketType::Req | SocketType::Dealer | SocketType::Router
        )
    }

    /// The properties of our READY: `Socket-Type`, `Identity` (REQ, DEALER,
    /// ROUTER), then the application metadata sorted by name. A name that
    /// is not a valid property name is an error.
    pub fn basic_properties(&self) -> Result<Metadata, CodecError> {
        let mut out = Metadata::new();
        out.push(names::SOCKET_TYPE, self.socket_type.wire_name())?;
        if self.sends_identity() {
            let len = self.routing_id.len().min(255);
            out.push(names::IDENTITY, self.routing_id.slice(..len))?;
        }
        let mut app: Vec<&(String, Bytes)> = self.metadata.iter().collect();
        app.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, value) in app {
            out.push(Bytes::copy_from_slice(name.as_bytes()), value.clone())?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_only_for_req_dealer_router() {
        for (t, expect) in [
            (SocketType::Req, true),
            (SocketType::Dealer, true),
            (SocketType::Router, true),
            (SocketType::Rep, false),
            (SocketType::Pub, false),
            (SocketType::Pair, false),
        ] {
            let props = MechanismConfig::new(t).basic_properties().unwrap();
            assert_eq!(props.get(names::IDENTITY).is_some(), expect, "{t}");
            assert_eq!(
                props.get(names::SOCKET_TYPE).unwrap(),
                t.wire_name().as_bytes()
            );
        }
    }

    #[test]
    fn app_metadata_sorted_after_basic() {
        let mut c = MechanismConfig::new(SocketType::Dealer);
        c.routing_id = Bytes::from_static(b"id");
        c.metadata = vec![
            ("X-b".into(), Bytes::from_static(b"2")),
            ("X-a".into(), Bytes::from_static(b"1")),
        ];
        let props = c.basic_properties().unwrap();
        let names: Vec<&[u8]> = props.iter().map(|p| &p.name[..]).collect();
        assert_eq!(
            names,
            vec![&b"Socket-Type"[..], b"Identity", b"X-a", b"X-b"]
        );
        c.metadata = vec![("bad name".into(), Bytes::new())];
        assert!(c.basic_properties().is_err());
    }
}
