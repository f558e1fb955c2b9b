//! SUB (RFC 29): receives the messages matching its subscriptions; never
//! sends.
//!
//! It is [`XSub`] with local filtering (a message passes when one of the
//! socket's prefixes starts its first part, or none does with
//! `ZMQ_INVERT_MATCHING`) and with subscriptions set by options:
//! `ZMQ_SUBSCRIBE` / `ZMQ_UNSUBSCRIBE` ([`PatternOption::Subscribe`] /
//! [`PatternOption::Unsubscribe`]) update the trie and write a 3.0-form
//! subscription message (byte 1 or 0, then the topic) into every pipe; an
//! unsubscribe only when it removed the last instance of its topic. New
//! pipes get all current subscriptions (see [`XSub`]).

use crate::error::{PatternError, SendError};
use crate::msg::Msg;
use crate::options::{PatternOption, PatternOptionName};
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::xsub::XSub;

/// A SUB socket's routing state.
#[derive(Debug)]
pub struct Sub<P> {
    inner: XSub<P>,
}

impl<P: Pipe> Sub<P> {
    /// A SUB socket without peers, subscribed to nothing.
    pub fn new() -> Sub<P> {
        Sub {
            inner: XSub::subscriber(),
        }
    }

    /// Number of distinct topics this socket is subscribed to.
    pub fn topics_count(&self) -> usize {
        self.inner.topics_count()
    }

    /// The peer behind pipe `id` changed: sends it every subscription again.
    pub fn hiccuped(&mut self, id: PipeId) {
        self.inner.hiccuped(id);
    }
}

impl<P: Pipe> Default for Sub<P> {
    fn default() -> Sub<P> {
        Sub::new()
    }
}

impl<P: Pipe> Pattern<P> for Sub<P> {
    fn attach(&mut self, pipe: P, locally_initiated: bool) {
        self.inner.attach(pipe, locally_initiated);
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.inner.pipe_mut(id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        self.inner.detach(id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        Err(SendError::new(PatternError::NotSupported, msg))
    }

    fn recv(&mut self) -> Result<Msg, PatternError> {
        self.inner.recv()
    }

    fn has_in(&mut self) -> bool {
        self.inner.has_in()
    }

    fn has_out(&mut self) -> bool {
        false
    }

    fn read_activated(&mut self, id: PipeId) {
        self.inner.read_activated(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.inner.write_activated(id);
    }

    fn set_option(&mut self, option: PatternOption) -> Result<(), PatternError> {
        match option {
            PatternOption::Subscribe(topic) => {
                self.inner.change_subscription(true, &topic);
                Ok(())
            }
            PatternOption::Unsubscribe(topic) => {
                self.inner.change_subscription(false, &topic);
                Ok(())
            }
            PatternOption::InvertMatching(_) | PatternOption::Conflate(_) => {
                self.inner.set_option(option)
            }
            _ => Err(PatternError::Invalid),
        }
    }

    fn option(&self, name: PatternOptionName) -> Result<PatternOption, PatternError> {
        self.inner.option(name)
    }
}
