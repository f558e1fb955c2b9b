//! XPUB (RFC 29): PUB that also hands subscriptions to the application.
//!
//! Sending: the first part of a message is matched against the peers'
//! subscriptions (a [`PipeTrie`]); all its parts go to the matching pipes.
//! A pipe at its high-water mark misses the message, the others still get
//! it; with `ZMQ_XPUB_NODROP` the send fails with EAGAIN instead when any
//! matching pipe is full (checked before anything is written).
//!
//! Receiving: subscriptions from peers, in either pipe form (see
//! [`subscription`](crate::subscription)), update the trie and are queued
//! for the application as 3.0-form messages (byte 1 or 0, then the topic):
//! a subscribe only when it is the first for its topic (every one with
//! `ZMQ_XPUB_VERBOSE`/`VERBOSER`), an unsubscribe only when the last
//! subscriber left (or the topic was unknown; every one with `VERBOSER`).
//! Other messages from peers are queued for the application unchanged. A
//! pipe that goes away unsubscribes from all its topics, with the same
//! notification rules.
//!
//! `ZMQ_XPUB_MANUAL`: subscriptions are only queued (each one) and
//! remembered per pipe; after receiving one, the application calls
//! `set_option(Subscribe(topic))` / `Unsubscribe` to (un)subscribe the pipe
//! it came from. `ZMQ_XPUB_MANUAL_LAST_VALUE` additionally sends the next
//! message only to that pipe (last value caching).
//!
//! The queue for the application is bounded ([`PENDING_LIMIT`]): once full,
//! the pipes are no longer read (their subscriptions wait in the pipe,
//! under its high-water mark) until the application receives. libzmq's
//! queue has no bound.
//!
//! PUB ([`Pub`](crate::Pub)) is this pattern with nothing delivered to the
//! application.

use std::collections::VecDeque;

use bytes::Bytes;

use crate::distributor::Distributor;
use crate::error::{PatternError, SendError};
use crate::msg::{Msg, MsgFlags};
use crate::options::{PatternOption, PatternOptionName};
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;
use crate::pipe_trie::{PipeTrie, Removal};
use crate::subscription::{Subscription, subscription_msg};

/// Most messages queued for the application before XPUB stops reading its
/// pipes.
pub const PENDING_LIMIT: usize = 65_536;

/// A message waiting for the application.
#[derive(Debug)]
struct Pending {
    msg: Msg,
    /// For a subscription message: the pipe it came from (`None` when made
    /// for a pipe that went away). `None` for data.
    subscription_from: Option<Option<PipeId>>,
}

/// An XPUB socket's routing state (also the core of PUB).
#[derive(Debug)]
pub struct XPub<P> {
    pipes: PipeMap<P>,
    dist: Distributor,
    subscriptions: PipeTrie,
    /// `ZMQ_XPUB_MANUAL`: what each pipe asked for, to unsubscribe it when
    /// it goes away.
    manual_subscriptions: PipeTrie,
    pending: VecDeque<Pending>,
    /// Pipes left unread because `pending` was full.
    backlog: Vec<PipeId>,
    /// False for PUB: nothing is queued for the application.
    delivers: bool,
    verbose_subs: bool,
    verbose_unsubs: bool,
    lossy: bool,
    manual: bool,
    send_to_last_pipe: bool,
    last_pipe: Option<PipeId>,
    only_first_subscribe: bool,
    invert_matching: bool,
    conflate: bool,
    welcome: Option<Bytes>,
    more_send: bool,
    more_recv: bool,
}

impl<P: Pipe> XPub<P> {
    /// An XPUB socket without peers.
    pub fn new() -> XPub<P> {
        XPub::with_delivery(true)
    }

    /// The core of PUB: subscriptions are applied, never queued.
    pub(crate) fn publisher() -> XPub<P> {
        XPub::with_delivery(false)
    }

    fn with_delivery(delivers: bool) -> XPub<P> {
        XPub {
            pipes: PipeMap::default(),
            dist: Distributor::new(),
            subscriptions: PipeTrie::new(),
            manual_subscriptions: PipeTrie::new(),
            pending: VecDeque::new(),
            backlog: Vec::new(),
            delivers,
            verbose_subs: false,
            verbose_unsubs: false,
            lossy: true,
            manual: false,
            send_to_last_pipe: false,
            last_pipe: None,
            only_first_subscribe: false,
            invert_matching: false,
            conflate: false,
            welcome: None,
            more_send: false,
            more_recv: false,
        }
    }

