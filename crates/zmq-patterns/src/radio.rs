//! RADIO (RFC 48): sends each message to the DISH peers that joined its
//! group; never receives.
//!
//! Peers tell their groups with JOIN and LEAVE commands
//! ([`GroupCommand`]), read from their pipes as they arrive; the radio
//! keeps, per group, the pipes that joined it (one entry per JOIN, as
//! libzmq's multimap, so two JOINs need two LEAVEs). A message without a
//! group goes to the pipes that joined the empty group. Sending never
//! blocks: a full peer misses the message, unless `ZMQ_XPUB_NODROP` is
//! set, in which case the send fails with EAGAIN while a matching peer
//! is full. Single-part only: MORE is EINVAL.

use std::collections::HashMap;

use bytes::Bytes;

use crate::distributor::Distributor;
use crate::error::{PatternError, SendError};
use crate::group_command::GroupCommand;
use crate::msg::Msg;
use crate::options::{PatternOption, PatternOptionName};
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;

/// A RADIO socket's routing state.
#[derive(Debug)]
pub struct Radio<P> {
    pipes: PipeMap<P>,
    dist: Distributor,
    /// Group -> pipes that joined it (with repeats).
    groups: HashMap<Bytes, Vec<PipeId>>,
    /// Pipes that take every message (udp engines).
    all_groups: Vec<PipeId>,
    no_drop: bool,
}

impl<P: Pipe> Radio<P> {
    /// A RADIO socket without peers.
    pub fn new() -> Radio<P> {
        Radio {
            pipes: PipeMap::default(),
            dist: Distributor::new(),
            groups: HashMap::new(),
            all_groups: Vec::new(),
            no_drop: false,
        }
    }

    /// Number of distinct groups some peer joined.
    pub fn groups_count(&self) -> usize {
        self.groups.len()
    }

    /// Applies the JOIN and LEAVE commands waiting in pipe `id`; other
    /// messages from a DISH are dropped.
    fn read_commands(&mut self, id: PipeId) {
        let Some(pipe) = self.pipes.get_mut(&id) else {
            return;
        };
        while let Some(msg) = pipe.read() {
            match GroupCommand::parse(&msg) {
                Some(GroupCommand::Join(group)) => {
                    self.groups
                        .entry(Bytes::copy_from_slice(group))
                        .or_default()
                        .push(id);
                }
                Some(GroupCommand::Leave(group)) => {
                    if let Some(members) = self.groups.get_mut(group) {
                        if let Some(at) = members.iter().position(|&m| m == id) {
                            members.swap_remove(at);
                        }
                        if members.is_empty() {
                            self.groups.remove(group);
                        }
                    }
                }
                None => {}
            }
        }
    }
}

impl<P: Pipe> Default for Radio<P> {
    fn default() -> Radio<P> {
        Radio::new()
    }
}

impl<P: Pipe> Pattern<P> for Radio<P> {
    fn attach(&mut self, pipe: P, _locally_initiated: bool) {
        let id = pipe.id();
        self.pipes.insert(id, pipe);
        self.dist.attach(id);
        self.read_commands(id);
    }

    fn attach_subscribe_all(&mut self, pipe: P) {
        self.all_groups.push(pipe.id());
        self.attach(pipe, true);
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.pipes.get_mut(&id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        self.groups.retain(|_, members| {
            members.retain(|&m| m != id);
            !members.is_empty()
        });
        self.all_groups.retain(|&m| m != id);
        self.dist.detach(id);
        self.pipes.remove(&id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        if msg.more() {
            return Err(SendError::new(PatternError::Invalid, msg));
        }
        self.dist.unmark();
        if let Some(members) = self.groups.get(msg.group().unwrap_or_default()) {
            for &id in members {
                self.dist.mark(id);
            }
        }
        for &id in &self.all_groups {
            self.dist.mark(id);
        }
        if self.no_drop && !self.dist.check_hwm(&self.pipes) {
            self.dist.unmark();
            return Err(SendError::new(PatternError::Again, msg));
        }
        self.dist.send_to_marked(&mut self.pipes, msg);
        self.dist.unmark();
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        Err(PatternError::NotSupported)
    }

    fn has_in(&mut self) -> bool {
        false
    }

    fn has_out(&mut self) -> bool {
        true
    }

    fn read_activated(&mut self, id: PipeId) {
        self.read_commands(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.dist.activated(id);
    }

    fn set_option(&mut self, option: PatternOption) -> Result<(), PatternError> {
        match option {
            PatternOption::XPubNoDrop(on) => self.no_drop = on,
            _ => return Err(PatternError::Invalid),
        }
        Ok(())
    }

    fn option(&self, name: PatternOptionName) -> Result<PatternOption, PatternError> {
        match name {
            PatternOptionName::XPubNoDrop => Ok(PatternOption::XPubNoDrop(self.no_drop)),
            _ => Err(PatternError::Invalid),
        }
    }
}
