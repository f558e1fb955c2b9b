//! tcp address syntax (zmq_tcp(7)): `host:port`, `[ipv6]:port`,
//! `*:*`, and for connect an optional source `source;destination`.
//!
//! This is syntax only; the transport resolves a parsed address into
//! socket addresses.

use std::fmt;
use std::net::IpAddr;
use std::num::NonZeroU16;

use crate::error::{TransportError, TransportResult};

/// A parsed tcp address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpAddress {
    /// The local address to bind before connecting (`source;destination`).
    pub source: Option<TcpHostPort>,
    /// The address to bind to, or to connect to.
    pub destination: TcpHostPort,
}

/// One `host:port` pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpHostPort {
    /// The host part.
    pub host: TcpHost,
    /// The port part.
    pub port: TcpPort,
}

/// The host part of a tcp address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TcpHost {
    /// `*`: every interface (bind and source only).
    Any,
    /// A numeric IPv4 or IPv6 address, with an optional IPv6 zone
    /// (`fe80::1%eth0` or `%2`).
    Ip {
        /// The address.
        ip: IpAddr,
        /// The zone: an interface name or index, as written.
        zone: Option<String>,
    },
    /// A name: an interface name when binding, a DNS name when connecting.
    Name(String),
}

/// The port part of a tcp address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpPort {
    /// `*` or `0`: an ephemeral port (bind and source only).
    Any,
    /// A port number in 1..=65535.
    Number(NonZeroU16),
}

impl TcpAddress {
    /// Parses the text after `tcp://`.
    pub fn parse(address: &str) -> TransportResult<Self> {
        match address.rsplit_once(';') {
            Some((source, destination)) => Ok(Self {
                source: Some(TcpHostPort::parse_source(source)?),
                destination: TcpHostPort::parse(destination)?,
            }),
            None => Ok(Self {
                source: None,
                destination: TcpHostPort::parse(address)?,
            }),
        }
    }

    /// Checks that this address can be bound: no source part.
    pub fn check_bind(&self) -> TransportResult<()> {
        if self.source.is_some() {
            return Err(TransportError::invalid("a bind address has no source part"));
        }
        Ok(())
    }

    /// Checks that this address can be connected to: a concrete host and a
    /// port in 1..=65535.
    pub fn check_connect(&self) -> TransportResult<()> {
        if self.destination.host == TcpHost::Any {
            return Err(TransportError::invalid("cannot connect to host '*'"));
        }
        if self.destination.port == TcpPort::Any {
            return Err(TransportError::invalid("cannot connect to port 0 or '*'"));
        }
        Ok(())
    }

    /// Parses the text after `tcp://` and checks it for bind.
    pub fn parse_bind(address: &str) -> TransportResult<Self> {
        let parsed = Self::parse(address)?;
        parsed.check_bind()?;
        Ok(parsed)
    }

    /// Parses the text after `tcp://` and checks it for connect.
    pub fn parse_connect(address: &str) -> TransportResult<Self> {
        let parsed = Self::parse(address)?;
        parsed.check_connect()?;
        Ok(parsed)
    }
}

impl TcpHostPort {
    /// Parses `host:port` (the port after the last colon).
    pub fn parse(text: &str) -> TransportResult<Self> {
        let (host, port) = text
            .rsplit_once(':')
            .ok_or_else(|| TransportError::invalid(format!("no port in tcp address {text:?}")))?;
        Ok(Self {
            host: TcpHost::parse(host)?,
            port: TcpPort::parse(port)?,
        })
    }

    /// Parses a source part, whose port may be left out (then it is `*`)
    /// when the host has no colon of its own (IPv4, names, `[ipv6]`).
    fn parse_source(text: &str) -> TransportResult<Self> {
        let has_port = match text.strip_prefix('[') {
            Some(_) => !text.ends_with(']'),
            None => text.contains(':'),
        };
        if has_port {
            Self::parse(text)
        } else {
            Ok(Self {
                host: TcpHost::parse(text)?,
                port: TcpPort::Any,
            })
        }
    }
}

