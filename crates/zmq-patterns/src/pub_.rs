//! PUB (RFC 29): sends each message to the peers subscribed to it; never
//! blocks, never receives.
//!
//! It is [`XPub`] with nothing delivered to the application: peers'
//! subscriptions are applied to the filter and dropped, their other
//! messages dropped. As in libzmq, the XPUB options are accepted
//! (`ZMQ_XPUB_NODROP` is documented for PUB too).

use crate::error::{PatternError, SendError};
use crate::msg::Msg;
use crate::options::{PatternOption, PatternOptionName};
use crate::pattern::Pattern;
use crate::pipe::{Pipe, PipeId};
use crate::xpub::XPub;

/// A PUB socket's routing state.
#[derive(Debug)]
pub struct Pub<P> {
    inner: XPub<P>,
}

impl<P: Pipe> Pub<P> {
    /// A PUB socket without peers.
    pub fn new() -> Pub<P> {
        Pub {
            inner: XPub::publisher(),
        }
    }

    /// Number of distinct topics the peers are subscribed to.
    pub fn topics_count(&self) -> usize {
        self.inner.topics_count()
    }
}

impl<P: Pipe> Default for Pub<P> {
    fn default() -> Pub<P> {
        Pub::new()
    }
}

impl<P: Pipe> Pattern<P> for Pub<P> {
    fn attach(&mut self, pipe: P, locally_initiated: bool) {
        self.inner.attach(pipe, locally_initiated);
    }

    fn attach_subscribe_all(&mut self, pipe: P) {
        self.inner.attach_subscribe_all(pipe);
    }

    fn pipe_mut(&mut self, id: PipeId) -> Option<&mut P> {
        self.inner.pipe_mut(id)
    }

    fn detach(&mut self, id: PipeId) -> Option<P> {
        self.inner.detach(id)
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        self.inner.send(msg)
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
        self.inner.read_activated(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.inner.write_activated(id);
    }

    fn set_option(&mut self, option: PatternOption) -> Result<(), PatternError> {
        self.inner.set_option(option)
    }

    fn option(&self, name: PatternOptionName) -> Result<PatternOption, PatternError> {
        self.inner.option(name)
    }
}
