//! Framing checks that need no KDC (the handshakes themselves run over
//! a real realm in crates/zmq/tests/gssapi.rs).

use bytes::Bytes;

use super::*;
use crate::error::MechanismError;

#[test]
fn initiate_layout_and_checks() {
    assert!(initiate_body(b"").is_empty());
    let body = initiate_body(b"tok");
    assert_eq!(&body[..], b"\x08INITIATE\x00\x00\x00\x03tok");
    assert_eq!(&parse_initiate(&body).unwrap()[..], b"tok");
    let short = Bytes::from_static(b"\x08INITIATE\x00\x00\x00\x04tok");
    assert_eq!(
        parse_initiate(&short),
        Err(MechanismError::MalformedInitiate)
    );
    let long = Bytes::from_static(b"\x08INITIATE\x00\x00\x00\x02tok");
    assert_eq!(
        parse_initiate(&long),
        Err(MechanismError::MalformedInitiate)
    );
    let no_len = Bytes::from_static(b"\x08INITIATE\x00\x00");
    assert_eq!(
        parse_initiate(&no_len),
        Err(MechanismError::MalformedInitiate)
    );
    let other = Bytes::from_static(b"\x05HELLO\x00");
    assert_eq!(
        parse_initiate(&other),
        Err(MechanismError::UnexpectedCommand)
    );
    assert_eq!(
        parse_initiate(&Bytes::new()),
        Err(MechanismError::MalformedCommand)
    );
}

#[test]
fn nametypes() {
    const { assert!(AVAILABLE) };
    for v in 0..3 {
        assert_eq!(NameType::from_zmq(v).unwrap().to_zmq(), v);
    }
    assert_eq!(NameType::from_zmq(3), None);
    assert_eq!(NameType::from_zmq(-1), None);
}

#[test]
fn gss_errors_are_no_detail() {
    let e = MechanismError::Gssapi {
        call: "gss_init_sec_context",
        major: 0xd_0000,
        minor: 0,
        message: "x".into(),
    };
    assert!(e.is_no_detail());
    assert_eq!(e.protocol_error_code(), None);
}
