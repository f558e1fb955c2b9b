//! The security options of part 7 in `zmq_setsockopt` / `zmq_getsockopt`:
//! `ZMQ_PLAIN_*`, `ZMQ_CURVE_*`, `ZMQ_ZAP_*` and `ZMQ_MECHANISM`, with
//! libzmq 4.3's size rules.

use std::ffi::c_int;

use zmq::{Error, Mechanism, Socket};

use super::{OptionValue, int_arg};
use crate::consts::*;

/// `ZMQ_PLAIN_SERVER` / `ZMQ_CURVE_SERVER`: libzmq takes only 0 or 1.
fn strict_flag(value: &[u8]) -> Result<bool, Error> {
    match int_arg(value)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Error::Inval),
    }
}

/// A PLAIN credential: an empty value (libzmq: NULL) goes back to NULL.
fn credential(value: &[u8]) -> Option<&[u8]> {
    (!value.is_empty()).then_some(value)
}

/// Bytes as a C string option value (with its terminating NUL).
fn c_string(bytes: Vec<u8>) -> OptionValue {
    let mut with_nul = bytes;
    with_nul.push(0);
    OptionValue::Binary(with_nul)
}

/// A stored CURVE key (all zero when never set, like libzmq's buffer).
fn curve_key(key: Vec<u8>) -> Result<OptionValue, Error> {
    let key: [u8; 32] = key.try_into().map_err(|_| Error::Inval)?;
    Ok(OptionValue::CurveKey(key))
}

/// `zmq_setsockopt` for the security options; `None` when `option` is not
/// one of them. Keys are 32 bytes, or 40 Z85 characters (41 with a NUL).
pub(super) fn set(socket: &Socket, option: c_int, value: &[u8]) -> Option<Result<(), Error>> {
    Some(match option {
        ZMQ_PLAIN_SERVER => strict_flag(value).and_then(|on| socket.set_plain_server(on)),
        ZMQ_PLAIN_USERNAME => socket.set_plain_username(credential(value)),
        ZMQ_PLAIN_PASSWORD => socket.set_plain_password(credential(value)),
        ZMQ_CURVE_SERVER => strict_flag(value).and_then(|on| socket.set_curve_server(on)),
        ZMQ_CURVE_PUBLICKEY => socket.set_curve_publickey(value),
        ZMQ_CURVE_SECRETKEY => socket.set_curve_secretkey(value),
        ZMQ_CURVE_SERVERKEY => socket.set_curve_serverkey(value),
        ZMQ_ZAP_DOMAIN => socket.set_zap_domain(value.strip_suffix(b"\0").unwrap_or(value)),
        ZMQ_ZAP_ENFORCE_DOMAIN => {
            int_arg(value).and_then(|v| socket.set_zap_enforce_domain(v != 0))
        }
        _ => return None,
    })
}

