//! What one pipe end tells the owner of the other end, and what the owner
//! then tells its socket or session.

use zmq_patterns::PipeId;

/// A notification from one pipe end to the owner of its peer end. The
/// owner hands it to the addressed end with [`PipeEnd::process`] on its own
/// thread, in the order received.
///
/// [`PipeEnd::process`]: super::PipeEnd::process
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PipeEvent {
    /// Messages were flushed into a queue whose reader had found it empty
    /// (libzmq's `activate_read`).
    ActivateRead,
    /// The reader drained another low-water mark's worth: it has read
    /// `msgs_read` complete messages in total (libzmq's `activate_write`).
    ActivateWrite {
        /// Complete messages the peer has read since the pipe was made.
        msgs_read: u64,
    },
    /// The peer's owner changed its high-water marks (`ZMQ_SNDHWM` /
    /// `ZMQ_RCVHWM` on a live pipe, or an inproc bind meeting an earlier
    /// connect): apply them with [`PipeEnd::set_hwms`] (libzmq's
    /// `pipe_hwm`). `boost`, when set, first replaces the end's boosts
    /// (the inproc peer's own marks, libzmq's `set_hwms_boost`).
    ///
    /// [`PipeEnd::set_hwms`]: super::PipeEnd::set_hwms
    Hwms {
        /// The new inbound mark (the receiver's `ZMQ_RCVHWM`).
        in_hwm: i32,
        /// The new outbound mark (the sender's `ZMQ_SNDHWM`).
        out_hwm: i32,
        /// New (inbound, outbound) boosts, if any.
        boost: Option<(i32, i32)>,
    },
    /// The peer closes: it wrote its delimiter and asks for an ack
    /// (libzmq's `pipe_term`).
    Term,
    /// The peer acknowledged termination (libzmq's `pipe_term_ack`).
    TermAck,
    /// The peer asks for queue statistics; `outbound` is how many messages
    /// it has queued towards us (libzmq's `pipe_peer_stats`).
    StatsRequest {
        /// Messages queued from the asking end to this one.
        outbound: u64,
    },
    /// The answer to `StatsRequest` (libzmq's `pipe_stats_publish`).
    StatsReply {
        /// Messages queued from the asking end to its peer.
        outbound: u64,
        /// Messages queued from the peer to the asking end.
        inbound: u64,
    },
}

/// Receives the notifications addressed to the pipe ends one owner holds.
///
/// Called from the peer's thread on its data path (at most once per
/// flush that finds the reader asleep, once per low-water mark of reads):
/// it must be cheap and must never block, typically a push into the
/// owner's [`Mailbox`](crate::mailbox::Mailbox).
pub trait PipeEvents: Send + Sync {
    /// Delivers `event` for the owner's end `pipe`.
    fn notify(&self, pipe: PipeId, event: PipeEvent);
}

/// What the owner of a pipe end must do after [`PipeEnd::process`].
///
/// [`PipeEnd::process`]: super::PipeEnd::process
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PipeSignal {
    /// Nothing to do.
    Nothing,
    /// Tell the pattern `read_activated(id)`: messages can be read again.
    ReadActivated,
    /// Tell the pattern `write_activated(id)`: there is room again.
    WriteActivated,
    /// Queue statistics asked for with `PipeEnd::request_stats` arrived
    /// (`ZMQ_EVENT_PIPES_STATS`).
    Stats {
        /// Messages queued towards the peer.
        outbound: u64,
        /// Messages queued from the peer.
        inbound: u64,
    },
    /// Termination is complete: detach the end from the pattern and drop it.
    Terminated,
}
