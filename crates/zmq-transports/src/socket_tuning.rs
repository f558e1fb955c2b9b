//! Applying [`TransportOptions`] to sockets, as libzmq does: buffers on
//! every socket; for tcp also `TCP_NODELAY` (always), keepalives,
//! `TCP_USER_TIMEOUT` (`ZMQ_TCP_MAXRT`), ToS and `SO_BINDTODEVICE`.
//!
//! The Linux-only options follow libzmq's `#ifdef`s elsewhere (ip.cpp,
//! tcp.cpp): `SO_PRIORITY`, `SO_BUSY_POLL` and `TCP_USER_TIMEOUT` are
//! silently not set where the system lacks them (libzmq's
//! `set_socket_priority`, `tune_tcp_busy_poll` and `tune_tcp_maxrt` do
//! nothing there), while `ZMQ_BINDTODEVICE` makes the bind or connect fail
//! with `ENOTSUP` (libzmq's `bind_to_device`). Keepalive interval and
//! count are set where the system has `TCP_KEEPINTVL`/`TCP_KEEPCNT`.

use std::io;
use std::time::Duration;

use socket2::{Socket, TcpKeepalive};

use crate::options::TransportOptions;

/// Sets `SO_SNDBUF`/`SO_RCVBUF` when they are positive.
pub(crate) fn apply_buffers(socket: &Socket, options: &TransportOptions) -> io::Result<()> {
    if let Ok(size @ 1..) = usize::try_from(options.sndbuf) {
        socket.set_send_buffer_size(size)?;
    }
    if let Ok(size @ 1..) = usize::try_from(options.rcvbuf) {
        socket.set_recv_buffer_size(size)?;
    }
    Ok(())
}

/// Sets the IP options of tcp listeners and connecting sockets: ToS,
/// priority, busy polling and the bound device.
pub(crate) fn apply_ip(socket: &Socket, options: &TransportOptions, ipv6: bool) -> io::Result<()> {
    apply_tos(socket, options, ipv6)?;
    apply_priority(socket, options)?;
    if let Some(device) = options.bind_to_device.as_deref().filter(|d| !d.is_empty()) {
        bind_to_device(socket, device)?;
    }
    Ok(())
}

/// `SO_BINDTODEVICE` (Linux, Android).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn bind_to_device(socket: &Socket, device: &str) -> io::Result<()> {
    socket.bind_device(Some(device.as_bytes()))
}

/// No `SO_BINDTODEVICE` here: `ENOTSUP`, as libzmq's `bind_to_device`.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) fn bind_to_device(_socket: &Socket, _device: &str) -> io::Result<()> {
    Err(io::Error::from_raw_os_error(libc::ENOTSUP))
}

/// Sets the ToS byte (also on accepted sockets, as libzmq).
pub(crate) fn apply_tos(socket: &Socket, options: &TransportOptions, ipv6: bool) -> io::Result<()> {
    if let Ok(tos @ 1..) = u32::try_from(options.tos) {
        if ipv6 {
            socket.set_tclass_v6(tos)?;
            // Also for IPv4-mapped traffic on a dual-stack socket; some
            // kernels refuse IP_TOS on AF_INET6, which is harmless.
            let _ = socket.set_tos_v4(tos);
        } else {
            socket.set_tos_v4(tos)?;
        }
    }
    Ok(())
}

/// Sets `SO_PRIORITY` when positive, and `SO_BUSY_POLL` when positive
/// (best effort, as the kernel wants `CAP_NET_ADMIN` for large values).
/// Both Linux-only: not set elsewhere, as libzmq.
#[cfg(target_os = "linux")]
pub(crate) fn apply_priority(socket: &Socket, options: &TransportOptions) -> io::Result<()> {
    if let Ok(priority @ 1..) = u32::try_from(options.priority) {
        socket.set_priority(priority)?;
    }
    if let Ok(busy_poll @ 1..) = u32::try_from(options.busy_poll) {
        let _ = socket.set_busy_poll(busy_poll);
    }
    Ok(())
}

