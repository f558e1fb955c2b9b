//! In-memory tests: two connections joined by a [`pair::Pair`] with a fake
//! clock, and scripted raw peers.

mod handshake;
mod legacy;
mod limits;
mod null_zap;
mod pair;
mod security;
mod timers;
mod traffic;
