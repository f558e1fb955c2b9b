//! ROUTER (RFC 28): addresses each peer by its routing id.
//!
//! Receiving: messages are fair-queued and each gets a first part holding
//! the routing id of the pipe it came from. Sending: the first part names
//! the peer; the rest goes to that peer's pipe. An unknown peer or a full
//! pipe drops the message, or with `ZMQ_ROUTER_MANDATORY` fails with
//! EHOSTUNREACH or EAGAIN. ROUTER never blocks otherwise.
//!
//! Routing ids: each pipe starts with an in-band message flagged
//! [`MsgFlags::ROUTING_ID`] holding the peer's `Identity`. Until it has been
//! read the pipe is anonymous (not routable, not read). An empty identity
//! gets a generated id (0x00 and a 4-byte big-endian counter that starts at
//! a random value). A duplicate identity is refused (the new pipe is
//! terminated), or with `ZMQ_ROUTER_HANDOVER` the old pipe is renamed to a
//! generated id and terminated (after the message being read from it, if
//! any) while the new one takes the id. A pipe made by a connect with
//! `ZMQ_CONNECT_ROUTING_ID` gets that id at once.
//!
//! Raw mode (`ZMQ_ROUTER_RAW`, deprecated in favour of STREAM, still in
//! libzmq 4.3): peers speak raw bytes (the session runs its raw engine), so
//! every pipe gets a generated id when attached, the MORE flag of a data
//! part is ignored (one data part per message) and an empty data part
//! closes that peer's connection.

use bytes::Bytes;

use crate::dealer::send_probe;
use crate::error::{PatternError, SendError};
use crate::fair_queue::FairQueue;
use crate::msg::{INLINE_CAPACITY, Msg, MsgFlags};
use crate::options::{PatternOption, PatternOptionName};
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;
use crate::random::random_u32;
use crate::routing_table::RoutingTable;

/// A ROUTER socket's routing state.
#[derive(Debug)]
pub struct Router<P> {
    pipes: PipeMap<P>,
    /// Pipes whose routing-id message has not arrived yet.
    anonymous: PipeMap<()>,
    table: RoutingTable,
    fq: FairQueue,
    /// Routing-id part ready to be returned by `recv` (after `has_in`).
    prefetched_id: Option<Msg>,
    /// First part of a message whose routing-id part was returned first.
    prefetched_msg: Option<Msg>,
    more_in: bool,
    current_in: Option<PipeId>,
    terminate_current_in: bool,
    more_out: bool,
    current_out: Option<PipeId>,
    mandatory: bool,
    handover: bool,
    probe_router: bool,
    connect_routing_id: Option<Bytes>,
    raw: bool,
}

enum Identification {
    Identified,
    NotYet,
    Refused,
}

impl<P: Pipe> Router<P> {
    /// A ROUTER socket without peers.
    pub fn new() -> Router<P> {
        Router::with_first_generated_id(random_u32())
    }

    /// A ROUTER whose generated routing ids count up from `first` (tests).
    pub fn with_first_generated_id(first: u32) -> Router<P> {
        Router {
            pipes: PipeMap::default(),
            anonymous: PipeMap::default(),
            table: RoutingTable::new(first),
            fq: FairQueue::new(),
            prefetched_id: None,
            prefetched_msg: None,
            more_in: false,
            current_in: None,
            terminate_current_in: false,
            more_out: false,
            current_out: None,
            mandatory: false,
            handover: false,
            probe_router: false,
            connect_routing_id: None,
            raw: false,
        }
    }

    /// The routing id of an identified pipe.
    pub fn routing_id_of(&self, id: PipeId) -> Option<&Bytes> {
        self.table.routing_id(id)
    }

    /// Whether a message to the peer named `routing_id` would fit in its
    /// pipe now (`zmq_socket_get_peer_state`'s `ZMQ_POLLOUT`); `None`
    /// when no peer has that routing id.
    pub fn peer_writable(&mut self, routing_id: &[u8]) -> Option<bool> {
        let id = self.table.lookup(routing_id)?;
        Some(self.pipes.get_mut(&id)?.check_write())
    }

    fn attach_pipe(&mut self, mut pipe: P, connect_routing_id: Option<Bytes>) {
        if self.probe_router {
            send_probe(&mut pipe);
        }
        let id = pipe.id();
        self.pipes.insert(id, pipe);
        match self.identify(id, connect_routing_id) {
            Identification::Identified => self.fq.attach(id),
            Identification::NotYet => {
                self.anonymous.insert(id, ());
            }
            Identification::Refused => self.refuse(id),
        }
    }

