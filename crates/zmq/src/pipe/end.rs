//! `PipeEnd`: one end of a pipe pair, with high-water marks and the
//! termination handshake.
//!
//! Each direction of a pair is one [`ypipe`](super::ypipe) queue. Flow
//! control counts complete messages (a multipart message counts once): the
//! writer stops at `hwm` messages in flight, and the reader reports its read
//! count every `lwm` messages with [`PipeEvent::ActivateWrite`], which lets a
//! full writer go on.
//!
//! Termination follows libzmq's `pipe_t`:
//!
//! ```text
//!            terminate()                          Term received
//!  Active ───────────────► TermReqSent1    Active ───────────────► WaitingForDelimiter (delay)
//!    │ delimiter read          │ Term received   │                        │ delimiter read
//!    ▼                         ▼                 │ (no delay)             ▼
//!  DelimiterReceived      TermReqSent2           └──────────────► TermAckSent
//!    │ Term received ───────────────────────────────────────────────────▲
//!  TermAck received in TermReqSent1 (sends TermAck back), TermReqSent2 or
//!  TermAckSent ──► Terminated
//! ```
//!
//! The closing end writes a delimiter after its last message, so the other
//! end (with `delay`, the default) reads every message sent before the close
//! before it acknowledges; both owners get [`PipeSignal::Terminated`].

use std::sync::Arc;

use zmq_patterns::{Msg, MsgFlags, Pipe, PipeId};

use super::channel::{self, Inbound, Next, Outbound, PipeItem};
use super::events::{PipeEvent, PipeEvents, PipeSignal};

/// Where an end stands in the termination handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PipeState {
    /// Open both ways.
    Active,
    /// The peer's delimiter was read before its `Term` arrived.
    DelimiterReceived,
    /// The peer asked to terminate; reading its last messages.
    WaitingForDelimiter,
    /// We acknowledged the peer's `Term`; waiting for its final ack.
    TermAckSent,
    /// We asked to terminate; waiting for the ack.
    TermReqSent1,
    /// Both asked at once; we acked the peer and wait for its ack.
    TermReqSent2,
    /// Done; the owner drops the end.
    Terminated,
}

/// How the owner of one end wants it set up.
#[derive(Clone)]
pub struct PipeEndConfig {
    /// The end's id within its owner.
    pub id: PipeId,
    /// Where notifications for this end go.
    pub events: Arc<dyn PipeEvents>,
    /// High-water mark of the queue into this end, in messages; 0 means
    /// unlimited. The peer writes at most this many messages ahead.
    pub in_hwm: usize,
    /// Read every pending message before acknowledging the peer's close
    /// (libzmq's `delay`, default true). Turn off for an owner that never
    /// reads (PUSH, PUB), or to drop pending messages.
    pub delay: bool,
}

/// The low-water mark for a high-water mark, as libzmq computes it.
pub fn compute_lwm(hwm: usize) -> usize {
    hwm.div_ceil(2)
}

/// Makes two connected ends.
pub fn pipe_pair(a: PipeEndConfig, b: PipeEndConfig) -> (PipeEnd, PipeEnd) {
    pipe_pair_with(a, b, false)
}

/// Makes two connected ends; with `conflate` (`ZMQ_CONFLATE`) each
/// direction keeps only the newest message, with no high-water mark.
pub fn pipe_pair_with(
    mut a: PipeEndConfig,
    mut b: PipeEndConfig,
    conflate: bool,
) -> (PipeEnd, PipeEnd) {
    if conflate {
        a.in_hwm = 0;
        b.in_hwm = 0;
    }
    let (a_to_b_writer, a_to_b_reader) = channel::channel(conflate);
    let (b_to_a_writer, b_to_a_reader) = channel::channel(conflate);
    let end_a = PipeEnd::new(&a, &b, b_to_a_reader, a_to_b_writer);
    let end_b = PipeEnd::new(&b, &a, a_to_b_reader, b_to_a_writer);
    (end_a, end_b)
}

/// One end of a pipe pair, owned by a socket or a session.
pub struct PipeEnd {
    id: PipeId,
    peer_id: PipeId,
    peer_events: Arc<dyn PipeEvents>,
    inbound: Option<Inbound>,
    outbound: Option<Outbound>,
    in_active: bool,
    out_active: bool,
    /// Messages the peer may have unread before we stop (0: unlimited).
    hwm: u64,
    /// Report reads to the peer every this many messages (0: never).
    lwm: u64,
    msgs_read: u64,
    msgs_written: u64,
    peers_msgs_read: u64,
    state: PipeState,
    delay: bool,
}

impl PipeEnd {
    fn new(
        own: &PipeEndConfig,
        peer: &PipeEndConfig,
        inbound: Inbound,
        outbound: Outbound,
    ) -> PipeEnd {
        PipeEnd {
            id: own.id,
            peer_id: peer.id,
            peer_events: Arc::clone(&peer.events),
            inbound: Some(inbound),
            outbound: Some(outbound),
            in_active: true,
            out_active: true,
            hwm: peer.in_hwm as u64,
            lwm: compute_lwm(own.in_hwm) as u64,
            msgs_read: 0,
            msgs_written: 0,
            peers_msgs_read: 0,
            state: PipeState::Active,
            delay: own.delay,
        }
    }

