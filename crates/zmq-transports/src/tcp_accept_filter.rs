//! [`TcpAcceptFilter`]: one `ZMQ_TCP_ACCEPT_FILTER` entry, an IPv4 or
//! IPv6 network in CIDR notation (`192.168.1.0/24`, `::1`, `10.0.0.1`).

use std::net::IpAddr;
use std::str::FromStr;

use crate::error::{TransportError, TransportResult};

/// A network a tcp listener accepts peers from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpAcceptFilter {
    network: IpAddr,
    prefix_len: u8,
}

impl TcpAcceptFilter {
    /// Parses `address[/bits]` as libzmq does: without `/bits` the whole
    /// address must match; `/0` matches every address of the family; other
    /// prefix lengths are 1 to 32 (IPv4) or 1 to 128 (IPv6). A trailing
    /// NUL (C strings) is ignored.
    pub fn parse(text: &[u8]) -> TransportResult<Self> {
        let text = text.strip_suffix(b"\0").unwrap_or(text);
        let text = std::str::from_utf8(text)
            .map_err(|_| TransportError::invalid("accept filter is not text"))?;
        let (address, bits) = match text.split_once('/') {
            Some((address, bits)) => (address, Some(bits)),
            None => (text, None),
        };
        let network = IpAddr::from_str(address)
            .map_err(|_| TransportError::invalid("accept filter is no IP address"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix_len = match bits {
            None => max,
            Some(bits) => match bits.parse::<u8>() {
                Ok(bits) if bits <= max => bits,
                _ => return Err(TransportError::invalid("bad accept filter prefix length")),
            },
        };
        Ok(Self {
            network,
            prefix_len,
        })
    }

    /// Whether the network is an IPv6 one (libzmq takes those only with
    /// `ZMQ_IPV6` on).
    pub fn is_ipv6(&self) -> bool {
        self.network.is_ipv6()
    }

    /// Whether `peer` is in this network. IPv4-mapped IPv6 peers (on a
    /// dual-stack listener) are compared as IPv4.
    pub fn matches(&self, peer: IpAddr) -> bool {
        let peer = match peer {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, peer) {
            (IpAddr::V4(net), IpAddr::V4(peer)) => prefix_equal(
                u128::from(u32::from(net)) << 96,
                u128::from(u32::from(peer)) << 96,
                self.prefix_len,
            ),
            (IpAddr::V6(net), IpAddr::V6(peer)) => {
                prefix_equal(u128::from(net), u128::from(peer), self.prefix_len)
            }
            _ => false,
        }
    }
}

/// Whether the top `bits` bits of `a` and `b` agree.
fn prefix_equal(a: u128, b: u128, bits: u8) -> bool {
    match u32::from(bits) {
        0 => true,
        bits => {
            let shift = 128u32.saturating_sub(bits);
            a.checked_shr(shift).unwrap_or(0) == b.checked_shr(shift).unwrap_or(0)
        }
    }
}

/// Whether `peer` passes `filters` (no filters: everyone does).
pub(crate) fn peer_is_accepted(filters: &[TcpAcceptFilter], peer: Option<IpAddr>) -> bool {
    if filters.is_empty() {
        return true;
    }
    peer.is_some_and(|peer| filters.iter().any(|f| f.matches(peer)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn parses_libzmq_forms() {
        assert!(TcpAcceptFilter::parse(b"127.0.0.1").is_ok());
        assert!(TcpAcceptFilter::parse(b"127.0.0.1\0").is_ok());
        assert!(TcpAcceptFilter::parse(b"10.0.0.0/8").is_ok());
        assert!(TcpAcceptFilter::parse(b"::1/128").is_ok());
        assert!(TcpAcceptFilter::parse(b"10.0.0.0/33").is_err());
        assert!(TcpAcceptFilter::parse(b"::/129").is_err());
        assert!(TcpAcceptFilter::parse(b"10.0.0.0/x").is_err());
        assert!(TcpAcceptFilter::parse(b"localhost").is_err());
        assert!(TcpAcceptFilter::parse(b"").is_err());
    }

    #[test]
    fn matches_networks() {
        let net = TcpAcceptFilter::parse(b"192.168.1.0/24").unwrap();
        assert!(net.matches(ip("192.168.1.77")));
        assert!(!net.matches(ip("192.168.2.1")));
        assert!(net.matches(ip("::ffff:192.168.1.5")));
        assert!(!net.matches(ip("::1")));
        let host = TcpAcceptFilter::parse(b"127.0.0.1").unwrap();
        assert!(host.matches(ip("127.0.0.1")));
        assert!(!host.matches(ip("127.0.0.2")));
        let all = TcpAcceptFilter::parse(b"0.0.0.0/0").unwrap();
        assert!(all.matches(ip("8.8.8.8")));
        let v6 = TcpAcceptFilter::parse(b"fe80::/10").unwrap();
        assert!(v6.matches(ip("fe80::1")));
        assert!(!v6.matches(ip("fec0::1")));
    }

    #[test]
    fn empty_filter_list_accepts_everyone() {
        assert!(peer_is_accepted(&[], None));
        let only = [TcpAcceptFilter::parse(b"10.0.0.1").unwrap()];
        assert!(peer_is_accepted(&only, Some(ip("10.0.0.1"))));
        assert!(!peer_is_accepted(&only, Some(ip("10.0.0.2"))));
        assert!(!peer_is_accepted(&only, None));
    }
}