    fn refuse(&mut self, id: PipeId) {
        if let Some(pipe) = self.pipes.get_mut(&id) {
            pipe.terminate();
        }
    }

    /// Gives pipe `id` its routing id, if it can be known now.
    fn identify(&mut self, id: PipeId, connect_routing_id: Option<Bytes>) -> Identification {
        if let Some(routing_id) = connect_routing_id {
            if self.table.lookup(&routing_id).is_some() {
                return Identification::Refused;
            }
            self.table.insert(routing_id, id);
            return Identification::Identified;
        }
        if self.raw {
            let routing_id = self.table.generate();
            self.table.insert(routing_id, id);
            return Identification::Identified;
        }
        let Some(pipe) = self.pipes.get_mut(&id) else {
            return Identification::Refused;
        };
        let Some(announced) = pipe.read() else {
            return Identification::NotYet;
        };
        let routing_id = if announced.is_empty() {
            self.table.generate()
        } else {
            let routing_id = announced.into_bytes();
            if let Some(old) = self.table.lookup(&routing_id) {
                if !self.handover {
                    return Identification::Refused;
                }
                let renamed = self.table.generate();
                self.table.rename(old, renamed);
                if self.current_in == Some(old) {
                    self.terminate_current_in = true;
                } else if let Some(old_pipe) = self.pipes.get_mut(&old) {
                    old_pipe.terminate();
                }
            }
            routing_id
        };
        self.table.insert(routing_id, id);
        Identification::Identified
    }

    /// Next data part from the fair queue, skipping routing-id messages
    /// (a peer announces its id again after a reconnect).
    fn next_part(&mut self) -> Option<(Msg, PipeId)> {
        loop {
            let (msg, from) = self.fq.recv(&mut self.pipes)?;
            if !msg.flags().contains(MsgFlags::ROUTING_ID) {
                return Some((msg, from));
            }
        }
    }

    /// The routing-id part put in front of `first`, a message from `from`.
    fn routing_id_part(&self, from: PipeId, first: &Msg) -> Msg {
        let mut part = match self.table.routing_id(from) {
            Some(id) if id.len() <= INLINE_CAPACITY => Msg::from_slice(id),
            Some(id) => Msg::from_bytes(id.clone()),
            None => Msg::new(),
        };
        part.set_more(true);
        part.set_metadata(first.metadata().cloned());
        part
    }

    /// A message from the current pipe ended.
    fn finish_in(&mut self) {
        if self.terminate_current_in {
            self.terminate_current_in = false;
            if let Some(pipe) = self.current_in.and_then(|id| self.pipes.get_mut(&id)) {
                pipe.terminate();
            }
        }
        self.current_in = None;
    }

    fn part_of_current(&mut self, msg: Msg) -> Msg {
        self.more_in = msg.more();
        if !self.more_in {
            self.finish_in();
        }
        msg
    }

    /// Handles the first (routing-id) part of an outgoing message.
    fn route(&mut self, msg: Msg) -> Result<(), SendError> {
        if !msg.more() {
            // A routing id with nothing after it: ignore, as libzmq does.
            return Ok(());
        }
        self.more_out = true;
        let Some(id) = self.table.lookup(msg.data()) else {
            if self.mandatory {
                self.more_out = false;
                return Err(SendError::new(PatternError::HostUnreachable, msg));
            }
            return Ok(());
        };
        let Some(pipe) = self.pipes.get_mut(&id) else {
            return Ok(());
        };
        if pipe.check_write() {
            self.current_out = Some(id);
            return Ok(());
        }
        if self.mandatory {
            self.more_out = false;
            let kind = if pipe.check_hwm() {
                PatternError::HostUnreachable
            } else {
                PatternError::Again
            };
            return Err(SendError::new(kind, msg));
        }
        Ok(())
    }
}

impl<P: Pipe> Default for Router<P> {
    fn default() -> Router<P> {
        Router::new()
    }
}

impl<P: Pipe> Pattern<P> for Router<P> {
    fn attach(&mut self, pipe: P, _locally_initiated: bool) {
        self.attach_pipe(pipe, None);
    }

    fn attach_with_connect_routing_id(&mut self, pipe: P, routing_id: Bytes) {
        self.attach_pipe(pipe, Some(routing_id));
    }

