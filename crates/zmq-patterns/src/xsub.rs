//! XSUB (RFC 29): receives from publishers; sends subscriptions (and any
//! other message) upstream to all of them.
//!
//! Sending: a message starting with byte 1 (subscribe) or 0 (unsubscribe),
//! or flagged [`MsgFlags::SUBSCRIBE`](crate::MsgFlags::SUBSCRIBE) /
//! `CANCEL`, updates the socket's [`SubscriptionTrie`] and goes to every
//! pipe unchanged. Subscribes are always forwarded (XPUB_VERBOSE upstream
//! depends on it); an unsubscribe only when it removed the last instance of
//! its topic, or always with `ZMQ_XSUB_VERBOSE_UNSUBSCRIBE`. Other messages
//! go to every pipe too. A full pipe misses the message: XSUB never blocks.
//! With `ZMQ_ONLY_FIRST_SUBSCRIBE`, only the first part of a multipart
//! message may be a subscription (the documented behaviour).
//!
//! New pipes get every current subscription first, as 3.0-form messages
//! (the engine turns them into SUBSCRIBE commands for ZMTP 3.1 peers).
//! This is how subscriptions survive a reconnect: the facade attaches the
//! new connection's pipe (or calls [`XSub::hiccuped`] when it keeps the pipe
//! but the peer behind it changed, libzmq's `hiccup`).
//!
//! Receiving: fair-queued. XSUB does not filter (as libzmq: a publisher
//! filters); SUB ([`Sub`](crate::Sub)) is this pattern with local
//! filtering, since a ZMTP 3.0 or unfiltered publisher may send anything.
//!
//! `ZMQ_CONFLATE` (receive side): each read takes the newest message of the
//! pipe and drops the older ones. Multipart messages are not supported:
//! only their last part is kept, as libzmq's conflating pipe does. The
//! facade should also give such a socket conflating pipes (one slot, no
//! high-water mark) so older messages do not pile up unread.

use crate::distributor::Distributor;
use crate::error::{PatternError, SendError};
use crate::fair_queue::FairQueue;
use crate::msg::Msg;
use crate::options::{PatternOption, PatternOptionName};
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::pipe_map::PipeMap;
use crate::subscription::{Subscription, subscription_msg};
use crate::subscription_trie::SubscriptionTrie;

/// An XSUB socket's routing state (also the core of SUB).
#[derive(Debug)]
pub struct XSub<P> {
    pipes: PipeMap<P>,
    fq: FairQueue,
    dist: Distributor,
    subscriptions: SubscriptionTrie,
    /// SUB filters received messages; XSUB does not.
    filter: bool,
    invert_matching: bool,
    verbose_unsubs: bool,
    only_first_subscribe: bool,
    conflate: bool,
    more_send: bool,
    more_recv: bool,
    /// A matching first part found by `has_in`, returned by the next `recv`.
    prefetched: Option<Msg>,
}

impl<P: Pipe> XSub<P> {
    /// An XSUB socket without peers.
    pub fn new() -> XSub<P> {
        XSub::with_filter(false)
    }

    /// The core of SUB: received messages are filtered.
    pub(crate) fn subscriber() -> XSub<P> {
        XSub::with_filter(true)
    }

    fn with_filter(filter: bool) -> XSub<P> {
        XSub {
            pipes: PipeMap::default(),
            fq: FairQueue::new(),
            dist: Distributor::new(),
            subscriptions: SubscriptionTrie::new(),
            filter,
            invert_matching: false,
            verbose_unsubs: false,
            only_first_subscribe: false,
            conflate: false,
            more_send: false,
            more_recv: false,
            prefetched: None,
        }
    }

    /// Number of distinct topics this socket is subscribed to.
    pub fn topics_count(&self) -> usize {
        self.subscriptions.len()
    }

    /// The peer behind pipe `id` changed (an inproc reconnect that kept
    /// the pipe): sends it every current subscription again.
    pub fn hiccuped(&mut self, id: PipeId) {
        if let Some(pipe) = self.pipes.get_mut(&id) {
            send_subscriptions(&self.subscriptions, pipe);
        }
    }