impl TcpHost {
    /// Parses a host: `*`, `[ipv6]`, a numeric address with an optional
    /// `%zone`, or a name made of letters, digits, `.`, `-` and `_`.
    pub fn parse(text: &str) -> TransportResult<Self> {
        let bare = text
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
            .unwrap_or(text);
        if bare == "*" {
            return Ok(Self::Any);
        }
        let (address, zone) = match bare.rsplit_once('%') {
            Some((_, "")) => return Err(TransportError::invalid("empty zone after '%'")),
            Some((address, zone)) => (address, Some(zone.to_owned())),
            None => (bare, None),
        };
        if let Ok(ip) = address.parse::<IpAddr>() {
            if zone.is_some() && ip.is_ipv4() {
                return Err(TransportError::invalid("a zone applies to IPv6 only"));
            }
            return Ok(Self::Ip { ip, zone });
        }
        let is_name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
        if zone.is_some() || address.is_empty() || !address.chars().all(is_name_char) {
            return Err(TransportError::invalid(format!("bad tcp host {text:?}")));
        }
        Ok(Self::Name(address.to_owned()))
    }
}

impl TcpPort {
    /// Parses `*`, `0` (both [`TcpPort::Any`]) or a number in 1..=65535.
    pub fn parse(text: &str) -> TransportResult<Self> {
        if text == "*" {
            return Ok(Self::Any);
        }
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TransportError::invalid(format!("bad tcp port {text:?}")));
        }
        let number: u16 = text
            .parse()
            .map_err(|_| TransportError::invalid(format!("tcp port out of range {text:?}")))?;
        Ok(NonZeroU16::new(number).map_or(Self::Any, Self::Number))
    }

    /// The port number, 0 for [`TcpPort::Any`].
    pub fn number(self) -> u16 {
        match self {
            Self::Any => 0,
            Self::Number(number) => number.get(),
        }
    }
}

impl fmt::Display for TcpAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(source) = &self.source {
            write!(f, "{source};")?;
        }
        write!(f, "{}", self.destination)
    }
}

impl fmt::Display for TcpHostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

impl fmt::Display for TcpHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("*"),
            Self::Ip {
                ip: IpAddr::V4(ip), ..
            } => write!(f, "{ip}"),
            Self::Ip {
                ip: IpAddr::V6(ip),
                zone: None,
            } => write!(f, "[{ip}]"),
            Self::Ip {
                ip: IpAddr::V6(ip),
                zone: Some(zone),
            } => write!(f, "[{ip}%{zone}]"),
            Self::Name(name) => f.write_str(name),
        }
    }
}