    /// The peer end's id within its owner.
    pub fn peer_id(&self) -> PipeId {
        self.peer_id
    }

    /// Messages this end wrote that the peer has not read yet, as far as
    /// this end knows (the peer reports its reads every low-water mark).
    pub fn queued_out(&self) -> u64 {
        self.msgs_written.saturating_sub(self.peers_msgs_read)
    }

    /// Asks the peer end for queue statistics; the answer comes back as
    /// [`PipeSignal::Stats`] from `process` (`zmq_socket_monitor_pipes_stats`).
    pub fn request_stats(&self) {
        if self.state == PipeState::Active {
            self.peer_events.notify(
                self.peer_id,
                PipeEvent::StatsRequest {
                    outbound: self.queued_out(),
                },
            );
        }
    }

    /// Tells the other end the connection metadata of the messages that
    /// follow; it attaches it to each of them that has none (see
    /// [`channel`]). Visible with the next flush.
    pub fn send_metadata(&mut self, metadata: Arc<zmq_patterns::Metadata>) {
        if let Some(out) = &mut self.outbound {
            out.write_metadata(metadata);
        }
    }

    /// Where the end stands in the termination handshake.
    pub fn state(&self) -> PipeState {
        self.state
    }

    /// Whether termination is complete.
    pub fn is_terminated(&self) -> bool {
        self.state == PipeState::Terminated
    }

    /// Changes whether pending messages are read before acknowledging the
    /// peer's close (libzmq's `set_nodelay` turns it off).
    pub fn set_delay(&mut self, delay: bool) {
        self.delay = delay;
    }

    /// Changes the high-water marks (`ZMQ_SNDHWM`/`ZMQ_RCVHWM` after the
    /// pipe exists): `in_hwm` sets this end's low-water mark, `out_hwm` how
    /// far this end may write ahead of the peer.
    pub fn set_hwms(&mut self, in_hwm: usize, out_hwm: usize) {
        self.lwm = compute_lwm(in_hwm) as u64;
        self.hwm = out_hwm as u64;
    }

    /// Starts closing: rolls back an incomplete message, writes the
    /// delimiter and asks the peer to terminate. With `delay`, a peer close
    /// already under way still lets us read what it sent first.
    pub fn terminate_with(&mut self, delay: bool) {
        self.delay = delay;
        match self.state {
            PipeState::Active | PipeState::DelimiterReceived => {
                self.state = PipeState::TermReqSent1;
                self.out_active = false;
                self.rollback();
                if let Some(out) = &mut self.outbound {
                    // Watermarks do not apply to the delimiter.
                    out.write(PipeItem::Delimiter, false);
                    if !out.flush() {
                        self.peer_events
                            .notify(self.peer_id, PipeEvent::ActivateRead);
                    }
                }
                self.peer_events.notify(self.peer_id, PipeEvent::Term);
            }
            PipeState::WaitingForDelimiter if !delay => self.ack_peer_term(),
            _ => {}
        }
    }

    /// Applies a notification addressed to this end and says what the
    /// owner must do about it.
    pub fn process(&mut self, event: PipeEvent) -> PipeSignal {
        match event {
            PipeEvent::ActivateRead => {
                if !self.in_active && self.can_read_state() {
                    self.in_active = true;
                    return PipeSignal::ReadActivated;
                }
            }
            PipeEvent::ActivateWrite { msgs_read } => {
                self.peers_msgs_read = self.peers_msgs_read.max(msgs_read);
                if !self.out_active && self.state == PipeState::Active && self.check_hwm() {
                    self.out_active = true;
                    return PipeSignal::WriteActivated;
                }
            }
            PipeEvent::Term => self.process_term(),
            PipeEvent::TermAck => return self.process_term_ack(),
            PipeEvent::StatsRequest { outbound } => {
                if self.state != PipeState::Terminated {
                    self.peer_events.notify(
                        self.peer_id,
                        PipeEvent::StatsReply {
                            outbound,
                            inbound: self.queued_out(),
                        },
                    );
                }
            }
            PipeEvent::StatsReply { outbound, inbound } => {
                return PipeSignal::Stats { outbound, inbound };
            }
        }
        PipeSignal::Nothing
    }

    fn can_read_state(&self) -> bool {
        matches!(
            self.state,
            PipeState::Active | PipeState::WaitingForDelimiter
        )
    }

    fn process_term(&mut self) {
        match self.state {
            PipeState::Active if self.delay => {
                self.state = PipeState::WaitingForDelimiter;
                // The peer flushed its delimiter before sending Term: when
                // nothing precedes it, finish now rather than on a read.
                let at_delimiter = self
                    .inbound
                    .as_mut()
                    .and_then(Inbound::peek)
                    .is_some_and(|next| next == Next::Delimiter);
                if at_delimiter {
                    self.take_delimiter();
                }
            }
            PipeState::Active | PipeState::DelimiterReceived => self.ack_peer_term(),
            PipeState::TermReqSent1 => {
                self.state = PipeState::TermReqSent2;
                self.outbound = None;
                self.peer_events.notify(self.peer_id, PipeEvent::TermAck);
            }
            _ => {}
        }
    }

