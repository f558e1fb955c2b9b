//! tipc address syntax, as libzmq 4.3.5's `tipc_address_t::resolve`
//! reads it (with C's `sscanf`):
//!
//! - `{type,lower,upper}`: a service range (bind or connect); `type` at
//!   least 64 (below are reserved) and `lower <= upper`;
//! - `{type,instance}`: a service address (port name); `type` above 64;
//! - `<z.c.n:ref>`: a socket (port identity): connect only;
//! - `<*>`: a random port identity: bind only;
//! - an optional `@z.c.n` domain suffix (used by `{type,instance}`).
//!
//! Numbers are read as `%u` reads them (blanks and a sign taken); text
//! after a complete form is ignored, as libzmq.

use crate::error::{TransportError, TransportResult};
use crate::vsock_address::c_strtoul;

/// `TIPC_RESERVED_TYPES`: service types below are the system's.
const TIPC_RESERVED_TYPES: u32 = 64;

/// A parsed tipc address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TipcAddress {
    /// `<*>`: bind to a port identity the kernel picks.
    Random,
    /// `{type,lower,upper}`.
    ServiceRange {
        /// The service type.
        service: u32,
        /// The lowest instance.
        lower: u32,
        /// The highest instance.
        upper: u32,
    },
    /// `{type,instance}` with its lookup domain (`@z.c.n`, 0 for all).
    Service {
        /// The service type.
        service: u32,
        /// The instance.
        instance: u32,
        /// The lookup domain, as `tipc_addr(z, c, n)`.
        domain: u32,
    },
    /// `<z.c.n:ref>`: one socket.
    Socket {
        /// The node, as `tipc_addr(z, c, n)`.
        node: u32,
        /// The port reference.
        reference: u32,
    },
}

/// `tipc_addr(z, c, n)`: zone, cluster and node in one word.
pub fn tipc_addr(zone: u32, cluster: u32, node: u32) -> u32 {
    (zone << 24) | (cluster << 12) | node
}

/// A little `sscanf`: literal characters and `%u` conversions.
struct Scan<'a> {
    rest: &'a str,
}

impl<'a> Scan<'a> {
    /// Matches one literal character.
    fn literal(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// `%u`: blanks, a sign, digits; stored in an `unsigned int` (a
    /// value too large for `unsigned long` saturates, as glibc).
    fn unsigned(&mut self) -> Option<u32> {
        let trimmed = self
            .rest
            .trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
        let signed = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
        let digits = signed.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let used = trimmed.len() - signed.len() + digits;
        let value = c_strtoul(&trimmed[..used]).unwrap_or(u64::MAX);
        self.rest = &trimmed[used..];
        Some(value as u32)
    }

    /// Runs `literal, %u, literal, %u, ...`: how many numbers converted.
    fn numbers(text: &'a str, open: char, separators: &[char], out: &mut [u32]) -> usize {
        let mut scan = Scan { rest: text };
        if !scan.literal(open) {
            return 0;
        }
        let mut count = 0;
        for (i, slot) in out.iter_mut().enumerate() {
            if i > 0 && !separators.get(i - 1).is_some_and(|&c| scan.literal(c)) {
                break;
            }
            match scan.unsigned() {
                Some(value) => *slot = value,
                None => break,
            }
            count += 1;
        }
        count
    }
}

/// The `@z.c.n` domain suffix: `None` when there is none, an error when
/// it is not exactly three numbers.
fn domain(text: &str) -> TransportResult<Option<u32>> {
    let Some(at) = text.find('@') else {
        return Ok(None);
    };
    // "@%u.%u.%u%c" must convert exactly three: nothing may follow.
    let mut scan = Scan { rest: &text[at..] };
    let mut parts = [0; 3];
    let mut whole = scan.literal('@');
    for (i, part) in parts.iter_mut().enumerate() {
        whole = whole && (i == 0 || scan.literal('.'));
        match scan.unsigned().filter(|_| whole) {
            Some(value) => *part = value,
            None => whole = false,
        }
    }
    if !whole || !scan.rest.is_empty() {
        return Err(TransportError::invalid(format!(
            "bad tipc domain in {text:?}"
        )));
    }
    Ok(Some(tipc_addr(parts[0], parts[1], parts[2])))
}

impl TipcAddress {
    /// Parses a tipc address (the text after `tipc://`).
    pub fn parse(text: &str) -> TransportResult<Self> {
        let invalid = || TransportError::invalid(format!("bad tipc address {text:?}"));
        if text.starts_with("<*>") {
            return Ok(Self::Random);
        }
        let mut numbers = [0; 3];
        let found = Scan::numbers(text, '{', &[',', ','], &mut numbers);
        let domain = domain(text)?;
        let [service, lower, upper] = numbers;
        match found {
            3 if service >= TIPC_RESERVED_TYPES && lower <= upper => Ok(Self::ServiceRange {
                service,
                lower,
                upper,
            }),
            2 if service > TIPC_RESERVED_TYPES => Ok(Self::Service {
                service,
                instance: lower,
                domain: domain.unwrap_or_else(|| tipc_addr(1, 0, 0)),
            }),
            0 => {
                let mut id = [0; 4];
                match Scan::numbers(text, '<', &['.', '.', ':'], &mut id) {
                    4 => Ok(Self::Socket {
                        node: tipc_addr(id[0], id[1], id[2]),
                        reference: id[3],
                    }),
                    _ => Err(invalid()),
                }
            }
            _ => Err(invalid()),
        }
    }

