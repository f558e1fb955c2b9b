//! The CURVE mechanism (RFC 25, CurveZMQ RFC 26), client and server.
//!
//! ```text
//!  client (C, c; transient C', c')                 server (S, s; transient S', s')
//!  ─────────────────────────────────               ─────────────────────────────────
//!  HELLO  version 1.0, 72 zero bytes, C',
//!         nonce 1, Box[64 zeros](C'->S) ────────►  WaitHello
//!  WaitWelcome                                      opens the signature box
//!         ◄──────────────────────────────────────  WELCOME long nonce,
//!                                                   Box[S' + cookie](S->C')
//!                                                   cookie = nonce, Box[C' + s'](K),
//!                                                   K a fresh key per connection
//!  INITIATE cookie, nonce 2,
//!     Box[C + vouch + metadata](C'->S')
//!     vouch = nonce, Box[C' + S](C->S') ────────►  WaitInitiate
//!  WaitReady                                        opens cookie, box, vouch
//!                                                   ├─ ZAP asked ─► NeedZap ─► WaitZap
//!                                                   │     200 ─┐  300: close silently
//!                                                   │          │  400/500: ERROR, close
//!         ◄──────────────────────────────────────  READY nonce 1, Box[metadata](S'->C')
//!  Ready                                            Ready
//!  MESSAGE nonce n, Box[flags + data] ◄────────►   MESSAGE (nonces strictly increase)
//! ```
//! The shared key of the transient pair is precomputed once per connection
//! (`crypto_box_beforenm`) and used for INITIATE, READY and every MESSAGE.
//! Secret keys, the cookie key and the precomputed key are wiped on drop.
//! Error codes follow libzmq 4.3 (`curve_client.cpp`, `curve_server.cpp`).

/// The client side.
pub mod client;
/// The server side.
pub mod server;
/// MESSAGE boxes after the handshake.
pub mod traffic;

pub use client::{CurveClient, CurveClientKeys};
pub use server::CurveServer;
pub use traffic::CurveTraffic;

/// A CURVE handshake in progress.
#[derive(Debug)]
pub enum CurveHandshake {
    /// We are the client.
    Client(CurveClient),
    /// We are the server.
    Server(CurveServer),
}

/// HELLO's size.
pub(crate) const HELLO_LEN: usize = 200;
/// WELCOME's size.
pub(crate) const WELCOME_LEN: usize = 168;
/// The smallest INITIATE (no metadata).
pub(crate) const INITIATE_MIN_LEN: usize = 257;
/// The smallest READY (no metadata).
pub(crate) const READY_MIN_LEN: usize = 30;

/// Eight big-endian bytes of `data` at `at` as a short nonce.
pub(crate) fn read_nonce(data: &[u8], at: usize) -> u64 {
    let mut bytes = [0u8; 8];
    if let Some(src) = data.get(at..at + 8) {
        bytes.copy_from_slice(src);
    }
    u64::from_be_bytes(bytes)
}

/// `N` bytes of `data` at `at` (zeros when out of range: callers check
/// lengths first).
pub(crate) fn read_array<const N: usize>(data: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(src) = data.get(at..at + N) {
        out.copy_from_slice(src);
    }
    out
}

#[cfg(test)]
mod tests;
