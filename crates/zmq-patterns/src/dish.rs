//! DISH (RFC 48): receives the messages of the groups it joined from RADIO
//! peers; never sends.
//!
//! `join` and `leave` (the [`PatternOption::Join`] and
//! [`PatternOption::Leave`] options) update the local group set and tell
//! every peer with a JOIN or LEAVE command ([`GroupCommand`]); a new peer
//! is told every group joined so far. Received messages are fair-queued
//! and filtered here too (a message of a group not joined is dropped), so
//! a RADIO that does not filter still works. Multipart messages are
//! dropped.

use std::collections::HashSet;

use bytes::Bytes;

use crate::distributor::Distributor;
use crate::error::{PatternError, SendError};
use crate::group_command::GroupCommand;
use crate::msg::{GROUP_MAX_LENGTH, Msg};
use crate::options::PatternOption;
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;
use crate::single_part::SinglePartQueue;

/// A DISH socket's routing state.
#[derive(Debug)]
pub struct Dish<P> {
    pipes: PipeMap<P>,
    queue: SinglePartQueue,
    /// Sends JOIN/LEAVE to every peer.
    dist: Distributor,
    groups: HashSet<Bytes>,
}

impl<P: Pipe> Dish<P> {
    /// A DISH socket without peers or groups.
    pub fn new() -> Dish<P> {
        Dish {
            pipes: PipeMap::default(),
            queue: SinglePartQueue::new(),
            dist: Distributor::new(),
            groups: HashSet::new(),
        }
    }

    /// Joins `group`: EINVAL when longer than 255 bytes or joined already.
    pub fn join(&mut self, group: &[u8]) -> Result<(), PatternError> {
        if group.len() > GROUP_MAX_LENGTH || self.groups.contains(group) {
            return Err(PatternError::Invalid);
        }
        self.groups.insert(Bytes::copy_from_slice(group));
        self.dist
            .send_to_all(&mut self.pipes, GroupCommand::Join(group).to_msg());
        Ok(())
    }

    /// Leaves `group`: EINVAL when longer than 255 bytes or not joined.
    pub fn leave(&mut self, group: &[u8]) -> Result<(), PatternError> {
        if group.len() > GROUP_MAX_LENGTH || !self.groups.remove(group) {
            return Err(PatternError::Invalid);
        }
        self.dist
            .send_to_all(&mut self.pipes, GroupCommand::Leave(group).to_msg());
        Ok(())
    }

    /// Whether `group` is joined.
    pub fn is_joined(&self, group: &[u8]) -> bool {
        self.groups.contains(group)
    }
}

impl<P: Pipe> Default for Dish<P> {
    fn default() -> Dish<P> {
        Dish::new()
    }
}

impl<P: Pipe> Pattern<P> for Dish<P> {
    fn attach(&mut self, mut pipe: P, _locally_initiated: bool) {
        let id = pipe.id();
        for group in &self.groups {
            // A pipe full already at attach misses the rest, as in libzmq.
            if pipe.write(GroupCommand::Join(group).to_msg()).is_err() {
                break;
            }
        }
        pipe.flush();
        self.pipes.insert(id, pipe);
        self.queue.attach(id);
        self.dist.attach(id);
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.pipes.get_mut(&id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        self.queue.detach(id);
        self.dist.detach(id);
        self.pipes.remove(&id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        Err(SendError::new(PatternError::NotSupported, msg))
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        let groups = &self.groups;
        self.queue
            .recv(&mut self.pipes, |msg| {
                groups.contains(msg.group().unwrap_or_default())
            })
            .map(|(msg, _)| msg)
            .ok_or(PatternError::Again)
    }

    fn has_in(&mut self) -> bool {
        let groups = &self.groups;
        self.queue.has_in(&mut self.pipes, |msg| {
            groups.contains(msg.group().unwrap_or_default())
        })
    }

    fn has_out(&mut self) -> bool {
        // As libzmq: joins and leaves can be made at any time, so a DISH
        // reports itself writable (ZMQ_EVENTS has ZMQ_POLLOUT).
        true
    }

    fn read_activated(&mut self, id: PipeId) {
        self.queue.activated(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.dist.activated(id);
    }

    fn set_option(&mut self, option: PatternOption) -> Result<(), PatternError> {
        match option {
            PatternOption::Join(group) => self.join(&group),
            PatternOption::Leave(group) => self.leave(&group),
            _ => Err(PatternError::Invalid),
        }
    }
}
