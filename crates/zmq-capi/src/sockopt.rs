//! `zmq_setsockopt` / `zmq_getsockopt`: every `ZMQ_*` socket option
//! number mapped to its C type and size rules and to the Rust setter or
//! getter.
//!
//! Options the Rust API does not have yet are never accepted silently:
//! setting one to anything but libzmq's default is EINVAL (setting the
//! default changes nothing, so it is accepted), and reading one gives the
//! default. `docs/capi.md` lists them with the part that brings them.

use std::ffi::c_int;

use zmq::{Error, Socket};

use crate::consts::*;

/// Part 8 rows: network, transport, metadata, unbuilt features.
mod network;
/// Part 7 rows: PLAIN, CURVE and ZAP options, `ZMQ_MECHANISM`.
mod security;

/// A value read from an option, with libzmq's size rule for the caller's
/// buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OptionValue {
    /// `int`, the buffer must be exactly 4 bytes (libzmq's `options_t`).
    Int(i32),
    /// `int` reported by the socket itself (`ZMQ_RCVMORE`, `ZMQ_EVENTS`,
    /// `ZMQ_TYPE`, `ZMQ_FD`, ...): the buffer may be larger; the rest is
    /// zeroed.
    SocketInt(i32),
    /// `int64_t`, exactly 8 bytes.
    Int64(i64),
    /// `uint64_t`, exactly 8 bytes.
    Uint64(u64),
    /// Bytes, the buffer at least as long.
    Binary(Vec<u8>),
    /// Text with its terminating NUL, the buffer at least as long.
    Text(String),
    /// A CURVE key: 32 bytes binary into a 32-byte buffer, or 40 Z85
    /// characters and a NUL into a 41-byte one; other sizes are EINVAL.
    CurveKey([u8; 32]),
}

/// The libzmq default of an option the Rust API lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Default {
    Int(i32),
    /// Empty text (string options).
    EmptyText,
    /// No default can be set or read (set-only actions, keys).
    None,
}

/// Options not in the Rust API yet, with libzmq's default.
fn not_yet(option: c_int) -> Option<Default> {
    let default = match option {
        ZMQ_HEARTBEAT_IVL | ZMQ_HEARTBEAT_TTL => Default::Int(0),
        ZMQ_HEARTBEAT_TIMEOUT => Default::Int(-1),
        ZMQ_ROUTER_NOTIFY => Default::Int(0),
        ZMQ_ROUTER_RAW | ZMQ_STREAM_NOTIFY => Default::None,
        ZMQ_PLAIN_USERNAME | ZMQ_PLAIN_PASSWORD | ZMQ_ZAP_DOMAIN => Default::EmptyText,
        ZMQ_CURVE_PUBLICKEY | ZMQ_CURVE_SECRETKEY | ZMQ_CURVE_SERVERKEY => Default::None,
        _ => return None,
    };
    Some(default)
}

fn int_arg(value: &[u8]) -> Result<i32, Error> {
    let bytes: [u8; 4] = value.try_into().map_err(|_| Error::Inval)?;
    Ok(i32::from_ne_bytes(bytes))
}

fn i64_arg(value: &[u8]) -> Result<i64, Error> {
    let bytes: [u8; 8] = value.try_into().map_err(|_| Error::Inval)?;
    Ok(i64::from_ne_bytes(bytes))
}

fn u64_arg(value: &[u8]) -> Result<u64, Error> {
    let bytes: [u8; 8] = value.try_into().map_err(|_| Error::Inval)?;
    Ok(u64::from_ne_bytes(bytes))
}

/// An `int` used as a flag: negative is EINVAL, non-zero is on (libzmq's
/// relaxed rule).
fn flag_arg(value: &[u8]) -> Result<bool, Error> {
    match int_arg(value)? {
        v if v < 0 => Err(Error::Inval),
        v => Ok(v != 0),
    }
}