    /// ZMQ_SUBSCRIBE / ZMQ_UNSUBSCRIBE of SUB: the same path as a
    /// subscription message sent on XSUB.
    pub(crate) fn change_subscription(&mut self, subscribe: bool, topic: &[u8]) {
        self.send_upstream(subscription_msg(subscribe, topic));
    }

    fn send_upstream(&mut self, msg: Msg) {
        let first_part = !self.more_send;
        self.more_send = msg.more();
        let parsed = if first_part || !self.only_first_subscribe {
            Subscription::parse(&msg)
        } else {
            None
        };
        let forward = match parsed {
            Some(Subscription {
                subscribe: true,
                topic,
            }) => {
                self.subscriptions.add(topic);
                true
            }
            Some(Subscription {
                subscribe: false,
                topic,
            }) => self.subscriptions.remove(topic) || self.verbose_unsubs,
            None => true,
        };
        if forward {
            self.dist.send_to_all(&mut self.pipes, msg);
        }
    }

    fn passes_filter(&self, msg: &Msg) -> bool {
        !self.filter || (self.subscriptions.matches(msg.data()) != self.invert_matching)
    }

    /// The first part of the next message that passes the filter; drops
    /// the messages that do not.
    // Bounded by what the pipes hold: every turn consumes one message.
    fn next_first_part(&mut self) -> Option<Msg> {
        loop {
            let (mut msg, id) = self.fq.recv(&mut self.pipes)?;
            if self.conflate {
                if let Some(pipe) = self.pipes.get_mut(&id) {
                    while let Some(newer) = pipe.read() {
                        msg = newer;
                    }
                }
                msg.set_more(false);
            }
            if self.passes_filter(&msg) {
                return Some(msg);
            }
            let mut more = msg.more();
            while more {
                match self.fq.recv(&mut self.pipes) {
                    Some((part, _)) => more = part.more(),
                    None => more = false,
                }
            }
        }
    }
}

/// Writes every subscription of `subscriptions` into `pipe` (3.0 form);
/// those beyond the high-water mark are dropped, as libzmq does.
fn send_subscriptions<P: Pipe>(subscriptions: &SubscriptionTrie, pipe: &mut P) {
    subscriptions.for_each(|topic| {
        let _ = pipe.write(subscription_msg(true, topic));
    });
    pipe.flush();
}

impl<P: Pipe> Default for XSub<P> {
    fn default() -> XSub<P> {
        XSub::new()
    }
}

impl<P: Pipe> Pattern<P> for XSub<P> {
    fn attach(&mut self, mut pipe: P, _locally_initiated: bool) {
        send_subscriptions(&self.subscriptions, &mut pipe);
        let id = pipe.id();
        self.pipes.insert(id, pipe);
        self.fq.attach(id);
        self.dist.attach(id);
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.pipes.get_mut(&id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        self.fq.detach(id);
        self.dist.detach(id);
        if self.more_recv && !self.fq.in_message() {
            self.more_recv = false;
        }
        self.pipes.remove(&id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        self.send_upstream(msg);
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        let msg = match self.prefetched.take() {
            Some(msg) => msg,
            None if self.more_recv => match self.fq.recv(&mut self.pipes) {
                Some((msg, _)) => msg,
                None => {
                    self.more_recv = false;
                    return Err(PatternError::Again);
                }
            },
            None => self.next_first_part().ok_or(PatternError::Again)?,
        };
        self.more_recv = msg.more();
        Ok(msg)
    }

    fn has_in(&mut self) -> bool {
        if self.more_recv || self.prefetched.is_some() {
            return true;
        }
        self.prefetched = self.next_first_part();
        self.prefetched.is_some()
    }

    fn has_out(&mut self) -> bool {
        true
    }

    fn read_activated(&mut self, id: PipeId) {
        self.fq.activated(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.dist.activated(id);
    }

    fn set_option(&mut self, option: PatternOption) -> Result<(), PatternError> {
        match option {
            PatternOption::XSubVerboseUnsubscribe(on) => self.verbose_unsubs = on,
            PatternOption::OnlyFirstSubscribe(on) => self.only_first_subscribe = on,
            PatternOption::InvertMatching(on) => self.invert_matching = on,
            PatternOption::Conflate(on) => self.conflate = on,
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