impl fmt::Display for TcpPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("*"),
            Self::Number(number) => write!(f, "{number}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn port(n: u16) -> TcpPort {
        NonZeroU16::new(n).map_or(TcpPort::Any, TcpPort::Number)
    }

    fn ip(ip: impl Into<IpAddr>) -> TcpHost {
        TcpHost::Ip {
            ip: ip.into(),
            zone: None,
        }
    }

    #[test]
    fn parses_bind_forms() {
        let table: &[(&str, TcpHost, TcpPort)] = &[
            ("*:5555", TcpHost::Any, port(5555)),
            ("*:*", TcpHost::Any, TcpPort::Any),
            ("*:0", TcpHost::Any, TcpPort::Any),
            ("127.0.0.1:5555", ip(Ipv4Addr::LOCALHOST), port(5555)),
            ("[::1]:5555", ip(Ipv6Addr::LOCALHOST), port(5555)),
            ("::1:5555", ip(Ipv6Addr::LOCALHOST), port(5555)),
            ("[::]:*", ip(Ipv6Addr::UNSPECIFIED), TcpPort::Any),
            ("[*]:1", TcpHost::Any, port(1)),
            ("lo:65535", TcpHost::Name("lo".into()), port(65535)),
            ("eth0:1", TcpHost::Name("eth0".into()), port(1)),
        ];
        for (text, host, port) in table {
            let parsed = TcpAddress::parse_bind(text);
            let expected = TcpAddress {
                source: None,
                destination: TcpHostPort {
                    host: host.clone(),
                    port: *port,
                },
            };
            assert_eq!(parsed.ok(), Some(expected), "{text}");
        }
    }

    #[test]
    fn parses_zones() {
        let parsed = TcpHost::parse("[fe80::1%eth0]").ok();
        let expected = TcpHost::Ip {
            ip: "fe80::1"
                .parse::<IpAddr>()
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
            zone: Some("eth0".into()),
        };
        assert_eq!(parsed, Some(expected));
        assert!(TcpHost::parse("fe80::1%").is_err());
        assert!(TcpHost::parse("127.0.0.1%2").is_err());
        assert!(TcpHost::parse("host%2").is_err());
    }

    #[test]
    fn parses_connect_forms() {
        let table: &[(&str, Option<TcpHostPort>, TcpHost, u16)] = &[
            ("server1:5555", None, TcpHost::Name("server1".into()), 5555),
            (
                "my-host.example.com:80",
                None,
                TcpHost::Name("my-host.example.com".into()),
                80,
            ),
            (
                "192.168.1.1:5555",
                None,
                ip(Ipv4Addr::new(192, 168, 1, 1)),
                5555,
            ),
            ("[::1]:1", None, ip(Ipv6Addr::LOCALHOST), 1),
            (
                "eth1:0;server1:5555",
                Some(TcpHostPort {
                    host: TcpHost::Name("eth1".into()),
                    port: TcpPort::Any,
                }),
                TcpHost::Name("server1".into()),
                5555,
            ),
            (
                "192.168.1.17:5555;192.168.1.1:5555",
                Some(TcpHostPort {
                    host: ip(Ipv4Addr::new(192, 168, 1, 17)),
                    port: port(5555),
                }),
                ip(Ipv4Addr::new(192, 168, 1, 1)),
                5555,
            ),
            (
                "127.0.0.1;127.0.0.1:9",
                Some(TcpHostPort {
                    host: ip(Ipv4Addr::LOCALHOST),
                    port: TcpPort::Any,
                }),
                ip(Ipv4Addr::LOCALHOST),
                9,
            ),
            (
                "[::1];[::1]:9",
                Some(TcpHostPort {
                    host: ip(Ipv6Addr::LOCALHOST),
                    port: TcpPort::Any,
                }),
                ip(Ipv6Addr::LOCALHOST),
                9,
            ),
            (
                "*:*;localhost:9",
                Some(TcpHostPort {
                    host: TcpHost::Any,
                    port: TcpPort::Any,
                }),
                TcpHost::Name("localhost".into()),
                9,
            ),
        ];
        for (text, source, host, number) in table {
            let expected = TcpAddress {
                source: source.clone(),
                destination: TcpHostPort {
                    host: host.clone(),
                    port: port(*number),
                },
            };
            assert_eq!(
                TcpAddress::parse_connect(text).ok(),
                Some(expected),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_malformed_addresses_with_einval() {
        let bad = [
            "",
            "5555",
            "host",
            "host:",
            ":5555",
            "host:abc",
            "host:-1",
            "host:65536",
            "host:99999999999",
            "host:+5",
            "host: 5",
            "ho st:5",
            "host/x:5",
            "[::1:5",
            "a;b",
            ";host:5",
            "host:5;",
        ];
        for text in bad {
            let error = TcpAddress::parse(text).err().map(|e| e.errno());
            assert_eq!(error, Some(libc::EINVAL), "{text:?}");
        }
    }

    #[test]
    fn role_checks() {
        for connect_only_bad in ["*:5555", "host:*", "host:0", "[*]:1"] {
            assert!(
                TcpAddress::parse_connect(connect_only_bad).is_err(),
                "{connect_only_bad}"
            );
            assert!(
                TcpAddress::parse_bind(connect_only_bad).is_ok(),
                "{connect_only_bad}"
            );
        }
        assert!(TcpAddress::parse_bind("a:1;b:2").is_err());
    }
}
