//! `Pattern`: what every socket type offers the facade.

use bytes::Bytes;

use crate::error::{PatternError, SendError};
use crate::msg::Msg;
use crate::options::{PatternOption, PatternOptionName};
use crate::pipe::{Pipe, PipeId};

/// The routing rules of one socket type over its pipes.
///
/// The facade owns blocking: when `send` or `recv` answer
/// [`PatternError::Again`], it waits for `read_activated`,
/// `write_activated` or a new pipe, then retries (unless `ZMQ_DONTWAIT`
/// was given or the timeout expired).
pub trait Pattern<P: Pipe> {
    /// Hands the pattern a new pipe. `locally_initiated` is true for pipes
    /// made by `connect`. A pipe the socket type cannot take (a second PAIR
    /// peer, a duplicate routing id) is terminated at once; the pattern keeps
    /// it until `detach`.
    fn attach(&mut self, pipe: P, locally_initiated: bool);

    /// Hands the pattern a pipe made by a `connect` for which
    /// `ZMQ_CONNECT_ROUTING_ID` was set (see
    /// [`take_connect_routing_id`](Pattern::take_connect_routing_id)): the
    /// peer gets that routing id instead of the one it announces. Socket
    /// types without routing ids ignore it.
    fn attach_with_connect_routing_id(&mut self, pipe: P, routing_id: Bytes) {
        let _ = routing_id;
        self.attach(pipe, true);
    }

    /// Hands the pattern a pipe that wants every message whatever its
    /// group (libzmq's `subscribe_to_all`: a RADIO's udp engine, which
    /// sends no JOIN and filters nothing, the DISH side filters). Other
    /// socket types attach it as a connected pipe.
    fn attach_subscribe_all(&mut self, pipe: P) {
        self.attach(pipe, true);
    }

    /// Takes the pending `ZMQ_CONNECT_ROUTING_ID` (one-shot): the facade
    /// calls this at `connect` and passes the value to
    /// [`attach_with_connect_routing_id`](Pattern::attach_with_connect_routing_id)
    /// when that connect's pipe is attached.
    fn take_connect_routing_id(&mut self) -> Option<Bytes> {
        None
    }

    /// The pipe is gone (or was removed): forget it and give it back.
    fn detach(&mut self, id: PipeId) -> Option<P>;

    /// The attached pipe `id`, so the owner can hand it pipe notifications
    /// (the facade's pipes run their flow control and termination
    /// handshake there).
    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P>;

    /// Sends one message part. On error the part comes back unchanged.
    fn send(&mut self, msg: Msg) -> Result<(), SendError>;

    /// Receives one message part.
    fn recv(&mut self) -> Result<Msg, PatternError>;

    /// Whether `recv` would succeed now (`ZMQ_POLLIN` of `ZMQ_EVENTS`).
    fn has_in(&mut self) -> bool;

    /// Whether `send` would succeed now (`ZMQ_POLLOUT` of `ZMQ_EVENTS`).
    fn has_out(&mut self) -> bool;

    /// The pipe has data again after a read found it empty.
    fn read_activated(&mut self, id: PipeId);

    /// The pipe has room again after a write found it full.
    fn write_activated(&mut self, id: PipeId);

    /// Sets a pattern option; `Invalid` (EINVAL) when this socket type does
    /// not have it or the value is out of range.
    fn set_option(&mut self, option: PatternOption) -> Result<(), PatternError> {
        let _ = option;
        Err(PatternError::Invalid)
    }

    /// Reads a pattern option back; `Invalid` when this socket type does not
    /// have it.
    fn option(&self, name: PatternOptionName) -> Result<PatternOption, PatternError> {
        let _ = name;
        Err(PatternError::Invalid)
    }
}
