//! The udp transport's addresses and sockets (RADIO/DISH and DGRAM), as
//! libzmq's `udp_address_t` and the socket set-up of its `udp_engine_t`.
//!
//! A udp endpoint is `udp://[source;]address:port`:
//! - without a source, a multicast address is the group (sent to, joined
//!   on any interface, the port bound on any address); a unicast address
//!   is the destination of a connect (RADIO) or the local address of a
//!   bind (DISH, DGRAM);
//! - with a source (`*`, an interface name or a local address), the
//!   address must be multicast: the source names the interface that sends
//!   and joins.
//!
//! There is no stream and no handshake: a [`UdpSocket`] is a non-blocking
//! datagram socket that the engine polls; each message is one datagram of
//! at most [`MAX_DATAGRAM`] bytes.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::error::{TransportError, TransportErrorKind, TransportResult};
use crate::tcp_address::{TcpHost, TcpHostPort, TcpPort};
use crate::tcp_resolve::{resolve_local, resolve_remote};

/// The largest datagram sent or received (libzmq's `MAX_UDP_MSG`).
pub const MAX_DATAGRAM: usize = 8192;

/// A resolved udp endpoint address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpAddress {
    /// The address as given (`ZMQ_LAST_ENDPOINT` shows it back).
    text: String,
    /// Where a receiving socket binds (and, for multicast, the interface
    /// address it joins and sends on).
    bind: SocketAddr,
    /// Where a sending socket sends; for multicast the group.
    target: SocketAddr,
    /// The interface index for IPv6 multicast: 0 any, -1 unknown.
    bind_interface: i32,
    multicast: bool,
}

impl UdpAddress {
    /// Resolves `address` (the text after `udp://`) for a bind (`bind`,
    /// DISH and DGRAM) or a connect (RADIO), with `ZMQ_IPV6` as `ipv6`.
    ///
    /// Errors as libzmq: a malformed address, a source with a unicast
    /// address or a multicast source → `EINVAL`; an unknown source
    /// interface → `ENODEV`; IPv6 multicast without a source interface
    /// index → `ENODEV`.
    pub fn resolve(address: &str, bind: bool, ipv6: bool) -> TransportResult<UdpAddress> {
        let (source, main) = match address.rsplit_once(';') {
            Some((source, main)) => (Some(source), main),
            None => (None, address),
        };
        let mut bind_interface = -1;
        let source_address = match source {
            Some(source) => {
                let host = TcpHost::parse(source)?;
                let local = resolve_local(
                    &TcpHostPort {
                        host: host.clone(),
                        port: TcpPort::Any,
                    },
                    ipv6,
                )?;
                if is_multicast(local.ip()) {
                    return Err(TransportError::invalid(format!(
                        "multicast source address {source:?}"
                    )));
                }
                bind_interface = match host {
                    TcpHost::Any => 0,
                    _ => nix::net::if_::if_nametoindex(source)
                        .ok()
                        .and_then(|index| i32::try_from(index).ok())
                        .filter(|&index| index > 0)
                        .unwrap_or(-1),
                };
                Some(local)
            }
            None => None,
        };
        let host_port = TcpHostPort::parse(main)?;
        let target = if bind {
            match resolve_local(&host_port, ipv6) {
                Ok(address) => address,
                // libzmq resolves names with DNS here too.
                Err(error) => match host_port.host {
                    TcpHost::Name(_) => resolve_remote(&host_port, ipv6)?,
                    _ => return Err(error),
                },
            }
        } else {
            resolve_remote(&host_port, ipv6)?
        };
        let multicast = is_multicast(target.ip());
        let port = target.port();
        let bind_address = match source_address {
            Some(mut local) => {
                if !multicast {
                    return Err(TransportError::invalid(format!(
                        "a source interface needs a multicast address in {address:?}"
                    )));
                }
                local.set_port(port);
                local
            }
            None if multicast || !bind => {
                bind_interface = 0;
                SocketAddr::new(unspecified(target.ip()), port)
            }
            None => target,
        };
        if bind_address.is_ipv4() != target.is_ipv4() {
            return Err(TransportError::invalid(format!(
                "source and address families differ in {address:?}"
            )));
        }
        if ipv6 && multicast && bind_interface < 0 {
            return Err(TransportError::new(
                TransportErrorKind::NoSuchDevice,
                format!("IPv6 multicast needs an interface name in {address:?}"),
            ));
        }
        Ok(UdpAddress {
            text: address.to_owned(),
            bind: bind_address,
            target,
            bind_interface,
            multicast,
        })
    }