/// `zmq_setsockopt`.
pub(crate) fn set(socket: &Socket, option: c_int, value: &[u8]) -> Result<(), Error> {
    match option {
        ZMQ_SNDHWM => socket.set_sndhwm(int_arg(value)?),
        ZMQ_RCVHWM => socket.set_rcvhwm(int_arg(value)?),
        ZMQ_LINGER => socket.set_linger(int_arg(value)?),
        ZMQ_RCVTIMEO => socket.set_rcvtimeo(int_arg(value)?),
        ZMQ_SNDTIMEO => socket.set_sndtimeo(int_arg(value)?),
        ZMQ_RECONNECT_IVL => socket.set_reconnect_ivl(int_arg(value)?),
        ZMQ_RECONNECT_IVL_MAX => socket.set_reconnect_ivl_max(int_arg(value)?),
        ZMQ_BACKLOG => socket.set_backlog(int_arg(value)?),
        ZMQ_SNDBUF => socket.set_sndbuf(int_arg(value)?),
        ZMQ_RCVBUF => socket.set_rcvbuf(int_arg(value)?),
        ZMQ_TCP_KEEPALIVE => socket.set_tcp_keepalive(int_arg(value)?),
        ZMQ_TCP_KEEPALIVE_CNT => socket.set_tcp_keepalive_cnt(int_arg(value)?),
        ZMQ_TCP_KEEPALIVE_IDLE => socket.set_tcp_keepalive_idle(int_arg(value)?),
        ZMQ_TCP_KEEPALIVE_INTVL => socket.set_tcp_keepalive_intvl(int_arg(value)?),
        ZMQ_CONNECT_TIMEOUT => socket.set_connect_timeout(int_arg(value)?),
        ZMQ_HANDSHAKE_IVL => socket.set_handshake_ivl(int_arg(value)?),
        ZMQ_MAXMSGSIZE => socket.set_maxmsgsize(i64_arg(value)?),
        ZMQ_AFFINITY => socket.set_affinity(u64_arg(value)?),
        ZMQ_IPV6 => socket.set_ipv6(flag_arg(value)?),
        ZMQ_IPV4ONLY => socket.set_ipv6(!flag_arg(value)?),
        ZMQ_IMMEDIATE => socket.set_immediate(flag_arg(value)?),
        ZMQ_ROUTER_MANDATORY => socket.set_router_mandatory(flag_arg(value)?),
        ZMQ_ROUTER_HANDOVER => socket.set_router_handover(flag_arg(value)?),
        ZMQ_PROBE_ROUTER => socket.set_probe_router(flag_arg(value)?),
        ZMQ_REQ_CORRELATE => socket.set_req_correlate(flag_arg(value)?),
        ZMQ_REQ_RELAXED => socket.set_req_relaxed(flag_arg(value)?),
        ZMQ_XPUB_VERBOSE => socket.set_xpub_verbose(flag_arg(value)?),
        ZMQ_XPUB_VERBOSER => socket.set_xpub_verboser(flag_arg(value)?),
        ZMQ_XPUB_MANUAL => socket.set_xpub_manual(flag_arg(value)?),
        ZMQ_XPUB_MANUAL_LAST_VALUE => socket.set_xpub_manual_last_value(flag_arg(value)?),
        ZMQ_XPUB_NODROP => socket.set_xpub_nodrop(flag_arg(value)?),
        ZMQ_ONLY_FIRST_SUBSCRIBE => socket.set_only_first_subscribe(flag_arg(value)?),
        ZMQ_XSUB_VERBOSE_UNSUBSCRIBE => socket.set_xsub_verbose_unsubscribe(flag_arg(value)?),
        ZMQ_INVERT_MATCHING => socket.set_invert_matching(flag_arg(value)?),
        ZMQ_CONFLATE => socket.set_conflate(flag_arg(value)?),
        ZMQ_ROUTING_ID => socket.set_identity(value),
        ZMQ_CONNECT_ROUTING_ID => socket.set_connect_routing_id(value),
        ZMQ_SUBSCRIBE => socket.set_subscribe(value),
        ZMQ_UNSUBSCRIBE => socket.set_unsubscribe(value),
        ZMQ_XPUB_WELCOME_MSG => socket.set_xpub_welcome_msg((!value.is_empty()).then_some(value)),
        other if let Some(result) = network::set(socket, other, value) => result,
        other if let Some(result) = security::set(socket, other, value) => result,
        other => match not_yet(other) {
            Some(Default::Int(default)) if int_arg(value)? == default => Ok(()),
            Some(Default::EmptyText) if value.is_empty() => Ok(()),
            _ => Err(Error::Inval),
        },
    }
}

