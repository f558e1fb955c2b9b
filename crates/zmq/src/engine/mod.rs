//! The sans-IO ZMTP connection: everything about one connection except the
//! socket. It is fed received bytes and the time, and asked what to send,
//! which events happened and when to wake (quinn-proto style).
//!
//! ```text
//!            receive(bytes, now)            send_msg / send_subscription
//!                   │                                   │
//!   ┌───────────────▼───────────────────────────────────▼─────────────┐
//!   │ Greeting ──► Handshake (3.x mechanism) ──► Traffic ──► Closed   │
//!   │          └─► PeerIdentity (1.0 / 2.0)  ──┘                      │
//!   └───────┬────────────────────┬──────────────────────┬─────────────┘
//!      poll_event()        poll_transmit()        poll_timeout() /
//!                          (writev + advance)     handle_timeout(now)
//! ```

/// Connection options (socket type, routing id, heartbeats, limits).
pub mod config;
/// The ZMTP connection state machine.
pub mod connection;
/// What the connection reports: handshake success, messages, failures.
pub mod event;
/// Heartbeat (RFC 37 PING/PONG) timers.
mod heartbeat;
/// Outgoing bytes: a small-write buffer plus shared large bodies.
pub mod transmit;

#[cfg(test)]
mod tests;

pub use config::{ConnectionConfig, MechanismChoice};
pub use connection::{ConnectionPhase, HANDSHAKE_MAX_FRAME, MAX_PENDING_EVENTS, ZmtpConnection};
pub use event::{ConnectionError, ConnectionEvent, HandshakeFailure};
pub use transmit::TransmitQueue;
