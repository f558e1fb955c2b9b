//! [`TransportOptions`]: the socket options that reach the transport layer.

use std::fmt;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;

use crate::socks5::SocksProxy;
use crate::tcp_accept_filter::TcpAcceptFilter;

/// Socket options a transport applies to the sockets it opens. Field
/// values follow zmq_setsockopt(3): `-1` means "leave the OS default".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportOptions {
    /// `ZMQ_IPV6`: resolve to IPv6 and bind `*` to `::` (dual-stack).
    pub ipv6: bool,
    /// `ZMQ_BACKLOG`: the `listen(2)` queue length. Default 100.
    pub backlog: i32,
    /// `ZMQ_SNDBUF`: `SO_SNDBUF` in bytes; `-1` or `0` leaves the OS default.
    pub sndbuf: i32,
    /// `ZMQ_RCVBUF`: `SO_RCVBUF` in bytes; `-1` or `0` leaves the OS default.
    pub rcvbuf: i32,
    /// `ZMQ_TCP_KEEPALIVE`: `-1` OS default, `0` off, `1` on.
    pub tcp_keepalive: i32,
    /// `ZMQ_TCP_KEEPALIVE_CNT`: `TCP_KEEPCNT`, `-1` OS default.
    pub tcp_keepalive_cnt: i32,
    /// `ZMQ_TCP_KEEPALIVE_IDLE`: `TCP_KEEPIDLE` in seconds, `-1` OS default.
    pub tcp_keepalive_idle: i32,
    /// `ZMQ_TCP_KEEPALIVE_INTVL`: `TCP_KEEPINTVL` in seconds, `-1` OS default.
    pub tcp_keepalive_intvl: i32,
    /// `ZMQ_TOS`: the IP type-of-service byte; `0` leaves the OS default.
    pub tos: i32,
    /// `ZMQ_BINDTODEVICE`: `SO_BINDTODEVICE` interface or VRF name.
    pub bind_to_device: Option<String>,
    /// `ZMQ_TCP_MAXRT`: `TCP_USER_TIMEOUT` in milliseconds; `0` OS default.
    pub tcp_maxrt: i32,
    /// `ZMQ_IPC_FILTER_UID`: accept ipc peers with these user ids.
    pub ipc_filter_uids: Vec<u32>,
    /// `ZMQ_IPC_FILTER_GID`: accept ipc peers in these groups.
    pub ipc_filter_gids: Vec<u32>,
    /// `ZMQ_IPC_FILTER_PID`: accept ipc peers with these process ids.
    pub ipc_filter_pids: Vec<i32>,
    /// `ZMQ_PRIORITY`: `SO_PRIORITY` of tcp sockets; `0` OS default.
    pub priority: i32,
    /// `ZMQ_BUSY_POLL`: `SO_BUSY_POLL` of tcp sockets (best effort: the
    /// kernel may refuse it without `CAP_NET_ADMIN`); `0` off.
    pub busy_poll: i32,
    /// `ZMQ_TCP_ACCEPT_FILTER`: accept tcp peers in these networks only
    /// (empty: everyone).
    pub tcp_accept_filters: Vec<TcpAcceptFilter>,
    /// `ZMQ_SOCKS_PROXY` (with `ZMQ_SOCKS_USERNAME`/`PASSWORD`): tcp
    /// connects go through this SOCKS5 proxy.
    pub socks_proxy: Option<SocksProxy>,
    /// `ZMQ_USE_FD`: bind uses this already bound (and possibly listening)
    /// socket instead of opening one.
    pub use_fd: Option<InheritedSocket>,
    /// `ZMQ_VMCI_BUFFER_SIZE`: vmci stream buffer in bytes; `0` default.
    pub vmci_buffer_size: u64,
    /// `ZMQ_VMCI_BUFFER_MIN_SIZE`: its minimum; `0` default.
    pub vmci_buffer_min_size: u64,
    /// `ZMQ_VMCI_BUFFER_MAX_SIZE`: its maximum; `0` default.
    pub vmci_buffer_max_size: u64,
    /// `ZMQ_VMCI_CONNECT_TIMEOUT` in milliseconds; `-1` (or `0`) default.
    pub vmci_connect_timeout: i32,
    /// What the ws and wss transports need (mechanism, `ZMQ_WSS_*`).
    pub ws: crate::ws::WsOptions,
}

/// A socket descriptor handed over by the application (`ZMQ_USE_FD`).
/// Each bind duplicates it, so the listener owns its own descriptor.
#[derive(Clone)]
pub struct InheritedSocket(Arc<OwnedFd>);

impl InheritedSocket {
    /// Takes ownership of `fd`.
    pub fn new(fd: OwnedFd) -> Self {
        Self(Arc::new(fd))
    }

    /// The descriptor number.
    pub fn raw_fd(&self) -> i32 {
        self.0.as_raw_fd()
    }

    /// A duplicate of the descriptor (`dup(2)`, close-on-exec).
    pub fn duplicate(&self) -> std::io::Result<OwnedFd> {
        self.0.try_clone()
    }
}

impl fmt::Debug for InheritedSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("InheritedSocket")
            .field(&self.raw_fd())
            .finish()
    }
}

impl PartialEq for InheritedSocket {
    fn eq(&self, other: &Self) -> bool {
        self.raw_fd() == other.raw_fd()
    }
}

impl Eq for InheritedSocket {}

/// libzmq's default `ZMQ_BACKLOG`.
pub const DEFAULT_BACKLOG: i32 = 100;

impl Default for TransportOptions {
    fn default() -> Self {
        Self {
            ipv6: false,
            backlog: DEFAULT_BACKLOG,
            sndbuf: -1,
            rcvbuf: -1,
            tcp_keepalive: -1,
            tcp_keepalive_cnt: -1,
            tcp_keepalive_idle: -1,
            tcp_keepalive_intvl: -1,
            tos: 0,
            bind_to_device: None,
            tcp_maxrt: 0,
            ipc_filter_uids: Vec::new(),
            ipc_filter_gids: Vec::new(),
            ipc_filter_pids: Vec::new(),
            priority: 0,
            busy_poll: 0,
            tcp_accept_filters: Vec::new(),
            socks_proxy: None,
            use_fd: None,
            vmci_buffer_size: 0,
            vmci_buffer_min_size: 0,
            vmci_buffer_max_size: 0,
            vmci_connect_timeout: -1,
            ws: crate::ws::WsOptions::default(),
        }
    }
}

impl TransportOptions {
    /// Whether any ipc peer filter is set.
    pub fn has_ipc_filters(&self) -> bool {
        !(self.ipc_filter_uids.is_empty()
            && self.ipc_filter_gids.is_empty()
            && self.ipc_filter_pids.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_libzmq() {
        let options = TransportOptions::default();
        assert_eq!(options.backlog, 100);
        assert_eq!((options.sndbuf, options.rcvbuf), (-1, -1));
        assert_eq!(options.tcp_keepalive, -1);
        assert!(!options.ipv6);
        assert!(!options.has_ipc_filters());
    }
}
