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

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
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

/// The low-water mark for a high-water mark, as libzmq 4.3.5 computes it
/// (`pipe_t::compute_lwm`): half the mark, rounded up, whatever its size.
/// (libzmq's `max_wm_delta`, which once capped the gap at 1024 messages,
/// is still defined in its config.hpp but used nowhere.)
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
    /// The inproc peer's SNDHWM and RCVHWM, added to ours when the marks
    /// change (libzmq's hwm boosts; -1: none, a session's pipe).
    in_hwm_boost: i32,
    out_hwm_boost: i32,
    /// `ZMQ_DISCONNECT_MSG` of an inproc peer that wants one: written
    /// into the pipe when our owner disconnects or closes. Shared because
    /// a bind made after the connect fills it in.
    disconnect_msg: Option<Arc<OnceLock<Bytes>>>,
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
            in_hwm_boost: -1,
            out_hwm_boost: -1,
            disconnect_msg: None,
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

    /// Sets the peer's marks that `set_hwms` adds to ours (an inproc
    /// pipe: the peer socket's SNDHWM as `in_boost`, its RCVHWM as
    /// `out_boost`; libzmq's `set_hwms_boost`).
    pub fn set_hwms_boost(&mut self, in_boost: i32, out_boost: i32) {
        self.in_hwm_boost = in_boost;
        self.out_hwm_boost = out_boost;
    }

    /// Changes the high-water marks as libzmq's `pipe_t::set_hwms`: the
    /// owner's RCVHWM (`in_hwm`, which sets this end's low-water mark) and
    /// SNDHWM (`out_hwm`, how far this end may write ahead of the peer),
    /// each plus its boost; 0 or below on either side means unlimited.
    /// A conflating pipe has no marks. Returns whether the end became
    /// writable again (tell the pattern `write_activated`).
    pub fn set_hwms(&mut self, in_hwm: i32, out_hwm: i32) -> bool {
        if self.is_conflating() {
            return false;
        }
        let limit = |own: i32, boost: i32| -> u64 {
            if own <= 0 || boost == 0 {
                0
            } else {
                own as u64 + boost.max(0) as u64
            }
        };
        self.lwm = compute_lwm(limit(in_hwm, self.in_hwm_boost) as usize) as u64;
        self.hwm = limit(out_hwm, self.out_hwm_boost);
        if !self.out_active && self.state == PipeState::Active && self.check_hwm() {
            self.out_active = true;
            return true;
        }
        false
    }

    /// Has the peer end apply `set_hwms(peer_in, peer_out)`, after
    /// `set_hwms_boost` with `boost` if given (libzmq's
    /// `send_hwms_to_peer`: after `ZMQ_SNDHWM`/`ZMQ_RCVHWM` changed, our
    /// SNDHWM is the peer's inbound mark and our RCVHWM its outbound one).
    pub fn send_hwms_to_peer(&self, peer_in: i32, peer_out: i32, boost: Option<(i32, i32)>) {
        if self.state == PipeState::Active {
            self.peer_events.notify(
                self.peer_id,
                PipeEvent::Hwms {
                    in_hwm: peer_in,
                    out_hwm: peer_out,
                    boost,
                },
            );
        }
    }

    fn is_conflating(&self) -> bool {
        matches!(self.outbound, Some(Outbound::Slot(..)))
            || matches!(self.inbound, Some(Inbound::Slot(_)))
    }

    /// Sets the message written towards the peer when our owner
    /// disconnects or closes (`ZMQ_DISCONNECT_MSG` of an inproc peer);
    /// an empty cell may be filled later.
    pub fn set_disconnect_msg(&mut self, msg: Arc<OnceLock<Bytes>>) {
        self.disconnect_msg = Some(msg);
    }

    /// Writes the peer's disconnect message, if it wants one, after
    /// rolling back an incomplete message (libzmq's
    /// `send_disconnect_msg`). Call before `terminate`.
    pub fn send_disconnect_msg(&mut self) {
        let Some(body) = self
            .disconnect_msg
            .take()
            .and_then(|cell| cell.get().cloned())
        else {
            return;
        };
        if self.state != PipeState::Active && self.state != PipeState::DelimiterReceived {
            return;
        }
        self.rollback();
        if let Some(out) = &mut self.outbound {
            // Past the high-water mark, as libzmq.
            out.write(PipeItem::Msg(Msg::from_bytes(body)), false);
            if !out.flush() {
                self.peer_events
                    .notify(self.peer_id, PipeEvent::ActivateRead);
            }
        }
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
            PipeEvent::Hwms {
                in_hwm,
                out_hwm,
                boost,
            } => {
                if let Some((in_boost, out_boost)) = boost {
                    self.set_hwms_boost(in_boost, out_boost);
                }
                if self.set_hwms(in_hwm, out_hwm) {
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
