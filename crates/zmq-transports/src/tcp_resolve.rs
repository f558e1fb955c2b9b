//! Turning a parsed [`TcpHostPort`] into a socket address, with libzmq's
//! rules:
//! - local addresses (bind, and the source of a connect): `*`, an
//!   interface name (its first address of the wanted family) or a numeric
//!   address; never DNS. Failure → `ENODEV`.
//! - remote addresses (connect): a numeric address or a DNS name
//!   (`getaddrinfo` through `ToSocketAddrs`). Failure → `EINVAL`.
//! - without `ZMQ_IPV6` only IPv4 is used; with it IPv6 is preferred and
//!   `*` means `::` (dual-stack).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, ToSocketAddrs};

use crate::error::{TransportError, TransportErrorKind, TransportResult};
use crate::tcp_address::{TcpHost, TcpHostPort};

/// Resolves a local address (bind or connect source).
pub(crate) fn resolve_local(address: &TcpHostPort, ipv6: bool) -> TransportResult<SocketAddr> {
    let port = address.port.number();
    let no_device = |detail: String| TransportError::new(TransportErrorKind::NoSuchDevice, detail);
    match &address.host {
        TcpHost::Any if ipv6 => Ok(SocketAddr::from((Ipv6Addr::UNSPECIFIED, port))),
        TcpHost::Any => Ok(SocketAddr::from((Ipv4Addr::UNSPECIFIED, port))),
        TcpHost::Ip {
            ip: IpAddr::V6(_), ..
        } if !ipv6 => Err(no_device(format!(
            "{} is IPv6 but ZMQ_IPV6 is off",
            address.host
        ))),
        TcpHost::Ip { ip, zone } => with_zone(SocketAddr::new(*ip, port), zone.as_deref()),
        TcpHost::Name(name) => interface_address(name, ipv6)
            .map(|ip| SocketAddr::new(ip, port))
            .ok_or_else(|| no_device(format!("no interface or numeric address {name:?}"))),
    }
}

/// Resolves a remote address (connect destination).
pub(crate) fn resolve_remote(address: &TcpHostPort, ipv6: bool) -> TransportResult<SocketAddr> {
    let port = address.port.number();
    match &address.host {
        TcpHost::Any => Err(TransportError::invalid("cannot connect to '*'")),
        TcpHost::Ip {
            ip: IpAddr::V6(_), ..
        } if !ipv6 => Err(TransportError::invalid(format!(
            "{} is IPv6 but ZMQ_IPV6 is off",
            address.host
        ))),
        TcpHost::Ip { ip, zone } => with_zone(SocketAddr::new(*ip, port), zone.as_deref()),
        TcpHost::Name(name) => {
            let candidates: Vec<SocketAddr> = (name.as_str(), port)
                .to_socket_addrs()
                .map_err(|error| {
                    TransportError::invalid(format!("cannot resolve {name:?}: {error}"))
                })?
                .collect();
            let first_v4 = candidates.iter().find(|a| a.is_ipv4());
            let first_v6 = candidates.iter().find(|a| a.is_ipv6());
            let chosen = if ipv6 {
                first_v6.or(first_v4)
            } else {
                first_v4
            };
            chosen
                .copied()
                .ok_or_else(|| TransportError::invalid(format!("no usable address for {name:?}")))
        }
    }
}

/// Applies an IPv6 zone (interface name or index) as the scope id.
fn with_zone(address: SocketAddr, zone: Option<&str>) -> TransportResult<SocketAddr> {
    let (Some(zone), SocketAddr::V6(v6)) = (zone, address) else {
        return Ok(address);
    };
    let scope_id = if zone.starts_with(|c: char| c.is_ascii_alphabetic()) {
        nix::net::if_::if_nametoindex(zone).unwrap_or(0)
    } else {
        zone.parse::<u32>().unwrap_or(0)
    };
    if scope_id == 0 {
        return Err(TransportError::invalid(format!("unknown zone {zone:?}")));
    }
    Ok(SocketAddr::V6(SocketAddrV6::new(
        *v6.ip(),
        v6.port(),
        v6.flowinfo(),
        scope_id,
    )))
}

/// The first address of the given family on the interface `name`.
fn interface_address(name: &str, ipv6: bool) -> Option<IpAddr> {
    let interfaces = nix::ifaddrs::getifaddrs().ok()?;
    interfaces
        .filter(|interface| interface.interface_name == name)
        .filter_map(|interface| interface.address)
        .find_map(|address| {
            if ipv6 {
                address.as_sockaddr_in6().map(|a| IpAddr::V6(a.ip()))
            } else {
                address.as_sockaddr_in().map(|a| IpAddr::V4(a.ip()))
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp_address::TcpAddress;

    fn local(text: &str, ipv6: bool) -> TransportResult<SocketAddr> {
        resolve_local(&TcpAddress::parse_bind(text)?.destination, ipv6)
    }

    fn remote(text: &str, ipv6: bool) -> TransportResult<SocketAddr> {
        resolve_remote(&TcpAddress::parse_connect(text)?.destination, ipv6)
    }

    #[test]
    fn wildcard_follows_ipv6_option() {
        assert_eq!(
            local("*:5", false).ok(),
            Some(SocketAddr::from(([0, 0, 0, 0], 5)))
        );
        assert_eq!(
            local("*:*", true).ok(),
            Some(SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0)))
        );
    }

    #[test]
    fn interface_names_resolve_to_their_address() {
        assert_eq!(
            local("lo:5", false).ok(),
            Some(SocketAddr::from(([127, 0, 0, 1], 5)))
        );
        let error = local("nosuchif0:5", false).err().map(|e| e.errno());
        assert_eq!(error, Some(libc::ENODEV));
        let error = local("localhost:5", false).err().map(|e| e.errno());
        assert_eq!(error, Some(libc::ENODEV), "bind does not use DNS");
    }

    #[test]
    fn ipv6_literals_need_the_ipv6_option() {
        assert_eq!(
            local("[::1]:5", false).err().map(|e| e.errno()),
            Some(libc::ENODEV)
        );
        assert_eq!(
            remote("[::1]:5", false).err().map(|e| e.errno()),
            Some(libc::EINVAL)
        );
        assert!(remote("[::1]:5", true).is_ok());
    }

    #[test]
    fn connect_uses_dns_and_prefers_ipv4_without_ipv6() {
        let address = remote("localhost:80", false);
        assert_eq!(address.ok(), Some(SocketAddr::from(([127, 0, 0, 1], 80))));
        let error = remote("no-such-host.invalid:80", false)
            .err()
            .map(|e| e.errno());
        assert_eq!(error, Some(libc::EINVAL));
    }

    #[test]
    fn zones_become_scope_ids() {
        let address = local("[fe80::1%lo]:5", true);
        let scope = match address {
            Ok(SocketAddr::V6(v6)) => v6.scope_id(),
            _ => 0,
        };
        assert_ne!(scope, 0);
        assert_eq!(local("[fe80::1%7]:5", true).ok().map(|a| a.port()), Some(5));
        assert!(local("[fe80::1%nosuchif0]:5", true).is_err());
    }
}
