//! Options that reach the transports and the handshake: `ZMQ_TOS`,
//! `ZMQ_PRIORITY`, `ZMQ_BINDTODEVICE`, `ZMQ_TCP_MAXRT`, accept filters,
//! `ZMQ_SOCKS_*`, `ZMQ_USE_FD`, `ZMQ_METADATA`, `ZMQ_BUSY_POLL`.

use std::os::fd::OwnedFd;

use zmq_transports::{InheritedSocket, TcpAcceptFilter};

use super::super::Socket;
use crate::error::{Error, Result};
use crate::option_table::{Arg, num};
use crate::options::{NetworkOptions, metadata_property};

int_options! {
    /// `ZMQ_TOS`: IP type-of-service byte of tcp connections made or
    /// accepted afterwards (0 = OS default).
    net.tos: set_tos / get_tos = ZMQ_TOS;
    /// `ZMQ_PRIORITY`: `SO_PRIORITY` of tcp connections (0 = OS default).
    net.priority: set_priority / get_priority = ZMQ_PRIORITY;
    /// `ZMQ_TCP_MAXRT` (ms): `TCP_USER_TIMEOUT` (0 = OS default).
    net.tcp_maxrt: set_tcp_maxrt / get_tcp_maxrt = ZMQ_TCP_MAXRT;
    /// `ZMQ_BUSY_POLL` (µs): `SO_BUSY_POLL` on tcp sockets, best effort
    /// (the kernel wants `CAP_NET_ADMIN`); 0 = off.
    net.busy_poll: set_busy_poll / get_busy_poll = ZMQ_BUSY_POLL;
}

impl Socket {
    fn net<T>(&self, read: impl FnOnce(&NetworkOptions) -> T) -> Result<T> {
        Ok(read(&self.state.borrow().core.options.net))
    }

    fn set_net(&self, write: impl FnOnce(&mut NetworkOptions)) -> Result<()> {
        write(&mut self.state.borrow_mut().core.options.net);
        Ok(())
    }

    /// `ZMQ_BINDTODEVICE`: bind tcp sockets to this interface or VRF (at
    /// most 16 bytes; empty clears). Needs `CAP_NET_RAW` at bind/connect.
    pub fn set_bindtodevice(&self, device: &str) -> Result<()> {
        self.set_bindtodevice_bytes((!device.is_empty()).then_some(device.as_bytes()))
    }

    /// `ZMQ_BINDTODEVICE` as the C API sets it: any bytes, 1 to 16 of
    /// them; `None` (NULL) clears.
    pub fn set_bindtodevice_bytes(&self, device: Option<&[u8]>) -> Result<()> {
        self.check_option(num::ZMQ_BINDTODEVICE, Arg::Bytes(device))?;
        self.set_net(|n| n.bind_to_device = device.unwrap_or_default().to_vec())
    }

    /// `ZMQ_BINDTODEVICE` (bytes that are not UTF-8 read as U+FFFD).
    pub fn get_bindtodevice(&self) -> Result<String> {
        self.net(|n| String::from_utf8_lossy(&n.bind_to_device).into_owned())
    }

    /// `ZMQ_BINDTODEVICE` as set.
    pub fn get_bindtodevice_bytes(&self) -> Result<Vec<u8>> {
        self.net(|n| n.bind_to_device.clone())
    }

    /// `ZMQ_TCP_ACCEPT_FILTER`: adds a network (`address[/bits]`) tcp
    /// listeners bound afterwards accept peers from (an IPv6 one only
    /// with `ZMQ_IPV6` on, as libzmq); `None` clears the list (everyone
    /// is accepted again).
    pub fn set_tcp_accept_filter(&self, filter: Option<&[u8]>) -> Result<()> {
        self.check_option(num::ZMQ_TCP_ACCEPT_FILTER, Arg::Bytes(filter))?;
        match filter {
            None => self.set_net(|n| n.tcp_accept_filters.clear()),
            Some(text) => {
                let filter = TcpAcceptFilter::parse(text).map_err(|_| Error::Inval)?;
                // libzmq resolves the address with the socket's ZMQ_IPV6:
                // an IPv6 network needs it on.
                if filter.is_ipv6() && !self.get_ipv6()? {
                    return Err(Error::Inval);
                }
                self.set_net(|n| n.tcp_accept_filters.push(filter))
            }
        }
    }

    /// `ZMQ_TCP_ACCEPT_FILTER`: the networks set (not readable in C).
    pub fn get_tcp_accept_filters(&self) -> Result<Vec<TcpAcceptFilter>> {
        self.net(|n| n.tcp_accept_filters.clone())
    }

    /// `ZMQ_IPC_FILTER_UID`: adds a user id ipc listeners accept; `None`
    /// clears.
    pub fn set_ipc_filter_uid(&self, uid: Option<u32>) -> Result<()> {
        let bytes = uid.map(u32::to_ne_bytes);
        self.check_option(
            num::ZMQ_IPC_FILTER_UID,
            Arg::Bytes(bytes.as_ref().map(|b| &b[..])),
        )?;
        self.set_net(|n| add_or_clear(&mut n.ipc_filter_uids, uid))
    }