    /// The endpoint libzmq prints (`tipc_address_t::to_string`):
    /// `tipc://{type, lower, upper}` for services (for `{type,instance}`
    /// the third number is the domain, sharing the same bytes), and
    /// `tipc://<z.c.n:ref>` for sockets.
    pub fn endpoint(&self) -> String {
        match *self {
            Self::ServiceRange {
                service,
                lower,
                upper,
            } => format!("tipc://{{{service}, {lower}, {upper}}}"),
            Self::Service {
                service,
                instance,
                domain,
            } => format!("tipc://{{{service}, {instance}, {domain}}}"),
            Self::Socket { node, reference } => format!(
                "tipc://<{}.{}.{}:{reference}>",
                node >> 24,
                (node >> 12) & 0xfff,
                node & 0xfff
            ),
            Self::Random => "tipc://<0.0.0:0>".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<TipcAddress, i32> {
        TipcAddress::parse(text).map_err(|e| e.errno())
    }

    #[test]
    fn service_ranges() {
        let range = |service, lower, upper| TipcAddress::ServiceRange {
            service,
            lower,
            upper,
        };
        assert_eq!(parse("{5560,0,0}"), Ok(range(5560, 0, 0)));
        assert_eq!(parse("{64,1,10}"), Ok(range(64, 1, 10)));
        assert_eq!(parse("{ 5560, 1, 2}"), Ok(range(5560, 1, 2)));
        // sscanf ignores what follows the last conversion.
        assert_eq!(parse("{5560,0,0"), Ok(range(5560, 0, 0)));
        assert_eq!(parse("{5560,0,0}junk"), Ok(range(5560, 0, 0)));
        assert_eq!(parse("{5560,0,0}@1.2.3"), Ok(range(5560, 0, 0)));
        // Reserved types and inverted ranges.
        assert_eq!(parse("{63,0,0}"), Err(libc::EINVAL));
        assert_eq!(parse("{5560,2,1}"), Err(libc::EINVAL));
    }

    #[test]
    fn service_addresses_with_domains() {
        let service = |service, instance, domain| TipcAddress::Service {
            service,
            instance,
            domain,
        };
        assert_eq!(parse("{5560,0}@0.0.0"), Ok(service(5560, 0, 0)));
        assert_eq!(
            parse("{5560,7}@1.2.3"),
            Ok(service(5560, 7, tipc_addr(1, 2, 3)))
        );
        assert_eq!(parse("{5560,7}"), Ok(service(5560, 7, tipc_addr(1, 0, 0))));
        // Type 64 is a range's minimum but not a name's.
        assert_eq!(parse("{64,7}"), Err(libc::EINVAL));
        for bad in [
            "{5560,0}@1.2",
            "{5560,0}@1.2.3x",
            "{5560,0}@a.b.c",
            "{5560}",
        ] {
            assert_eq!(parse(bad), Err(libc::EINVAL), "{bad:?}");
        }
    }

    #[test]
    fn port_identities() {
        assert_eq!(parse("<*>"), Ok(TipcAddress::Random));
        assert_eq!(
            parse("<1.2.3:123123>"),
            Ok(TipcAddress::Socket {
                node: tipc_addr(1, 2, 3),
                reference: 123123
            })
        );
        for bad in ["", "<>", "<1.2.3>", "<1.2:4>", "x", "{x}", "*", "{", "<*"] {
            assert_eq!(parse(bad), Err(libc::EINVAL), "{bad:?}");
        }
    }

    #[test]
    fn endpoints_as_libzmq_prints_them() {
        let text = |t: &str| TipcAddress::parse(t).map(|a| a.endpoint()).ok();
        assert_eq!(text("{5560,0,0}").as_deref(), Some("tipc://{5560, 0, 0}"));
        assert_eq!(
            text("{5560,4}@0.0.0").as_deref(),
            Some("tipc://{5560, 4, 0}")
        );
        assert_eq!(text("<1.2.3:9>").as_deref(), Some("tipc://<1.2.3:9>"));
    }
}