/// `zmq_getsockopt` for the security options; `None` when `option` is not
/// one of them.
pub(super) fn get(socket: &Socket, option: c_int) -> Option<Result<OptionValue, Error>> {
    let flag = |on: Result<bool, Error>| on.map(|on| OptionValue::Int(i32::from(on)));
    Some(match option {
        ZMQ_MECHANISM => socket.get_mechanism().map(|m| {
            OptionValue::Int(match m {
                Mechanism::Null => ZMQ_NULL,
                Mechanism::Plain => ZMQ_PLAIN,
                Mechanism::Curve => ZMQ_CURVE,
            })
        }),
        ZMQ_PLAIN_SERVER => flag(socket.is_plain_server()),
        ZMQ_PLAIN_USERNAME => socket.get_plain_username().map(c_string),
        ZMQ_PLAIN_PASSWORD => socket.get_plain_password().map(c_string),
        ZMQ_CURVE_SERVER => flag(socket.is_curve_server()),
        ZMQ_CURVE_PUBLICKEY => socket.get_curve_publickey().and_then(curve_key),
        ZMQ_CURVE_SECRETKEY => socket.get_curve_secretkey().and_then(curve_key),
        ZMQ_CURVE_SERVERKEY => socket.get_curve_serverkey().and_then(curve_key),
        ZMQ_ZAP_DOMAIN => socket.get_zap_domain().map(c_string),
        ZMQ_ZAP_ENFORCE_DOMAIN => flag(socket.get_zap_enforce_domain()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{get as get_option, set as set_option, write_value};
    use super::*;
    use zmq::{Context, SocketType};

    const SERVER_PUBLIC_Z85: &[u8; 40] = b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

    fn read(socket: &Socket, option: c_int, size: usize) -> Result<Vec<u8>, Error> {
        let value = get_option(socket, option)?;
        let mut out = vec![0xAA; size];
        let mut len = size;
        write_value(&value, &mut out, &mut len)?;
        out.truncate(len);
        Ok(out)
    }

    fn int(socket: &Socket, option: c_int) -> i32 {
        let bytes: [u8; 4] = read(socket, option, 4).unwrap().try_into().unwrap();
        i32::from_ne_bytes(bytes)
    }

    #[test]
    fn plain_options_select_the_mechanism() {
        let ctx = Context::new();
        let s = ctx.socket(SocketType::Dealer).unwrap();
        assert_eq!(int(&s, ZMQ_MECHANISM), ZMQ_NULL);
        set_option(&s, ZMQ_PLAIN_USERNAME, b"admin").unwrap();
        set_option(&s, ZMQ_PLAIN_PASSWORD, b"secret").unwrap();
        assert_eq!(int(&s, ZMQ_MECHANISM), ZMQ_PLAIN);
        assert_eq!(int(&s, ZMQ_PLAIN_SERVER), 0);
        assert_eq!(read(&s, ZMQ_PLAIN_USERNAME, 64).unwrap(), b"admin\0");
        assert_eq!(read(&s, ZMQ_PLAIN_PASSWORD, 7).unwrap(), b"secret\0");
        assert_eq!(read(&s, ZMQ_PLAIN_PASSWORD, 6), Err(Error::Inval));
        set_option(&s, ZMQ_PLAIN_SERVER, &1i32.to_ne_bytes()).unwrap();
        assert_eq!(int(&s, ZMQ_PLAIN_SERVER), 1);
        assert_eq!(
            set_option(&s, ZMQ_PLAIN_SERVER, &2i32.to_ne_bytes()),
            Err(Error::Inval)
        );
        set_option(&s, ZMQ_PLAIN_SERVER, &0i32.to_ne_bytes()).unwrap();
        assert_eq!(int(&s, ZMQ_MECHANISM), ZMQ_NULL);
        assert_eq!(
            set_option(&s, ZMQ_PLAIN_USERNAME, &[b'u'; 256]),
            Err(Error::Inval)
        );
    }

    #[test]
    fn curve_keys_by_size() {
        let ctx = Context::new();
        let s = ctx.socket(SocketType::Dealer).unwrap();
        let binary = zmq_mechanisms::z85::decode(SERVER_PUBLIC_Z85).unwrap();
        set_option(&s, ZMQ_CURVE_SERVERKEY, SERVER_PUBLIC_Z85).unwrap();
        assert_eq!(int(&s, ZMQ_MECHANISM), ZMQ_CURVE);
        assert_eq!(read(&s, ZMQ_CURVE_SERVERKEY, 32).unwrap(), binary);
        let mut z85 = SERVER_PUBLIC_Z85.to_vec();
        z85.push(0);
        assert_eq!(read(&s, ZMQ_CURVE_SERVERKEY, 41).unwrap(), z85);
        assert_eq!(read(&s, ZMQ_CURVE_SERVERKEY, 40), Err(Error::Inval));
        assert_eq!(read(&s, ZMQ_CURVE_SERVERKEY, 64), Err(Error::Inval));
        // 41 bytes with the NUL, and 32 binary bytes, are accepted too.
        set_option(&s, ZMQ_CURVE_PUBLICKEY, &z85).unwrap();
        set_option(&s, ZMQ_CURVE_SECRETKEY, &binary).unwrap();
        assert_eq!(read(&s, ZMQ_CURVE_PUBLICKEY, 32).unwrap(), binary);
        assert_eq!(
            set_option(&s, ZMQ_CURVE_PUBLICKEY, &[0; 31]),
            Err(Error::Inval)
        );
        assert_eq!(
            set_option(&s, ZMQ_CURVE_PUBLICKEY, &[b'#'; 40]),
            Err(Error::Inval)
        );
        set_option(&s, ZMQ_CURVE_SERVER, &1i32.to_ne_bytes()).unwrap();
        assert_eq!(int(&s, ZMQ_CURVE_SERVER), 1);
        assert_eq!(int(&s, ZMQ_PLAIN_SERVER), 0);
    }

    #[test]
    fn zap_options() {
        let ctx = Context::new();
        let s = ctx.socket(SocketType::Rep).unwrap();
        assert_eq!(read(&s, ZMQ_ZAP_DOMAIN, 8).unwrap(), b"\0");
        set_option(&s, ZMQ_ZAP_DOMAIN, b"global").unwrap();
        assert_eq!(read(&s, ZMQ_ZAP_DOMAIN, 8).unwrap(), b"global\0");
        assert_eq!(
            set_option(&s, ZMQ_ZAP_DOMAIN, &[b'd'; 256]),
            Err(Error::Inval)
        );
        assert_eq!(int(&s, ZMQ_ZAP_ENFORCE_DOMAIN), 0);
        set_option(&s, ZMQ_ZAP_ENFORCE_DOMAIN, &1i32.to_ne_bytes()).unwrap();
        assert_eq!(int(&s, ZMQ_ZAP_ENFORCE_DOMAIN), 1);
    }
}
