//! STREAM (`ZMQ_STREAM`, no RFC): raw TCP peers addressed by routing id.
//!
//! There is no ZMTP on the wire: the session's raw engine turns each read
//! into one message and writes each message's bytes as they are. Each pipe
//! gets a routing id as soon as it is attached (0x00 and a 4-byte
//! big-endian counter starting at a random value, as libzmq), or the one
//! set with `ZMQ_CONNECT_ROUTING_ID` for a connect.
//!
//! ```text
//!  recv: [routing id, MORE] [data]          one pair per chunk read
//!  send: [routing id, MORE] [data]          MORE of the data part ignored
//!        [routing id, MORE] [""]            closes that peer's connection
//!  notifications (ZMQ_STREAM_NOTIFY, made by the session):
//!        [routing id, MORE] [""]            on connect and on disconnect
//! ```
//!
//! Sending to an unknown routing id fails with EHOSTUNREACH, to a full
//! peer with EAGAIN (both before anything is queued); a routing-id part
//! without MORE is ignored, as libzmq does.

use bytes::Bytes;

use crate::error::{PatternError, SendError};
use crate::fair_queue::FairQueue;
use crate::msg::{INLINE_CAPACITY, Msg, MsgFlags};
use crate::options::{PatternOption, PatternOptionName};
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;
use crate::random::random_u32;
use crate::routing_table::RoutingTable;

/// A STREAM socket's routing state.
#[derive(Debug)]
pub struct Stream<P> {
    pipes: PipeMap<P>,
    table: RoutingTable,
    fq: FairQueue,
    /// Routing-id part ready to be returned by `recv` (after `has_in`).
    prefetched_id: Option<Msg>,
    /// Data part to return after its routing-id part.
    prefetched_msg: Option<Msg>,
    /// The routing-id part of a message was sent: the next part is data.
    more_out: bool,
    current_out: Option<PipeId>,
    connect_routing_id: Option<Bytes>,
}

impl<P: Pipe> Stream<P> {
    /// A STREAM socket without peers.
    pub fn new() -> Stream<P> {
        Stream::with_first_generated_id(random_u32())
    }

    /// A STREAM whose generated routing ids count up from `first` (tests).
    pub fn with_first_generated_id(first: u32) -> Stream<P> {
        Stream {
            pipes: PipeMap::default(),
            table: RoutingTable::new(first),
            fq: FairQueue::new(),
            prefetched_id: None,
            prefetched_msg: None,
            more_out: false,
            current_out: None,
            connect_routing_id: None,
        }
    }

    /// The routing id of pipe `id`.
    pub fn routing_id_of(&self, id: PipeId) -> Option<&Bytes> {
        self.table.routing_id(id)
    }

    fn attach_pipe(&mut self, mut pipe: P, connect_routing_id: Option<Bytes>) {
        let id = pipe.id();
        let routing_id = match connect_routing_id {
            Some(routing_id) if self.table.lookup(&routing_id).is_some() => {
                // A duplicate (libzmq asserts): refuse the new peer.
                pipe.terminate();
                self.pipes.insert(id, pipe);
                return;
            }
            Some(routing_id) => routing_id,
            None => self.table.generate(),
        };
        self.table.insert(routing_id, id);
        self.pipes.insert(id, pipe);
        self.fq.attach(id);
    }

    /// Next data part, skipping in-band routing-id messages (a session
    /// may write one; STREAM names its peers itself).
    fn next_part(&mut self) -> Option<(Msg, PipeId)> {
        loop {
            let (msg, from) = self.fq.recv(&mut self.pipes)?;
            if !msg.flags().contains(MsgFlags::ROUTING_ID) {
                return Some((msg, from));
            }
        }
    }

    /// Fetches the next message: its routing-id part and its data part.
    fn prefetch(&mut self) -> Option<(Msg, Msg)> {
        let (mut data, from) = self.next_part()?;
        data.set_more(false);
        let mut id = match self.table.routing_id(from) {
            Some(id) if id.len() <= INLINE_CAPACITY => Msg::from_slice(id),
            Some(id) => Msg::from_bytes(id.clone()),
            None => Msg::new(),
        };
        id.set_more(true);
        id.set_metadata(data.metadata().cloned());
        Some((id, data))
    }