/// `zmq_getsockopt`: the value of `option`.
pub(crate) fn get(socket: &Socket, option: c_int) -> Result<OptionValue, Error> {
    use OptionValue::{Binary, Int, Int64, SocketInt, Text, Uint64};
    Ok(match option {
        ZMQ_SNDHWM => Int(socket.get_sndhwm()?),
        ZMQ_RCVHWM => Int(socket.get_rcvhwm()?),
        ZMQ_LINGER => Int(socket.get_linger()?),
        ZMQ_RCVTIMEO => Int(socket.get_rcvtimeo()?),
        ZMQ_SNDTIMEO => Int(socket.get_sndtimeo()?),
        ZMQ_RECONNECT_IVL => Int(socket.get_reconnect_ivl()?),
        ZMQ_RECONNECT_IVL_MAX => Int(socket.get_reconnect_ivl_max()?),
        ZMQ_BACKLOG => Int(socket.get_backlog()?),
        ZMQ_SNDBUF => Int(socket.get_sndbuf()?),
        ZMQ_RCVBUF => Int(socket.get_rcvbuf()?),
        ZMQ_TCP_KEEPALIVE => Int(socket.get_tcp_keepalive()?),
        ZMQ_TCP_KEEPALIVE_CNT => Int(socket.get_tcp_keepalive_cnt()?),
        ZMQ_TCP_KEEPALIVE_IDLE => Int(socket.get_tcp_keepalive_idle()?),
        ZMQ_TCP_KEEPALIVE_INTVL => Int(socket.get_tcp_keepalive_intvl()?),
        ZMQ_CONNECT_TIMEOUT => Int(socket.get_connect_timeout()?),
        ZMQ_HANDSHAKE_IVL => Int(socket.get_handshake_ivl()?),
        ZMQ_MAXMSGSIZE => Int64(socket.get_maxmsgsize()?),
        ZMQ_AFFINITY => Uint64(socket.get_affinity()?),
        ZMQ_IPV6 => Int(i32::from(socket.get_ipv6()?)),
        ZMQ_IPV4ONLY => Int(i32::from(!socket.get_ipv6()?)),
        ZMQ_IMMEDIATE => Int(i32::from(socket.get_immediate()?)),
        ZMQ_INVERT_MATCHING => Int(i32::from(socket.get_invert_matching()?)),
        ZMQ_TOPICS_COUNT => Int(socket.get_topics_count()?),
        ZMQ_ROUTING_ID => Binary(socket.get_identity()?),
        ZMQ_RCVMORE => SocketInt(i32::from(socket.get_rcvmore()?)),
        ZMQ_TYPE => SocketInt(socket.get_socket_type()?.raw()),
        ZMQ_FD => SocketInt(socket.get_fd()?),
        ZMQ_EVENTS => {
            let events = socket.get_events()?;
            let mut bits = 0;
            if events.readable {
                bits |= i32::from(ZMQ_POLLIN);
            }
            if events.writable {
                bits |= i32::from(ZMQ_POLLOUT);
            }
            SocketInt(bits)
        }
        ZMQ_LAST_ENDPOINT => match socket.get_last_endpoint()? {
            Ok(text) => Text(text),
            Err(bytes) => Text(String::from_utf8_lossy(&bytes).into_owned()),
        },
        other if let Some(result) = network::get(socket, other) => result?,
        other if let Some(result) = security::get(socket, other) => result?,
        other => match not_yet(other) {
            Some(Default::Int(default)) => Int(default),
            Some(Default::EmptyText) => Text(String::new()),
            _ => return Err(Error::Inval),
        },
    })
}