    /// `ZMQ_IPC_FILTER_UID`.
    pub fn get_ipc_filter_uids(&self) -> Result<Vec<u32>> {
        self.net(|n| n.ipc_filter_uids.clone())
    }

    /// `ZMQ_IPC_FILTER_GID`: adds a group id; `None` clears.
    pub fn set_ipc_filter_gid(&self, gid: Option<u32>) -> Result<()> {
        let bytes = gid.map(u32::to_ne_bytes);
        self.check_option(
            num::ZMQ_IPC_FILTER_GID,
            Arg::Bytes(bytes.as_ref().map(|b| &b[..])),
        )?;
        self.set_net(|n| add_or_clear(&mut n.ipc_filter_gids, gid))
    }

    /// `ZMQ_IPC_FILTER_GID`.
    pub fn get_ipc_filter_gids(&self) -> Result<Vec<u32>> {
        self.net(|n| n.ipc_filter_gids.clone())
    }

    /// `ZMQ_IPC_FILTER_PID`: adds a process id; `None` clears.
    pub fn set_ipc_filter_pid(&self, pid: Option<i32>) -> Result<()> {
        let bytes = pid.map(i32::to_ne_bytes);
        self.check_option(
            num::ZMQ_IPC_FILTER_PID,
            Arg::Bytes(bytes.as_ref().map(|b| &b[..])),
        )?;
        self.set_net(|n| add_or_clear(&mut n.ipc_filter_pids, pid))
    }

    /// `ZMQ_IPC_FILTER_PID`.
    pub fn get_ipc_filter_pids(&self) -> Result<Vec<i32>> {
        self.net(|n| n.ipc_filter_pids.clone())
    }

    /// `ZMQ_SOCKS_PROXY`: tcp connects made afterwards go through the
    /// SOCKS5 proxy at `host:port`; `None` or empty: connect directly.
    pub fn set_socks_proxy(&self, proxy: Option<&str>) -> Result<()> {
        self.set_socks_proxy_bytes(proxy.filter(|p| !p.is_empty()).map(str::as_bytes))
    }

    /// `ZMQ_SOCKS_PROXY` as the C API sets it: any bytes (not empty);
    /// `None` (NULL) clears.
    pub fn set_socks_proxy_bytes(&self, proxy: Option<&[u8]>) -> Result<()> {
        self.check_option(num::ZMQ_SOCKS_PROXY, Arg::Bytes(proxy))?;
        self.set_net(|n| n.socks_proxy = proxy.unwrap_or_default().to_vec())
    }

    /// `ZMQ_SOCKS_PROXY` (bytes that are not UTF-8 read as U+FFFD).
    pub fn get_socks_proxy(&self) -> Result<String> {
        self.net(|n| String::from_utf8_lossy(&n.socks_proxy).into_owned())
    }

    /// `ZMQ_SOCKS_PROXY` as set.
    pub fn get_socks_proxy_bytes(&self) -> Result<Vec<u8>> {
        self.net(|n| n.socks_proxy.clone())
    }

    /// `ZMQ_SOCKS_USERNAME` (at most 255 bytes): log in to the proxy with
    /// user name and password (RFC 1929); `None` or empty: no login.
    pub fn set_socks_username(&self, name: Option<&str>) -> Result<()> {
        self.set_socks_username_bytes(name.map(str::as_bytes))
    }

    /// `ZMQ_SOCKS_USERNAME` as the C API sets it: any bytes.
    pub fn set_socks_username_bytes(&self, name: Option<&[u8]>) -> Result<()> {
        self.check_option(num::ZMQ_SOCKS_USERNAME, Arg::Bytes(name))?;
        self.set_net(|n| n.socks_username = name.unwrap_or_default().to_vec())
    }

    /// `ZMQ_SOCKS_USERNAME` (bytes that are not UTF-8 read as U+FFFD).
    pub fn get_socks_username(&self) -> Result<String> {
        self.net(|n| String::from_utf8_lossy(&n.socks_username).into_owned())
    }

    /// `ZMQ_SOCKS_USERNAME` as set.
    pub fn get_socks_username_bytes(&self) -> Result<Vec<u8>> {
        self.net(|n| n.socks_username.clone())
    }

    /// `ZMQ_SOCKS_PASSWORD` (at most 255 bytes; `None` is empty).
    pub fn set_socks_password(&self, password: Option<&str>) -> Result<()> {
        self.set_socks_password_bytes(password.map(str::as_bytes))
    }

    /// `ZMQ_SOCKS_PASSWORD` as the C API sets it: any bytes.
    pub fn set_socks_password_bytes(&self, password: Option<&[u8]>) -> Result<()> {
        self.check_option(num::ZMQ_SOCKS_PASSWORD, Arg::Bytes(password))?;
        self.set_net(|n| n.socks_password = password.unwrap_or_default().to_vec())
    }