    /// Handles the routing-id part of an outgoing message.
    fn route(&mut self, msg: Msg) -> Result<(), SendError> {
        if msg.more() {
            let Some(id) = self.table.lookup(msg.data()) else {
                return Err(SendError::new(PatternError::HostUnreachable, msg));
            };
            let Some(pipe) = self.pipes.get_mut(&id) else {
                return Err(SendError::new(PatternError::HostUnreachable, msg));
            };
            if !pipe.check_write() {
                return Err(SendError::new(PatternError::Again, msg));
            }
            self.current_out = Some(id);
        }
        // As libzmq: the next part is data even when this one lacked MORE.
        self.more_out = true;
        Ok(())
    }

    /// Handles the data part: written as one message, or with no bytes,
    /// closes the peer.
    fn deliver(&mut self, mut msg: Msg) {
        self.more_out = false;
        msg.set_more(false);
        let Some(pipe) = self
            .current_out
            .take()
            .and_then(|id| self.pipes.get_mut(&id))
        else {
            return;
        };
        if msg.is_empty() {
            // The session sends what it holds, then closes the connection.
            pipe.terminate();
        } else if pipe.write(msg).is_ok() {
            pipe.flush();
        }
    }
}

impl<P: Pipe> Default for Stream<P> {
    fn default() -> Stream<P> {
        Stream::new()
    }
}

impl<P: Pipe> Pattern<P> for Stream<P> {
    fn attach(&mut self, pipe: P, _locally_initiated: bool) {
        self.attach_pipe(pipe, None);
    }

    fn attach_with_connect_routing_id(&mut self, pipe: P, routing_id: Bytes) {
        self.attach_pipe(pipe, Some(routing_id));
    }

    fn take_connect_routing_id(&mut self) -> Option<Bytes> {
        self.connect_routing_id.take()
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        let pipe = self.pipes.remove(&id)?;
        self.table.remove_pipe(id);
        self.fq.detach(id);
        if self.current_out == Some(id) {
            self.current_out = None;
        }
        Some(pipe)
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.pipes.get_mut(&id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        if self.more_out {
            self.deliver(msg);
            Ok(())
        } else {
            self.route(msg)
        }
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        if let Some(id) = self.prefetched_id.take() {
            return Ok(id);
        }
        if let Some(data) = self.prefetched_msg.take() {
            return Ok(data);
        }
        let (id, data) = self.prefetch().ok_or(PatternError::Again)?;
        self.prefetched_msg = Some(data);
        Ok(id)
    }

    fn has_in(&mut self) -> bool {
        if self.prefetched_msg.is_some() {
            return true;
        }
        let Some((id, data)) = self.prefetch() else {
            return false;
        };
        self.prefetched_id = Some(id);
        self.prefetched_msg = Some(data);
        true
    }

    fn has_out(&mut self) -> bool {
        true
    }

    fn read_activated(&mut self, id: PipeId) {
        self.fq.activated(id);
    }

    fn write_activated(&mut self, _id: PipeId) {}

    fn set_option(&mut self, option: PatternOption) -> Result<(), PatternError> {
        match option {
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
        match name {
            PatternOptionName::ConnectRoutingId => Ok(PatternOption::ConnectRoutingId(
                self.connect_routing_id.clone(),
            )),
            _ => Err(PatternError::Invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::MemHub;

    #[test]
    fn generated_ids_are_given_at_attach() {
        let mut hub = MemHub::new();
        let mut stream = Stream::with_first_generated_id(0x0a0b_0c0d);
        let (pipe, peer) = hub.pipe(0);
        stream.attach(pipe, false);
        assert_eq!(
            stream.routing_id_of(peer.id()).map(|b| &b[..]),
            Some(&[0u8, 0x0a, 0x0b, 0x0c, 0x0d][..])
        );
    }

    #[test]
    fn duplicate_connect_routing_id_is_refused() {
        let mut hub = MemHub::new();
        let mut stream = Stream::with_first_generated_id(0);
        let (first, first_peer) = hub.pipe(0);
        let (second, second_peer) = hub.pipe(0);
        stream.attach_with_connect_routing_id(first, Bytes::from_static(b"A"));
        stream.attach_with_connect_routing_id(second, Bytes::from_static(b"A"));
        assert!(!first_peer.is_terminated());
        assert!(second_peer.is_terminated());
        assert_eq!(
            stream.set_option(PatternOption::ConnectRoutingId(Some(Bytes::from_static(
                b"A"
            )))),
            Err(PatternError::Invalid)
        );
    }
}
