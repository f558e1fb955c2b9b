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

    /// What `zmq_connect` checks of a tcp address before accepting it:
    /// libzmq's "quick and dirty" syntax check (src/socket_base.cpp
    /// connect_internal), no more. The address starts with a letter, a
    /// digit, `[` or `:`, is made of letters, digits and `.-:%;[]_*`, and
    /// the text after its last colon starts with a digit. The rest (the
    /// host, the port's value) is only resolved at each connect attempt,
    /// which fails and retries later, so `:5555` or `127.0.0.1:70000` are
    /// accepted here.
    pub fn check_connect_syntax(address: &str) -> TransportResult<()> {
        let bytes = address.as_bytes();
        let starts_well = bytes
            .first()
            .is_some_and(|&b| b.is_ascii_alphanumeric() || matches!(b, b'[' | b':'));
        let all_allowed = bytes.iter().all(|&b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'.' | b'-' | b':' | b'%' | b';' | b'[' | b']' | b'_' | b'*'
                )
        });
        let port_starts_with_digit = address
            .rsplit_once(':')
            .is_some_and(|(_, port)| port.starts_with(|c: char| c.is_ascii_digit()));
        if starts_well && all_allowed && port_starts_with_digit {
            Ok(())
        } else {
            Err(TransportError::invalid(format!(
                "bad tcp address {address:?}"
            )))
        }
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
        if text.is_empty() {
            return Err(TransportError::invalid("empty source address"));
        }
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
    /// `%zone`, or else a name, whatever its characters (even empty): as
    /// in libzmq, a name that is no interface fails when bound (ENODEV)
    /// and one that does not resolve fails when connecting (retried).
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
        if zone.is_some() {
            return Err(TransportError::invalid(format!("bad tcp host {text:?}")));
        }
        Ok(Self::Name(address.to_owned()))
    }
}

impl TcpPort {
    /// Parses `*` or `0` (both [`TcpPort::Any`]), or else a number as
    /// libzmq does (src/ip_resolver.cpp resolve): `atoi`, then cast to
    /// 16 bits, so `70000` is port 4464, `-1` 65535 and `5abc` 5; EINVAL
    /// when that gives 0 (`abc`, `65536`, `00`).
    pub fn parse(text: &str) -> TransportResult<Self> {
        if text == "*" || text == "0" {
            return Ok(Self::Any);
        }
        // `as`: the C casts `(uint16_t) atoi (...)`, truncating on purpose.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let number = c_atoi(text) as u16;
        NonZeroU16::new(number)
            .map(Self::Number)
            .ok_or_else(|| TransportError::invalid(format!("bad tcp port {text:?}")))
    }

    /// The port number, 0 for [`TcpPort::Any`].
    pub fn number(self) -> u16 {
        match self {
            Self::Any => 0,
            Self::Number(number) => number.get(),
        }
    }
}

/// The C library's `atoi`: `(int) strtol (text, NULL, 10)`. Leading
/// white space, an optional sign, then decimal digits up to the first
/// other character; `strtol` saturates at the bounds of a 64-bit `long`,
/// and the cast to `int` keeps the low 32 bits.
fn c_atoi(text: &str) -> i32 {
    let rest = text.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let (negative, digits) = match rest.as_bytes().first() {
        Some(b'-') => (true, &rest[1..]),
        Some(b'+') => (false, &rest[1..]),
        _ => (false, rest),
    };
    // The magnitude, saturated just past what a long holds.
    let limit = u128::from(i64::MAX.unsigned_abs()) + 1;
    let magnitude = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0u128, |acc, digit| {
            (acc * 10 + u128::from(digit - b'0')).min(limit + 1)
        });
    let long: i64 = if negative {
        i64::try_from(magnitude).map_or(i64::MIN, |m| -m)
    } else {
        i64::try_from(magnitude).unwrap_or(i64::MAX)
    };
    // `as`: C's (int) conversion keeps the low 32 bits.
    #[allow(clippy::cast_possible_truncation)]
    let int = long as i32;
    int
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
            "host:abc",
            "host:65536",
            "host:00",
            "host:0x10",
            "host:4294967296",
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
    fn ports_are_read_as_libzmq_reads_them() {
        // atoi, then a cast to 16 bits (src/ip_resolver.cpp).
        let table: &[(&str, u16)] = &[
            ("70000", 4464),
            ("-1", 65535),
            ("-65535", 1),
            ("+5", 5),
            (" 5", 5),
            ("5abc", 5),
            ("00080", 80),
            ("99999999999", 59391),
            ("9999999999999999999999", 65535),
            ("-9999999999999999999999", 0),
        ];
        for (text, number) in table {
            let parsed = TcpPort::parse(text).map(TcpPort::number).ok();
            let expected = (*number != 0).then_some(*number);
            assert_eq!(parsed, expected, "{text:?}");
        }
        assert_eq!(TcpPort::parse("0").ok(), Some(TcpPort::Any));
        assert_eq!(TcpPort::parse("*").ok(), Some(TcpPort::Any));
    }

    #[test]
    fn hosts_that_are_no_address_are_names() {
        for name in ["", "ho st", "host/x", "[::1", "-host"] {
            assert_eq!(
                TcpHost::parse(name).ok(),
                Some(TcpHost::Name(name.into())),
                "{name:?}"
            );
        }
    }

    #[test]
    fn connect_syntax_is_libzmqs_quick_check() {
        // As zmq_connect of libzmq 4.3.5 answers (0 or EINVAL).
        let accepted = [
            "127.0.0.1:70000",
            ":5555",
            "127.0.0.1:0",
            "127.0.0.1:5abc",
            "127.0.0.1:65536",
            "[*]:1",
            "host_x:5",
            "127.0.0.1:0x10",
            "1.2.3.4;127.0.0.1:5",
            "[::1]:5",
            "fe80::1%eth0:5",
        ];
        for text in accepted {
            assert!(TcpAddress::check_connect_syntax(text).is_ok(), "{text}");
        }
        let refused = [
            "127.0.0.1:-1",
            "127.0.0.1:+5",
            "127.0.0.1: 5",
            "127.0.0.1:*",
            "*:5555",
            "a b:5",
            "127.0.0.1:",
            "127.0.0.1",
            ":*",
            "-host:5",
            "%eth0:5",
            ";127.0.0.1:5",
            "h\u{e9}:5",
        ];
        for text in refused {
            assert!(TcpAddress::check_connect_syntax(text).is_err(), "{text}");
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
