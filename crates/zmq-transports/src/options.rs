//! [`TransportOptions`]: the socket options that reach the transport layer.

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
}

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
