//! Draft options acted on by a connection's session: when a connect stops
//! reconnecting (`ZMQ_RECONNECT_STOP`), and the messages it sends to a new
//! peer (`ZMQ_HELLO_MSG`) or delivers to the socket when a connection
//! ends (`ZMQ_DISCONNECT_MSG`, `ZMQ_HICCUP_MSG`).
//!
//! As in libzmq every socket type accepts them; they act on the types
//! the manual lists, for connections made afterwards. The messages are
//! write-only.

use bytes::Bytes;

use super::super::Socket;
use crate::error::Result;
use crate::option_table::{Arg, num};

impl Socket {
    /// `ZMQ_RECONNECT_STOP` (draft): a mask of
    /// [`crate::options::RECONNECT_STOP_CONN_REFUSED`],
    /// [`crate::options::RECONNECT_STOP_HANDSHAKE_FAILED`] and
    /// [`crate::options::RECONNECT_STOP_AFTER_DISCONNECT`]; in those
    /// cases the connect ends (the monitor sees `EVENT_CLOSED` for a
    /// refused one) instead of retrying. Any int is stored, as libzmq.
    pub fn set_reconnect_stop(&self, conditions: i32) -> Result<()> {
        self.check_option(num::ZMQ_RECONNECT_STOP, Arg::Int(conditions))?;
        self.state
            .borrow_mut()
            .core
            .options
            .reconnect_stop
            .conditions = conditions;
        Ok(())
    }

    /// `ZMQ_RECONNECT_STOP`.
    pub fn get_reconnect_stop(&self) -> Result<i32> {
        Ok(self.state.borrow().core.options.reconnect_stop.conditions)
    }

    /// `ZMQ_HELLO_MSG` (draft): a message sent to every new peer (after
    /// each connect, reconnect and accept) before any other, by ROUTER,
    /// DEALER, CLIENT, SERVER and PEER sockets. `None` or empty: none.
    pub fn set_hello_msg(&self, msg: Option<&[u8]>) -> Result<()> {
        self.check_option(num::ZMQ_HELLO_MSG, Arg::Bytes(msg))?;
        self.state.borrow_mut().core.options.hello_msg = message(msg);
        Ok(())
    }

    /// `ZMQ_DISCONNECT_MSG` (draft): a message ROUTER, SERVER and PEER
    /// sockets receive, as from the peer, when the connection of an
    /// accepted peer that had completed its handshake ends. `None` or
    /// empty: none.
    pub fn set_disconnect_msg(&self, msg: Option<&[u8]>) -> Result<()> {
        self.check_option(num::ZMQ_DISCONNECT_MSG, Arg::Bytes(msg))?;
        self.state.borrow_mut().core.options.disconnect_msg = message(msg);
        Ok(())
    }

    /// `ZMQ_HICCUP_MSG` (draft): a message DEALER, CLIENT and PEER
    /// sockets receive when the connection they made (and completed the
    /// handshake of) ends; they reconnect as usual. `None` or empty: none.
    pub fn set_hiccup_msg(&self, msg: Option<&[u8]>) -> Result<()> {
        self.check_option(num::ZMQ_HICCUP_MSG, Arg::Bytes(msg))?;
        self.state.borrow_mut().core.options.hiccup_msg = message(msg);
        Ok(())
    }
}

/// An option message: nothing when absent or empty (libzmq clears it on
/// a zero length).
fn message(msg: Option<&[u8]>) -> Option<Bytes> {
    msg.filter(|bytes| !bytes.is_empty())
        .map(Bytes::copy_from_slice)
}
