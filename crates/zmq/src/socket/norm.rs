//! norm:// endpoints (the `norm` feature), as libzmq 4.3.5 with
//! `WITH_NORM`: bind and connect are the same; a PUB or XPUB sends, a SUB
//! or XSUB receives every message of the group (subscriptions filter on
//! the socket, as with pgm and udp); other socket types get
//! ENOCOMPATPROTO. `ZMQ_LAST_ENDPOINT` is the endpoint as given.

use std::sync::Arc;

use zmq_patterns::SocketType;
use zmq_transports::NormAddress;

use super::{Socket, SocketState, hwm, transport_error};
use crate::error::{Error, Result};
use crate::pipe::{PipeEndConfig, PipeEvents, pipe_pair_with};
use crate::pipe_target::PipeTarget;
use crate::session::{self, PreparedPipe};

/// The norm scheme, handled by the socket itself.
pub(super) const NORM: &str = "norm";

impl Socket {
    /// Starts the NORM session of `endpoint` (`norm://` + `address`) and
    /// joins it to the socket with a pipe. The session starts here, on
    /// the socket's thread, so that an address NORM refuses fails the
    /// bind or connect (libzmq asserts in its I/O thread instead).
    pub(super) fn start_norm(
        &self,
        state: &mut SocketState,
        endpoint: &str,
        address: &str,
    ) -> Result<()> {
        let sender = match state.core.kind {
            SocketType::Pub | SocketType::XPub => true,
            SocketType::Sub | SocketType::XSub => false,
            _ => return Err(Error::NoCompatProto),
        };
        let address = NormAddress::parse(address).map_err(transport_error)?;
        let options = &state.core.options;
        let norm = session::norm::open(&address, options, sender)
            .map_err(|err| Error::from_errno(err.raw_os_error().unwrap_or(libc::EINVAL)))?;
        let ctx = state.core.ctx.clone();
        let reactor = ctx.choose_io_thread(options.affinity)?;
        let target = PipeTarget::new();
        let session_events: Arc<dyn PipeEvents> = target.clone();
        let socket_events: Arc<dyn PipeEvents> = state.core.mailbox.clone();
        let conflate = options.effective_conflate(state.core.kind);
        let (socket_end, session_end) = pipe_pair_with(
            PipeEndConfig {
                id: ctx.next_pipe_id(),
                events: socket_events,
                in_hwm: hwm(options.rcvhwm),
                delay: true,
            },
            PipeEndConfig {
                id: ctx.next_pipe_id(),
                events: session_events,
                in_hwm: hwm(options.sndhwm),
                delay: true,
            },
            conflate,
        );
        let max_msg_size = options.maxmsgsize;
        let endpoint: Arc<str> = endpoint.into();
        state
            .core
            .attach_multicast(socket_end, Arc::clone(&endpoint));
        let object = session::start_norm(
            reactor,
            norm,
            sender,
            max_msg_size,
            PreparedPipe {
                end: session_end,
                target,
            },
            Arc::clone(&endpoint),
        );
        state.objects.push(object);
        state.core.last_endpoint = endpoint.to_string();
        Ok(())
    }
}
