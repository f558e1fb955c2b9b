//! Names in the shape of the `zmq` crate (rust-zmq 0.10), so programs
//! written for it build against this crate: socket-type constants
//! (`zmq::REQ`), [`CurveKeyPair`]. The errno-named error constants
//! (`Error::EAGAIN`) are on [`Error`](crate::Error), the poll event set is
//! [`PollEvents`](crate::PollEvents), the monitor events are
//! [`SocketEvent`](crate::SocketEvent). See `docs/porting-from-rust-zmq.md`.

use zmq_mechanisms::keys::{KeyError, SecretKey};
use zmq_patterns::SocketType;

use crate::error::{Error, Result};

macro_rules! socket_types {
    ($( $name:ident = $kind:ident, )*) => {
        $(
            #[doc = concat!("`ZMQ_", stringify!($name), "`: [`SocketType::", stringify!($kind), "`](crate::SocketType::", stringify!($kind), ").")]
            pub const $name: SocketType = SocketType::$kind;
        )*
    };
}

socket_types! {
    PAIR = Pair,
    PUB = Pub,
    SUB = Sub,
    REQ = Req,
    REP = Rep,
    DEALER = Dealer,
    ROUTER = Router,
    PULL = Pull,
    PUSH = Push,
    XPUB = XPub,
    XSUB = XSub,
    STREAM = Stream,
    SERVER = Server,
    CLIENT = Client,
    RADIO = Radio,
    DISH = Dish,
    GATHER = Gather,
    SCATTER = Scatter,
    DGRAM = Dgram,
    PEER = Peer,
    CHANNEL = Channel,
}

/// A CURVE key pair in binary form (32 bytes each), as the `zmq` crate's
/// `CurveKeyPair`; [`crate::z85_encode`] gives the text form
/// [`crate::curve_keypair`] returns.
#[derive(Clone, PartialEq, Eq)]
pub struct CurveKeyPair {
    /// The public key.
    pub public_key: [u8; 32],
    /// The secret key.
    pub secret_key: [u8; 32],
}

impl CurveKeyPair {
    /// A new random key pair (`zmq_curve_keypair`).
    pub fn new() -> Result<CurveKeyPair> {
        let secret = SecretKey::generate().map_err(key_error)?;
        Ok(CurveKeyPair::from_secret(&secret))
    }

    /// The pair whose secret key is `secret_key`, its public key derived
    /// (`zmq_curve_public`).
    pub fn from_secret_key(secret_key: [u8; 32]) -> CurveKeyPair {
        CurveKeyPair::from_secret(&SecretKey::from_bytes(secret_key))
    }

    fn from_secret(secret: &SecretKey) -> CurveKeyPair {
        CurveKeyPair {
            public_key: secret.public_key(),
            secret_key: *secret.as_bytes(),
        }
    }
}

impl std::fmt::Debug for CurveKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret key stays out of logs.
        f.debug_struct("CurveKeyPair")
            .field("public_key", &self.public_key)
            .finish_non_exhaustive()
    }
}

fn key_error(_: KeyError) -> Error {
    Error::Fault
}