/// Android has `SO_PRIORITY` but no `SO_BUSY_POLL` in socket2.
#[cfg(target_os = "android")]
pub(crate) fn apply_priority(socket: &Socket, options: &TransportOptions) -> io::Result<()> {
    if let Ok(priority @ 1..) = u32::try_from(options.priority) {
        socket.set_priority(priority)?;
    }
    Ok(())
}

/// Neither option exists here: nothing set (libzmq: the same).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) fn apply_priority(_socket: &Socket, _options: &TransportOptions) -> io::Result<()> {
    Ok(())
}

/// Sets the options of a tcp connection (connected or accepted).
pub(crate) fn apply_tcp_connection(socket: &Socket, options: &TransportOptions) -> io::Result<()> {
    socket.set_tcp_nodelay(true)?;
    match options.tcp_keepalive {
        0 => socket.set_keepalive(false)?,
        1 => {
            socket.set_keepalive(true)?;
            let mut keepalive = TcpKeepalive::new();
            let mut any = false;
            if let Ok(idle @ 1..) = u64::try_from(options.tcp_keepalive_idle) {
                keepalive = keepalive.with_time(Duration::from_secs(idle));
                any = true;
            }
            #[cfg(not(any(target_os = "openbsd", target_os = "solaris")))]
            if let Ok(interval @ 1..) = u64::try_from(options.tcp_keepalive_intvl) {
                keepalive = keepalive.with_interval(Duration::from_secs(interval));
                any = true;
            }
            #[cfg(not(any(target_os = "openbsd", target_os = "solaris")))]
            if let Ok(count @ 1..) = u32::try_from(options.tcp_keepalive_cnt) {
                keepalive = keepalive.with_retries(count);
                any = true;
            }
            if any {
                socket.set_tcp_keepalive(&keepalive)?;
            }
        }
        _ => {}
    }
    apply_tcp_maxrt(socket, options)
}

/// `ZMQ_TCP_MAXRT` as `TCP_USER_TIMEOUT` (Linux, Android).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn apply_tcp_maxrt(socket: &Socket, options: &TransportOptions) -> io::Result<()> {
    if let Ok(maxrt @ 1..) = u64::try_from(options.tcp_maxrt) {
        socket.set_tcp_user_timeout(Some(Duration::from_millis(maxrt)))?;
    }
    Ok(())
}

/// No `TCP_USER_TIMEOUT` here: `ZMQ_TCP_MAXRT` is stored and not applied,
/// as libzmq's `tune_tcp_maxrt` (Windows' `TCP_MAXRT` is not written).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn apply_tcp_maxrt(_socket: &Socket, _options: &TransportOptions) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use socket2::{Domain, Type};

    #[test]
    fn applies_tcp_options() -> io::Result<()> {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
        let options = TransportOptions {
            sndbuf: 65536,
            rcvbuf: 65536,
            tcp_keepalive: 1,
            tcp_keepalive_cnt: 3,
            tcp_keepalive_idle: 30,
            tcp_keepalive_intvl: 5,
            tos: 0x10,
            priority: 3,
            tcp_maxrt: 2500,
            ..TransportOptions::default()
        };
        apply_buffers(&socket, &options)?;
        apply_ip(&socket, &options, false)?;
        apply_tcp_connection(&socket, &options)?;
        assert!(socket.tcp_nodelay()?);
        assert!(socket.keepalive()?);
        assert_eq!(socket.tcp_keepalive_time()?, Duration::from_secs(30));
        #[cfg(not(any(target_os = "openbsd", target_os = "solaris")))]
        assert_eq!(socket.tcp_keepalive_retries()?, 3);
        assert_eq!(socket.tos_v4()?, 0x10);
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            assert_eq!(socket.priority()?, 3);
            assert_eq!(
                socket.tcp_user_timeout()?,
                Some(Duration::from_millis(2500))
            );
        }
        assert!(socket.send_buffer_size()? >= 65536);
        Ok(())
    }

    #[test]
    fn defaults_leave_os_settings() -> io::Result<()> {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
        let before = socket.send_buffer_size()?;
        let options = TransportOptions::default();
        apply_buffers(&socket, &options)?;
        apply_ip(&socket, &options, false)?;
        apply_tcp_connection(&socket, &options)?;
        assert_eq!(socket.send_buffer_size()?, before);
        assert!(!socket.keepalive()?);
        Ok(())
    }
}
