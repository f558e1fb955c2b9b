//! The tcp transport: [`TcpTransport`] and its [`TcpListener`].

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use socket2::{Domain, Protocol, Socket};

use crate::error::{TransportError, TransportResult};
use crate::options::TransportOptions;
use crate::pending_connect::{PendingConnect, StreamFlavor};
use crate::socket_stream::{SocketStream, tcp_endpoint};
use crate::socket_tuning::{
    apply_buffers, apply_ip, apply_priority, apply_tcp_connection, apply_tos,
};
use crate::socks5::SocksConnect;
use crate::tcp_accept_filter::peer_is_accepted;
use crate::tcp_address::{TcpAddress, TcpHost};
use crate::tcp_resolve::{resolve_local, resolve_remote};
use crate::transport::{Connecting, Listener, Stream, Transport};

/// How many aborted or interrupted accepts one `accept` call skips.
const ACCEPT_RETRIES: usize = 64;

/// The `tcp://` transport.
#[derive(Debug, Default, Clone, Copy)]
pub struct TcpTransport;

impl Transport for TcpTransport {
    fn scheme(&self) -> &str {
        "tcp"
    }

    fn check_connect_address(&self, address: &str) -> TransportResult<()> {
        // Only libzmq's syntax check: the address is resolved (and may
        // fail, then be retried) at each connect attempt.
        TcpAddress::check_connect_syntax(address)
    }