    fn process_term_ack(&mut self) -> PipeSignal {
        match self.state {
            PipeState::Terminated => return PipeSignal::Nothing,
            PipeState::TermReqSent1 => {
                self.peer_events.notify(self.peer_id, PipeEvent::TermAck);
            }
            _ => {}
        }
        self.state = PipeState::Terminated;
        self.in_active = false;
        self.out_active = false;
        self.outbound = None;
        self.inbound = None;
        PipeSignal::Terminated
    }

    /// Drops our unfinished output and acknowledges the peer's close.
    fn ack_peer_term(&mut self) {
        self.rollback();
        self.outbound = None;
        self.out_active = false;
        self.state = PipeState::TermAckSent;
        self.peer_events.notify(self.peer_id, PipeEvent::TermAck);
    }

    fn take_delimiter(&mut self) {
        if let Some(inbound) = &mut self.inbound {
            drop(inbound.read());
        }
        self.process_delimiter();
    }

    fn process_delimiter(&mut self) {
        self.in_active = false;
        match self.state {
            PipeState::Active => self.state = PipeState::DelimiterReceived,
            PipeState::WaitingForDelimiter => self.ack_peer_term(),
            _ => {}
        }
    }

    fn count_read(&mut self, msg: &Msg) {
        if msg.more() || msg.flags().contains(MsgFlags::ROUTING_ID) {
            return;
        }
        self.msgs_read += 1;
        if self.lwm > 0 && self.msgs_read.is_multiple_of(self.lwm) {
            self.peer_events.notify(
                self.peer_id,
                PipeEvent::ActivateWrite {
                    msgs_read: self.msgs_read,
                },
            );
        }
    }
}

impl Pipe for PipeEnd {
    fn id(&self) -> PipeId {
        self.id
    }

    fn check_read(&mut self) -> bool {
        if !self.in_active || !self.can_read_state() {
            return false;
        }
        let Some(inbound) = &mut self.inbound else {
            return false;
        };
        match inbound.peek() {
            None => {
                self.in_active = false;
                false
            }
            Some(Next::Delimiter) => {
                self.take_delimiter();
                false
            }
            Some(Next::Msg) => true,
        }
    }

    fn read(&mut self) -> Option<Msg> {
        if !self.in_active || !self.can_read_state() {
            return None;
        }
        match self.inbound.as_mut()?.read() {
            None => {
                self.in_active = false;
                None
            }
            Some(PipeItem::Delimiter) => {
                self.process_delimiter();
                None
            }
            Some(PipeItem::Msg(msg)) => {
                self.count_read(&msg);
                Some(msg)
            }
            // Taken in passing by the channel; never handed out.
            Some(PipeItem::Metadata(_)) => None,
        }
    }

    fn check_write(&mut self) -> bool {
        if !self.out_active || self.state != PipeState::Active {
            return false;
        }
        if !self.check_hwm() {
            self.out_active = false;
            return false;
        }
        true
    }

    fn write(&mut self, msg: Msg) -> Result<(), Msg> {
        if !self.check_write() {
            return Err(msg);
        }
        let Some(out) = &mut self.outbound else {
            return Err(msg);
        };
        let more = msg.more();
        let counted = !more && !msg.flags().contains(MsgFlags::ROUTING_ID);
        out.write(PipeItem::Msg(msg), more);
        if counted {
            self.msgs_written += 1;
        }
        Ok(())
    }

    fn rollback(&mut self) {
        if let Some(out) = &mut self.outbound {
            while out.unwrite().is_some() {}
        }
    }

    fn flush(&mut self) {
        if self.state == PipeState::TermAckSent {
            return;
        }
        if let Some(out) = &mut self.outbound
            && !out.flush()
        {
            self.peer_events
                .notify(self.peer_id, PipeEvent::ActivateRead);
        }
    }

    fn check_hwm(&self) -> bool {
        self.hwm == 0 || self.msgs_written.saturating_sub(self.peers_msgs_read) < self.hwm
    }

    fn terminate(&mut self) {
        self.terminate_with(self.delay);
    }
}

impl Drop for PipeEnd {
    /// An end dropped before termination completed acts as a close without
    /// delay and sends its final ack ahead, so the peer still reaches
    /// `Terminated` (dropping what it has not read yet).
    fn drop(&mut self) {
        match self.state {
            PipeState::Active | PipeState::DelimiterReceived => {
                self.terminate_with(false);
                self.peer_events.notify(self.peer_id, PipeEvent::TermAck);
            }
            PipeState::WaitingForDelimiter => self.ack_peer_term(),
            PipeState::TermReqSent1 => {
                self.peer_events.notify(self.peer_id, PipeEvent::TermAck);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
#[path = "end_tests.rs"]
mod tests;
