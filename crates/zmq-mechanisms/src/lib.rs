//! ZMTP security mechanisms as sans-IO state machines: fed command bodies,
//! asked for command bodies to send, no sockets, threads or clocks.
//!
//! The connection drives a [`Handshake`] after the greeting: it sends what
//! [`Handshake::poll_command`] returns as command frames and hands every
//! received command to [`Handshake::handle_command`], which consumes the
//! handshake and gives back the next [`Step`] (rustls style: a stale state
//! cannot be reused). The last step is [`Step::Ready`] with the peer's
//! properties and the [`TrafficTransform`] that message frames go through
//! from then on (identity for NULL and PLAIN; CURVE MESSAGE boxes).
//!
//! ```text
//!  NULL (RFC 23), both sides alike:
//!    new ──► poll_command() = READY ──► handle_command(peer READY) ──► Ready
//!                                   └─► handle_command(ERROR / other) ──► Err
//! ```
//!
//! Failures are [`MechanismError`]s that name what the peer did wrong and
//! map to libzmq's `ZMQ_PROTOCOL_ERROR_*` codes or ZAP status codes.
// Three audited `unsafe` calls, all in `Backend::blocks`
// (src/xsalsa20/mod.rs): into the SSE2 Salsa20 core (baseline on x86_64)
// and into the AVX2 and AVX-512 cores (after run-time detection). None
// in a `rustcrypto-curve` build. With the `gssapi` feature, the FFI
// calls into the system GSS-API library, all in src/gssapi/ffi.rs.
#![deny(unsafe_code)]
#![deny(missing_docs)]

/// Our side of a handshake: socket type, routing id, application metadata.
pub mod config;
/// The CURVE mechanism (RFC 25/26), client, server and MESSAGE boxes.
pub mod curve;
/// What can go wrong in a handshake, and the monitor codes for it.
pub mod error;
/// Our secretbox against RustCrypto's, on every backend, for the fuzz
/// targets (`fuzz/`); not an API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
/// The GSSAPI mechanism (RFC 38) over the system GSS-API (feature
/// `gssapi`; without it only the option types).
pub mod gssapi;
/// The mechanism-independent handshake driver and its steps.
pub mod handshake;
/// CURVE keys: generation, Z85 forms, secret keys wiped on drop.
pub mod keys;
/// NaCl `crypto_box` / `crypto_secretbox` from X25519, HSalsa20 and
/// XSalsa20-Poly1305.
pub mod nacl;
/// The NULL mechanism (RFC 23), client and server.
pub mod null;
/// Checks shared by all mechanisms (command structure, properties, ERROR).
pub mod peer;
/// The PLAIN mechanism (RFC 24), client and server.
pub mod plain;
/// What message frames go through once the handshake is done.
pub mod transform;
/// The XSalsa20 keystream of a secretbox, 4, 8 or 16 blocks at a time
/// (not built for CURVE with the `rustcrypto-curve` feature).
#[cfg(any(test, feature = "fuzzing", not(feature = "rustcrypto-curve")))]
mod xsalsa20;
/// Z85 (RFC 32) text encoding.
pub mod z85;
/// ZAP (RFC 27) request and reply, the hook a server mechanism asks for.
pub mod zap;

pub use config::MechanismConfig;
pub use curve::{CurveClientKeys, CurveHandshake, CurveTraffic};
pub use error::MechanismError;
pub use gssapi::{GssapiConfig, NameType as GssapiNameType};
pub use handshake::{Established, Handshake, Step};
pub use keys::{KeyError, SecretKey, curve_keypair, curve_public, parse_key};
pub use null::NullHandshake;
pub use plain::PlainHandshake;
pub use transform::TrafficTransform;
pub use zap::{ZAP_ENDPOINT, ZapReply, ZapRequest, ZapSettings};