    fn take_connect_routing_id(&mut self) -> Option<Bytes> {
        self.connect_routing_id.take()
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.pipes.get_mut(&id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        let mut pipe = self.pipes.remove(&id)?;
        self.anonymous.remove(&id);
        self.table.remove_pipe(id);
        self.fq.detach(id);
        if self.current_out == Some(id) {
            pipe.rollback();
            self.current_out = None;
        }
        if self.current_in == Some(id) {
            self.current_in = None;
            self.terminate_current_in = false;
            self.more_in = false;
            if self.prefetched_id.take().is_some() {
                // Nothing of that message was handed out yet: forget it.
                self.prefetched_msg = None;
            } else if let Some(first) = self.prefetched_msg.as_mut() {
                // Its routing id was handed out: end the message with the
                // part already read.
                first.set_more(false);
            }
        }
        Some(pipe)
    }

    fn send(&mut self, mut msg: Msg) -> Result<(), SendError> {
        if !self.more_out {
            return self.route(msg);
        }
        if self.raw {
            msg.set_more(false);
        }
        self.more_out = msg.more();
        if let Some(pipe) = self.current_out.and_then(|id| self.pipes.get_mut(&id)) {
            if self.raw && msg.is_empty() {
                // Raw mode: an empty data part closes the peer.
                pipe.terminate();
            } else if pipe.write(msg).is_err() {
                // Room was checked at the first part: the pipe is closing.
                pipe.rollback();
                self.current_out = None;
            } else if !self.more_out {
                pipe.flush();
            }
        }
        if !self.more_out {
            self.current_out = None;
        }
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        if let Some(id) = self.prefetched_id.take() {
            return Ok(id);
        }
        if let Some(first) = self.prefetched_msg.take() {
            return Ok(self.part_of_current(first));
        }
        let (msg, from) = self.next_part().ok_or(PatternError::Again)?;
        if self.more_in {
            return Ok(self.part_of_current(msg));
        }
        let id = self.routing_id_part(from, &msg);
        self.current_in = Some(from);
        self.prefetched_msg = Some(msg);
        Ok(id)
    }

    fn has_in(&mut self) -> bool {
        if self.more_in || self.prefetched_msg.is_some() {
            return true;
        }
        let Some((msg, from)) = self.next_part() else {
            return false;
        };
        self.prefetched_id = Some(self.routing_id_part(from, &msg));
        self.prefetched_msg = Some(msg);
        self.current_in = Some(from);
        true
    }

    fn has_out(&mut self) -> bool {
        if !self.mandatory {
            return true;
        }
        let pipes = &self.pipes;
        self.table
            .pipes()
            .any(|id| pipes.get(&id).is_some_and(|pipe| pipe.check_hwm()))
    }

    fn read_activated(&mut self, id: PipeId) {
        if !self.anonymous.contains_key(&id) {
            self.fq.activated(id);
            return;
        }
        match self.identify(id, None) {
            Identification::Identified => {
                self.anonymous.remove(&id);
                self.fq.attach(id);
            }
            Identification::NotYet => {}
            Identification::Refused => {
                self.anonymous.remove(&id);
                self.refuse(id);
            }
        }
    }

    fn write_activated(&mut self, _id: PipeId) {}

    fn set_option(&mut self, option: PatternOption) -> Result<(), PatternError> {
        match option {
            PatternOption::RouterMandatory(on) => self.mandatory = on,
            PatternOption::RouterHandover(on) => self.handover = on,
            PatternOption::ProbeRouter(on) => self.probe_router = on,
            PatternOption::RouterRaw(on) => self.raw = on,
            PatternOption::ConnectRoutingId(None) => self.connect_routing_id = None,
            PatternOption::ConnectRoutingId(Some(id)) => {
                // Any non-empty id, as libzmq (a longer one than a peer
                // could announce too: it only names the pipe here).
                if id.is_empty() {
                    return Err(PatternError::Invalid);
                }
                if self.table.lookup(&id).is_some() {
                    return Err(PatternError::Invalid);
                }
                self.connect_routing_id = Some(id);
            }
            _ => return Err(PatternError::Invalid),
        }
        Ok(())
    }

    fn option(&self, name: PatternOptionName) -> Result<PatternOption, PatternError> {
        Ok(match name {
            PatternOptionName::RouterMandatory => PatternOption::RouterMandatory(self.mandatory),
            PatternOptionName::RouterHandover => PatternOption::RouterHandover(self.handover),
            PatternOptionName::ProbeRouter => PatternOption::ProbeRouter(self.probe_router),
            PatternOptionName::RouterRaw => PatternOption::RouterRaw(self.raw),
            PatternOptionName::ConnectRoutingId => {
                PatternOption::ConnectRoutingId(self.connect_routing_id.clone())
            }
            _ => return Err(PatternError::Invalid),
        })
    }
}