/// Writes `value` into the caller's buffer of `*len` bytes by libzmq's
/// rules, and sets `*len` to the size written. EINVAL when the buffer has
/// the wrong size.
pub(crate) fn write_value(
    value: &OptionValue,
    out: &mut [u8],
    len: &mut usize,
) -> Result<(), Error> {
    let exact = |bytes: &[u8], out: &mut [u8], len: &mut usize| {
        if out.len() != bytes.len() {
            return Err(Error::Inval);
        }
        out.copy_from_slice(bytes);
        *len = bytes.len();
        Ok(())
    };
    let at_least = |bytes: &[u8], zero_rest: bool, out: &mut [u8], len: &mut usize| {
        let (head, rest) = out.split_at_mut_checked(bytes.len()).ok_or(Error::Inval)?;
        head.copy_from_slice(bytes);
        if zero_rest {
            rest.fill(0);
        }
        *len = bytes.len();
        Ok(())
    };
    match value {
        OptionValue::Int(v) => exact(&v.to_ne_bytes(), out, len),
        OptionValue::Int64(v) => exact(&v.to_ne_bytes(), out, len),
        OptionValue::Uint64(v) => exact(&v.to_ne_bytes(), out, len),
        OptionValue::SocketInt(v) => at_least(&v.to_ne_bytes(), true, out, len),
        OptionValue::Binary(bytes) => at_least(bytes, false, out, len),
        OptionValue::CurveKey(key) => match out.len() {
            32 => exact(key, out, len),
            41 => {
                let text = zmq_mechanisms::z85::encode(key).map_err(|_| Error::Inval)?;
                let mut with_nul = text.into_bytes();
                with_nul.push(0);
                exact(&with_nul, out, len)
            }
            _ => Err(Error::Inval),
        },
        OptionValue::Text(text) => {
            let mut with_nul = Vec::with_capacity(text.len() + 1);
            with_nul.extend_from_slice(text.as_bytes());
            with_nul.push(0);
            at_least(&with_nul, false, out, len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zmq::{Context, SocketType};

    #[test]
    fn int_option_round_trip_and_size_rules() {
        let ctx = Context::new();
        let socket = ctx.socket(SocketType::Push).unwrap();
        set(&socket, ZMQ_SNDHWM, &42i32.to_ne_bytes()).unwrap();
        assert_eq!(get(&socket, ZMQ_SNDHWM), Ok(OptionValue::Int(42)));
        assert_eq!(
            set(&socket, ZMQ_SNDHWM, &42i64.to_ne_bytes()),
            Err(Error::Inval)
        );
        let mut out = [0u8; 8];
        let mut len = 8;
        let value = get(&socket, ZMQ_SNDHWM).unwrap();
        assert_eq!(write_value(&value, &mut out, &mut len), Err(Error::Inval));
        let mut len = 4;
        write_value(&value, &mut out[..4], &mut len).unwrap();
        assert_eq!(len, 4);
    }

    #[test]
    fn socket_int_accepts_larger_buffer() {
        let value = OptionValue::SocketInt(1);
        let mut out = [0xffu8; 8];
        let mut len = 8;
        write_value(&value, &mut out, &mut len).unwrap();
        assert_eq!(len, 4);
        assert_eq!(&out[4..], &[0; 4]);
    }

    #[test]
    fn text_needs_room_for_nul() {
        let value = OptionValue::Text("ab".into());
        let mut out = [0u8; 2];
        let mut len = 2;
        assert_eq!(write_value(&value, &mut out, &mut len), Err(Error::Inval));
        let mut out = [1u8; 3];
        let mut len = 3;
        write_value(&value, &mut out, &mut len).unwrap();
        assert_eq!(&out, b"ab\0");
        assert_eq!(len, 3);
    }

    #[test]
    fn missing_options_accept_only_their_default() {
        let ctx = Context::new();
        let socket = ctx.socket(SocketType::Dealer).unwrap();
        assert_eq!(set(&socket, ZMQ_HEARTBEAT_IVL, &0i32.to_ne_bytes()), Ok(()));
        assert_eq!(
            set(&socket, ZMQ_HEARTBEAT_IVL, &100i32.to_ne_bytes()),
            Err(Error::Inval)
        );
        assert_eq!(get(&socket, ZMQ_RATE), Ok(OptionValue::Int(100)));
        assert_eq!(
            set(&socket, ZMQ_CURVE_SERVERKEY, &[0; 31]),
            Err(Error::Inval)
        );
        assert_eq!(set(&socket, 9999, &[]), Err(Error::Inval));
    }
}
