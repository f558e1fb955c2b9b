//! In-memory pipes for tests: [`MemHub`] makes [`MemPipe`]s (the socket's
//! end, a [`Pipe`]) and [`MemPeer`]s (a scripted peer at the other end).
//!
//! They follow the facade's pipe contract: the high-water mark counts whole
//! messages (parts of a started message are always accepted), written
//! messages reach the peer at `flush`, a peer's multipart message becomes
//! readable when its last part is sent, and readiness is edge-triggered:
//! the pipe records a [`MemEvent`] only when the socket had found it empty
//! (or full) before. [`MemHub::deliver`] hands those events to a pattern.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use crate::msg::{Msg, MsgFlags};
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};

/// A readiness change the facade would report to the pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemEvent {
    /// The peer made a message readable after the socket found the pipe empty.
    ReadActivated(PipeId),
    /// The peer drained the pipe after the socket found it full.
    WriteActivated(PipeId),
    /// The socket asked for the pipe to be closed.
    Terminated(PipeId),
}

type Events = Rc<RefCell<VecDeque<MemEvent>>>;

/// Makes pipe pairs that share one event log.
#[derive(Default)]
pub struct MemHub {
    events: Events,
    next_id: u64,
}

#[derive(Default)]
struct Channel {
    /// Complete messages the peer sent, readable by the socket.
    to_socket: VecDeque<Msg>,
    /// Parts of a message the peer is still sending.
    to_socket_partial: Vec<Msg>,
    /// Flushed parts, readable by the peer.
    to_peer: VecDeque<Msg>,
    /// Written but not flushed parts (complete messages, then maybe a partial one).
    to_peer_unflushed: Vec<Msg>,
    /// Parts of `to_peer_unflushed` that form complete messages.
    unflushed_complete_parts: usize,
    /// Complete messages written and not yet read by the peer.
    outstanding: usize,
    hwm: usize,
    read_armed: bool,
    write_armed: bool,
    terminated: bool,
}

/// The socket's end of an in-memory pipe.
pub struct MemPipe {
    id: PipeId,
    channel: Rc<RefCell<Channel>>,
    events: Events,
}

/// The scripted peer's end of an in-memory pipe.
#[derive(Clone)]
pub struct MemPeer {
    id: PipeId,
    channel: Rc<RefCell<Channel>>,
    events: Events,
}

impl MemHub {
    /// A hub without pipes.
    pub fn new() -> MemHub {
        MemHub::default()
    }

    /// A new pipe pair; `hwm` limits complete messages towards the peer
    /// (0 = no limit).
    pub fn pipe(&mut self, hwm: usize) -> (MemPipe, MemPeer) {
        self.next_id += 1;
        let id = PipeId(self.next_id);
        let channel = Rc::new(RefCell::new(Channel {
            hwm,
            ..Channel::default()
        }));
        let pipe = MemPipe {
            id,
            channel: Rc::clone(&channel),
            events: Rc::clone(&self.events),
        };
        let peer = MemPeer {
            id,
            channel,
            events: Rc::clone(&self.events),
        };
        (pipe, peer)
    }

    /// A new pipe pair whose pipe starts with the in-band routing-id
    /// message carrying `identity` (what a ROUTER's session writes).
    pub fn pipe_with_identity(&mut self, hwm: usize, identity: &[u8]) -> (MemPipe, MemPeer) {
        let (pipe, peer) = self.pipe(hwm);
        let mut msg = Msg::from_slice(identity);
        msg.set_flags(MsgFlags::ROUTING_ID);
        peer.send_msg(msg);
        (pipe, peer)
    }

    /// Takes the recorded events, oldest first.
    pub fn take_events(&self) -> Vec<MemEvent> {
        self.events.borrow_mut().drain(..).collect()
    }

    /// Hands every recorded event to `pattern`, as the facade would: read
    /// and write activations, and `detach` of the pipes it terminated.
    /// Returns the detached pipes.
    pub fn deliver<Q: Pattern<MemPipe>>(&self, pattern: &mut Q) -> Vec<MemPipe> {
        let mut detached = Vec::new();
        loop {
            let event = self.events.borrow_mut().pop_front();
            match event {
                None => return detached,
                Some(MemEvent::ReadActivated(id)) => pattern.read_activated(id),
                Some(MemEvent::WriteActivated(id)) => pattern.write_activated(id),
                Some(MemEvent::Terminated(id)) => detached.extend(pattern.detach(id)),
            }
        }
    }
}

impl MemPeer {
    /// The id of the pipe this peer is at the end of.
    pub fn id(&self) -> PipeId {
        self.id
    }