    /// Number of distinct topics the peers are subscribed to.
    pub fn topics_count(&self) -> usize {
        self.subscriptions.len()
    }

    /// Reads and applies everything pipe `id` has, unless the queue for
    /// the application is full (then the pipe waits in the backlog).
    fn read_pipe(&mut self, id: PipeId) {
        loop {
            if self.delivers && !self.more_recv && self.pending.len() >= PENDING_LIMIT {
                if !self.backlog.contains(&id) {
                    self.backlog.push(id);
                }
                return;
            }
            let Some(msg) = self.pipes.get_mut(&id).and_then(|pipe| pipe.read()) else {
                // Whole messages become visible at once: empty in the middle
                // of one means the pipe is going away.
                self.more_recv = false;
                return;
            };
            self.process_incoming(id, msg);
        }
    }

    fn drain_backlog(&mut self) {
        while self.pending.len() < PENDING_LIMIT / 2 {
            let Some(id) = self.backlog.pop() else {
                return;
            };
            self.read_pipe(id);
        }
    }

    fn process_incoming(&mut self, id: PipeId, msg: Msg) {
        let first_part = !self.more_recv;
        self.more_recv = msg.more();
        let parsed = if first_part || !self.only_first_subscribe {
            Subscription::parse(&msg)
        } else {
            None
        };
        let Some(Subscription { subscribe, topic }) = parsed else {
            if self.delivers {
                self.pending.push_back(Pending {
                    msg,
                    subscription_from: None,
                });
            }
            return;
        };
        let notify = if self.manual {
            if subscribe {
                self.manual_subscriptions.add(topic, id);
            } else {
                self.manual_subscriptions.remove(topic, id);
            }
            true
        } else if subscribe {
            self.subscriptions.add(topic, id) || self.verbose_subs
        } else {
            self.subscriptions.remove(topic, id) != Removal::OthersRemain || self.verbose_unsubs
        };
        if self.delivers && notify {
            let notification = notification_from(msg, subscribe);
            self.pending.push_back(Pending {
                msg: notification,
                subscription_from: Some(Some(id)),
            });
        }
    }

    /// Queues the unsubscription of a topic whose pipe went away.
    fn queue_unsubscription(&mut self, topic: &[u8]) {
        if !self.delivers {
            return;
        }
        self.pending.push_back(Pending {
            msg: subscription_msg(false, topic),
            subscription_from: Some(None),
        });
        if self.manual {
            self.last_pipe = None;
        }
    }

    fn mark_destinations(&mut self, data: &[u8]) {
        self.dist.unmark();
        let dist = &mut self.dist;
        match self.last_pipe {
            Some(last) if self.manual && self.send_to_last_pipe => {
                self.subscriptions.for_each_match(data, |id| {
                    if id == last {
                        dist.mark(id);
                    }
                });
                self.last_pipe = None;
            }
            _ => self.subscriptions.for_each_match(data, |id| dist.mark(id)),
        }
        if self.invert_matching {
            self.dist.invert_marks();
        }
    }

    fn manual_change(&mut self, topic: &[u8], subscribe: bool) -> Result<(), PatternError> {
        if !self.manual {
            return Err(PatternError::Invalid);
        }
        if let Some(last) = self.last_pipe {
            if subscribe {
                self.subscriptions.add(topic, last);
            } else {
                self.subscriptions.remove(topic, last);
            }
        }
        Ok(())
    }
}

/// The 3.0-form notification for a subscription message: the message
/// itself when it already has that form, a new one for the 3.1 form. The
/// connection metadata is kept.
fn notification_from(msg: Msg, subscribe: bool) -> Msg {
    let flags = msg.flags();
    if !flags.contains(MsgFlags::SUBSCRIBE) && !flags.contains(MsgFlags::CANCEL) {
        let mut msg = msg;
        msg.set_flags(MsgFlags::empty());
        return msg;
    }
    let mut notification = subscription_msg(subscribe, msg.data());
    notification.set_metadata(msg.metadata().cloned());
    notification
}

impl<P: Pipe> Default for XPub<P> {
    fn default() -> XPub<P> {
        XPub::new()
    }
}

