//! `Pipe`: the socket's view of one peer connection, as patterns use it.
//!
//! A pipe is a pair of bounded queues (one per direction) between a socket
//! and one peer: a session with its engine, or another socket over inproc.
//! The facade (`zmq` crate) implements it with lock-free SPSC queues; tests
//! here implement it in memory.
//!
//! Readiness is edge-triggered, as in libzmq: when `read` returns `None` the
//! pattern forgets the pipe until it is told `read_activated(id)`; when
//! `check_write`/`write` refuse, until `write_activated(id)`.

use crate::msg::Msg;

/// Identifies a pipe within one socket. Never reused while the socket lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PipeId(pub u64);

/// One peer connection seen from the socket.
pub trait Pipe {
    /// The pipe's id.
    fn id(&self) -> PipeId;

    /// Whether a complete message part can be read now. Returning `false`
    /// arms a `read_activated` notification.
    fn check_read(&mut self) -> bool;

    /// Reads the next message part. `None` means empty, and arms a
    /// `read_activated` notification. Parts of one multipart message are
    /// only visible once the whole message was written.
    fn read(&mut self) -> Option<Msg>;

    /// Whether a message can be written now (below the high-water mark).
    /// Returning `false` arms a `write_activated` notification.
    fn check_write(&mut self) -> bool;

    /// Writes a message part; gives it back at the high-water mark (and
    /// arms `write_activated`). Parts with MORE set stay invisible to the
    /// reader until the final part is written and the pipe flushed.
    ///
    /// As in libzmq, the high-water mark counts whole messages: once the
    /// first part of a message was accepted, the following parts must be
    /// accepted too. Patterns treat a refusal in the middle of a message as
    /// the pipe closing (they roll back and drop the rest of the message).
    fn write(&mut self, msg: Msg) -> Result<(), Msg>;

    /// Drops the parts of an incomplete multipart message written so far.
    fn rollback(&mut self);

    /// Makes written complete messages visible to the reader (and wakes it).
    fn flush(&mut self);

    /// Whether the peer has room under the high-water mark, without arming
    /// any notification (ROUTER_MANDATORY, XPUB_NODROP).
    fn check_hwm(&self) -> bool;

    /// Asks for the pipe to be closed. The pattern still gets `detach(id)`
    /// once the facade has torn it down.
    fn terminate(&mut self);
}