    /// Sends one part to the socket; the message becomes readable with its
    /// last part.
    pub fn send_msg(&self, msg: Msg) {
        let mut ch = self.channel.borrow_mut();
        let more = msg.more();
        ch.to_socket_partial.push(msg);
        if !more {
            let parts: Vec<Msg> = ch.to_socket_partial.drain(..).collect();
            ch.to_socket.extend(parts);
            if ch.read_armed {
                ch.read_armed = false;
                self.events
                    .borrow_mut()
                    .push_back(MemEvent::ReadActivated(self.id));
            }
        }
    }

    /// Sends a whole message, one part per slice.
    pub fn send(&self, parts: &[&[u8]]) {
        for (i, part) in parts.iter().enumerate() {
            let mut msg = Msg::from_slice(part);
            msg.set_more(i + 1 < parts.len());
            self.send_msg(msg);
        }
    }

    /// Receives one flushed part the socket wrote.
    pub fn recv_msg(&self) -> Option<Msg> {
        let mut ch = self.channel.borrow_mut();
        let msg = ch.to_peer.pop_front()?;
        if !msg.more() {
            ch.outstanding = ch.outstanding.saturating_sub(1);
            let low_water = ch.hwm.div_ceil(2);
            if ch.write_armed && ch.outstanding <= low_water {
                ch.write_armed = false;
                self.events
                    .borrow_mut()
                    .push_back(MemEvent::WriteActivated(self.id));
            }
        }
        Some(msg)
    }

    /// Receives one whole flushed message as byte vectors.
    pub fn recv(&self) -> Option<Vec<Vec<u8>>> {
        let mut parts = Vec::new();
        while let Some(msg) = self.recv_msg() {
            let more = msg.more();
            parts.push(msg.data().to_vec());
            if !more {
                return Some(parts);
            }
        }
        if parts.is_empty() { None } else { Some(parts) }
    }

    /// Receives every flushed message.
    pub fn recv_all(&self) -> Vec<Vec<Vec<u8>>> {
        std::iter::from_fn(|| self.recv()).collect()
    }

    /// Number of flushed parts waiting for the peer.
    pub fn pending_parts(&self) -> usize {
        self.channel.borrow().to_peer.len()
    }

    /// Whether the socket terminated the pipe.
    pub fn is_terminated(&self) -> bool {
        self.channel.borrow().terminated
    }

    /// Number of messages the socket has not read yet.
    pub fn unread_parts(&self) -> usize {
        self.channel.borrow().to_socket.len()
    }
}

impl Pipe for MemPipe {
    fn id(&self) -> PipeId {
        self.id
    }

    fn check_read(&mut self) -> bool {
        let mut ch = self.channel.borrow_mut();
        if !ch.terminated && !ch.to_socket.is_empty() {
            return true;
        }
        ch.read_armed = true;
        false
    }

    fn read(&mut self) -> Option<Msg> {
        let mut ch = self.channel.borrow_mut();
        if ch.terminated {
            return None;
        }
        let msg = ch.to_socket.pop_front();
        if msg.is_none() {
            ch.read_armed = true;
        }
        msg
    }

    fn check_write(&mut self) -> bool {
        let mut ch = self.channel.borrow_mut();
        if ch.terminated {
            return false;
        }
        let in_message = ch.to_peer_unflushed.len() > ch.unflushed_complete_parts;
        if in_message || ch.hwm == 0 || ch.outstanding < ch.hwm {
            return true;
        }
        ch.write_armed = true;
        false
    }

    fn write(&mut self, msg: Msg) -> Result<(), Msg> {
        if !self.check_write() {
            return Err(msg);
        }
        let mut ch = self.channel.borrow_mut();
        let more = msg.more();
        ch.to_peer_unflushed.push(msg);
        if !more {
            ch.unflushed_complete_parts = ch.to_peer_unflushed.len();
            ch.outstanding += 1;
        }
        Ok(())
    }

    fn rollback(&mut self) {
        let mut ch = self.channel.borrow_mut();
        let keep = ch.unflushed_complete_parts;
        ch.to_peer_unflushed.truncate(keep);
    }

    fn flush(&mut self) {
        let mut ch = self.channel.borrow_mut();
        let complete = ch.unflushed_complete_parts;
        let parts: Vec<Msg> = ch.to_peer_unflushed.drain(..complete).collect();
        ch.to_peer.extend(parts);
        ch.unflushed_complete_parts = 0;
    }

    fn check_hwm(&self) -> bool {
        let ch = self.channel.borrow();
        ch.hwm == 0 || ch.outstanding < ch.hwm
    }

    fn terminate(&mut self) {
        let mut ch = self.channel.borrow_mut();
        if !ch.terminated {
            ch.terminated = true;
            self.events
                .borrow_mut()
                .push_back(MemEvent::Terminated(self.id));
        }
    }
}

impl std::fmt::Debug for MemPipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemPipe").field("id", &self.id).finish()
    }
}

impl std::fmt::Debug for MemPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemPeer").field("id", &self.id).finish()
    }
}
