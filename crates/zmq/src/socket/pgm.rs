//! `zmq_connect` and `zmq_bind` of pgm:// and epgm:// endpoints (the
//! `pgm` feature), as libzmq built with OpenPGM: PUB and XPUB send, SUB
//! and XSUB receive, other socket types get ENOCOMPATPROTO; bind is the
//! same as connect (there is no connection); the pipe takes every
//! message (no subscription forwarding). Without the feature these
//! schemes are EPROTONOSUPPORT, as a libzmq built without it.

use std::sync::Arc;

use zmq_patterns::SocketType;
use zmq_transports::pgm::{PgmOptions, PgmSocket, check_address};

use super::{SocketState, datagram_pipe, transport_error};
use crate::error::{Error, Result};
use crate::session;

/// The schemes of this transport.
pub(super) fn is_pgm_scheme(scheme: &str) -> bool {
    scheme == "pgm" || scheme == "epgm"
}

/// `zmq_unbind` and `zmq_disconnect` check the protocol first, as
/// libzmq's `term_endpoint`: a pgm endpoint on a socket type that cannot
/// have one is ENOCOMPATPROTO (not ENOENT).
pub(super) fn check_term_endpoint(kind: SocketType, endpoint: &str) -> Result<()> {
    let scheme = endpoint.split_once("://").map_or("", |(scheme, _)| scheme);
    if is_pgm_scheme(scheme) && sending(kind).is_none() {
        return Err(Error::NoCompatProto);
    }
    Ok(())
}

/// `Some(true)` for the socket types that send over pgm, `Some(false)`
/// for those that receive, `None` for the others.
fn sending(kind: SocketType) -> Option<bool> {
    match kind {
        SocketType::Pub | SocketType::XPub => Some(true),
        SocketType::Sub | SocketType::XSub => Some(false),
        _ => None,
    }
}

impl super::Socket {
    /// Opens the PGM socket here (its errors are the call's: libzmq opens
    /// it on its I/O thread and aborts when that fails) and puts its
    /// engine on an I/O thread. `ZMQ_LAST_ENDPOINT` is the endpoint.
    pub(super) fn start_pgm(
        &self,
        state: &mut SocketState,
        endpoint: &str,
        scheme: &str,
        address: &str,
    ) -> Result<()> {
        let kind = state.core.kind;
        let receiver = !sending(kind).ok_or(Error::NoCompatProto)?;
        check_address(address).map_err(transport_error)?;
        let options = &state.core.options;
        let pgm_options = PgmOptions {
            rate: options.net.rate,
            recovery_ivl: options.net.recovery_ivl,
            multicast_maxtpdu: options.net.multicast_maxtpdu,
            multicast_hops: options.net.multicast_hops,
            sndbuf: options.sndbuf,
            rcvbuf: options.rcvbuf,
            in_batch_size: options.net.in_batch_size,
        };
        let socket = PgmSocket::open(
            address,
            receiver,
            scheme == "epgm",
            &pgm_options,
            gsi_seed(),
        )
        .map_err(transport_error)?;
        let reactor = state.core.ctx.choose_io_thread(options.affinity)?;
        let (socket_end, engine_pipe) =
            datagram_pipe(&state.core, options.effective_conflate(kind));
        let max_msg_size = options.maxmsgsize;
        let object =
            session::start_pgm(reactor, socket, max_msg_size, engine_pipe, endpoint.into())?;
        state
            .core
            .attach_multicast(socket_end, Arc::clone(&object.endpoint));
        state.objects.push(object);
        state.core.last_endpoint = endpoint.to_owned();
        Ok(())
    }
}

/// Random bytes for the GSI, as libzmq's two `generate_random` words
/// (unique per socket; not a secret).
fn gsi_seed() -> [u32; 2] {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    if let Ok(now) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(now.as_nanos());
    }
    let bits = hasher.finish();
    [(bits >> 32) as u32, bits as u32]
}