    fn bind(
        &self,
        address: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Listener>> {
        let parsed = TcpAddress::parse_bind(address)?;
        if let Some(inherited) = &options.use_fd {
            return inherited_listener(Socket::from(inherited.duplicate()?), options);
        }
        let local = resolve_local(&parsed.destination, options.ipv6)?;
        let socket = match open_socket(&local) {
            // No IPv6 on this host: `*` falls back to IPv4, as libzmq.
            Err(error)
                if error.raw_os_error() == Some(libc::EAFNOSUPPORT)
                    && parsed.destination.host == TcpHost::Any =>
            {
                let fallback = resolve_local(&parsed.destination, false)?;
                return bind_listener(open_socket(&fallback)?, fallback, options);
            }
            other => other?,
        };
        bind_listener(socket, local, options)
    }

    fn connect(
        &self,
        address: &str,
        options: &TransportOptions,
    ) -> TransportResult<Box<dyn Connecting>> {
        let parsed = TcpAddress::parse_connect(address)?;
        let proxy = options
            .socks_proxy
            .as_ref()
            .filter(|p| !p.address.is_empty());
        // Through a proxy, the tcp connection goes to the proxy, from the
        // source the proxy address names (`source;host:port`, as libzmq).
        let (remote, source) = match proxy {
            Some(proxy) => {
                let via = TcpAddress::parse_connect(&proxy.address)?;
                (resolve_remote(&via.destination, options.ipv6)?, via.source)
            }
            None => (
                resolve_remote(&parsed.destination, options.ipv6)?,
                parsed.source.clone(),
            ),
        };
        let socket = open_socket(&remote)?;
        apply_buffers(&socket, options)?;
        apply_ip(&socket, options, remote.is_ipv6())?;
        apply_tcp_connection(&socket, options)?;
        if let Some(source) = &source {
            let local = resolve_local(source, remote.is_ipv6())?;
            if local.is_ipv6() != remote.is_ipv6() {
                return Err(TransportError::invalid(
                    "source and destination are of different address families",
                ));
            }
            // Several connections may share one source port, as libzmq.
            socket.set_reuse_address(true)?;
            socket.bind(&local.into())?;
        }
        let in_progress = match socket.connect(&remote.into()) {
            Ok(()) => false,
            Err(error) if error.raw_os_error() == Some(libc::EINPROGRESS) => true,
            Err(error) => return Err(error.into()),
        };
        match proxy {
            Some(proxy) => Ok(Box::new(SocksConnect::new(
                socket,
                proxy.clone(),
                parsed.destination,
            )?)),
            None => Ok(Box::new(PendingConnect::new(
                socket,
                StreamFlavor::Tcp,
                in_progress,
            ))),
        }
    }
}

/// A listener over an application's socket (`ZMQ_USE_FD`): it must be a
/// bound tcp socket; it is made non-blocking and listening here.
fn inherited_listener(
    socket: Socket,
    options: &TransportOptions,
) -> TransportResult<Box<dyn Listener>> {
    let bound = socket
        .local_addr()?
        .as_socket()
        .ok_or_else(|| TransportError::invalid("ZMQ_USE_FD is not a tcp socket"))?;
    socket.set_nonblocking(true)?;
    socket.set_cloexec(true)?;
    apply_buffers(&socket, options)?;
    apply_ip(&socket, options, bound.is_ipv6())?;
    socket.listen(options.backlog)?;
    Ok(Box::new(TcpListener {
        socket,
        endpoint: tcp_endpoint(&bound),
        options: options.clone(),
    }))
}

/// A non-blocking, close-on-exec tcp socket for `address`'s family; IPv6
/// sockets accept IPv4-mapped peers too.
fn open_socket(address: &SocketAddr) -> io::Result<Socket> {
    let domain = Domain::for_address(*address);
    let socket = crate::nonblocking::stream_socket(domain, Some(Protocol::TCP))?;
    if address.is_ipv6() {
        socket.set_only_v6(false)?;
    }
    Ok(socket)
}

fn bind_listener(
    socket: Socket,
    local: SocketAddr,
    options: &TransportOptions,
) -> TransportResult<Box<dyn Listener>> {
    socket.set_reuse_address(true)?;
    apply_buffers(&socket, options)?;
    apply_ip(&socket, options, local.is_ipv6())?;
    // A failed bind or listen closes the socket: libzmq's listener
    // reports it closed (with no endpoint yet) before the bind fails
    // (src/tcp_listener.cpp create_socket, stream_listener_base_t::close).
    let closed =
        |error: io::Error| TransportError::from(error).with_closed_socket(socket.as_raw_fd(), "");
    socket.bind(&local.into()).map_err(closed)?;
    socket.listen(options.backlog).map_err(closed)?;
    let bound = socket
        .local_addr()?
        .as_socket()
        .ok_or_else(|| TransportError::invalid("bound address is not an IP address"))?;
    Ok(Box::new(TcpListener {
        socket,
        endpoint: tcp_endpoint(&bound),
        options: options.clone(),
    }))
}

/// A listening tcp socket.
#[derive(Debug)]
pub struct TcpListener {
    socket: Socket,
    endpoint: String,
    options: TransportOptions,
}

impl AsFd for TcpListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

impl Listener for TcpListener {
    fn accept(&mut self) -> TransportResult<Option<Box<dyn Stream>>> {
        for _ in 0..ACCEPT_RETRIES {
            let socket = match crate::nonblocking::accept_nonblocking(&self.socket) {
                Ok((socket, peer)) => (socket, peer),
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return Ok(None),
                Err(error) if is_transient_accept_error(&error) => continue,
                Err(error) => return Err(error.into()),
            };
            let (socket, peer) = socket;
            let peer_ip = peer.as_socket().map(|a| a.ip());
            if !peer_is_accepted(&self.options.tcp_accept_filters, peer_ip) {
                // Not in ZMQ_TCP_ACCEPT_FILTER: close it at once, as libzmq.
                continue;
            }
            let ipv6 = socket
                .local_addr()
                .ok()
                .and_then(|a| a.as_socket())
                .is_some_and(|a| a.is_ipv6());
            let tuned = apply_tcp_connection(&socket, &self.options)
                .and_then(|()| apply_tos(&socket, &self.options, ipv6))
                .and_then(|()| apply_priority(&socket, &self.options));
            if tuned.is_err() {
                // The peer is likely gone already; drop it, as libzmq.
                continue;
            }
            return Ok(Some(Box::new(SocketStream::tcp(socket))));
        }
        Ok(None)
    }

    fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

/// Accept errors that concern one connection only; the next may succeed.
pub(crate) fn is_transient_accept_error(error: &io::Error) -> bool {
    matches!(
        error.raw_os_error(),
        Some(libc::ECONNABORTED | libc::EINTR | libc::EPROTO)
    )
}

#[cfg(test)]
mod tests;
