//! norm:// endpoints (the `norm` feature), as libzmq 4.3.5 with
//! `WITH_NORM`: bind and connect are the same; a PUB or XPUB sends, a SUB
//! or XSUB receives every message of the group (subscriptions filter on
//! the socket, as with pgm and udp); other socket types get
//! ENOCOMPATPROTO. `ZMQ_LAST_ENDPOINT` is the endpoint as given.

use std::sync::Arc;

use zmq_patterns::SocketType;
use zmq_transports::NormAddress;

use super::{Socket, SocketState, datagram_pipe, transport_error};
use crate::error::{Error, Result};
use crate::session;

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
        let reactor = state.core.ctx.choose_io_thread(options.affinity)?;
        let (socket_end, engine_pipe) =
            datagram_pipe(&state.core, options.effective_conflate(state.core.kind));
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
            engine_pipe,
            Arc::clone(&endpoint),
        );
        state.objects.push(object);
        state.core.last_endpoint = endpoint.to_string();
        Ok(())
    }
}
