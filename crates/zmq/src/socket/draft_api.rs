//! The draft API of `Socket`: DISH groups (`zmq_join`, `zmq_leave`) and
//! PEER connections by routing id (`zmq_connect_peer`,
//! `zmq_disconnect_peer`).

use bytes::Bytes;
use zmq_patterns::{PatternOption, PatternOptionName, SocketType};

use super::{SNDMORE, Socket};
use crate::error::{Error, Result};
use crate::message::Message;

impl Socket {
    /// Joins `group` (`zmq_join`, DISH only): messages a RADIO sends to it
    /// are received from now on. EINVAL when longer than 255 bytes or
    /// joined already; ENOTSUP on other socket types.
    pub fn join(&self, group: &[u8]) -> Result<()> {
        self.group_change(PatternOption::Join(Bytes::copy_from_slice(group)))
    }

    /// Leaves `group` (`zmq_leave`, DISH only). EINVAL when not joined;
    /// ENOTSUP on other socket types.
    pub fn leave(&self, group: &[u8]) -> Result<()> {
        self.group_change(PatternOption::Leave(Bytes::copy_from_slice(group)))
    }

    fn group_change(&self, change: PatternOption) -> Result<()> {
        let mut state = self.state.borrow_mut();
        if state.core.kind != SocketType::Dish {
            return Err(Error::NotSup);
        }
        // Pipes attached meanwhile learn the change; but as libzmq's
        // join/leave (no `_ctx_terminated` check), a shut down context
        // is no error here.
        match state.core.process_commands() {
            Ok(()) | Err(Error::Term) => {}
            Err(err) => return Err(err),
        }
        state.core.set_pattern_option(change)
    }

    /// Connects to `endpoint` and returns the routing id of that
    /// connection (`zmq_connect_peer`, PEER only): messages sent with it
    /// go there, even before the connection is made. ENOTSUP on other
    /// socket types, EFAULT with `ZMQ_IMMEDIATE` (the pipe, and so the
    /// routing id, would only exist once connected).
    pub fn connect_peer(&self, endpoint: &str) -> Result<u32> {
        {
            let state = self.state.borrow();
            if state.core.kind != SocketType::Peer {
                return Err(Error::NotSup);
            }
            if state.core.options.immediate {
                return Err(Error::Fault);
            }
        }
        self.connect(endpoint)?;
        match self
            .state
            .borrow()
            .core
            .pattern_option(PatternOptionName::PeerLastRoutingId)?
        {
            PatternOption::PeerLastRoutingId(id) if id != 0 => Ok(id),
            _ => Err(Error::Fault),
        }
    }

    /// Closes the connection with `routing_id` (`zmq_disconnect_peer`,
    /// PEER only). EHOSTUNREACH when there is none; ENOTSUP on other
    /// socket types.
    pub fn disconnect_peer(&self, routing_id: u32) -> Result<()> {
        let mut state = self.state.borrow_mut();
        if state.core.kind != SocketType::Peer {
            return Err(Error::NotSup);
        }
        state.core.process_commands()?;
        state
            .core
            .set_pattern_option(PatternOption::DisconnectPeer(routing_id))
    }

    /// The state of the peer named `routing_id`
    /// (`zmq_socket_get_peer_state`, ROUTER only): [`POLLOUT`] when a
    /// message to it would be queued now, else 0. EHOSTUNREACH for an
    /// unknown routing id; ENOTSUP on other socket types.
    ///
    /// [`POLLOUT`]: crate::poll::POLLOUT
    pub fn peer_state(&self, routing_id: &[u8]) -> Result<i16> {
        let mut state = self.state.borrow_mut();
        if state.core.kind != SocketType::Router {
            return Err(Error::NotSup);
        }
        state.core.process_commands()?;
        match state.core.router_peer_writable(routing_id) {
            Some(true) => Ok(crate::poll::POLLOUT.bits()),
            Some(false) => Ok(0),
            None => Err(Error::HostUnreach),
        }
    }

    /// One attempt to send a part without blocking (`flags` may hold
    /// [`SNDMORE`]); on failure the part comes back with the error.
    pub(crate) fn try_send_msg(
        &self,
        msg: Message,
        flags: i32,
    ) -> std::result::Result<(), (Error, Message)> {
        self.state
            .borrow_mut()
            .core
            .try_send(msg.into_msg(), flags & SNDMORE != 0)
            .map_err(|(err, msg)| (err, Message::from_msg(msg)))
    }
}
