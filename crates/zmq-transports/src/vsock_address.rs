//! vsock and vmci address syntax: `cid:port`, as libzmq's
//! `vsock_address_t` (master) and `vmci_address_t` (4.3.5) read it.
//!
//! - The text is split at its *last* `:`; both halves must be non-empty.
//! - `*` or `-1` means "any" (`VMADDR_CID_ANY` / `VMADDR_PORT_ANY`).
//! - `@` as the cid means the local end: the host (cid 2) for vsock,
//!   the local VMCI context for vmci (`ENODEV` without VMCI).
//! - Otherwise a number, read as C's `strtoul(.., 10)` reads it: leading
//!   blanks and a sign are taken, text after the digits is ignored, and
//!   a value that does not fit 32 bits is `EINVAL`.

use std::fmt;

use crate::error::{TransportError, TransportErrorKind, TransportResult};

/// `VMADDR_CID_ANY` and `VMADDR_PORT_ANY`.
pub const VMADDR_ANY: u32 = u32::MAX;
/// `VMADDR_CID_HOST`: the host, as seen from a guest.
pub const VMADDR_CID_HOST: u32 = 2;

/// A parsed `cid:port`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VsockAddress {
    /// The context id ([`VMADDR_ANY`] for any).
    pub cid: u32,
    /// The port ([`VMADDR_ANY`] for any).
    pub port: u32,
}

impl VsockAddress {
    /// Parses a vsock address (`@` is the host, cid 2).
    pub fn parse(text: &str) -> TransportResult<Self> {
        Self::parse_with(text, || Ok(VMADDR_CID_HOST))
    }

    /// Parses `cid:port`, asking `local_cid` what `@` means.
    pub fn parse_with(
        text: &str,
        local_cid: impl FnOnce() -> TransportResult<u32>,
    ) -> TransportResult<Self> {
        let invalid = || TransportError::invalid(format!("bad cid:port address {text:?}"));
        let (cid_text, port_text) = text.rsplit_once(':').ok_or_else(invalid)?;
        let cid = match cid_text {
            "" => return Err(invalid()),
            "@" => match local_cid()? {
                VMADDR_ANY => {
                    return Err(TransportError::new(
                        TransportErrorKind::NoSuchDevice,
                        "no local context id",
                    ));
                }
                cid => cid,
            },
            "*" | "-1" => VMADDR_ANY,
            number => c_strtoul_u32(number).ok_or_else(invalid)?,
        };
        let port = match port_text {
            "" => return Err(invalid()),
            "*" | "-1" => VMADDR_ANY,
            number => c_strtoul_u32(number).ok_or_else(invalid)?,
        };
        Ok(Self { cid, port })
    }
}

impl fmt::Display for VsockAddress {
    /// `cid:port` with `*` for any, as libzmq's `to_string`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let part = |f: &mut fmt::Formatter<'_>, value: u32| match value {
            VMADDR_ANY => f.write_str("*"),
            value => write!(f, "{value}"),
        };
        part(f, self.cid)?;
        f.write_str(":")?;
        part(f, self.port)
    }
}

/// C's `strtoul(text, &end, 10)` followed by libzmq's checks: `None`
/// when no digit is read, on overflow of `unsigned long`, or when the
/// value does not fit an `unsigned int`. Text after the number is
/// ignored, as in C.
pub(crate) fn c_strtoul_u32(text: &str) -> Option<u32> {
    let value = c_strtoul(text)?;
    u32::try_from(value).ok()
}

/// C's `strtoul(text, &end, 10)` on a 64-bit `unsigned long`: `None`
/// when no digit is read or on overflow (`ERANGE`). A leading `-`
/// negates modulo 2⁶⁴, as C does.
pub(crate) fn c_strtoul(text: &str) -> Option<u64> {
    let rest = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, rest) = match rest.as_bytes().first() {
        Some(b'-') => (true, &rest[1..]),
        Some(b'+') => (false, &rest[1..]),
        _ => (false, rest),
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let mut value: u64 = 0;
    for digit in rest.bytes().take(digits) {
        value = value
            .checked_mul(10)?
            .checked_add(u64::from(digit - b'0'))?;
    }
    Some(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<(u32, u32), i32> {
        VsockAddress::parse(text)
            .map(|a| (a.cid, a.port))
            .map_err(|e| e.errno())
    }

    #[test]
    fn numbers_wildcards_and_the_host() {
        assert_eq!(parse("3:5555"), Ok((3, 5555)));
        assert_eq!(parse("*:*"), Ok((VMADDR_ANY, VMADDR_ANY)));
        assert_eq!(parse("-1:-1"), Ok((VMADDR_ANY, VMADDR_ANY)));
        assert_eq!(parse("@:80"), Ok((2, 80)));
        assert_eq!(parse("4294967295:1"), Ok((VMADDR_ANY, 1)));
        assert_eq!(parse("0:0"), Ok((0, 0)));
    }

    #[test]
    fn c_number_quirks_are_kept() {
        // strtoul skips blanks, takes a sign and ignores trailing text.
        assert_eq!(parse(" 7:+8"), Ok((7, 8)));
        assert_eq!(parse("7abc:8x"), Ok((7, 8)));
        assert_eq!(parse("-0:1"), Ok((0, 1)));
        // The last ':' splits.
        assert_eq!(parse("1:2:3"), Ok((1, 3)));
    }

    #[test]
    fn malformed_addresses_are_einval() {
        for bad in [
            "",
            "5555",
            ":5",
            "5:",
            "x:5",
            "5:y",
            "-2:5",
            "4294967296:1",
            "1:4294967296",
            "99999999999999999999:1",
            "@@:1",
        ] {
            assert_eq!(parse(bad), Err(libc::EINVAL), "{bad:?}");
        }
    }

    #[test]
    fn at_without_a_local_context_is_enodev() {
        let parsed = VsockAddress::parse_with("@:1", || Ok(VMADDR_ANY));
        assert_eq!(parsed.map_err(|e| e.errno()), Err(libc::ENODEV));
        let parsed = VsockAddress::parse_with("@:1", || Ok(9));
        assert_eq!(parsed.ok(), Some(VsockAddress { cid: 9, port: 1 }));
    }

    #[test]
    fn displays_with_stars_for_any() {
        for text in ["*:*", "3:5555", "*:7", "2:*"] {
            assert_eq!(
                VsockAddress::parse(text)
                    .map(|a| a.to_string())
                    .ok()
                    .as_deref(),
                Some(text)
            );
        }
        assert_eq!(
            VsockAddress::parse("-1:-1")
                .map(|a| a.to_string())
                .ok()
                .as_deref(),
            Some("*:*")
        );
    }

    #[test]
    fn strtoul_matches_c() {
        assert_eq!(c_strtoul("18446744073709551615"), Some(u64::MAX));
        assert_eq!(c_strtoul("18446744073709551616"), None);
        assert_eq!(c_strtoul("-1"), Some(u64::MAX));
        assert_eq!(c_strtoul("+"), None);
        assert_eq!(c_strtoul(" \t12 "), Some(12));
    }
}
