//! ZMTP wire codec, sans-IO: bytes in, parsed items out; items in, bytes
//! out. No sockets, threads, clocks or crypto.
//!
//! Speaks ZMTP 3.1 (RFC 37) and 3.0 (RFC 23), and detects and serves
//! ZMTP 2.0 (RFC 15) and 1.0 (RFC 13) peers the way libzmq 4.3 does.
//! Nothing here panics on peer input; errors say what the peer did wrong
//! and map to libzmq's `ZMQ_PROTOCOL_ERROR_*` codes.
//!
//! Order of use on a connection: [`handshake::GreetingExchange`] until the
//! peer's greeting is known, then a [`decoder::Decoder`] with the framing it
//! chose ([`handshake::ZmtpVersion::framing`]); command frames are read with
//! [`command::Command::parse`].
//!
//! # Where we are strict and where lenient
//! - Strict as the RFCs say (libzmq is laxer): reserved frame flag bits
//!   (3.x: bits 3-7, 2.0: bits 2-7) are errors; empty property names and
//!   values over 2^31-1 bytes are errors; trailing bytes after the last
//!   property are errors (as in libzmq).
//! - Lenient as libzmq is: property name characters are not checked on
//!   receipt (only when we build metadata), bytes after an ERROR reason are
//!   ignored, a PING context over 16 bytes is cut to 16, a command frame
//!   with MORE set is accepted, ZMTP 1.0 flag bits other than MORE are
//!   ignored, long frames of short size are accepted, the peer's as-server
//!   byte is reported but not checked.
//! - An oversized frame is [`error::Error::MessageTooLarge`], which has no
//!   `ZMQ_PROTOCOL_ERROR_*` code (libzmq: `EMSGSIZE`, plain disconnect).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// READY, ERROR, PING, SUBSCRIBE... command bodies.
pub mod command;
/// Incremental frame decoder over a `BytesMut` read buffer.
pub mod decoder;
/// The codec's error type and libzmq's protocol error codes.
pub mod error;
/// Frame flags, headers and header encoding for the 1.0, 2.0 and 3.x framings.
pub mod frame;
/// The 64-byte greeting view, mechanism names and the signature.
pub mod greeting;
/// The greeting exchange and version negotiation state machine.
pub mod handshake;
/// Connection metadata property lists.
pub mod metadata;
/// Socket types, their names and the compatibility matrix.
pub mod socket_type;
/// 3.0-style subscription messages and their 3.1 command equivalents.
pub mod subscription;

pub use command::{Command, RawCommand};
pub use decoder::Decoder;
pub use error::{Error, ProtocolErrorCode};
pub use frame::{EncodedHeader, Encoder, Frame, FrameFlags, FrameHeader, Framing};
pub use greeting::{Greeting, Mechanism};
pub use handshake::{GreetingConfig, GreetingExchange, PeerGreeting, ZmtpVersion};
pub use metadata::Metadata;
pub use socket_type::SocketType;
pub use subscription::SubscriptionChange;