    /// The address as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Where a sending socket sends (the group for multicast).
    pub fn target(&self) -> SocketAddr {
        self.target
    }

    /// Where a receiving socket binds.
    pub fn bind_address(&self) -> SocketAddr {
        self.bind
    }

    /// Whether the target is a multicast group.
    pub fn is_multicast(&self) -> bool {
        self.multicast
    }
}

fn is_multicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_multicast(),
        IpAddr::V6(v6) => v6.is_multicast(),
    }
}

fn unspecified(like: IpAddr) -> IpAddr {
    match like {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

/// The socket options a udp socket takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UdpOptions {
    /// `ZMQ_MULTICAST_LOOP`: multicast sent is looped back to local
    /// receivers.
    pub multicast_loop: bool,
    /// `ZMQ_MULTICAST_HOPS`: multicast TTL / hop limit (applied when > 0).
    pub multicast_hops: i32,
    /// `ZMQ_SNDBUF` (applied when > 0).
    pub sndbuf: i32,
    /// `ZMQ_RCVBUF` (applied when > 0).
    pub rcvbuf: i32,
    /// `ZMQ_BINDTODEVICE`.
    pub bind_to_device: Option<String>,
}

/// What a udp socket is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UdpRole {
    /// RADIO: sends to the address, never binds it.
    Send,
    /// DISH: binds the address (joins the group) and receives.
    Receive,
    /// DGRAM: binds the address, receives, and sends to the address each
    /// message names.
    Raw,
}

/// A non-blocking udp socket set up for a [`UdpAddress`] and a role.
#[derive(Debug)]
pub struct UdpSocket {
    socket: std::net::UdpSocket,
    /// Where `send` goes (the target), for [`UdpRole::Send`].
    target: SocketAddr,
    ipv6: bool,
}

impl UdpSocket {
    /// Opens, configures and binds a socket as libzmq's udp engine does
    /// when it is plugged.
    pub fn open(
        address: &UdpAddress,
        role: UdpRole,
        options: &UdpOptions,
    ) -> TransportResult<UdpSocket> {
        let ipv6 = address.bind.is_ipv6();
        let domain = if ipv6 { Domain::IPV6 } else { Domain::IPV4 };
        let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))?;
        socket.set_nonblocking(true)?;
        socket.set_cloexec(true)?;
        if let Ok(size @ 1..) = usize::try_from(options.sndbuf) {
            socket.set_send_buffer_size(size)?;
        }
        if let Ok(size @ 1..) = usize::try_from(options.rcvbuf) {
            socket.set_recv_buffer_size(size)?;
        }
        if let Some(device) = options.bind_to_device.as_deref().filter(|d| !d.is_empty()) {
            crate::socket_tuning::bind_to_device(&socket, device)?;
        }
        if role != UdpRole::Receive && address.multicast {
            set_multicast_send(&socket, address, options)?;
        }
        if role != UdpRole::Send {
            socket.set_reuse_address(true)?;
            let bind = if address.multicast {
                socket.set_reuse_port(true)?;
                SocketAddr::new(unspecified(address.bind.ip()), address.bind.port())
            } else {
                address.bind
            };
            socket.bind(&SockAddr::from(bind))?;
            if address.multicast {
                join(&socket, address)?;
            }
        }
        Ok(UdpSocket {
            socket: socket.into(),
            target: address.target,
            ipv6,
        })
    }

    /// Receives one datagram into `buf`: its length and sender. A
    /// datagram longer than `buf` is cut to its length (pass a buffer one
    /// byte longer than the largest datagram wanted to tell).
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.socket.recv_from(buf)
    }

    /// Sends one datagram to the address the socket was opened for.
    pub fn send(&self, datagram: &[u8]) -> io::Result<usize> {
        self.socket.send_to(datagram, self.target)
    }

    /// Sends one datagram to `to` (DGRAM). An IPv4 address on an IPv6
    /// socket is sent to as IPv4-mapped.
    pub fn send_to(&self, datagram: &[u8], to: SocketAddr) -> io::Result<usize> {
        let to = match to {
            SocketAddr::V4(v4) if self.ipv6 => {
                SocketAddr::new(IpAddr::V6(v4.ip().to_ipv6_mapped()), v4.port())
            }
            other => other,
        };
        self.socket.send_to(datagram, to)
    }

    /// The local address the socket is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// The fd to poll.
    pub fn raw_fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }
}

