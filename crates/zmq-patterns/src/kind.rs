//! The socket type: one enum for every crate, defined by the codec (the
//! greeting and the `Socket-Type` property carry it) and re-exported here.

pub use zmtp_codec::SocketType;
