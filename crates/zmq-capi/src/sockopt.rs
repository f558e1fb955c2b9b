//! `zmq_setsockopt` / `zmq_getsockopt`: a byte-level layer over the
//! option table of the Rust crate (`zmq::option_table`), which holds every
//! option's number, type and size rules, range, socket types and
//! accessors. Nothing about a single option lives here.

use std::ffi::c_int;

use zmq::option_table;
use zmq::{Error, Socket};

/// `zmq_setsockopt` with the caller's bytes; `None` is a NULL pointer
/// with size 0.
pub(crate) fn set(socket: &Socket, option: c_int, value: Option<&[u8]>) -> Result<(), Error> {
    option_table::set_option(socket, option, value)
}

/// `zmq_getsockopt` into the caller's buffer; returns the size written.
pub(crate) fn get(socket: &Socket, option: c_int, out: &mut [u8]) -> Result<usize, Error> {
    option_table::get_option(socket, option)?.write(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zmq::{Context, SocketType};

    const ZMQ_SNDHWM: c_int = 23;
    const ZMQ_HEARTBEAT_IVL: c_int = 75;
    const ZMQ_CURVE_SERVERKEY: c_int = 50;
    const ZMQ_SOCKS_PROXY: c_int = 68;

    fn read(socket: &Socket, option: c_int, size: usize) -> Result<Vec<u8>, Error> {
        let mut out = vec![0xAA; size];
        let len = get(socket, option, &mut out)?;
        out.truncate(len);
        Ok(out)
    }

    #[test]
    fn int_option_round_trip_and_size_rules() {
        let ctx = Context::new();
        let socket = ctx.socket(SocketType::Push).unwrap();
        set(&socket, ZMQ_SNDHWM, Some(&42i32.to_ne_bytes())).unwrap();
        assert_eq!(
            read(&socket, ZMQ_SNDHWM, 4),
            Ok(42i32.to_ne_bytes().to_vec())
        );
        assert_eq!(
            set(&socket, ZMQ_SNDHWM, Some(&42i64.to_ne_bytes())),
            Err(Error::Inval)
        );
        assert_eq!(set(&socket, ZMQ_SNDHWM, None), Err(Error::Inval));
        assert_eq!(read(&socket, ZMQ_SNDHWM, 8), Err(Error::Inval));
    }

    #[test]
    fn heartbeats_from_c() {
        let ctx = Context::new();
        let socket = ctx.socket(SocketType::Dealer).unwrap();
        set(&socket, ZMQ_HEARTBEAT_IVL, Some(&100i32.to_ne_bytes())).unwrap();
        assert_eq!(
            read(&socket, ZMQ_HEARTBEAT_IVL, 4),
            Ok(100i32.to_ne_bytes().to_vec())
        );
    }

    #[test]
    fn socks_proxy_null_clears_empty_is_einval() {
        let ctx = Context::new();
        let socket = ctx.socket(SocketType::Dealer).unwrap();
        set(&socket, ZMQ_SOCKS_PROXY, Some(b"127.0.0.1:1080")).unwrap();
        assert_eq!(
            read(&socket, ZMQ_SOCKS_PROXY, 64),
            Ok(b"127.0.0.1:1080\0".to_vec())
        );
        assert_eq!(set(&socket, ZMQ_SOCKS_PROXY, Some(b"")), Err(Error::Inval));
        set(&socket, ZMQ_SOCKS_PROXY, None).unwrap();
        assert_eq!(read(&socket, ZMQ_SOCKS_PROXY, 64), Ok(b"\0".to_vec()));
    }

    #[test]
    fn text_options_hold_any_bytes() {
        const ZMQ_BINDTODEVICE: c_int = 92;
        const ZMQ_SOCKS_USERNAME: c_int = 99;
        let ctx = Context::new();
        let socket = ctx.socket(SocketType::Dealer).unwrap();
        for option in [ZMQ_SOCKS_PROXY, ZMQ_SOCKS_USERNAME, ZMQ_BINDTODEVICE] {
            set(&socket, option, Some(b"\xff\x80x")).unwrap();
            assert_eq!(read(&socket, option, 64), Ok(b"\xff\x80x\0".to_vec()));
        }
        assert_eq!(
            set(&socket, ZMQ_BINDTODEVICE, Some(&[b'x'; 17])),
            Err(Error::Inval)
        );
    }

    #[test]
    fn xsub_verbose_unsubscribe_reads_an_int_of_any_size() {
        const ZMQ_XSUB_VERBOSE_UNSUBSCRIBE: c_int = 115;
        let ctx = Context::new();
        let xsub = ctx.socket(SocketType::XSub).unwrap();
        for value in [&1i64.to_ne_bytes()[..], &[1], &[], &[0, 0, 0, 0, 1]] {
            set(&xsub, ZMQ_XSUB_VERBOSE_UNSUBSCRIBE, Some(value)).unwrap();
        }
        // NULL: libzmq reads through it; we refuse.
        assert_eq!(
            set(&xsub, ZMQ_XSUB_VERBOSE_UNSUBSCRIBE, None),
            Err(Error::Inval)
        );
        let sub = ctx.socket(SocketType::Sub).unwrap();
        assert_eq!(
            set(
                &sub,
                ZMQ_XSUB_VERBOSE_UNSUBSCRIBE,
                Some(&1i32.to_ne_bytes())
            ),
            Err(Error::Inval)
        );
    }

    #[test]
    fn connect_routing_id_takes_any_non_empty_value() {
        const ZMQ_CONNECT_ROUTING_ID: c_int = 61;
        let ctx = Context::new();
        let router = ctx.socket(SocketType::Router).unwrap();
        set(&router, ZMQ_CONNECT_ROUTING_ID, Some(&[b'x'; 300])).unwrap();
        set(&router, ZMQ_CONNECT_ROUTING_ID, Some(b"\0zero first")).unwrap();
        assert_eq!(
            set(&router, ZMQ_CONNECT_ROUTING_ID, Some(b"")),
            Err(Error::Inval)
        );
    }

    #[test]
    fn ipv6_accept_filters_need_ipv6() {
        const ZMQ_TCP_ACCEPT_FILTER: c_int = 38;
        const ZMQ_IPV6: c_int = 42;
        let ctx = Context::new();
        let socket = ctx.socket(SocketType::Pull).unwrap();
        assert_eq!(
            set(&socket, ZMQ_TCP_ACCEPT_FILTER, Some(b"::1")),
            Err(Error::Inval)
        );
        set(&socket, ZMQ_IPV6, Some(&1i32.to_ne_bytes())).unwrap();
        set(&socket, ZMQ_TCP_ACCEPT_FILTER, Some(b"::1")).unwrap();
        set(&socket, ZMQ_TCP_ACCEPT_FILTER, Some(b"10.0.0.0/8")).unwrap();
    }

    #[test]
    fn unknown_and_unbuilt_options_are_einval() {
        let ctx = Context::new();
        let socket = ctx.socket(SocketType::Dealer).unwrap();
        assert_eq!(set(&socket, 9999, Some(&[])), Err(Error::Inval));
        assert_eq!(
            set(&socket, 62, Some(&1i32.to_ne_bytes())),
            Err(Error::Inval)
        );
        assert_eq!(read(&socket, 62, 4), Err(Error::Inval));
        assert_eq!(
            set(&socket, ZMQ_CURVE_SERVERKEY, Some(&[0; 31])),
            Err(Error::Inval)
        );
    }
}
