//! Pipes: the lock-free queues between a socket and its peers.
//!
//! A pipe pair joins two owners (a socket and a session, or two sockets
//! over inproc) with one [`ypipe`] queue per direction. Each owner holds a
//! [`PipeEnd`], which implements [`zmq_patterns::Pipe`] for the patterns.
//! The ends talk to each other's owners through [`PipeEvents`]; an owner
//! feeds every [`PipeEvent`] it receives to the addressed end with
//! [`PipeEnd::process`] and acts on the returned [`PipeSignal`].

mod channel;
pub mod end;
pub mod events;
pub mod ypipe;

pub use end::{PipeEnd, PipeEndConfig, PipeState, compute_lwm, pipe_pair, pipe_pair_with};
pub use events::{PipeEvent, PipeEvents, PipeSignal};