impl<P: Pipe> Pattern<P> for XPub<P> {
    fn attach(&mut self, mut pipe: P, _locally_initiated: bool) {
        if let Some(welcome) = &self.welcome
            && pipe.write(Msg::from_bytes(welcome.clone())).is_ok()
        {
            pipe.flush();
        }
        let id = pipe.id();
        self.pipes.insert(id, pipe);
        self.dist.attach(id);
        self.read_pipe(id);
    }

    /// A multicast pipe (norm, pgm, udp): every message goes to it, as
    /// if it had subscribed to everything (libzmq's `xattach_pipe` with
    /// `subscribe_to_all`).
    fn attach_subscribe_all(&mut self, pipe: P) {
        let id = pipe.id();
        self.subscriptions.add(b"", id);
        self.attach(pipe, true);
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.pipes.get_mut(&id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        let mut gone: Vec<Vec<u8>> = Vec::new();
        if self.manual {
            self.manual_subscriptions
                .remove_pipe(id, |topic, _| gone.push(topic.to_vec()));
            self.subscriptions.remove_pipe(id, |_, _| {});
            if self.last_pipe == Some(id) {
                self.last_pipe = None;
            }
        } else {
            let every = self.verbose_unsubs;
            self.subscriptions.remove_pipe(id, |topic, last| {
                if last || every {
                    gone.push(topic.to_vec());
                }
            });
        }
        for topic in gone {
            self.queue_unsubscription(&topic);
        }
        self.dist.detach(id);
        self.backlog.retain(|&b| b != id);
        self.pipes.remove(&id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        let more = msg.more();
        if !self.more_send {
            self.mark_destinations(msg.data());
        }
        if !self.lossy && !self.dist.check_hwm(&self.pipes) {
            return Err(SendError::new(PatternError::Again, msg));
        }
        self.dist.send_to_marked(&mut self.pipes, msg);
        if !more {
            self.dist.unmark();
        }
        self.more_send = more;
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        if !self.delivers {
            return Err(PatternError::NotSupported);
        }
        let Some(pending) = self.pending.pop_front() else {
            return Err(PatternError::Again);
        };
        if self.manual
            && let Some(from) = pending.subscription_from
        {
            self.last_pipe = from.filter(|&id| self.dist.has_pipe(id));
        }
        if !self.backlog.is_empty() {
            self.drain_backlog();
        }
        Ok(pending.msg)
    }

    fn has_in(&mut self) -> bool {
        self.delivers && !self.pending.is_empty()
    }

    fn has_out(&mut self) -> bool {
        true
    }

    fn read_activated(&mut self, id: PipeId) {
        self.read_pipe(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.dist.activated(id);
    }

    fn set_option(&mut self, option: PatternOption) -> Result<(), PatternError> {
        match option {
            PatternOption::XPubVerbose(on) => {
                self.verbose_subs = on;
                self.verbose_unsubs = false;
            }
            PatternOption::XPubVerboser(on) => {
                self.verbose_subs = on;
                self.verbose_unsubs = on;
            }
            PatternOption::XPubManual(on) => self.manual = on,
            PatternOption::XPubManualLastValue(on) => {
                self.manual = on;
                self.send_to_last_pipe = on;
            }
            PatternOption::XPubNoDrop(on) => self.lossy = !on,
            PatternOption::XPubWelcomeMsg(welcome) => {
                self.welcome = welcome.filter(|w| !w.is_empty());
            }
            PatternOption::OnlyFirstSubscribe(on) => self.only_first_subscribe = on,
            PatternOption::InvertMatching(on) => self.invert_matching = on,
            PatternOption::Conflate(on) => self.conflate = on,
            PatternOption::Subscribe(topic) => return self.manual_change(&topic, true),
            PatternOption::Unsubscribe(topic) => return self.manual_change(&topic, false),
            _ => return Err(PatternError::Invalid),
        }
        Ok(())
    }

    fn option(&self, name: PatternOptionName) -> Result<PatternOption, PatternError> {
        match name {
            PatternOptionName::InvertMatching => {
                Ok(PatternOption::InvertMatching(self.invert_matching))
            }
            PatternOptionName::Conflate => Ok(PatternOption::Conflate(self.conflate)),
            PatternOptionName::TopicsCount => Ok(PatternOption::TopicsCount(self.topics_count())),
            _ => Err(PatternError::Invalid),
        }
    }
}
