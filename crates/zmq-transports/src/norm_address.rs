//! norm:// addresses as libzmq 4.3.5's NORM engine reads them
//! (`norm_engine_t::init`): `[id,][iface;]addr:port`.
//!
//! - `id`, before the first `,`: the local NORM node id, read as C's
//!   `atoi` reads it (garbage is 0, a negative number wraps); absent, the
//!   NORM library derives one from the host's address.
//! - `iface`, before the first `;` after that: the multicast interface.
//! - `addr:port`, split at the last `:`: the session address (multicast
//!   group or unicast host) and port, the port read with `atoi` and cut
//!   to 16 bits as libzmq does.
//!
//! No `:` at all is EINVAL (libzmq asserts in its I/O thread there; we
//! fail the bind or connect instead). libzmq copies the id into 31 bytes
//! and the interface and address into 255: longer text is cut the same.

use crate::error::{TransportError, TransportErrorKind, TransportResult};

/// The longest node id text libzmq copies.
const ID_MAX: usize = 31;
/// The longest interface name and address libzmq copies.
const TEXT_MAX: usize = 255;

/// A parsed norm:// address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormAddress {
    /// The local node id given before `,` (`None`: NORM picks one).
    pub node_id: Option<u32>,
    /// The multicast interface given before `;`.
    pub interface: Option<String>,
    /// The session address: a multicast group or a unicast host.
    pub address: String,
    /// The session port.
    pub port: u16,
}

impl NormAddress {
    /// Parses the address part of a norm:// endpoint.
    pub fn parse(text: &str) -> TransportResult<NormAddress> {
        let (node_id, rest) = match text.split_once(',') {
            Some((id, rest)) => (Some(atoi(cut(id, ID_MAX)) as u32), rest),
            None => (None, text),
        };
        let (interface, rest) = match rest.split_once(';') {
            Some((iface, rest)) => (Some(cut(iface, TEXT_MAX).to_owned()), rest),
            None => (None, rest),
        };
        let Some((address, port)) = rest.rsplit_once(':') else {
            return Err(TransportError::new(
                TransportErrorKind::InvalidEndpoint,
                "norm address without `:port`",
            ));
        };
        Ok(NormAddress {
            node_id,
            interface,
            address: cut(address, TEXT_MAX).to_owned(),
            port: atoi(port) as u16,
        })
    }
}

/// `text` cut to at most `max` bytes (on a character boundary: libzmq
/// cuts bytes, which only differs inside a multi-byte character).
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// glibc's `atoi`, `(int) strtol(text, NULL, 10)`: leading white space,
/// an optional sign, then decimal digits as far as they go (none: 0);
/// the `long` saturates, and the cast keeps its low 32 bits.
fn atoi(text: &str) -> i32 {
    let text = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let limit = i128::from(i64::MAX) + 1;
    let mut magnitude: i128 = 0;
    for digit in digits.bytes().take_while(u8::is_ascii_digit) {
        magnitude = (magnitude * 10 + i128::from(digit - b'0')).min(limit);
    }
    let long = if negative { -magnitude } else { magnitude };
    let long = long.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    long as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> NormAddress {
        NormAddress::parse(text).unwrap()
    }

    #[test]
    fn the_forms_libzmq_reads() {
        let plain = parse("239.192.1.1:5555");
        assert_eq!(plain.node_id, None);
        assert_eq!(plain.interface, None);
        assert_eq!(plain.address, "239.192.1.1");
        assert_eq!(plain.port, 5555);
        let full = parse("7,eth0;239.192.1.1:5555");
        assert_eq!(full.node_id, Some(7));
        assert_eq!(full.interface.as_deref(), Some("eth0"));
        assert_eq!(full.address, "239.192.1.1");
        let iface = parse("lo;224.1.2.3:1");
        assert_eq!(
            (iface.node_id, iface.interface.as_deref()),
            (None, Some("lo"))
        );
        // Unicast, and the last `:` splits (IPv6 text).
        assert_eq!(parse("127.0.0.1:6000").address, "127.0.0.1");
        let v6 = parse("ff02::1:7000");
        assert_eq!((v6.address.as_str(), v6.port), ("ff02::1", 7000));
    }

    #[test]
    fn numbers_read_as_atoi() {
        assert_eq!(parse("x,1.2.3.4:9").node_id, Some(0));
        assert_eq!(parse(" 12abc,1.2.3.4:9").node_id, Some(12));
        assert_eq!(parse("-1,1.2.3.4:9").node_id, Some(u32::MAX));
        assert_eq!(parse("1.2.3.4:").port, 0);
        assert_eq!(parse("1.2.3.4:*").port, 0);
        assert_eq!(parse("1.2.3.4:70000").port, 4464);
        // The low bits of a saturated `long`, as glibc and the casts.
        assert_eq!(parse("1.2.3.4:99999999999").port, 0xe7ff);
        assert_eq!(parse("1.2.3.4:99999999999999999999").port, u16::MAX);
    }

    #[test]
    fn no_port_is_einval() {
        for text in ["", "239.1.1.1", "1,lo;239.1.1.1", "a;b,c"] {
            let err = NormAddress::parse(text).unwrap_err();
            assert_eq!(err.errno(), libc::EINVAL, "{text}");
        }
        // `,` after `;` is part of the interface: the id is read from
        // everything before the first `,`.
        let odd = parse("lo;a,1.2.3.4:5");
        assert_eq!(odd.node_id, Some(0));
        assert_eq!(odd.address, "1.2.3.4");
    }

    #[test]
    fn long_text_is_cut_as_libzmq_copies_it() {
        let long = "a".repeat(300);
        let address = parse(&format!("{long}:1"));
        assert_eq!(address.address.len(), TEXT_MAX);
        let iface = parse(&format!("{long};1.2.3.4:1"));
        assert_eq!(iface.interface.unwrap().len(), TEXT_MAX);
        let id = parse(&format!("{}5,1.2.3.4:1", "1".repeat(40)));
        assert_eq!(id.node_id, Some(u32::MAX));
    }
}