    /// `ZMQ_SOCKS_PASSWORD` (bytes that are not UTF-8 read as U+FFFD).
    pub fn get_socks_password(&self) -> Result<String> {
        self.net(|n| String::from_utf8_lossy(&n.socks_password).into_owned())
    }

    /// `ZMQ_SOCKS_PASSWORD` as set.
    pub fn get_socks_password_bytes(&self) -> Result<Vec<u8>> {
        self.net(|n| n.socks_password.clone())
    }

    /// `ZMQ_METADATA`: adds an application property `X-name:value` that
    /// connections made afterwards send in READY (peers read it with
    /// `Message::gets`). A name already set keeps its first value, as
    /// libzmq.
    pub fn set_metadata(&self, property: &[u8]) -> Result<()> {
        self.check_option(num::ZMQ_METADATA, Arg::Bytes(Some(property)))?;
        let (name, value) = metadata_property(property)?;
        self.set_net(|n| {
            if !n
                .metadata
                .iter()
                .any(|(known, _)| known.eq_ignore_ascii_case(&name))
            {
                n.metadata.push((name, value));
            }
        })
    }

    /// `ZMQ_METADATA`: the properties set (not readable in C).
    pub fn get_metadata(&self) -> Result<Vec<(String, bytes::Bytes)>> {
        self.net(|n| n.metadata.clone())
    }

    /// `ZMQ_USE_FD`: later tcp and ipc binds listen on (a duplicate of)
    /// this socket, which the application created and bound; `None`
    /// goes back to opening sockets. The endpoint given to `bind` must
    /// still be valid for the transport.
    pub fn set_use_fd(&self, fd: Option<OwnedFd>) -> Result<()> {
        self.set_net(|n| {
            n.use_fd = fd.map(InheritedSocket::new);
            n.use_fd_number = n.use_fd.as_ref().map_or(-1, InheritedSocket::raw_fd);
        })
    }

    /// `ZMQ_USE_FD` as the C API sets it: a descriptor number (>= -1)
    /// the application keeps. It is read back as given (libzmq stores the
    /// number); when it is open, binds use a duplicate of it, so the
    /// caller's descriptor stays the caller's.
    pub fn set_use_fd_number(&self, fd: i32) -> Result<()> {
        self.check_option(num::ZMQ_USE_FD, Arg::Int(fd))?;
        let inherited = if fd == -1 {
            None
        } else {
            // SAFETY: fcntl(F_GETFD) only reads the descriptor table.
            let open = unsafe { libc::fcntl(fd, libc::F_GETFD) } != -1;
            // SAFETY: `fd` is open (checked just above) and only borrowed
            // for the `dup` below.
            open.then(|| unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) })
                .and_then(|borrowed| borrowed.try_clone_to_owned().ok())
                .map(InheritedSocket::new)
        };
        self.set_net(|n| {
            n.use_fd = inherited;
            n.use_fd_number = fd;
        })
    }

    /// `ZMQ_USE_FD`: the descriptor as set, -1 when none.
    pub fn get_use_fd(&self) -> Result<i32> {
        self.net(|n| n.use_fd_number)
    }

    /// `ZMQ_LOOPBACK_FASTPATH`: a Windows-only fast path in libzmq; stored
    /// and without effect here, as libzmq on Linux.
    pub fn set_loopback_fastpath(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_LOOPBACK_FASTPATH, Arg::Int(i32::from(on)))?;
        self.set_net(|n| n.loopback_fastpath = on)
    }

    /// `ZMQ_LOOPBACK_FASTPATH`.
    pub fn get_loopback_fastpath(&self) -> Result<bool> {
        self.net(|n| n.loopback_fastpath)
    }

    /// `ZMQ_IPV4ONLY` (deprecated): the inverse of `ZMQ_IPV6`.
    pub fn set_ipv4only(&self, on: bool) -> Result<()> {
        self.check_option(num::ZMQ_IPV4ONLY, Arg::Int(i32::from(on)))?;
        self.set_ipv6(!on)
    }

    /// `ZMQ_IPV4ONLY`.
    pub fn get_ipv4only(&self) -> Result<bool> {
        self.get_ipv6().map(|ipv6| !ipv6)
    }

    /// `ZMQ_THREAD_SAFE`: whether the socket type may be used from
    /// several threads at once (CLIENT, SERVER, RADIO, DISH, GATHER,
    /// SCATTER, DGRAM excluded, PEER, CHANNEL), as libzmq reports it.
    pub fn get_thread_safe(&self) -> Result<bool> {
        use zmq_patterns::SocketType as K;
        let kind = self.get_socket_type()?;
        Ok(matches!(
            kind,
            K::Client
                | K::Server
                | K::Radio
                | K::Dish
                | K::Gather
                | K::Scatter
                | K::Peer
                | K::Channel
        ))
    }
}

fn add_or_clear<T>(list: &mut Vec<T>, value: Option<T>) {
    match value {
        Some(value) => list.push(value),
        None => list.clear(),
    }
}