impl AsFd for UdpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

/// Multicast sending: loop, hops, interface.
fn set_multicast_send(
    socket: &Socket,
    address: &UdpAddress,
    options: &UdpOptions,
) -> io::Result<()> {
    let hops = u32::try_from(options.multicast_hops)
        .ok()
        .filter(|&h| h > 0);
    match address.target {
        SocketAddr::V6(_) => {
            socket.set_multicast_loop_v6(options.multicast_loop)?;
            if let Some(hops) = hops {
                socket.set_multicast_hops_v6(hops)?;
            }
            if let Ok(index @ 1..) = u32::try_from(address.bind_interface) {
                socket.set_multicast_if_v6(index)?;
            }
        }
        SocketAddr::V4(_) => {
            socket.set_multicast_loop_v4(options.multicast_loop)?;
            if let Some(hops) = hops {
                socket.set_multicast_ttl_v4(hops)?;
            }
            if let IpAddr::V4(interface) = address.bind.ip()
                && !interface.is_unspecified()
            {
                socket.set_multicast_if_v4(&interface)?;
            }
        }
    }
    Ok(())
}

/// Joins the group on the source interface (any when none).
fn join(socket: &Socket, address: &UdpAddress) -> io::Result<()> {
    match (address.target.ip(), address.bind.ip()) {
        (IpAddr::V4(group), IpAddr::V4(interface)) => socket.join_multicast_v4(&group, &interface),
        (IpAddr::V6(group), _) => {
            let index = u32::try_from(address.bind_interface).unwrap_or(0);
            socket.join_multicast_v6(&group, index)
        }
        _ => Err(io::Error::from(io::ErrorKind::InvalidInput)),
    }
}

/// The sender of a DGRAM datagram as libzmq writes it for the
/// application: `"ip:port"` with a terminating NUL (IPv6 senders as
/// `"[ip]:port"`; an IPv4-mapped sender as IPv4).
pub fn format_peer(peer: SocketAddr) -> Vec<u8> {
    let ip = match peer.ip() {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    };
    let mut text = match ip {
        IpAddr::V4(v4) => format!("{v4}:{}", peer.port()),
        IpAddr::V6(v6) => format!("[{v6}]:{}", peer.port()),
    }
    .into_bytes();
    text.push(0);
    text
}

/// Parses a DGRAM destination (`"ip:port"`, trailing NULs ignored, port
/// not 0), as libzmq's `resolve_raw_address`; `None` when it does not
/// parse (libzmq drops such a message).
pub fn parse_peer(text: &[u8]) -> Option<SocketAddr> {
    let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
    let text = std::str::from_utf8(&text[..end]).ok()?;
    let (host, port) = text.rsplit_once(':')?;
    let port: u16 = port.parse().ok().filter(|&p| p != 0)?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let ip: IpAddr = host.parse().ok()?;
    Some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errno<T>(result: TransportResult<T>) -> Option<i32> {
        result.err().map(|e| e.errno())
    }

    #[test]
    fn unicast_bind_and_connect() {
        let bound = UdpAddress::resolve("127.0.0.1:5556", true, false).unwrap();
        assert_eq!(bound.bind_address(), "127.0.0.1:5556".parse().unwrap());
        assert!(!bound.is_multicast());
        let any = UdpAddress::resolve("*:5556", true, false).unwrap();
        assert_eq!(any.bind_address(), "0.0.0.0:5556".parse().unwrap());
        let any6 = UdpAddress::resolve("*:5556", true, true).unwrap();
        assert_eq!(any6.bind_address(), "[::]:5556".parse().unwrap());
        let connect = UdpAddress::resolve("127.0.0.1:5556", false, false).unwrap();
        assert_eq!(connect.target(), "127.0.0.1:5556".parse().unwrap());
        assert_eq!(connect.bind_address(), "0.0.0.0:5556".parse().unwrap());
        let v6 = UdpAddress::resolve("[::1]:5556", false, true).unwrap();
        assert_eq!(v6.target(), "[::1]:5556".parse().unwrap());
        assert_eq!(
            errno(UdpAddress::resolve("nohost", true, false)),
            Some(libc::EINVAL)
        );
        assert!(UdpAddress::resolve("[::1]:5556", false, false).is_err());
    }

    #[test]
    fn multicast_with_and_without_source() {
        let group = UdpAddress::resolve("239.0.0.1:5555", true, false).unwrap();
        assert!(group.is_multicast());
        assert_eq!(group.bind_address(), "0.0.0.0:5555".parse().unwrap());
        let on_lo = UdpAddress::resolve("lo;239.0.0.1:5555", false, false).unwrap();
        assert_eq!(on_lo.bind_address(), "127.0.0.1:5555".parse().unwrap());
        let star = UdpAddress::resolve("*;239.0.0.1:5555", true, false).unwrap();
        assert_eq!(star.bind_address(), "0.0.0.0:5555".parse().unwrap());
        let v6 = UdpAddress::resolve("[ff02::1]:5555", true, true).unwrap();
        assert!(v6.is_multicast());
        assert_eq!(
            errno(UdpAddress::resolve("lo;127.0.0.1:5555", true, false)),
            Some(libc::EINVAL),
            "a source needs a multicast address"
        );
        assert_eq!(
            errno(UdpAddress::resolve("nosuchif0;239.0.0.1:5555", true, false)),
            Some(libc::ENODEV)
        );
        assert_eq!(
            errno(UdpAddress::resolve("239.0.0.2;239.0.0.1:5555", true, false)),
            Some(libc::EINVAL),
            "a multicast source"
        );
    }

    #[test]
    fn peers_format_and_parse_like_libzmq() {
        let peer: SocketAddr = "127.0.0.1:5560".parse().unwrap();
        assert_eq!(format_peer(peer), b"127.0.0.1:5560\0");
        assert_eq!(parse_peer(b"127.0.0.1:5560\0"), Some(peer));
        assert_eq!(parse_peer(b"127.0.0.1:5560"), Some(peer));
        assert_eq!(parse_peer(b"127.0.0.1:0"), None);
        assert_eq!(parse_peer(b"127.0.0.1"), None);
        let v6: SocketAddr = "[::1]:9".parse().unwrap();
        assert_eq!(parse_peer(&format_peer(v6)), Some(v6));
        let mapped: SocketAddr = "[::ffff:10.0.0.1]:9".parse().unwrap();
        assert_eq!(format_peer(mapped), b"10.0.0.1:9\0");
    }

    #[test]
    fn buffer_sizes_apply() {
        let options = UdpOptions {
            sndbuf: 65_536,
            rcvbuf: 98_304,
            ..UdpOptions::default()
        };
        let address = UdpAddress::resolve("127.0.0.1:0", true, false).unwrap();
        let socket = UdpSocket::open(&address, UdpRole::Raw, &options).unwrap();
        let sock = socket2::SockRef::from(&socket);
        // Linux doubles what it is given.
        assert!(sock.send_buffer_size().unwrap() >= 65_536);
        assert!(sock.recv_buffer_size().unwrap() >= 98_304);
        assert_eq!(
            socket.local_addr().unwrap().ip(),
            IpAddr::from([127, 0, 0, 1])
        );
    }

    #[test]
    fn unicast_datagrams_go_both_ways() {
        let options = UdpOptions::default();
        let receive = UdpAddress::resolve("127.0.0.1:0", true, false).unwrap();
        let receiver = UdpSocket::open(&receive, UdpRole::Raw, &options).unwrap();
        let port = receiver.local_addr().unwrap().port();
        let send = UdpAddress::resolve(&format!("127.0.0.1:{port}"), false, false).unwrap();
        let sender = UdpSocket::open(&send, UdpRole::Send, &options).unwrap();
        sender.send(b"hello").unwrap();
        let mut buf = [0u8; MAX_DATAGRAM + 1];
        let mut got = None;
        for _ in 0..200 {
            match receiver.recv_from(&mut buf) {
                Ok(ok) => {
                    got = Some(ok);
                    break;
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
            }
        }
        let (n, _from) = got.unwrap();
        assert_eq!(&buf[..n], b"hello");
    }
}
